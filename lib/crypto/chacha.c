/* ChaCha20-Poly1305 (RFC 8439) and XChaCha20-Poly1305 over libsodium; the
 * ciphertext carries its 16-byte tag at the end. libsodium checks the tag
 * before it decrypts anything. */
#include <sodium.h>

#include "crypto.h"

int st_chacha20poly1305_encrypt(uint8_t *ct, const uint8_t key[ST_AEAD_KEY_BYTES],
                                const uint8_t nonce[ST_CHACHA_NONCE_BYTES], const uint8_t *aad,
                                size_t aadlen, const uint8_t *pt, size_t len)
{
    if (crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, pt, len, aad, aadlen, NULL, nonce,
                                                  key) != 0)
        return SOTTO_ERR_CRYPTO;
    return SOTTO_OK;
}

int st_chacha20poly1305_decrypt(uint8_t *pt, const uint8_t key[ST_AEAD_KEY_BYTES],
                                const uint8_t nonce[ST_CHACHA_NONCE_BYTES], const uint8_t *aad,
                                size_t aadlen, const uint8_t *ct, size_t ctlen)
{
    if (ctlen < ST_AEAD_TAG_BYTES)
        return SOTTO_ERR_TRUNCATED;
    if (crypto_aead_chacha20poly1305_ietf_decrypt(pt, NULL, NULL, ct, ctlen, aad, aadlen, nonce,
                                                  key) != 0)
        return SOTTO_ERR_BAD_MAC;
    return SOTTO_OK;
}

int st_xchacha20poly1305_encrypt(uint8_t *ct, const uint8_t key[ST_AEAD_KEY_BYTES],
                                 const uint8_t nonce[ST_XCHACHA_NONCE_BYTES], const uint8_t *aad,
                                 size_t aadlen, const uint8_t *pt, size_t len)
{
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, pt, len, aad, aadlen, NULL, nonce,
                                                   key) != 0)
        return SOTTO_ERR_CRYPTO;
    return SOTTO_OK;
}

int st_xchacha20poly1305_decrypt(uint8_t *pt, const uint8_t key[ST_AEAD_KEY_BYTES],
                                 const uint8_t nonce[ST_XCHACHA_NONCE_BYTES], const uint8_t *aad,
                                 size_t aadlen, const uint8_t *ct, size_t ctlen)
{
    if (ctlen < ST_AEAD_TAG_BYTES)
        return SOTTO_ERR_TRUNCATED;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL, ct, ctlen, aad, aadlen, nonce,
                                                   key) != 0)
        return SOTTO_ERR_BAD_MAC;
    return SOTTO_OK;
}
