/*
 * Noise CipherState and SymmetricState (Noise revision 34, §5.1, §5.2) with
 * ChaChaPoly (§12.3) and BLAKE2b (§12.8). HASHLEN is 64, so every key taken
 * from HKDF output is truncated to its first 32 bytes (§5.2).
 */
#include <string.h>

#include "crypto/crypto.h"
#include "transport/noise_state.h"

/*
 *= https://noiseprotocol.org/noise.html#the-chachapoly-cipher-functions
 *# The 96-bit nonce is formed by encoding 32 bits of zeros followed by
 *# little-endian encoding of n.
 */
static void nonce_bytes(uint8_t out[ST_CHACHA_NONCE_BYTES], uint64_t n)
{
    memset(out, 0, 4);
    for (int i = 0; i < 8; i++)
        out[4 + i] = (uint8_t)(n >> (8 * i));
}

void st_noise_cipher_init(struct st_noise_cipher *c, const uint8_t k[ST_NOISE_KEY_BYTES])
{
    memcpy(c->k, k, ST_NOISE_KEY_BYTES);
    c->n = 0;
    c->has_key = 1;
}

/*
 *= https://noiseprotocol.org/noise.html#the-cipherstate-object
 *# If incrementing n results in 2^64-1, then any further EncryptWithAd() or
 *# DecryptWithAd() calls will signal an error to the caller.
 */
int st_noise_cipher_encrypt(struct st_noise_cipher *c, uint8_t *out, const uint8_t *ad,
                            size_t adlen, const uint8_t *pt, size_t len)
{
    uint8_t nonce[ST_CHACHA_NONCE_BYTES];
    int rc;

    if (!c->has_key) {
        if (len > 0)
            memcpy(out, pt, len);
        return SOTTO_OK;
    }
    if (c->n == ST_NOISE_NONCE_MAX)
        return SOTTO_ERR_NONCE_EXHAUSTED;
    nonce_bytes(nonce, c->n);
    rc = st_chacha20poly1305_encrypt(out, c->k, nonce, ad, adlen, pt, len);
    if (rc != SOTTO_OK)
        return rc;
    c->n++;
    return SOTTO_OK;
}

/*
 *= https://noiseprotocol.org/noise.html#the-cipherstate-object
 *# If an authentication failure occurs in DecryptWithAd() then n is not
 *# incremented and an error is signaled to the caller.
 */
int st_noise_cipher_decrypt(struct st_noise_cipher *c, uint8_t *out, const uint8_t *ad,
                            size_t adlen, const uint8_t *ct, size_t len)
{
    uint8_t nonce[ST_CHACHA_NONCE_BYTES];

    if (!c->has_key) {
        if (len > 0)
            memcpy(out, ct, len);
        return SOTTO_OK;
    }
    if (c->n == ST_NOISE_NONCE_MAX)
        return SOTTO_ERR_NONCE_EXHAUSTED;
    if (len < ST_NOISE_TAG_BYTES)
        return SOTTO_ERR_TRUNCATED;
    nonce_bytes(nonce, c->n);
    if (st_chacha20poly1305_decrypt(out, c->k, nonce, ad, adlen, ct, len) != SOTTO_OK) {
        st_wipe(out, len - ST_NOISE_TAG_BYTES);
        return SOTTO_ERR_BAD_MAC;
    }
    c->n++;
    return SOTTO_OK;
}

/*
 *= https://noiseprotocol.org/noise.html#cipher-functions
 *# REKEY(k): Returns a new 32-byte cipher key as a pseudorandom function of
 *# k. If this function is not specifically defined for some set of cipher
 *# functions, then it defaults to returning the first 32 bytes from
 *# ENCRYPT(k, maxnonce, zerolen, zeros)
 */
int st_noise_cipher_rekey(struct st_noise_cipher *c)
{
    uint8_t nonce[ST_CHACHA_NONCE_BYTES];
    uint8_t zeros[ST_NOISE_KEY_BYTES] = {0};
    uint8_t out[ST_NOISE_KEY_BYTES + ST_NOISE_TAG_BYTES];
    int rc;

    if (!c->has_key)
        return SOTTO_ERR_INVALID_STATE;
    nonce_bytes(nonce, ST_NOISE_NONCE_MAX);
    rc = st_chacha20poly1305_encrypt(out, c->k, nonce, NULL, 0, zeros, sizeof zeros);
    if (rc == SOTTO_OK)
        memcpy(c->k, out, ST_NOISE_KEY_BYTES);
    st_wipe(out, sizeof out);
    return rc;
}

/*
 *= https://noiseprotocol.org/noise.html#the-symmetricstate-object
 *# If protocol_name is less than or equal to HASHLEN bytes in length, sets h
 *# equal to protocol_name with zero bytes appended to make HASHLEN bytes.
 *# [...] Sets ck = h. Calls InitializeKey(empty).
 */
void st_noise_symmetric_init(struct st_noise_symmetric *ss, const char *name)
{
    size_t len = strlen(name);

    memset(ss, 0, sizeof *ss);
    if (len <= ST_NOISE_HASH_BYTES)
        memcpy(ss->h, name, len);
    else
        st_blake2b512_cat(ss->h, (const uint8_t *)name, len, NULL, 0);
    memcpy(ss->ck, ss->h, ST_NOISE_HASH_BYTES);
}

/* MixHash(data): h = HASH(h || data). */
void st_noise_mix_hash(struct st_noise_symmetric *ss, const uint8_t *data, size_t len)
{
    uint8_t h[ST_NOISE_HASH_BYTES];

    st_blake2b512_cat(h, ss->h, sizeof ss->h, data, len);
    memcpy(ss->h, h, sizeof h);
}

/* MixKey(ikm): ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k[:32]). */
void st_noise_mix_key(struct st_noise_symmetric *ss, const uint8_t ikm[ST_NOISE_KEY_BYTES])
{
    uint8_t ck[ST_NOISE_HASH_BYTES];
    uint8_t temp_k[ST_NOISE_HASH_BYTES];

    st_noise_hkdf_blake2b(ck, temp_k, NULL, ss->ck, ikm, ST_NOISE_KEY_BYTES);
    memcpy(ss->ck, ck, sizeof ck);
    st_noise_cipher_init(&ss->cs, temp_k);
    st_wipe(ck, sizeof ck);
    st_wipe(temp_k, sizeof temp_k);
}

int st_noise_encrypt_and_hash(struct st_noise_symmetric *ss, uint8_t *out, const uint8_t *pt,
                              size_t len)
{
    size_t outlen = len + (ss->cs.has_key ? ST_NOISE_TAG_BYTES : 0);
    int rc = st_noise_cipher_encrypt(&ss->cs, out, ss->h, sizeof ss->h, pt, len);

    if (rc != SOTTO_OK)
        return rc;
    st_noise_mix_hash(ss, out, outlen);
    return SOTTO_OK;
}

int st_noise_decrypt_and_hash(struct st_noise_symmetric *ss, uint8_t *out, const uint8_t *ct,
                              size_t len)
{
    int rc = st_noise_cipher_decrypt(&ss->cs, out, ss->h, sizeof ss->h, ct, len);

    if (rc != SOTTO_OK)
        return rc;
    st_noise_mix_hash(ss, ct, len);
    return SOTTO_OK;
}

/*
 *= https://noiseprotocol.org/noise.html#the-symmetricstate-object
 *# Sets temp_k1, temp_k2 = HKDF(ck, zerolen, 2). If HASHLEN is 64, then
 *# truncates temp_k1 and temp_k2 to 32 bytes.
 */
void st_noise_symmetric_split(const struct st_noise_symmetric *ss, struct st_noise_cipher *c1,
                              struct st_noise_cipher *c2)
{
    uint8_t k1[ST_NOISE_HASH_BYTES];
    uint8_t k2[ST_NOISE_HASH_BYTES];

    st_noise_hkdf_blake2b(k1, k2, NULL, ss->ck, NULL, 0);
    st_noise_cipher_init(c1, k1);
    st_noise_cipher_init(c2, k2);
    st_wipe(k1, sizeof k1);
    st_wipe(k2, sizeof k2);
}
