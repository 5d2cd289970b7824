/* SHA-256, SHA-512, BLAKE2b and HMAC-SHA256 over libsodium. HMAC sits on
 * libsodium rather than OpenSSL's EVP_MAC because the ratchet computes it
 * several times per message and libsodium's needs no allocation or fetch. */
#include <sodium.h>

#include "crypto.h"

_Static_assert(sizeof(crypto_auth_hmacsha256_state) <= sizeof(struct st_hmac_sha256),
               "st_hmac_sha256 too small for libsodium's state");

void st_sha256(uint8_t out[ST_SHA256_BYTES], const uint8_t *in, size_t len)
{
    crypto_hash_sha256(out, in, len);
}

void st_sha512(uint8_t out[ST_SHA512_BYTES], const uint8_t *in, size_t len)
{
    crypto_hash_sha512(out, in, len);
}

int st_blake2b(uint8_t *out, size_t outlen, const uint8_t *key, size_t keylen, const uint8_t *in,
               size_t len)
{
    if (outlen < 1 || outlen > ST_BLAKE2B_MAX || keylen > ST_BLAKE2B_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (crypto_generichash(out, outlen, in, len, keylen ? key : NULL, keylen) != 0)
        return SOTTO_ERR_CRYPTO;
    return SOTTO_OK;
}

void st_hmac_sha256_init(struct st_hmac_sha256 *h, const uint8_t *key, size_t keylen)
{
    crypto_auth_hmacsha256_init((crypto_auth_hmacsha256_state *)(void *)h->opaque, key, keylen);
}

void st_hmac_sha256_update(struct st_hmac_sha256 *h, const uint8_t *msg, size_t len)
{
    crypto_auth_hmacsha256_update((crypto_auth_hmacsha256_state *)(void *)h->opaque, msg, len);
}

void st_hmac_sha256_final(struct st_hmac_sha256 *h, uint8_t out[ST_HMAC_SHA256_BYTES])
{
    crypto_auth_hmacsha256_final((crypto_auth_hmacsha256_state *)(void *)h->opaque, out);
    st_wipe(h, sizeof *h);
}

void st_hmac_sha256(uint8_t out[ST_HMAC_SHA256_BYTES], const uint8_t *key, size_t keylen,
                    const uint8_t *msg, size_t len)
{
    struct st_hmac_sha256 h;
    st_hmac_sha256_init(&h, key, keylen);
    st_hmac_sha256_update(&h, msg, len);
    st_hmac_sha256_final(&h, out);
}
