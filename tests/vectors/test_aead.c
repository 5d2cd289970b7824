/* AES-256-GCM, ChaCha20-Poly1305 and XChaCha20-Poly1305 against Wycheproof
 * (AES-128/192 groups are left out: sotto uses AES-256 only). */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "testutil.h"
#include "wycheproof.h"

enum aead { GCM, CHACHA, XCHACHA };

struct tcase {
    uint8_t *key, *iv, *aad, *msg, *ct, *tag;
    size_t nkey, niv, naad, nmsg, nct, ntag;
};

static void load(struct tcase *c, const cJSON *test)
{
    c->key = t_json_hex(test, "key", &c->nkey);
    c->iv = t_json_hex(test, "iv", &c->niv);
    c->aad = t_json_hex(test, "aad", &c->naad);
    c->msg = t_json_hex(test, "msg", &c->nmsg);
    c->ct = t_json_hex(test, "ct", &c->nct);
    c->tag = t_json_hex(test, "tag", &c->ntag);
}

static void unload(struct tcase *c)
{
    free(c->key);
    free(c->iv);
    free(c->aad);
    free(c->msg);
    free(c->ct);
    free(c->tag);
}

/* Encrypt must reproduce ct||tag; decrypt must return msg. Returns 1/0/-1. */
static int run_gcm(const struct tcase *c)
{
    uint8_t *out = malloc(c->nmsg + c->nct + 1), tag[16];
    int enc_ok, dec_rc, r;

    enc_ok = st_aes256_gcm_encrypt(out, tag, c->key, c->iv, c->niv, c->aad, c->naad, c->msg,
                                   c->nmsg) == SOTTO_OK;
    if (enc_ok && c->ntag == 16 && memcmp(out, c->ct, c->nct) == 0 && memcmp(tag, c->tag, 16) == 0)
        r = 1;
    else
        r = 0;
    if (c->ntag != 16) {
        free(out);
        return 0;
    }
    dec_rc =
        st_aes256_gcm_decrypt(out, c->key, c->iv, c->niv, c->aad, c->naad, c->ct, c->nct, c->tag);
    if (dec_rc == SOTTO_OK && memcmp(out, c->msg, c->nmsg) != 0)
        r = -1;
    else if (dec_rc != SOTTO_OK)
        r = r == 1 ? -1 : 0; /* encrypts to it but refuses to decrypt it */
    free(out);
    return r;
}

static int run_chacha(const struct tcase *c, enum aead which)
{
    size_t want_iv = which == CHACHA ? ST_CHACHA_NONCE_BYTES : ST_XCHACHA_NONCE_BYTES;
    uint8_t *out = malloc(c->nmsg + c->nct + 16), *joined = malloc(c->nct + c->ntag + 1);
    int rc, r = 0;

    if (c->niv != want_iv || c->nkey != 32 || c->ntag != 16)
        goto out; /* the API takes fixed sizes: anything else is refused */
    rc = which == CHACHA
             ? st_chacha20poly1305_encrypt(out, c->key, c->iv, c->aad, c->naad, c->msg, c->nmsg)
             : st_xchacha20poly1305_encrypt(out, c->key, c->iv, c->aad, c->naad, c->msg, c->nmsg);
    int enc_match =
        rc == SOTTO_OK && memcmp(out, c->ct, c->nct) == 0 && memcmp(out + c->nmsg, c->tag, 16) == 0;
    memcpy(joined, c->ct, c->nct);
    memcpy(joined + c->nct, c->tag, c->ntag);
    rc = which == CHACHA ? st_chacha20poly1305_decrypt(out, c->key, c->iv, c->aad, c->naad, joined,
                                                       c->nct + c->ntag)
                         : st_xchacha20poly1305_decrypt(out, c->key, c->iv, c->aad, c->naad, joined,
                                                        c->nct + c->ntag);
    if (rc == SOTTO_OK)
        r = memcmp(out, c->msg, c->nmsg) == 0 && enc_match ? 1 : -1;
    else
        r = enc_match ? -1 : 0;
out:
    free(out);
    free(joined);
    return r;
}

static int wp_case(const cJSON *group, const cJSON *test, void *ctx)
{
    enum aead which = *(enum aead *)ctx;
    struct tcase c;
    int r;

    if (cJSON_GetObjectItem(group, "keySize")->valueint != 256)
        return T_WP_SKIP;
    /* GCM IVs over 128 bytes: OpenSSL 3.0 refuses them and sotto only ever
     * uses 12-byte IVs, so these are parameters we do not support. */
    if (which == GCM && cJSON_GetObjectItem(group, "ivSize")->valueint > ST_GCM_IV_MAX * 8)
        return T_WP_SKIP;
    load(&c, test);
    r = which == GCM ? run_gcm(&c) : run_chacha(&c, which);
    unload(&c);
    return r;
}

static void tamper(void)
{
    uint8_t key[32] = {1}, nonce[24] = {2}, pt[40] = {3}, ct[56], back[40], tag[16];

    CHECK_OK(st_chacha20poly1305_encrypt(ct, key, nonce, NULL, 0, pt, sizeof pt));
    ct[5] ^= 0x40;
    CHECK(st_chacha20poly1305_decrypt(back, key, nonce, NULL, 0, ct, sizeof ct) ==
          SOTTO_ERR_BAD_MAC);
    CHECK(st_chacha20poly1305_decrypt(back, key, nonce, NULL, 0, ct, 15) == SOTTO_ERR_TRUNCATED);
    CHECK_OK(st_aes256_gcm_encrypt(ct, tag, key, nonce, 12, NULL, 0, pt, sizeof pt));
    tag[0] ^= 1;
    CHECK(st_aes256_gcm_decrypt(back, key, nonce, 12, NULL, 0, ct, sizeof pt, tag) ==
          SOTTO_ERR_BAD_MAC);
    CHECK(st_ct_is_zero(back, sizeof back)); /* nothing released on failure */
    CHECK(st_aes256_gcm_encrypt(ct, tag, key, nonce, 0, NULL, 0, pt, sizeof pt) ==
          SOTTO_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    enum aead gcm = GCM, chacha = CHACHA, xchacha = XCHACHA;

    t_init();
    t_wycheproof_run("aes_gcm_test.json", wp_case, &gcm);
    t_wycheproof_run("chacha20_poly1305_test.json", wp_case, &chacha);
    t_wycheproof_run("xchacha20_poly1305_test.json", wp_case, &xchacha);
    tamper();
    return t_done();
}
