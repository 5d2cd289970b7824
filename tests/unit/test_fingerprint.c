/*
 * Safety numbers: libsignal's published test vectors (fingerprint.rs,
 * Alice/Bob, versions 1 and 2), an independent recomputation from the spec
 * text with libsodium's SHA-512 (no library helper involved), symmetry,
 * comparison rules and bad input.
 */
#include <sodium.h>
#include <string.h>

#include "sotto/fingerprint.h"
#include "sotto/sotto.h"
#include "testutil.h"

/* libsignal rust/protocol/src/fingerprint.rs test constants. */
static const char *ALICE_KEY = "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868";
static const char *BOB_KEY = "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b";
static const char *ALICE_ID = "+14152222222";
static const char *BOB_ID = "+14153333333";
static const char *DISPLAY_V1 = "300354477692869396892869876765458257569162576843440918079131";
static const char *ALICE_SCAN_V1 =
    "080112220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62c"
    "bf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d";
static const char *BOB_SCAN_V1 =
    "080112220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d1a220a201e30"
    "1a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df";
static const char *ALICE_SCAN_V2 =
    "080212220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62c"
    "bf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d";

static uint8_t alice[33], bob[33];

static void load_keys(void)
{
    size_t n;
    uint8_t *a = t_unhex(ALICE_KEY, &n), *b = t_unhex(BOB_KEY, &n);
    memcpy(alice, a, 33);
    memcpy(bob, b, 33);
    free(a);
    free(b);
}

static int fp_make(struct sotto_fingerprint *fp, uint32_t version, uint32_t iterations,
                   const char *lid, const uint8_t lkey[33], const char *rid, const uint8_t rkey[33])
{
    return sotto_fingerprint_create(fp, version, iterations, (const uint8_t *)lid, strlen(lid),
                                    lkey, 33, (const uint8_t *)rid, strlen(rid), rkey, 33);
}

static int hex_equal(const uint8_t *b, size_t n, const char *hex)
{
    char buf[2 * SOTTO_FINGERPRINT_SCANNABLE_MAX + 1];
    if (2 * n >= sizeof buf)
        return 0;
    t_hex(buf, b, n);
    return strcmp(buf, hex) == 0;
}

static void test_libsignal_vectors(void)
{
    struct sotto_fingerprint a, b;

    CHECK_OK(fp_make(&a, 1, 5200, ALICE_ID, alice, BOB_ID, bob));
    CHECK_OK(fp_make(&b, 1, 5200, BOB_ID, bob, ALICE_ID, alice));
    CHECK(strcmp(a.displayable, DISPLAY_V1) == 0);
    CHECK(strcmp(b.displayable, DISPLAY_V1) == 0);
    CHECK(a.scannable_len == 74 && hex_equal(a.scannable, a.scannable_len, ALICE_SCAN_V1));
    CHECK(b.scannable_len == 74 && hex_equal(b.scannable, b.scannable_len, BOB_SCAN_V1));

    /* Version 2 changes only the scannable version field. */
    CHECK_OK(fp_make(&a, 2, 5200, ALICE_ID, alice, BOB_ID, bob));
    CHECK(strcmp(a.displayable, DISPLAY_V1) == 0);
    CHECK(hex_equal(a.scannable, a.scannable_len, ALICE_SCAN_V2));
}

/* ---- independent model of section 8, straight from the text ---- */

static void model_hash(uint8_t out[64], uint32_t iterations, const uint8_t *id, size_t idlen,
                       const uint8_t key[33])
{
    crypto_hash_sha512_state st;
    static const uint8_t ver[2] = {0, 0};

    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, ver, 2);
    crypto_hash_sha512_update(&st, key, 33);
    crypto_hash_sha512_update(&st, id, idlen);
    crypto_hash_sha512_update(&st, key, 33);
    crypto_hash_sha512_final(&st, out);
    for (uint32_t i = 1; i < iterations; i++) {
        crypto_hash_sha512_init(&st);
        crypto_hash_sha512_update(&st, out, 64);
        crypto_hash_sha512_update(&st, key, 33);
        crypto_hash_sha512_final(&st, out);
    }
}

static void model_digits(char out[31], const uint8_t h[64])
{
    for (int c = 0; c < 6; c++) {
        unsigned long long x = 0;
        for (int i = 0; i < 5; i++)
            x = x * 256 + h[5 * c + i];
        snprintf(out + 5 * c, 6, "%05llu", x % 100000);
    }
}

static void check_against_model(uint32_t version, uint32_t iterations, const uint8_t *lid,
                                size_t lidlen, const uint8_t lkey[33], const uint8_t *rid,
                                size_t ridlen, const uint8_t rkey[33])
{
    uint8_t lh[64], rh[64], scan[80];
    char ld[31], rd[31], disp[61];
    struct sotto_fingerprint fp;
    size_t n = 0;

    model_hash(lh, iterations, lid, lidlen, lkey);
    model_hash(rh, iterations, rid, ridlen, rkey);
    model_digits(ld, lh);
    model_digits(rd, rh);
    snprintf(disp, sizeof disp, "%s%s", strcmp(ld, rd) < 0 ? ld : rd, strcmp(ld, rd) < 0 ? rd : ld);
    /* CombinedFingerprints by hand: 08 varint(version) 12 22 0a 20 <32> 1a 22 0a 20 <32>. */
    scan[n++] = 0x08;
    for (uint32_t v = version;; v >>= 7) {
        scan[n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80)
            break;
    }
    scan[n++] = 0x12, scan[n++] = 0x22, scan[n++] = 0x0a, scan[n++] = 0x20;
    memcpy(scan + n, lh, 32), n += 32;
    scan[n++] = 0x1a, scan[n++] = 0x22, scan[n++] = 0x0a, scan[n++] = 0x20;
    memcpy(scan + n, rh, 32), n += 32;

    CHECK_OK(sotto_fingerprint_create(&fp, version, iterations, lid, lidlen, lkey, 33, rid, ridlen,
                                      rkey, 33));
    CHECK(strcmp(fp.displayable, disp) == 0);
    CHECK(fp.scannable_len == n && memcmp(fp.scannable, scan, n) == 0);
}

static void random_key(uint8_t key[33])
{
    uint8_t priv[32];
    key[0] = 0x05;
    randombytes_buf(priv, sizeof priv);
    crypto_scalarmult_base(key + 1, priv);
}

static void test_model(void)
{
    uint8_t k1[33], k2[33], aci1[16], aci2[16];
    static const struct {
        uint32_t version, iterations;
    } cases[] = {
        {2, 5200}, {1, 5200}, {0, 2}, {2, 3}, {127, 1024}, {128, 100}, {0xffffffffu, 17},
    };

    randombytes_buf(aci1, sizeof aci1);
    randombytes_buf(aci2, sizeof aci2);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        random_key(k1);
        random_key(k2);
        check_against_model(cases[i].version, cases[i].iterations, aci1, 16, k1, aci2, 16, k2);
        /* Empty identifiers are allowed (opaque bytes). */
        check_against_model(cases[i].version, cases[i].iterations, NULL, 0, k1, aci2, 16, k2);
    }
    /* Same key and identifier on both sides: the halves are equal. */
    check_against_model(2, 10, aci1, 16, k1, aci1, 16, k1);
    /* The libsignal Alice/Bob keys through the model too. */
    check_against_model(1, 5200, (const uint8_t *)ALICE_ID, strlen(ALICE_ID), alice,
                        (const uint8_t *)BOB_ID, strlen(BOB_ID), bob);
}

static void test_symmetry_and_compare(void)
{
    uint8_t ka[33], kb[33], km[33];
    struct sotto_fingerprint a, b, m, a1, wrong_id;
    int match = -1;

    random_key(ka);
    random_key(kb);
    random_key(km);
    CHECK_OK(fp_make(&a, 2, 5200, "alice", ka, "bob", kb));
    CHECK_OK(fp_make(&b, 2, 5200, "bob", kb, "alice", ka));
    CHECK(strlen(a.displayable) == 60);
    CHECK(strcmp(a.displayable, b.displayable) == 0);
    CHECK(a.scannable_len == 74);
    CHECK_OK(sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, b.scannable,
                                       b.scannable_len));
    CHECK(match == 1);
    CHECK_OK(sotto_fingerprint_compare(&match, b.scannable, b.scannable_len, a.scannable,
                                       a.scannable_len));
    CHECK(match == 1);
    /* Our own code scanned back is not a match. */
    CHECK_OK(sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, a.scannable,
                                       a.scannable_len));
    CHECK(match == 0);

    /* A man in the middle: Alice sees M's key for Bob. */
    CHECK_OK(fp_make(&m, 2, 5200, "alice", ka, "bob", km));
    CHECK(strcmp(m.displayable, b.displayable) != 0);
    CHECK_OK(sotto_fingerprint_compare(&match, m.scannable, m.scannable_len, b.scannable,
                                       b.scannable_len));
    CHECK(match == 0);
    CHECK_OK(sotto_fingerprint_compare(&match, b.scannable, b.scannable_len, m.scannable,
                                       m.scannable_len));
    CHECK(match == 0);

    /* A different identifier changes the number. */
    CHECK_OK(fp_make(&wrong_id, 2, 5200, "alice2", ka, "bob", kb));
    CHECK(strcmp(wrong_id.displayable, b.displayable) != 0);
    CHECK_OK(sotto_fingerprint_compare(&match, wrong_id.scannable, wrong_id.scannable_len,
                                       b.scannable, b.scannable_len));
    CHECK(match == 0);

    /* Version mismatch is an error of its own, not "no match". */
    CHECK_OK(fp_make(&a1, 1, 5200, "alice", ka, "bob", kb));
    match = -1;
    CHECK(sotto_fingerprint_compare(&match, a1.scannable, a1.scannable_len, b.scannable,
                                    b.scannable_len) == SOTTO_ERR_VERSION_MISMATCH);
    CHECK(match == 0);
    CHECK(strcmp(a1.displayable, b.displayable) == 0); /* display ignores the version */
}

static void test_compare_bad_input(void)
{
    uint8_t ka[33], kb[33], buf[128];
    struct sotto_fingerprint a, b;
    int match = -1;

    random_key(ka);
    random_key(kb);
    CHECK_OK(fp_make(&a, 2, 100, "a", ka, "b", kb));
    CHECK_OK(fp_make(&b, 2, 100, "b", kb, "a", ka));

    /* Theirs without a version field reads as version 0: mismatch. */
    CHECK(b.scannable[0] == 0x08);
    CHECK(sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, b.scannable + 2,
                                    b.scannable_len - 2) == SOTTO_ERR_VERSION_MISMATCH);
    /* Theirs without a remote field: parse error. */
    CHECK(sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, b.scannable, 2 + 36) ==
          SOTTO_ERR_INVALID_MESSAGE);
    /* Truncated in the middle of a field: parse error. */
    CHECK(sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, b.scannable,
                                    b.scannable_len - 1) == SOTTO_ERR_INVALID_MESSAGE);
    /* Garbage. */
    memset(buf, 0xff, sizeof buf);
    CHECK(sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, buf, sizeof buf) ==
          SOTTO_ERR_INVALID_MESSAGE);
    /* Ours incomplete (no version): parse error even if theirs is fine. */
    CHECK(sotto_fingerprint_compare(&match, a.scannable + 2, a.scannable_len - 2, b.scannable,
                                    b.scannable_len) == SOTTO_ERR_INVALID_MESSAGE);
    /* Empty input. */
    CHECK(sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, NULL, 0) ==
          SOTTO_ERR_VERSION_MISMATCH);
    CHECK(sotto_fingerprint_compare(&match, NULL, 0, b.scannable, b.scannable_len) ==
          SOTTO_ERR_INVALID_MESSAGE);
    /* Content of another length never matches: shorten theirs' local to 31 bytes. */
    memcpy(buf, b.scannable, 6 + 31); /* (copied apart: no overlapping moves) */
    memcpy(buf + 6 + 31, b.scannable + 6 + 32, b.scannable_len - 6 - 32);
    buf[3] = 0x21, buf[5] = 0x1f;
    CHECK_OK(
        sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, buf, b.scannable_len - 1));
    CHECK(match == 0);
    /* Unknown fields are skipped, as prost does. */
    memcpy(buf, b.scannable, b.scannable_len);
    buf[b.scannable_len] = 0x20, buf[b.scannable_len + 1] = 0x07; /* field 4 varint */
    CHECK_OK(
        sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, buf, b.scannable_len + 2));
    CHECK(match == 1);
    /* Oversized input. */
    CHECK(sotto_fingerprint_compare(&match, a.scannable, a.scannable_len, buf,
                                    SOTTO_FINGERPRINT_INPUT_MAX + 1) == SOTTO_ERR_TOO_LARGE);
    CHECK(sotto_fingerprint_compare(NULL, a.scannable, a.scannable_len, b.scannable,
                                    b.scannable_len) == SOTTO_ERR_INVALID_ARGUMENT);
}

static void test_create_bad_input(void)
{
    uint8_t ka[34], kb[33], id[SOTTO_FINGERPRINT_ID_MAX + 1];
    struct sotto_fingerprint fp;

    random_key(ka);
    ka[33] = 0;
    random_key(kb);
    memset(id, 'x', sizeof id);
    /* Wrong key lengths and type byte. */
    CHECK(sotto_fingerprint_create(&fp, 2, 5200, id, 3, ka, 32, id, 3, kb, 33) ==
          SOTTO_ERR_INVALID_KEY);
    CHECK(sotto_fingerprint_create(&fp, 2, 5200, id, 3, ka, 34, id, 3, kb, 33) ==
          SOTTO_ERR_INVALID_KEY);
    CHECK(sotto_fingerprint_create(&fp, 2, 5200, id, 3, ka, 33, id, 3, kb, 32) ==
          SOTTO_ERR_INVALID_KEY);
    CHECK(sotto_fingerprint_create(&fp, 2, 5200, id, 3, ka, 33, id, 3, NULL, 33) ==
          SOTTO_ERR_INVALID_KEY);
    kb[0] = 0x06;
    CHECK(sotto_fingerprint_create(&fp, 2, 5200, id, 3, ka, 33, id, 3, kb, 33) ==
          SOTTO_ERR_INVALID_KEY);
    CHECK(fp.displayable[0] == '\0' && fp.scannable_len == 0);
    kb[0] = 0x05;
    /* Iterations outside 2..1000000. */
    CHECK(sotto_fingerprint_create(&fp, 2, 0, id, 3, ka, 33, id, 3, kb, 33) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_fingerprint_create(&fp, 2, 1, id, 3, ka, 33, id, 3, kb, 33) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_fingerprint_create(&fp, 2, 1000001, id, 3, ka, 33, id, 3, kb, 33) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK_OK(sotto_fingerprint_create(&fp, 2, 2, id, 3, ka, 33, id, 3, kb, 33));
    /* Identifier limits. */
    CHECK_OK(
        sotto_fingerprint_create(&fp, 2, 2, id, SOTTO_FINGERPRINT_ID_MAX, ka, 33, id, 0, kb, 33));
    CHECK(sotto_fingerprint_create(&fp, 2, 2, id, sizeof id, ka, 33, id, 3, kb, 33) ==
          SOTTO_ERR_TOO_LARGE);
    CHECK(sotto_fingerprint_create(&fp, 2, 2, NULL, 3, ka, 33, id, 3, kb, 33) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_fingerprint_create(NULL, 2, 2, id, 3, ka, 33, id, 3, kb, 33) ==
          SOTTO_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    t_init();
    load_keys();
    test_libsignal_vectors();
    test_model();
    test_symmetry_and_compare();
    test_compare_bad_input();
    test_create_bad_input();
    return t_done();
}
