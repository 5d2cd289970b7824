/* HMAC-SHA256 and HKDF-SHA256 against Wycheproof (hmac_sha256_test.json,
 * hkdf_sha256_test.json) and the RFC 4231 / RFC 5869 vectors; SHA-2 and
 * BLAKE2b spot checks. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "testutil.h"
#include "wycheproof.h"

static int hmac_case(const cJSON *group, const cJSON *test, void *ctx)
{
    size_t nkey, nmsg, ntag, tagbytes = (size_t)cJSON_GetObjectItem(group, "tagSize")->valueint / 8;
    uint8_t *key = t_json_hex(test, "key", &nkey), *msg = t_json_hex(test, "msg", &nmsg);
    uint8_t *tag = t_json_hex(test, "tag", &ntag), got[32];
    int r;

    (void)ctx;
    st_hmac_sha256(got, key, nkey, msg, nmsg);
    /* Truncated tags compare a prefix; a wrong tag is a rejection. */
    r = ntag == tagbytes && tagbytes <= 32 && st_ct_equal(got, tag, ntag);
    free(key);
    free(msg);
    free(tag);
    return r;
}

static int hkdf_case(const cJSON *group, const cJSON *test, void *ctx)
{
    size_t nikm, nsalt, ninfo, nokm, size = (size_t)cJSON_GetObjectItem(test, "size")->valueint;
    uint8_t *ikm = t_json_hex(test, "ikm", &nikm), *salt = t_json_hex(test, "salt", &nsalt);
    uint8_t *info = t_json_hex(test, "info", &ninfo), *okm = t_json_hex(test, "okm", &nokm);
    uint8_t *got = malloc(size + 1);
    int r;

    (void)group;
    (void)ctx;
    if (st_hkdf_sha256(got, size, salt, nsalt, ikm, nikm, info, ninfo) != SOTTO_OK)
        r = 0;
    else
        r = nokm == size && memcmp(got, okm, size) == 0 ? 1 : -1;
    free(ikm);
    free(salt);
    free(info);
    free(okm);
    free(got);
    return r;
}

static void rfc4231(void)
{
    cJSON *root = t_load_shared_json("vectors/rfc/rfc4231_hmac_sha256.json"), *c;
    int cases = 0, failures = 0;
    size_t nkey, ndata, nwant;

    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "tests"))
    {
        uint8_t *key = t_json_hex(c, "key", &nkey), *data = t_json_hex(c, "data", &ndata);
        uint8_t *want = t_json_hex(c, "hmacSha256", &nwant), got[32];
        cJSON *trunc = cJSON_GetObjectItem(c, "truncatedToBits");
        size_t cmp = cJSON_IsNumber(trunc) ? (size_t)trunc->valueint / 8 : 32;
        struct st_hmac_sha256 h;

        cases++;
        st_hmac_sha256(got, key, nkey, data, ndata);
        failures += memcmp(got, want, cmp) != 0;
        /* incremental, byte by byte, must agree */
        cases++;
        st_hmac_sha256_init(&h, key, nkey);
        for (size_t i = 0; i < ndata; i++)
            st_hmac_sha256_update(&h, data + i, 1);
        st_hmac_sha256_final(&h, got);
        failures += memcmp(got, want, cmp) != 0;
        free(key);
        free(data);
        free(want);
    }
    cJSON_Delete(root);
    t_report_file("rfc4231_hmac_sha256.json", cases, failures);
    t_checks += cases;
    t_failed += failures;
}

static void rfc5869(void)
{
    cJSON *root = t_load_shared_json("vectors/rfc/rfc5869_hkdf.json"), *c;
    int cases = 0, failures = 0, skipped = 0;
    size_t n, nikm, nsalt = 0, ninfo, nokm;

    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "tests"))
    {
        if (strcmp(cJSON_GetObjectItem(c, "hash")->valuestring, "SHA-256") != 0) {
            skipped++; /* SHA-1 cases: not a sotto primitive */
            continue;
        }
        uint8_t *ikm = t_json_hex(c, "ikm", &nikm), *info = t_json_hex(c, "info", &ninfo);
        uint8_t *salt = t_json_hex(c, "salt", &nsalt); /* NULL when salt is null */
        uint8_t *prk = t_json_hex(c, "prk", &n), *okm = t_json_hex(c, "okm", &nokm);
        uint8_t gotprk[32], got[128];

        cases++;
        st_hkdf_sha256_extract(gotprk, salt, nsalt, ikm, nikm);
        failures += memcmp(gotprk, prk, 32) != 0;
        cases++;
        failures += st_hkdf_sha256_expand(got, nokm, gotprk, info, ninfo) != SOTTO_OK ||
                    memcmp(got, okm, nokm) != 0;
        free(ikm);
        free(info);
        free(salt);
        free(prk);
        free(okm);
    }
    cJSON_Delete(root);
    t_report_file("rfc5869_hkdf.json", cases, failures);
    printf("rfc5869_hkdf.json: %d SHA-1 tests skipped\n", skipped);
    t_checks += cases;
    t_failed += failures;
}

static void hashes(void)
{
    /* FIPS 180 "abc" digests and the BLAKE2b-512 "abc" digest of RFC 7693. */
    static const char *sha256_abc =
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    static const char *sha512_abc =
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
    static const char *blake2b_abc =
        "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
        "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";
    uint8_t out[64];
    char hex[129];

    st_sha256(out, (const uint8_t *)"abc", 3);
    t_hex(hex, out, 32);
    CHECK(strcmp(hex, sha256_abc) == 0);
    st_sha512(out, (const uint8_t *)"abc", 3);
    t_hex(hex, out, 64);
    CHECK(strcmp(hex, sha512_abc) == 0);
    CHECK_OK(st_blake2b(out, 64, NULL, 0, (const uint8_t *)"abc", 3));
    t_hex(hex, out, 64);
    CHECK(strcmp(hex, blake2b_abc) == 0);
    CHECK(st_blake2b(out, 65, NULL, 0, (const uint8_t *)"abc", 3) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_hkdf_sha256(out, 255 * 32 + 1, NULL, 0, out, 1, NULL, 0) ==
          SOTTO_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    t_init();
    t_wycheproof_run("hmac_sha256_test.json", hmac_case, NULL);
    t_wycheproof_run("hkdf_sha256_test.json", hkdf_case, NULL);
    rfc4231();
    rfc5869();
    hashes();
    return t_done();
}
