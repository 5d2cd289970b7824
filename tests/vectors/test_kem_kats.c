/*
 * Deterministic KATs for Kyber1024 (round 3) and ML-KEM-768/1024 from
 * shared/vectors/kyber-kats (libcrux's PQCgenKAT_kem runs): keygen from
 * d || z, encapsulation from the encapsulation seed, decapsulation of the
 * result; SHA3-256 of pk, sk and ct and the shared secret must match.
 */
#include <stdlib.h>
#include <string.h>

#include "kem/kem.h"
#include "kem/keccak.h"
#include "testutil.h"

static int hash_matches(const cJSON *tc, const char *field, const uint8_t *data, size_t len)
{
    uint8_t h[32];
    size_t elen;
    uint8_t *expect = t_json_hex(tc, field, &elen);
    int ok;

    st_sha3_256(h, data, len);
    ok = expect != NULL && elen == 32 && memcmp(h, expect, 32) == 0;
    free(expect);
    return ok;
}

static int run_case(enum st_kem_variant v, const cJSON *tc)
{
    uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK], ct[ST_KEM_MAX_CT], ss[32], ss2[32];
    size_t seedlen, mlen, sslen;
    uint8_t *seed = t_json_hex(tc, "key_generation_seed", &seedlen);
    uint8_t *m = t_json_hex(tc, "encapsulation_seed", &mlen);
    uint8_t *expect_ss = t_json_hex(tc, "shared_secret", &sslen);
    int ok = seed && m && expect_ss && seedlen == 64 && mlen == 32 && sslen == 32;

    ok = ok && st_kem_keypair_derand(v, pk, sk, seed, seed + 32) == 0;
    ok = ok && hash_matches(tc, "sha3_256_hash_of_public_key", pk, st_kem_pk_bytes(v));
    ok = ok && hash_matches(tc, "sha3_256_hash_of_secret_key", sk, st_kem_sk_bytes(v));
    ok = ok && st_kem_encaps_derand(v, ct, ss, pk, st_kem_pk_bytes(v), m) == 0;
    ok = ok && hash_matches(tc, "sha3_256_hash_of_ciphertext", ct, st_kem_ct_bytes(v));
    ok = ok && memcmp(ss, expect_ss, 32) == 0;
    ok = ok && st_kem_decaps(v, ss2, ct, st_kem_ct_bytes(v), sk, st_kem_sk_bytes(v)) == 0;
    ok = ok && memcmp(ss2, expect_ss, 32) == 0;
    free(seed);
    free(m);
    free(expect_ss);
    return ok;
}

static void run_file(const char *rel, enum st_kem_variant v)
{
    cJSON *j = t_load_shared_json(rel);
    const cJSON *tc;
    int cases = 0, failures = 0;

    cJSON_ArrayForEach(tc, j)
    {
        cases++;
        if (!run_case(v, tc)) {
            failures++;
            fprintf(stderr, "%s: case %d failed\n", rel, cases);
        }
    }
    CHECK(cases == 100);
    CHECK(failures == 0);
    t_report_file(rel, cases, failures);
    cJSON_Delete(j);
}

int main(void)
{
    t_init();
    run_file("vectors/kyber-kats/nistkats_kyber_1024.json", ST_KEM_KYBER1024);
    run_file("vectors/kyber-kats/nistkats_mlkem_768.json", ST_KEM_MLKEM768);
    run_file("vectors/kyber-kats/nistkats_mlkem_1024.json", ST_KEM_MLKEM1024);
    return t_done();
}
