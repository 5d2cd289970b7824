/* AES-256-CBC with PKCS#7 against Wycheproof aes_cbc_pkcs5_test.json
 * (keySize 256), plus CTR round trips. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "testutil.h"
#include "wycheproof.h"

static int wp_case(const cJSON *group, const cJSON *test, void *ctx)
{
    size_t nkey, niv, nmsg, nct, outlen;
    uint8_t *key, *iv, *msg, *ct, *out;
    int r = 0;

    (void)ctx;
    if (cJSON_GetObjectItem(group, "keySize")->valueint != 256)
        return T_WP_SKIP;
    key = t_json_hex(test, "key", &nkey);
    iv = t_json_hex(test, "iv", &niv);
    msg = t_json_hex(test, "msg", &nmsg);
    ct = t_json_hex(test, "ct", &nct);
    out = malloc(st_cbc_padded_len(nmsg) + nct + 16);
    if (niv == 16 && nkey == 32) {
        /* Decryption decides validity (invalid cases are bad paddings). */
        if (st_aes256_cbc_decrypt(out, &outlen, key, iv, ct, nct) == SOTTO_OK)
            r = outlen == nmsg && memcmp(out, msg, nmsg) == 0 ? 1 : -1;
        if (r == 1) {
            /* and encryption of a valid case reproduces ct exactly */
            if (st_aes256_cbc_encrypt(out, &outlen, key, iv, msg, nmsg) != SOTTO_OK ||
                outlen != nct || memcmp(out, ct, nct) != 0)
                r = -1;
        }
    }
    free(key);
    free(iv);
    free(msg);
    free(ct);
    free(out);
    return r;
}

static void edges(void)
{
    uint8_t key[32] = {7}, iv[16] = {9}, pt[33], ct[48], back[48];
    size_t n, m;

    memset(pt, 0x61, sizeof pt);
    CHECK_OK(st_aes256_cbc_encrypt(ct, &n, key, iv, pt, sizeof pt));
    CHECK(n == st_cbc_padded_len(sizeof pt) && n == 48);
    CHECK_OK(st_aes256_cbc_decrypt(back, &m, key, iv, ct, n));
    CHECK(m == sizeof pt && memcmp(back, pt, m) == 0);
    CHECK(st_aes256_cbc_decrypt(back, &m, key, iv, ct, 47) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(st_aes256_cbc_decrypt(back, &m, key, iv, ct, 0) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK_OK(st_aes256_ctr(ct, key, iv, pt, sizeof pt));
    CHECK_OK(st_aes256_ctr(back, key, iv, ct, sizeof pt));
    CHECK(memcmp(back, pt, sizeof pt) == 0);
}

int main(void)
{
    t_init();
    t_wycheproof_run("aes_cbc_pkcs5_test.json", wp_case, NULL);
    edges();
    return t_done();
}
