/*
 * HMAC-BLAKE2b (RFC 2104 with HASH = unkeyed BLAKE2b-512, B = 128) and the
 * Noise HKDF (Noise revision 34, §4.3), over libsodium's incremental
 * crypto_generichash.
 */
#include <sodium.h>
#include <string.h>

#include "blake2b.h"
#include "crypto.h"

void st_blake2b512_cat(uint8_t out[ST_BLAKE2B512_BYTES], const uint8_t *a, size_t alen,
                       const uint8_t *b, size_t blen)
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, ST_BLAKE2B512_BYTES);
    if (alen > 0)
        crypto_generichash_update(&st, a, alen);
    if (blen > 0)
        crypto_generichash_update(&st, b, blen);
    crypto_generichash_final(&st, out, ST_BLAKE2B512_BYTES);
    st_wipe(&st, sizeof st);
}

/* K' = key padded with zeros to B bytes (hashed first when longer), xor pad. */
static void padded_key(uint8_t block[ST_BLAKE2B_BLOCK_BYTES], const uint8_t *key, size_t keylen,
                       uint8_t pad)
{
    memset(block, 0, ST_BLAKE2B_BLOCK_BYTES);
    if (keylen > ST_BLAKE2B_BLOCK_BYTES)
        st_blake2b512_cat(block, key, keylen, NULL, 0);
    else if (keylen > 0)
        memcpy(block, key, keylen);
    for (size_t i = 0; i < ST_BLAKE2B_BLOCK_BYTES; i++)
        block[i] ^= pad;
}

/*
 *= RFC 2104 §2
 *# H(K XOR opad, H(K XOR ipad, text))
 */
void st_hmac_blake2b(uint8_t out[ST_BLAKE2B512_BYTES], const uint8_t *key, size_t keylen,
                     const uint8_t *msg, size_t len)
{
    uint8_t block[ST_BLAKE2B_BLOCK_BYTES];
    uint8_t inner[ST_BLAKE2B512_BYTES];

    padded_key(block, key, keylen, 0x36);
    st_blake2b512_cat(inner, block, sizeof block, msg, len);
    padded_key(block, key, keylen, 0x5c);
    st_blake2b512_cat(out, block, sizeof block, inner, sizeof inner);
    st_wipe(block, sizeof block);
    st_wipe(inner, sizeof inner);
}

/*
 *= https://noiseprotocol.org/noise.html#hash-functions
 *# Sets temp_key = HMAC-HASH(chaining_key, input_key_material).
 *# Sets output1 = HMAC-HASH(temp_key, byte(0x01)).
 *# Sets output2 = HMAC-HASH(temp_key, output1 || byte(0x02)).
 *# If num_outputs == 3 sets output3 = HMAC-HASH(temp_key, output2 || byte(0x03)).
 */
void st_noise_hkdf_blake2b(uint8_t out1[ST_BLAKE2B512_BYTES], uint8_t out2[ST_BLAKE2B512_BYTES],
                           uint8_t *out3, const uint8_t ck[ST_BLAKE2B512_BYTES], const uint8_t *ikm,
                           size_t ikmlen)
{
    uint8_t temp_key[ST_BLAKE2B512_BYTES];
    uint8_t buf[ST_BLAKE2B512_BYTES + 1];

    st_hmac_blake2b(temp_key, ck, ST_BLAKE2B512_BYTES, ikm, ikmlen);
    buf[0] = 0x01;
    st_hmac_blake2b(out1, temp_key, sizeof temp_key, buf, 1);
    memcpy(buf, out1, ST_BLAKE2B512_BYTES);
    buf[ST_BLAKE2B512_BYTES] = 0x02;
    st_hmac_blake2b(out2, temp_key, sizeof temp_key, buf, sizeof buf);
    if (out3 != NULL) {
        memcpy(buf, out2, ST_BLAKE2B512_BYTES);
        buf[ST_BLAKE2B512_BYTES] = 0x03;
        st_hmac_blake2b(out3, temp_key, sizeof temp_key, buf, sizeof buf);
    }
    st_wipe(temp_key, sizeof temp_key);
    st_wipe(buf, sizeof buf);
}
