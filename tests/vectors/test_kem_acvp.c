/*
 * NIST ACVP ML-KEM (FIPS 203) vectors from shared/vectors/nist-acvp:
 * keyGen (d, z -> ek, dk), encapsulation (ek, m -> c, k), decapsulation
 * (dk, c -> k) and the §7.2/§7.3 key checks, for ML-KEM-768 and -1024
 * (ML-KEM-512 groups are skipped). prompt.json and expectedResults.json
 * are joined on tcId.
 */
#include <stdlib.h>
#include <string.h>

#include "kem/kem.h"
#include "testutil.h"

static int variant_of(const char *param, enum st_kem_variant *v)
{
    if (strcmp(param, "ML-KEM-768") == 0)
        *v = ST_KEM_MLKEM768;
    else if (strcmp(param, "ML-KEM-1024") == 0)
        *v = ST_KEM_MLKEM1024;
    else
        return 0;
    return 1;
}

static const cJSON *expected_for(const cJSON *results, int tcid)
{
    const cJSON *g, *t;

    cJSON_ArrayForEach(g, cJSON_GetObjectItem(results, "testGroups"))
    {
        cJSON_ArrayForEach(t, cJSON_GetObjectItem(g, "tests"))
        {
            if (cJSON_GetObjectItem(t, "tcId")->valueint == tcid)
                return t;
        }
    }
    return NULL;
}

/* 1 if field of obj is hex equal to data. */
static int hex_equals(const cJSON *obj, const char *field, const uint8_t *data, size_t len)
{
    size_t elen;
    uint8_t *e = t_json_hex(obj, field, &elen);
    int ok = e != NULL && elen == len && memcmp(e, data, len) == 0;
    free(e);
    return ok;
}

static int keygen_case(enum st_kem_variant v, const cJSON *in, const cJSON *out)
{
    uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK];
    size_t dlen, zlen;
    uint8_t *d = t_json_hex(in, "d", &dlen), *z = t_json_hex(in, "z", &zlen);
    int ok = d && z && dlen == 32 && zlen == 32;

    ok = ok && st_kem_keypair_derand(v, pk, sk, d, z) == 0;
    ok = ok && hex_equals(out, "ek", pk, st_kem_pk_bytes(v));
    ok = ok && hex_equals(out, "dk", sk, st_kem_sk_bytes(v));
    free(d);
    free(z);
    return ok;
}

static int encaps_case(enum st_kem_variant v, const cJSON *in, const cJSON *out)
{
    uint8_t ct[ST_KEM_MAX_CT], ss[32];
    size_t eklen, mlen;
    uint8_t *ek = t_json_hex(in, "ek", &eklen), *m = t_json_hex(in, "m", &mlen);
    int ok = ek && m && mlen == 32;

    ok = ok && st_kem_encaps_derand(v, ct, ss, ek, eklen, m) == 0;
    ok = ok && hex_equals(out, "c", ct, st_kem_ct_bytes(v));
    ok = ok && hex_equals(out, "k", ss, 32);
    free(ek);
    free(m);
    return ok;
}

static int decaps_case(enum st_kem_variant v, const cJSON *in, const cJSON *out)
{
    uint8_t ss[32];
    size_t dklen, clen;
    uint8_t *dk = t_json_hex(in, "dk", &dklen), *c = t_json_hex(in, "c", &clen);
    int ok = dk && c;

    ok = ok && st_kem_decaps(v, ss, c, clen, dk, dklen) == 0;
    ok = ok && hex_equals(out, "k", ss, 32);
    free(dk);
    free(c);
    return ok;
}

static int keycheck_case(enum st_kem_variant v, const char *fn, const cJSON *in, const cJSON *out)
{
    int is_dk = strcmp(fn, "decapsulationKeyCheck") == 0;
    size_t len;
    uint8_t *key = t_json_hex(in, is_dk ? "dk" : "ek", &len);
    const cJSON *passed = cJSON_GetObjectItem(out, "testPassed");
    int accepted, ok;

    if (key == NULL || !cJSON_IsBool(passed))
        return 0;
    accepted = (is_dk ? st_kem_check_sk(v, key, len) : st_kem_check_pk(v, key, len)) == 0;
    ok = accepted == cJSON_IsTrue(passed);
    free(key);
    return ok;
}

static void run_dir(const char *dir)
{
    char prompt_path[256], results_path[256];
    cJSON *prompt, *results;
    const cJSON *g, *t;
    int cases = 0, failures = 0;

    snprintf(prompt_path, sizeof prompt_path, "vectors/nist-acvp/%s/prompt.json", dir);
    snprintf(results_path, sizeof results_path, "vectors/nist-acvp/%s/expectedResults.json", dir);
    prompt = t_load_shared_json(prompt_path);
    results = t_load_shared_json(results_path);
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(prompt, "testGroups"))
    {
        enum st_kem_variant v;
        const cJSON *fnj = cJSON_GetObjectItem(g, "function");
        const char *fn = cJSON_IsString(fnj) ? fnj->valuestring : "keyGen";

        if (!variant_of(cJSON_GetObjectItem(g, "parameterSet")->valuestring, &v))
            continue;
        cJSON_ArrayForEach(t, cJSON_GetObjectItem(g, "tests"))
        {
            int tcid = cJSON_GetObjectItem(t, "tcId")->valueint;
            const cJSON *out = expected_for(results, tcid);
            int ok;

            if (out == NULL)
                ok = 0;
            else if (strcmp(fn, "keyGen") == 0)
                ok = keygen_case(v, t, out);
            else if (strcmp(fn, "encapsulation") == 0)
                ok = encaps_case(v, t, out);
            else if (strcmp(fn, "decapsulation") == 0)
                ok = decaps_case(v, t, out);
            else
                ok = keycheck_case(v, fn, t, out);
            cases++;
            if (!ok) {
                failures++;
                fprintf(stderr, "%s tcId %d (%s) failed\n", dir, tcid, fn);
            }
        }
    }
    CHECK(failures == 0);
    t_report_file(prompt_path, cases, failures);
    cJSON_Delete(prompt);
    cJSON_Delete(results);
}

int main(void)
{
    t_init();
    run_dir("ML-KEM-keyGen-FIPS203");
    run_dir("ML-KEM-encapDecap-FIPS203");
    return t_done();
}
