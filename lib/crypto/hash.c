/* SHA-512 and BLAKE2b over libsodium (SHA-256 and HMAC are in hmac.c). */
#include <sodium.h>

#include "crypto.h"

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
