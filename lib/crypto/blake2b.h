/*
 * BLAKE2b-512 as the Noise HASH, with HMAC (RFC 2104, block length 128) and
 * the Noise HKDF (Noise revision 34, §4.3) over it. Noise needs these for
 * Noise_*_BLAKE2b; the rest of sotto uses lib/crypto/crypto.h.
 */
#ifndef ST_CRYPTO_BLAKE2B_H
#define ST_CRYPTO_BLAKE2B_H

#include <stddef.h>
#include <stdint.h>

enum st_blake2b_sizes {
    ST_BLAKE2B512_BYTES = 64,     /* HASHLEN */
    ST_BLAKE2B_BLOCK_BYTES = 128, /* BLOCKLEN */
};

/* out = BLAKE2b-512(a || b); either part may be empty (NULL/0). */
void st_blake2b512_cat(uint8_t out[ST_BLAKE2B512_BYTES], const uint8_t *a, size_t alen,
                       const uint8_t *b, size_t blen);

/* HMAC-BLAKE2b-512: keys longer than 128 bytes are hashed first. */
void st_hmac_blake2b(uint8_t out[ST_BLAKE2B512_BYTES], const uint8_t *key, size_t keylen,
                     const uint8_t *msg, size_t len);

/*
 * Noise HKDF(chaining_key, input_key_material, num_outputs) with
 * HMAC-BLAKE2b: out1 and out2 always, out3 too when not NULL (num_outputs
 * 3). ikm may be empty (Split) or a DH output.
 */
void st_noise_hkdf_blake2b(uint8_t out1[ST_BLAKE2B512_BYTES], uint8_t out2[ST_BLAKE2B512_BYTES],
                           uint8_t *out3, const uint8_t ck[ST_BLAKE2B512_BYTES], const uint8_t *ikm,
                           size_t ikmlen);

#endif
