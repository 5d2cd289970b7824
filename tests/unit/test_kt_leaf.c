/*
 * lib/kt leaves and device lists: round trips, AK signatures, and tables of
 * encodings that must fail to parse (truncated, trailing bytes, bad type or
 * version, oversize, rule violations).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sotto/kt.h"
#include "sotto/sotto.h"
#include "testutil.h"

static uint8_t ak_priv[32], ak_pub[33], dev_pub[33];

static void keys(void)
{
    uint8_t u[32], p[32];
    CHECK_OK(st_x25519_keypair(u, ak_priv));
    st_pubkey_encode(ak_pub, u);
    CHECK_OK(st_x25519_keypair(u, p));
    st_pubkey_encode(dev_pub, u);
}

static struct sotto_kt_leaf make_leaf(uint8_t type)
{
    struct sotto_kt_leaf l;
    memset(&l, 0, sizeof l);
    l.type = type;
    l.timestamp = 1764201600000ull;
    memset(l.account_uuid, 0xa5, sizeof l.account_uuid);
    memcpy(l.account_key, ak_pub, 33);
    l.prev_index = type == SOTTO_KT_ACCOUNT_CREATE ? SOTTO_KT_NO_PREV : 41;
    if (type == SOTTO_KT_DL_UPDATE) {
        l.dl_version = 7;
        memset(l.dl_hash, 0x3c, 32);
    }
    if (type == SOTTO_KT_ACCOUNT_RESET)
        l.reason = SOTTO_KT_RESET_PIN;
    else
        CHECK_OK(sotto_kt_leaf_sign(&l, ak_priv));
    return l;
}

static void leaf_round_trips(void)
{
    static const size_t want_len[] = {0, 139, 181, 74};
    for (uint8_t type = 1; type <= 3; type++) {
        struct sotto_kt_leaf l = make_leaf(type), p;
        uint8_t buf[SOTTO_KT_LEAF_MAX], again[SOTTO_KT_LEAF_MAX];
        size_t len, len2;

        CHECK_OK(sotto_kt_leaf_encode(buf, &len, sizeof buf, &l));
        CHECK(len == want_len[type]);
        CHECK_OK(sotto_kt_leaf_parse(&p, buf, len));
        CHECK(memcmp(&p, &l, sizeof l) == 0);
        CHECK_OK(sotto_kt_leaf_encode(again, &len2, sizeof again, &p));
        CHECK(len2 == len && memcmp(buf, again, len) == 0);
        CHECK(sotto_kt_leaf_encode(again, &len2, len - 1, &p) == SOTTO_ERR_TOO_LARGE);
        if (type == SOTTO_KT_ACCOUNT_RESET) {
            CHECK(sotto_kt_leaf_verify(&p) == SOTTO_ERR_UNSUPPORTED);
            continue;
        }
        CHECK_OK(sotto_kt_leaf_verify(&p));
        /* the log's fields are outside the signature, the client's inside */
        p.timestamp++;
        p.prev_index = 3;
        CHECK_OK(sotto_kt_leaf_verify(&p));
        p.account_uuid[0] ^= 1;
        CHECK(sotto_kt_leaf_verify(&p) == SOTTO_ERR_INVALID_SIGNATURE);
        p.account_uuid[0] ^= 1;
        if (type == SOTTO_KT_DL_UPDATE) {
            p.dl_version++;
            CHECK(sotto_kt_leaf_verify(&p) == SOTTO_ERR_INVALID_SIGNATURE);
        }
    }
}

struct leaf_case {
    const char *name;
    uint8_t type;
    size_t at;   /* byte to set (SIZE_MAX: none) */
    uint8_t val; /* its new value */
    int cut;     /* bytes removed at the end (< 0: bytes appended) */
    int want;
};

/* Offsets in a CREATE leaf: 0 version, 1 type, 2-9 timestamp, 10-11 uuid
 * length, 12-27 uuid, 28-29 body length, 30-31 AK length, 32 AK type,
 * 65-66 sig length, 131-138 prev_index. RESET: 30-31 AK length, 65 reason. */
static const struct leaf_case leaf_cases[] = {
    {"version 0", 1, 0, 0, 0, SOTTO_ERR_INVALID_VERSION},
    {"version 2", 1, 0, 2, 0, SOTTO_ERR_INVALID_VERSION},
    {"type 0", 1, 1, 0, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"type 4 (NAME_BIND, not yet)", 1, 1, 4, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"type 255", 1, 1, 255, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"type CREATE->RESET", 1, 1, 3, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"uuid length 15", 1, 11, 15, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"uuid length 17", 1, 11, 17, 0, SOTTO_ERR_TOO_LARGE},
    {"body length 0xff65", 1, 28, 0xff, 0, SOTTO_ERR_TOO_LARGE},
    {"body length short", 1, 29, 100, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"body length long", 1, 29, 102, 0, SOTTO_ERR_TRUNCATED},
    {"AK length 32", 1, 31, 32, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"AK type 0x06", 1, 32, 6, 0, SOTTO_ERR_INVALID_KEY},
    {"sig length 63", 1, 66, 63, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"CREATE with prev_index", 1, 131, 0, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"trailing byte", 1, SIZE_MAX, 0, -1, SOTTO_ERR_INVALID_MESSAGE},
    {"no prev_index", 1, SIZE_MAX, 0, 8, SOTTO_ERR_TRUNCATED},
    {"one byte short", 1, SIZE_MAX, 0, 1, SOTTO_ERR_TRUNCATED},
    {"DL_UPDATE without prev", 2, 173, 0xff, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"RESET reason 0", 3, 65, 0, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"RESET reason 4", 3, 65, 4, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"RESET->DL_UPDATE", 3, 1, 2, 0, SOTTO_ERR_INVALID_MESSAGE},
};

static void leaf_must_fail(void)
{
    int fail = 0, n = (int)(sizeof leaf_cases / sizeof leaf_cases[0]);

    for (int i = 0; i < n; i++) {
        const struct leaf_case *c = &leaf_cases[i];
        struct sotto_kt_leaf l = make_leaf(c->type), p;
        uint8_t buf[SOTTO_KT_LEAF_MAX + 8];
        size_t len;
        int rc;

        CHECK_OK(sotto_kt_leaf_encode(buf, &len, sizeof buf, &l));
        if (c->at != SIZE_MAX)
            buf[c->at] = c->val;
        if (c->type == 2 && c->at == 173)
            memset(buf + 173, 0xff, 8);
        if (c->cut < 0)
            buf[len++] = 0;
        else
            len -= (size_t)c->cut;
        rc = sotto_kt_leaf_parse(&p, buf, len);
        if (rc != c->want) {
            fprintf(stderr, "leaf case '%s': got %d want %d\n", c->name, rc, c->want);
            fail++;
        }
        CHECK(rc != SOTTO_OK && p.type == 0);
    }
    CHECK(fail == 0);
    t_report_file("leaf must-fail table", n, fail);
}

static void leaf_prefixes(void)
{
    for (uint8_t type = 1; type <= 3; type++) {
        struct sotto_kt_leaf l = make_leaf(type), p;
        uint8_t buf[SOTTO_KT_LEAF_MAX + 1];
        size_t len;

        CHECK_OK(sotto_kt_leaf_encode(buf, &len, sizeof buf, &l));
        for (size_t cut = 0; cut < len; cut++)
            CHECK(sotto_kt_leaf_parse(&p, buf, cut) == SOTTO_ERR_TRUNCATED);
        CHECK(sotto_kt_leaf_parse(&p, buf, SOTTO_KT_LEAF_MAX + 1) == SOTTO_ERR_TOO_LARGE);
    }
    /* fields a type does not use must be zero to encode */
    {
        struct sotto_kt_leaf l = make_leaf(SOTTO_KT_ACCOUNT_RESET);
        uint8_t buf[SOTTO_KT_LEAF_MAX];
        size_t len;
        l.signature[5] = 1;
        CHECK(sotto_kt_leaf_encode(buf, &len, sizeof buf, &l) == SOTTO_ERR_INVALID_ARGUMENT);
        l = make_leaf(SOTTO_KT_ACCOUNT_CREATE);
        l.dl_version = 1;
        CHECK(sotto_kt_leaf_encode(buf, &len, sizeof buf, &l) == SOTTO_ERR_INVALID_ARGUMENT);
        l = make_leaf(SOTTO_KT_ACCOUNT_CREATE);
        l.account_key[0] = 0;
        CHECK(sotto_kt_leaf_encode(buf, &len, sizeof buf, &l) == SOTTO_ERR_INVALID_KEY);
    }
}

static struct sotto_kt_device_list make_dl(uint16_t n)
{
    struct sotto_kt_device_list dl;
    memset(&dl, 0, sizeof dl);
    memcpy(dl.account_key, ak_pub, 33);
    dl.version = 12;
    dl.n_devices = n;
    for (uint16_t i = 0; i < n; i++) {
        struct sotto_kt_device *d = &dl.devices[i];
        d->device_id = 1u + 3u * i;
        memcpy(d->identity_key, dev_pub, 33);
        d->added = 1764201600000ull + i;
        d->name_len = (uint8_t)(i % 2 ? 64 : i);
        memset(d->name, 'a' + i % 26, d->name_len);
    }
    return dl;
}

static void dl_round_trips(void)
{
    static const uint16_t counts[] = {0, 1, 2, SOTTO_KT_DL_DEVICES_MAX};
    static uint8_t buf[SOTTO_KT_DL_MAX], again[SOTTO_KT_DL_MAX];

    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        struct sotto_kt_device_list dl = make_dl(counts[c]), p;
        struct sotto_kt_leaf leaf = make_leaf(SOTTO_KT_DL_UPDATE);
        size_t len, len2;

        CHECK_OK(sotto_kt_dl_sign(buf, &len, sizeof buf, &dl, ak_priv));
        CHECK_OK(sotto_kt_dl_parse(&p, buf, len));
        CHECK(memcmp(&p, &dl, sizeof dl) == 0);
        CHECK_OK(sotto_kt_dl_verify(&p));
        CHECK_OK(sotto_kt_dl_encode(again, &len2, sizeof again, &p));
        CHECK(len2 == len && memcmp(again, buf, len) == 0);
        if (counts[c] == SOTTO_KT_DL_DEVICES_MAX)
            CHECK(len <= SOTTO_KT_DL_MAX);
        /* the DL_UPDATE leaf commits to this DL */
        leaf.dl_version = dl.version;
        sotto_kt_dl_hash(leaf.dl_hash, buf, len);
        CHECK_OK(sotto_kt_leaf_sign(&leaf, ak_priv));
        CHECK_OK(sotto_kt_leaf_verify(&leaf));
        /* any change breaks the AK signature */
        p.version++;
        CHECK(sotto_kt_dl_verify(&p) == SOTTO_ERR_INVALID_SIGNATURE);
        p.version--;
        if (p.n_devices > 0) {
            p.devices[0].added ^= 1;
            CHECK(sotto_kt_dl_verify(&p) == SOTTO_ERR_INVALID_SIGNATURE);
            p.devices[0].added ^= 1;
            p.devices[p.n_devices - 1].identity_key[9] ^= 1;
            CHECK(sotto_kt_dl_verify(&p) == SOTTO_ERR_INVALID_SIGNATURE);
        }
    }
    {
        struct sotto_kt_device_list dl = make_dl(1);
        uint8_t other[32];
        size_t len;
        st_random_bytes(other, sizeof other);
        CHECK(sotto_kt_dl_sign(buf, &len, sizeof buf, &dl, other) == SOTTO_ERR_INVALID_KEY);
    }
}

struct dl_case {
    const char *name;
    size_t at;
    uint8_t val;
    int cut;
    int want; /* -1: any error (depends on the random signature bytes) */
};

/* Offsets in a 2-device list: 0 version, 1-2 AK length, 3 AK type, 36-43
 * version, 44-45 count, device 0 at 46: 46-49 id, 50-51 key length, 52 key
 * type, 85-92 added, 93-94 name length (0); device 1 at 95: 95-98 id,
 * 142-143 name length (64); 208-209 sig length, 210-273 sig. */
static const struct dl_case dl_cases[] = {
    {"version 2", 0, 2, 0, SOTTO_ERR_INVALID_VERSION},
    {"AK type 0", 3, 0, 0, SOTTO_ERR_INVALID_KEY},
    {"count 33", 45, 33, 0, SOTTO_ERR_TOO_LARGE},
    {"count 3 (reads into the signature)", 45, 3, 0, -1},
    {"count 1", 45, 1, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"duplicate device id", 98, 1, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"descending device id", 98, 0, 0, SOTTO_ERR_INVALID_MESSAGE},
    {"identity key type 0x06", 52, 6, 0, SOTTO_ERR_INVALID_KEY},
    {"identity key length 34", 51, 34, 0, SOTTO_ERR_TOO_LARGE},
    {"name length 65", 143, 65, 0, SOTTO_ERR_TOO_LARGE},
    {"sig length 65", 209, 65, 0, SOTTO_ERR_TOO_LARGE},
    {"trailing byte", SIZE_MAX, 0, -1, SOTTO_ERR_INVALID_MESSAGE},
    {"one byte short", SIZE_MAX, 0, 1, SOTTO_ERR_TRUNCATED},
};

static void dl_must_fail(void)
{
    int fail = 0, n = (int)(sizeof dl_cases / sizeof dl_cases[0]);
    static uint8_t buf[SOTTO_KT_DL_MAX + 8];

    for (int i = 0; i < n; i++) {
        const struct dl_case *c = &dl_cases[i];
        struct sotto_kt_device_list dl = make_dl(2), p;
        size_t len;
        int rc;

        CHECK_OK(sotto_kt_dl_sign(buf, &len, sizeof buf, &dl, ak_priv));
        CHECK(len == 274);
        if (c->at != SIZE_MAX)
            buf[c->at] = c->val;
        if (c->cut < 0)
            buf[len++] = 0;
        else
            len -= (size_t)c->cut;
        rc = sotto_kt_dl_parse(&p, buf, len);
        if (rc != c->want && !(c->want == -1 && rc != SOTTO_OK)) {
            fprintf(stderr, "dl case '%s': got %d want %d\n", c->name, rc, c->want);
            fail++;
        }
        CHECK(rc != SOTTO_OK && p.n_devices == 0);
    }
    {
        struct sotto_kt_device_list dl = make_dl(2), p;
        size_t len;
        CHECK_OK(sotto_kt_dl_sign(buf, &len, sizeof buf, &dl, ak_priv));
        for (size_t cut = 0; cut < len; cut++)
            CHECK(sotto_kt_dl_parse(&p, buf, cut) == SOTTO_ERR_TRUNCATED);
        CHECK(sotto_kt_dl_parse(&p, buf, SOTTO_KT_DL_MAX + 1) == SOTTO_ERR_TOO_LARGE);
    }
    CHECK(fail == 0);
    t_report_file("device list must-fail table", n, fail);
}

int main(void)
{
    t_init();
    t_seed_random(1127);
    keys();
    leaf_round_trips();
    leaf_must_fail();
    leaf_prefixes();
    dl_round_trips();
    dl_must_fail();
    return t_done();
}
