/*
 * Device link URIs (client/link_uri.h): a table of accepted and refused
 * URIs (missing fields, bad hex, overlong values, duplicate keys, trailing
 * junk, percent-encoding), then build/parse round-trips and the builder's
 * own refusals.
 */
#include <string.h>

#include "client/link_uri.h"
#include "testutil.h"

#define KEY                                                                                        \
    "05"                                                                                           \
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define KEY_UC                                                                                     \
    "05"                                                                                           \
    "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
#define P "sotto://link?"
#define GOOD P "account=alice&device_key=" KEY "&registration_id=42"
#define NAME64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

struct tcase {
    const char *uri;
    int rc;
    const char *account; /* expected on success */
    uint32_t regid;
};

static const struct tcase cases[] = {
    {GOOD, SOTTO_OK, "alice", 42},
    /* Any order, uppercase hex, unknown keys ignored. */
    {P "registration_id=16380&device_key=" KEY_UC "&account=a.b-c_d", SOTTO_OK, "a.b-c_d", 16380},
    {P "v=2&account=bob&device_key=" KEY "&registration_id=1&x_y=Z~.", SOTTO_OK, "bob", 1},
    {P "account=" NAME64 "&device_key=" KEY "&registration_id=7", SOTTO_OK, NAME64, 7},
    /* Wrong scheme or host. */
    {"", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {"sotto://link", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {"SOTTO://link?account=alice&device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE,
     NULL, 0},
    {"sotto://lnk?account=alice&device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE,
     NULL, 0},
    {" " GOOD, SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    /* Missing fields. */
    {P, SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=" KEY, SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=&device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account&device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    /* Bad hex and bad keys. */
    {P "account=alice&device_key=05zz&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=" KEY "0&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=" KEY "00&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=06"
       "00112233445566778899aabbccddeeff00112233445566778899aabbcc"
       "ddeeff&registration_id=42",
     SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=05"
       "0g112233445566778899aabbccddeeff00112233445566778899aabbcc"
       "ddeeff&registration_id=42",
     SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    /* Overlong or out-of-range values. */
    {P "account=" NAME64 "a&device_key=" KEY "&registration_id=7", SOTTO_ERR_INVALID_MESSAGE, NULL,
     0},
    {P "account=Alice&device_key=" KEY "&registration_id=7", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=" KEY "&registration_id=16381", SOTTO_ERR_INVALID_MESSAGE, NULL,
     0},
    {P "account=alice&device_key=" KEY "&registration_id=0", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=" KEY "&registration_id=042", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=" KEY "&registration_id=4294967338", SOTTO_ERR_INVALID_MESSAGE,
     NULL, 0},
    {P "account=alice&device_key=" KEY "&registration_id=-1", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=" KEY "&registration_id=+42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice&device_key=" KEY "&registration_id=42&" NAME64 "=1",
     SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    /* Duplicate keys, even with equal values. */
    {GOOD "&account=alice", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {GOOD "&account=mallory", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {GOOD "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {GOOD "&device_key=" KEY, SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    /* Trailing junk and empty pairs. */
    {GOOD "&", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {GOOD " ", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {GOOD "\n", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {GOOD "#frag", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {GOOD "x", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {GOOD "&&v=1", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "&account=alice&device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice=bob&device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL,
     0},
    /* Percent-encoding is refused, not decoded (even of unreserved chars). */
    {P "account=%61lice&device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "acc%6Funt=alice&device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice%26account%3Dbob&device_key=" KEY "&registration_id=42",
     SOTTO_ERR_INVALID_MESSAGE, NULL, 0},
    {P "account=alice+bob&device_key=" KEY "&registration_id=42", SOTTO_ERR_INVALID_MESSAGE, NULL,
     0},
};

static void table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct tcase *t = &cases[i];
        struct sc_link_info li;
        const char *why = NULL;
        int rc = sc_link_uri_parse(&li, &why, t->uri, strlen(t->uri));
        CHECK(rc == t->rc);
        CHECK(why != NULL);
        if (rc != t->rc)
            fprintf(stderr, "case %zu: %s -> %d (%s)\n", i, t->uri, rc, why ? why : "");
        if (t->rc == SOTTO_OK && rc == SOTTO_OK) {
            CHECK(strcmp(li.account, t->account) == 0);
            CHECK(li.registration_id == t->regid);
            CHECK(li.device_key[0] == 0x05 && li.device_key[1] == 0x00 &&
                  li.device_key[32] == 0xff);
        }
        if (rc != SOTTO_OK)
            CHECK(li.account[0] == 0 && li.registration_id == 0 && li.device_key[0] == 0);
        /* An error always comes with a reason. */
        CHECK(rc == SOTTO_OK || (why != NULL && why[0] != 0));
    }
}

static void limits(void)
{
    char big[SC_LINK_URI_MAX + 2];
    struct sc_link_info li;
    const char *why = NULL;
    /* A NUL inside the given length is refused, not taken as the end. */
    static const char nul[] = GOOD "\0&v=1";
    CHECK(sc_link_uri_parse(&li, &why, nul, sizeof nul - 1) == SOTTO_ERR_INVALID_MESSAGE);
    /* Exactly the limit is parsed; one more byte is too long. */
    memset(big, 'a', sizeof big);
    memcpy(big, GOOD "&v=", sizeof GOOD + 2);
    CHECK(sc_link_uri_parse(&li, &why, big, SC_LINK_URI_MAX) == SOTTO_OK);
    CHECK(sc_link_uri_parse(&li, &why, big, SC_LINK_URI_MAX + 1) == SOTTO_ERR_TOO_LARGE);
    /* A length shorter than the string parses only the prefix. */
    CHECK(sc_link_uri_parse(&li, &why, GOOD, strlen(GOOD) - 1) == SOTTO_OK &&
          li.registration_id == 4);
    CHECK(sc_link_uri_parse(&li, NULL, "x", 1) == SOTTO_ERR_INVALID_MESSAGE);
}

static void roundtrip(void)
{
    struct sc_link_info in, back;
    char uri[SC_LINK_URI_MAX + 1];
    const char *why;
    memset(&in, 0, sizeof in);
    memcpy(in.account, NAME64, sizeof NAME64);
    in.device_key[0] = 0x05;
    for (size_t i = 1; i < SC_IDKEY_BYTES; i++)
        in.device_key[i] = (uint8_t)(i * 37);
    in.registration_id = 16380;
    CHECK_OK(sc_link_uri_build(uri, sizeof uri, &in));
    CHECK(strlen(uri) <= 185);
    CHECK_OK(sc_link_uri_parse(&back, &why, uri, strlen(uri)));
    CHECK(memcmp(&in, &back, sizeof in) == 0);

    in.registration_id = 42;
    memcpy(in.account, "alice", 6);
    memcpy(in.device_key, (const uint8_t[]){0x05, 0x00, 0x11}, 3);
    CHECK_OK(sc_link_uri_build(uri, sizeof uri, &in));
    CHECK(strncmp(uri, P "account=alice&device_key=050011", 44) == 0);
    CHECK(strstr(uri, "&registration_id=42") != NULL);

    /* Too small a buffer: "" and TOO_LARGE. */
    CHECK(sc_link_uri_build(uri, 20, &in) == SOTTO_ERR_TOO_LARGE && uri[0] == 0);
    /* Fields outside the grammar are refused. */
    back = in;
    back.registration_id = 0;
    CHECK(sc_link_uri_build(uri, sizeof uri, &back) == SOTTO_ERR_INVALID_ARGUMENT);
    back = in;
    back.device_key[0] = 0x06;
    CHECK(sc_link_uri_build(uri, sizeof uri, &back) == SOTTO_ERR_INVALID_ARGUMENT);
    back = in;
    memcpy(back.account, "a&b", 4);
    CHECK(sc_link_uri_build(uri, sizeof uri, &back) == SOTTO_ERR_INVALID_ARGUMENT);
    back = in;
    memset(back.account, 'a', sizeof back.account);
    CHECK(sc_link_uri_build(uri, sizeof uri, &back) == SOTTO_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    t_init();
    table();
    limits();
    roundtrip();
    return t_done();
}
