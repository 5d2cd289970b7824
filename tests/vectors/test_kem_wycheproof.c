/*
 * Wycheproof ML-KEM-768/1024 (shared/vectors/wycheproof/mlkem_*): keygen
 * from a seed, encapsulation with the §7.2 modulus check, decapsulation
 * (tampered, too long and too short ciphertexts; bad key lengths and the
 * §7.3 hash check on expanded keys). A case is "accepted" (1) when every
 * step succeeds with the expected bytes, "rejected" (0) when a step
 * returns an error, and -1 when a step succeeds with wrong bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "kem/kem.h"
#include "testutil.h"
#include "wycheproof.h"

/* Compare: 1 equal, -1 different (or the expected value is missing). */
static int cmp_hex(const cJSON *t, const char *field, const uint8_t *data, size_t len)
{
    size_t elen;
    uint8_t *e = t_json_hex(t, field, &elen);
    int r = e != NULL && elen == len && memcmp(e, data, len) == 0 ? 1 : -1;
    free(e);
    return r;
}

/* MLKEMTest: seed -> (ek, dk), check ek, then decapsulate c to K. */
static int mlkem_test(const cJSON *group, const cJSON *t, void *ctx)
{
    enum st_kem_variant v = *(enum st_kem_variant *)ctx;
    uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK], ss[32];
    size_t seedlen, clen;
    uint8_t *seed = t_json_hex(t, "seed", &seedlen), *c = t_json_hex(t, "c", &clen);
    int r = 0;

    (void)group;
    /* the API takes d and z as 32-byte arrays: another seed length is
     * refused by the caller before keygen */
    if (seed == NULL || c == NULL || seedlen != 64)
        goto out;
    if (st_kem_keypair_derand(v, pk, sk, seed, seed + 32) != 0)
        goto out;
    r = cmp_hex(t, "ek", pk, st_kem_pk_bytes(v));
    if (r != 1)
        goto out;
    if (st_kem_decaps(v, ss, c, clen, sk, st_kem_sk_bytes(v)) != 0) {
        r = 0;
        goto out;
    }
    r = cmp_hex(t, "K", ss, 32);
out:
    free(seed);
    free(c);
    return r;
}

/* MLKEMEncapsTest: (ek, m) -> (c, K); invalid ek must be refused. */
static int encaps_test(const cJSON *group, const cJSON *t, void *ctx)
{
    enum st_kem_variant v = *(enum st_kem_variant *)ctx;
    uint8_t ct[ST_KEM_MAX_CT], ss[32];
    size_t eklen, mlen;
    uint8_t *ek = t_json_hex(t, "ek", &eklen), *m = t_json_hex(t, "m", &mlen);
    int r = 0;

    (void)group;
    if (ek == NULL || m == NULL || mlen != 32)
        goto out;
    if (st_kem_encaps_derand(v, ct, ss, ek, eklen, m) != 0)
        goto out;
    r = cmp_hex(t, "c", ct, st_kem_ct_bytes(v));
    if (r == 1)
        r = cmp_hex(t, "K", ss, 32);
out:
    free(ek);
    free(m);
    return r;
}

/* MLKEMKeyGen: seed -> (ek, dk). */
static int keygen_test(const cJSON *group, const cJSON *t, void *ctx)
{
    enum st_kem_variant v = *(enum st_kem_variant *)ctx;
    uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK];
    size_t seedlen;
    uint8_t *seed = t_json_hex(t, "seed", &seedlen);
    int r = 0;

    (void)group;
    if (seed == NULL || seedlen != 64)
        goto out;
    if (st_kem_keypair_derand(v, pk, sk, seed, seed + 32) != 0)
        goto out;
    r = cmp_hex(t, "ek", pk, st_kem_pk_bytes(v));
    if (r == 1)
        r = cmp_hex(t, "dk", sk, st_kem_sk_bytes(v));
out:
    free(seed);
    return r;
}

/* MLKEMDecapsValidationTest: expanded dk and c -> K. */
static int decaps_test(const cJSON *group, const cJSON *t, void *ctx)
{
    enum st_kem_variant v = *(enum st_kem_variant *)ctx;
    uint8_t ss[32];
    size_t dklen, clen;
    uint8_t *dk = t_json_hex(t, "dk", &dklen), *c = t_json_hex(t, "c", &clen);
    int r = 0;

    (void)group;
    if (dk == NULL || c == NULL)
        goto out;
    if (st_kem_decaps(v, ss, c, clen, dk, dklen) != 0)
        goto out;
    r = cmp_hex(t, "K", ss, 32);
out:
    free(dk);
    free(c);
    return r;
}

int main(void)
{
    static const struct {
        const char *file;
        enum st_kem_variant v;
        t_wp_case_fn *fn;
    } files[] = {
        {"mlkem_768_test.json", ST_KEM_MLKEM768, mlkem_test},
        {"mlkem_1024_test.json", ST_KEM_MLKEM1024, mlkem_test},
        {"mlkem_768_encaps_test.json", ST_KEM_MLKEM768, encaps_test},
        {"mlkem_1024_encaps_test.json", ST_KEM_MLKEM1024, encaps_test},
        {"mlkem_768_keygen_seed_test.json", ST_KEM_MLKEM768, keygen_test},
        {"mlkem_1024_keygen_seed_test.json", ST_KEM_MLKEM1024, keygen_test},
        {"mlkem_768_semi_expanded_decaps_test.json", ST_KEM_MLKEM768, decaps_test},
        {"mlkem_1024_semi_expanded_decaps_test.json", ST_KEM_MLKEM1024, decaps_test},
    };

    t_init();
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        enum st_kem_variant v = files[i].v;
        t_wycheproof_run(files[i].file, files[i].fn, &v);
    }
    return t_done();
}
