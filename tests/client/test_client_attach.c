/*
 * Attachment encryption and descriptors (client/attach.h): sealing and
 * opening round-trips at record boundaries; a flipped byte fails the
 * digest; a dropped last record, swapped records or an appended record
 * fail even with a recomputed digest (index and last flag are in the AAD);
 * descriptors round-trip and bad ones are refused; received names are
 * reduced to a safe base name.
 */
#include <stdlib.h>
#include <string.h>

#include "client/attach.h"
#include "crypto/crypto.h"
#include "testutil.h"

enum { R = SC_ATTACH_RECORD, REC = SC_ATTACH_RECORD + 16 };

static void roundtrip(size_t len)
{
    struct sc_attach a;
    uint8_t *pt = malloc(len + 1), *ct, *back;
    size_t ctlen;
    memset(&a, 0, sizeof a);
    st_random_bytes(pt, len);
    CHECK_OK(sc_attach_seal(&ct, &ctlen, &a, pt, len));
    CHECK(ctlen == sc_attach_ct_size(len));
    CHECK(a.size == len);
    CHECK_OK(sc_attach_open(&back, &a, ct, ctlen));
    CHECK(len == 0 || memcmp(back, pt, len) == 0);
    free(back);
    free(ct);
    free(pt);
}

/* Recomputes the digest after tampering, so only the AEAD can notice. */
static int open_tampered(struct sc_attach *a, uint8_t *ct, size_t ctlen)
{
    uint8_t *back = NULL;
    int rc;
    st_sha256(a->digest, ct, ctlen);
    rc = sc_attach_open(&back, a, ct, ctlen);
    free(back);
    return rc;
}

int main(void)
{
    static const size_t sizes[] = {0, 1, R - 1, R, R + 1, 3 * R + 5};
    struct sc_attach a, b;
    uint8_t *pt, *ct, *back = NULL, *enc, *tmp;
    size_t ctlen, enclen;
    char name[SC_ATTACH_NAME_MAX + 1];

    t_init();
    t_seed_random(7);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        roundtrip(sizes[i]);

    /* Three records: R, R, 10 bytes. */
    pt = malloc(2 * R + 10);
    st_random_bytes(pt, 2 * R + 10);
    memset(&a, 0, sizeof a);
    CHECK_OK(sc_attach_seal(&ct, &ctlen, &a, pt, 2 * R + 10));
    CHECK(ctlen == 2 * REC + 26);
    ct[5] ^= 1;
    CHECK(sc_attach_open(&back, &a, ct, ctlen) == SOTTO_ERR_BAD_MAC); /* digest */
    CHECK(back == NULL);
    CHECK(open_tampered(&a, ct, ctlen) != SOTTO_OK); /* the record's tag */
    ct[5] ^= 1;
    CHECK(open_tampered(&a, ct, ctlen) == SOTTO_OK);
    /* Swap records 0 and 1. */
    tmp = malloc(REC);
    memcpy(tmp, ct, REC);
    memcpy(ct, ct + REC, REC);
    memcpy(ct + REC, tmp, REC);
    CHECK(open_tampered(&a, ct, ctlen) != SOTTO_OK);
    memcpy(ct + REC, ct, REC);
    memcpy(ct, tmp, REC);
    CHECK(open_tampered(&a, ct, ctlen) == SOTTO_OK);
    /* Drop the last record and claim a size of 2 R: record 1 is not last. */
    b = a;
    b.size = 2 * R;
    CHECK(open_tampered(&b, ct, 2 * REC) != SOTTO_OK);
    /* A wrong size for the bytes given. */
    CHECK(sc_attach_open(&back, &a, ct, ctlen - 1) == SOTTO_ERR_TRUNCATED);
    /* Another key. */
    b = a;
    b.key[0] ^= 1;
    CHECK(open_tampered(&b, ct, ctlen) != SOTTO_OK);
    free(tmp);

    /* Descriptors. */
    memset(a.id, 0xab, 16);
    strcpy(a.name, "photo.jpg");
    strcpy(a.caption, "look");
    strcpy(a.path, "/home/a/photo.jpg");
    CHECK_OK(sc_attach_encode(&enc, &enclen, &a, 1));
    CHECK_OK(sc_attach_decode(&b, enc, enclen, 1));
    CHECK(memcmp(b.id, a.id, 16) == 0 && memcmp(b.key, a.key, 32) == 0 &&
          memcmp(b.nonce, a.nonce, 24) == 0 && memcmp(b.digest, a.digest, 32) == 0);
    CHECK(b.size == a.size && strcmp(b.name, "photo.jpg") == 0 && strcmp(b.caption, "look") == 0 &&
          strcmp(b.path, "/home/a/photo.jpg") == 0);
    CHECK(sc_attach_decode(&b, enc, enclen - 1, 1) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(sc_attach_decode(&b, enc, enclen, 0) == SOTTO_ERR_INVALID_MESSAGE); /* trailer */
    free(enc);
    CHECK_OK(sc_attach_encode(&enc, &enclen, &a, 0));
    CHECK_OK(sc_attach_decode(&b, enc, enclen, 0));
    CHECK(b.path[0] == 0);
    enc[112] = 0; /* empty name */
    CHECK(sc_attach_decode(&b, enc, enclen, 0) == SOTTO_ERR_INVALID_MESSAGE);
    free(enc);
    a.name[0] = 0;
    CHECK(sc_attach_encode(&enc, &enclen, &a, 0) == SOTTO_ERR_INVALID_ARGUMENT);

    /* Names from senders. */
    sc_attach_safe_name(name, sizeof name, "../../evil");
    CHECK(strcmp(name, "evil") == 0);
    sc_attach_safe_name(name, sizeof name, "/etc/passwd");
    CHECK(strcmp(name, "passwd") == 0);
    sc_attach_safe_name(name, sizeof name, "..");
    CHECK(strcmp(name, "attachment") == 0);
    sc_attach_safe_name(name, sizeof name, "dir/");
    CHECK(strcmp(name, "attachment") == 0);
    sc_attach_safe_name(name, sizeof name, "a b\\c\n.txt");
    CHECK(strcmp(name, "a_b_c_.txt") == 0);

    free(ct);
    free(pt);
    return t_done();
}
