/*
 * lib/kem API: sizes, round trips for the three variants, implicit
 * rejection (the exact FIPS 203 and round-3 rejection keys), input checks
 * with their error codes, cleared outputs on failure, and libsignal's
 * type-byte serialization.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "kem/keccak.h"
#include "kem/kem.h"
#include "testutil.h"

static const enum st_kem_variant all[] = {ST_KEM_KYBER1024, ST_KEM_MLKEM768, ST_KEM_MLKEM1024};

static void sizes(void)
{
    CHECK(st_kem_pk_bytes(ST_KEM_KYBER1024) == 1568 && st_kem_pk_bytes(ST_KEM_MLKEM768) == 1184 &&
          st_kem_pk_bytes(ST_KEM_MLKEM1024) == 1568);
    CHECK(st_kem_sk_bytes(ST_KEM_KYBER1024) == 3168 && st_kem_sk_bytes(ST_KEM_MLKEM768) == 2400 &&
          st_kem_sk_bytes(ST_KEM_MLKEM1024) == 3168);
    CHECK(st_kem_ct_bytes(ST_KEM_KYBER1024) == 1568 && st_kem_ct_bytes(ST_KEM_MLKEM768) == 1088 &&
          st_kem_ct_bytes(ST_KEM_MLKEM1024) == 1568);
    CHECK(st_kem_pk_bytes(0) == 0 && st_kem_sk_bytes(4) == 0 && st_kem_ct_bytes(99) == 0);
}

/* The key implicit rejection must give for (sk, c). */
static void rejection_key(uint8_t out[32], enum st_kem_variant v, const uint8_t *sk,
                          const uint8_t *c)
{
    const uint8_t *z = sk + st_kem_sk_bytes(v) - 32;
    size_t clen = st_kem_ct_bytes(v);
    uint8_t hc[32];

    if (v == ST_KEM_KYBER1024) {
        st_sha3_256(hc, c, clen);
        st_shake256_2(out, 32, z, 32, hc, 32);
    } else {
        st_shake256_2(out, 32, z, 32, c, clen);
    }
}

static void round_trip(enum st_kem_variant v)
{
    uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK], ct[ST_KEM_MAX_CT];
    uint8_t ss1[32], ss2[32], rej[32];
    size_t pkl = st_kem_pk_bytes(v), skl = st_kem_sk_bytes(v), ctl = st_kem_ct_bytes(v);

    for (int i = 0; i < 5; i++) {
        CHECK_OK(st_kem_keypair(v, pk, sk));
        CHECK_OK(st_kem_check_pk(v, pk, pkl));
        CHECK_OK(st_kem_check_sk(v, sk, skl));
        CHECK_OK(st_kem_encaps(v, ct, ss1, pk, pkl));
        CHECK_OK(st_kem_decaps(v, ss2, ct, ctl, sk, skl));
        CHECK(memcmp(ss1, ss2, 32) == 0);
        /* tamper with one bit at a few places: a pseudorandom key that is
         * exactly the rejection key */
        for (size_t pos = 0; pos < ctl; pos += ctl / 3 + 1) {
            ct[pos] ^= (uint8_t)(1u << (pos % 8));
            CHECK_OK(st_kem_decaps(v, ss2, ct, ctl, sk, skl));
            rejection_key(rej, v, sk, ct);
            CHECK(memcmp(ss1, ss2, 32) != 0);
            CHECK(memcmp(rej, ss2, 32) == 0);
            ct[pos] ^= (uint8_t)(1u << (pos % 8));
        }
        CHECK_OK(st_kem_decaps(v, ss2, ct, ctl, sk, skl));
        CHECK(memcmp(ss1, ss2, 32) == 0);
    }
}

static void bad_inputs(enum st_kem_variant v)
{
    uint8_t pk[ST_KEM_MAX_PK + 1], sk[ST_KEM_MAX_SK + 1], ct[ST_KEM_MAX_CT + 1], ss[32];
    uint8_t m[32] = {1};
    size_t pkl = st_kem_pk_bytes(v), skl = st_kem_sk_bytes(v), ctl = st_kem_ct_bytes(v);

    CHECK_OK(st_kem_keypair(v, pk, sk));
    CHECK_OK(st_kem_encaps(v, ct, ss, pk, pkl));
    /* lengths */
    memset(ss, 0xAA, sizeof ss);
    CHECK(st_kem_encaps_derand(v, ct, ss, pk, pkl - 1, m) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_ct_is_zero(ss, 32) && st_ct_is_zero(ct, ctl));
    CHECK(st_kem_encaps_derand(v, ct, ss, pk, pkl + 1, m) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_kem_check_pk(v, pk, pkl + 1) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_kem_check_pk(v, pk, 0) == SOTTO_ERR_INVALID_KEY);
    CHECK_OK(st_kem_encaps(v, ct, ss, pk, pkl));
    memset(ss, 0xAA, sizeof ss);
    CHECK(st_kem_decaps(v, ss, ct, ctl, sk, skl - 1) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_ct_is_zero(ss, 32));
    CHECK(st_kem_decaps(v, ss, ct, ctl, sk, skl + 1) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_kem_decaps(v, ss, ct, ctl - 1, sk, skl) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(st_kem_decaps(v, ss, ct, ctl + 1, sk, skl) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(st_kem_decaps(v, ss, NULL, 0, sk, skl) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(st_kem_check_sk(v, sk, skl - 1) == SOTTO_ERR_INVALID_KEY);
    /* §7.2: a coefficient of q in the first position */
    pk[0] = 0x01;
    pk[1] = (uint8_t)((pk[1] & 0xF0) | 0x0D);
    CHECK(st_kem_check_pk(v, pk, pkl) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_kem_encaps_derand(v, ct, ss, pk, pkl, m) == SOTTO_ERR_INVALID_KEY);
    /* rho is not checked: any 32 bytes are fine */
    CHECK_OK(st_kem_keypair(v, pk, sk));
    pk[pkl - 1] ^= 0xFF;
    CHECK_OK(st_kem_check_pk(v, pk, pkl));
    /* §7.3: the stored H(ek) must match ek */
    sk[skl - 40] ^= 1;
    CHECK(st_kem_check_sk(v, sk, skl) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_kem_decaps(v, ss, ct, ctl, sk, skl) == SOTTO_ERR_INVALID_KEY);
    sk[skl - 40] ^= 1;
    sk[skl - 100] ^= 1; /* inside ek */
    CHECK(st_kem_check_sk(v, sk, skl) == SOTTO_ERR_INVALID_KEY);
}

static void bad_variant(void)
{
    uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK], ct[ST_KEM_MAX_CT], ss[32], d[32] = {0};

    CHECK(st_kem_keypair(0, pk, sk) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_kem_keypair_derand(4, pk, sk, d, d) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_kem_encaps(7, ct, ss, pk, 1568) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_kem_decaps(0, ss, ct, 1568, sk, 3168) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_kem_check_pk(0, pk, 1568) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_kem_check_sk(0, sk, 3168) == SOTTO_ERR_INVALID_ARGUMENT);
}

/* The same seeds give different keys under round 3 and FIPS 203, and
 * Kyber1024 ciphertexts do not decapsulate under ML-KEM-1024. */
static void variants_differ(void)
{
    uint8_t pk1[ST_KEM_MAX_PK], sk1[ST_KEM_MAX_SK], pk2[ST_KEM_MAX_PK], sk2[ST_KEM_MAX_SK];
    uint8_t ct[ST_KEM_MAX_CT], ss1[32], ss2[32], d[32], z[32], m[32];

    memset(d, 1, 32);
    memset(z, 2, 32);
    memset(m, 3, 32);
    CHECK_OK(st_kem_keypair_derand(ST_KEM_KYBER1024, pk1, sk1, d, z));
    CHECK_OK(st_kem_keypair_derand(ST_KEM_MLKEM1024, pk2, sk2, d, z));
    CHECK(memcmp(pk1, pk2, 1568) != 0);
    CHECK_OK(st_kem_encaps_derand(ST_KEM_KYBER1024, ct, ss1, pk1, 1568, m));
    CHECK_OK(st_kem_decaps(ST_KEM_MLKEM1024, ss2, ct, 1568, sk1, 3168));
    CHECK(memcmp(ss1, ss2, 32) != 0);
    CHECK_OK(st_kem_decaps(ST_KEM_KYBER1024, ss2, ct, 1568, sk1, 3168));
    CHECK(memcmp(ss1, ss2, 32) == 0);
}

static void serialization(void)
{
    uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK], ct[ST_KEM_MAX_CT], ss[32];
    uint8_t buf[ST_KEM_MAX_SERIALIZED_SK + 1];
    const uint8_t *raw;
    enum st_kem_variant v;
    size_t n;

    CHECK_OK(st_kem_keypair(ST_KEM_KYBER1024, pk, sk));
    CHECK_OK(st_kem_encaps(ST_KEM_KYBER1024, ct, ss, pk, 1568));
    CHECK_OK(st_kem_serialize_pk(buf, sizeof buf, &n, ST_KEM_KYBER1024, pk));
    CHECK(n == 1569 && buf[0] == 0x08 && memcmp(buf + 1, pk, 1568) == 0);
    CHECK_OK(st_kem_parse_pk(&v, &raw, buf, n));
    CHECK(v == ST_KEM_KYBER1024 && raw == buf + 1);
    CHECK(st_kem_parse_pk(&v, &raw, buf, n - 1) == SOTTO_ERR_INVALID_KEY && raw == NULL);
    CHECK(st_kem_parse_pk(&v, &raw, buf, n + 1) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_kem_parse_pk(&v, &raw, buf, 0) == SOTTO_ERR_INVALID_KEY);
    buf[0] = 0x07; /* Kyber768: not supported */
    CHECK(st_kem_parse_pk(&v, &raw, buf, n) == SOTTO_ERR_INVALID_KEY);
    buf[0] = 0x05;
    CHECK(st_kem_parse_pk(&v, &raw, buf, n) == SOTTO_ERR_INVALID_KEY);
    buf[0] = 0x0A;
    CHECK_OK(st_kem_parse_pk(&v, &raw, buf, n));
    CHECK(v == ST_KEM_MLKEM1024);
    CHECK(st_kem_serialize_pk(buf, 1568, &n, ST_KEM_KYBER1024, pk) == SOTTO_ERR_TOO_LARGE &&
          n == 0);
    CHECK(st_kem_serialize_pk(buf, sizeof buf, &n, ST_KEM_MLKEM768, pk) == SOTTO_ERR_UNSUPPORTED);
    CHECK(st_kem_serialize_pk(buf, sizeof buf, &n, 0, pk) == SOTTO_ERR_INVALID_ARGUMENT);

    CHECK_OK(st_kem_serialize_sk(buf, sizeof buf, &n, ST_KEM_MLKEM1024, sk));
    CHECK(n == 3169 && buf[0] == 0x0A && memcmp(buf + 1, sk, 3168) == 0);
    CHECK_OK(st_kem_parse_sk(&v, &raw, buf, n));
    CHECK(v == ST_KEM_MLKEM1024 && raw == buf + 1);
    CHECK(st_kem_parse_sk(&v, &raw, buf, 1569) == SOTTO_ERR_INVALID_KEY);

    CHECK_OK(st_kem_serialize_ct(buf, sizeof buf, &n, ST_KEM_KYBER1024, ct));
    CHECK(n == 1569 && buf[0] == 0x08);
    CHECK_OK(st_kem_parse_ct(&v, &raw, buf, n));
    CHECK(v == ST_KEM_KYBER1024 && memcmp(raw, ct, 1568) == 0);
    CHECK(st_kem_parse_ct(&v, &raw, buf, n - 1) == SOTTO_ERR_INVALID_MESSAGE);
    buf[0] = 0x09;
    CHECK(st_kem_parse_ct(&v, &raw, buf, n) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(st_kem_parse_ct(&v, &raw, NULL, 0) == SOTTO_ERR_INVALID_MESSAGE);
}

int main(void)
{
    t_init();
    t_seed_random(20261127);
    sizes();
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        round_trip(all[i]);
        bad_inputs(all[i]);
    }
    bad_variant();
    variants_differ();
    serialization();
    return t_done();
}
