/*
 * AES-256 in CBC (PKCS#7), CTR and GCM modes over OpenSSL's EVP interface,
 * which uses AES-NI where present and bitsliced constant-time code where not.
 */
#include <limits.h>
#include <openssl/evp.h>
#include <string.h>

#include "crypto.h"

static int cbc_run(uint8_t *out, size_t *outlen, const uint8_t *key, const uint8_t *iv,
                   const uint8_t *in, size_t len, int enc)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0, err = SOTTO_ERR_CRYPTO;

    *outlen = 0;
    if (ctx == NULL)
        return SOTTO_ERR_NOMEM;
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv, enc) != 1)
        goto out;
    if (EVP_CipherUpdate(ctx, out, &n1, in, (int)len) != 1)
        goto out;
    if (EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1) {
        err = enc ? SOTTO_ERR_CRYPTO : SOTTO_ERR_BAD_PADDING;
        st_wipe(out, len);
        goto out;
    }
    *outlen = (size_t)n1 + (size_t)n2;
    err = SOTTO_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    return err;
}

int st_aes256_cbc_encrypt(uint8_t *out, size_t *outlen, const uint8_t key[ST_AES256_KEY_BYTES],
                          const uint8_t iv[ST_AES_BLOCK_BYTES], const uint8_t *in, size_t len)
{
    *outlen = 0;
    if (len > INT_MAX - 2 * ST_AES_BLOCK_BYTES)
        return SOTTO_ERR_TOO_LARGE;
    return cbc_run(out, outlen, key, iv, in, len, 1);
}

int st_aes256_cbc_decrypt(uint8_t *out, size_t *outlen, const uint8_t key[ST_AES256_KEY_BYTES],
                          const uint8_t iv[ST_AES_BLOCK_BYTES], const uint8_t *in, size_t len)
{
    *outlen = 0;
    if (len == 0 || len % ST_AES_BLOCK_BYTES != 0)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (len > INT_MAX - 2 * ST_AES_BLOCK_BYTES)
        return SOTTO_ERR_TOO_LARGE;
    return cbc_run(out, outlen, key, iv, in, len, 0);
}

int st_aes256_ctr(uint8_t *out, const uint8_t key[ST_AES256_KEY_BYTES],
                  const uint8_t iv[ST_AES_BLOCK_BYTES], const uint8_t *in, size_t len)
{
    EVP_CIPHER_CTX *ctx;
    int n = 0, err = SOTTO_ERR_CRYPTO;

    if (len > INT_MAX)
        return SOTTO_ERR_TOO_LARGE;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return SOTTO_ERR_NOMEM;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, key, iv) != 1)
        goto out;
    if (EVP_EncryptUpdate(ctx, out, &n, in, (int)len) != 1)
        goto out;
    err = SOTTO_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    return err;
}

static int gcm_init(EVP_CIPHER_CTX *ctx, const uint8_t *key, const uint8_t *iv, size_t ivlen,
                    const uint8_t *aad, size_t aadlen, int enc)
{
    int n = 0;

    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1)
        return SOTTO_ERR_CRYPTO;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)ivlen, NULL) != 1)
        return SOTTO_ERR_CRYPTO;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) != 1)
        return SOTTO_ERR_CRYPTO;
    if (aadlen > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
        return SOTTO_ERR_CRYPTO;
    return SOTTO_OK;
}

static int gcm_args_ok(size_t ivlen, size_t aadlen, size_t len)
{
    /* A zero-length IV is meaningless (and insecure); lengths fit an int. */
    return ivlen >= 1 && ivlen <= ST_GCM_IV_MAX && aadlen <= INT_MAX && len <= INT_MAX;
}

int st_aes256_gcm_encrypt(uint8_t *ct, uint8_t tag[ST_AEAD_TAG_BYTES],
                          const uint8_t key[ST_AES256_KEY_BYTES], const uint8_t *iv, size_t ivlen,
                          const uint8_t *aad, size_t aadlen, const uint8_t *pt, size_t len)
{
    EVP_CIPHER_CTX *ctx;
    int n = 0, err;

    memset(tag, 0, ST_AEAD_TAG_BYTES);
    if (!gcm_args_ok(ivlen, aadlen, len))
        return SOTTO_ERR_INVALID_ARGUMENT;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return SOTTO_ERR_NOMEM;
    err = gcm_init(ctx, key, iv, ivlen, aad, aadlen, 1);
    if (err != SOTTO_OK)
        goto out;
    err = SOTTO_ERR_CRYPTO;
    if (len > 0 && EVP_EncryptUpdate(ctx, ct, &n, pt, (int)len) != 1)
        goto out;
    if (EVP_EncryptFinal_ex(ctx, ct + n, &n) != 1)
        goto out;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, ST_AEAD_TAG_BYTES, tag) != 1)
        goto out;
    err = SOTTO_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    return err;
}

int st_aes256_gcm_decrypt(uint8_t *pt, const uint8_t key[ST_AES256_KEY_BYTES], const uint8_t *iv,
                          size_t ivlen, const uint8_t *aad, size_t aadlen, const uint8_t *ct,
                          size_t len, const uint8_t tag[ST_AEAD_TAG_BYTES])
{
    EVP_CIPHER_CTX *ctx;
    uint8_t tagcopy[ST_AEAD_TAG_BYTES];
    int n = 0, err;

    if (!gcm_args_ok(ivlen, aadlen, len))
        return SOTTO_ERR_INVALID_ARGUMENT;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return SOTTO_ERR_NOMEM;
    memcpy(tagcopy, tag, sizeof tagcopy);
    err = gcm_init(ctx, key, iv, ivlen, aad, aadlen, 0);
    if (err != SOTTO_OK)
        goto out;
    err = SOTTO_ERR_CRYPTO;
    if (len > 0 && EVP_DecryptUpdate(ctx, pt, &n, ct, (int)len) != 1)
        goto out;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, ST_AEAD_TAG_BYTES, tagcopy) != 1)
        goto out;
    if (EVP_DecryptFinal_ex(ctx, pt + n, &n) != 1) {
        /* OpenSSL decrypts before it checks the tag: wipe what it wrote. */
        st_wipe(pt, len);
        err = SOTTO_ERR_BAD_MAC;
        goto out;
    }
    err = SOTTO_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    return err;
}
