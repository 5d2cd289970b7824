/*
 * lib/crypto: the primitive layer under the protocol, a thin shell over
 * libsodium (curves, ChaCha20-Poly1305, BLAKE2b, SHA-2, HMAC, randomness,
 * zeroing) and OpenSSL libcrypto 3 (AES-CBC, AES-GCM, AES-CTR).
 *
 * Conventions: outputs first, key material as sized arrays, variable data as
 * pointer + length. Every fallible function returns a sotto_err (0 = ok) and
 * clears its outputs on failure. Nothing here branches on or indexes by a
 * secret; comparisons of secrets go through st_ct_equal.
 */
#ifndef ST_CRYPTO_H
#define ST_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum st_crypto_sizes {
    ST_X25519_BYTES = 32, /* X25519 private scalar, public u, shared secret */
    ST_PUBKEY_BYTES = 33, /* libsignal encoding: 0x05 || u */
    ST_PUBKEY_TYPE_DJB = 0x05,
    ST_SIG_BYTES = 64,      /* XEdDSA and Ed25519 signatures */
    ST_XEDDSA_Z_BYTES = 64, /* fresh randomness per XEdDSA signature */
    ST_SHA256_BYTES = 32,
    ST_SHA512_BYTES = 64,
    ST_HMAC_SHA256_BYTES = 32,
    ST_HKDF_SHA256_MAX = 255 * 32,
    ST_AES256_KEY_BYTES = 32,
    ST_AES_BLOCK_BYTES = 16,
    ST_AEAD_KEY_BYTES = 32,
    ST_AEAD_TAG_BYTES = 16,
    ST_CHACHA_NONCE_BYTES = 12,
    ST_XCHACHA_NONCE_BYTES = 24,
    ST_GCM_IV_MAX = 128, /* OpenSSL 3.0 refuses longer GCM IVs */
    ST_BLAKE2B_MAX = 64,
};

/* ---- randomness (random.c) ---- */

/* Fills out with len random bytes from the process-wide source. */
void st_random_bytes(uint8_t *out, size_t len);
/* Uniform random 32-bit value. */
uint32_t st_random_u32(void);

/* ---- secrets (util.c) ---- */

/* Zero memory in a way the compiler cannot drop. */
void st_wipe(void *p, size_t len);
/* 1 if the two buffers are equal, 0 otherwise; time depends only on len. */
int st_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);
/* 1 if all len bytes are zero, in constant time. */
int st_ct_is_zero(const uint8_t *a, size_t len);

/* ---- Curve25519 (curve25519.c) ---- */

/* New key pair; the private key is clamped. */
SOTTO_MUST_CHECK int st_x25519_keypair(uint8_t pub[ST_X25519_BYTES], uint8_t priv[ST_X25519_BYTES]);
/* Public key of a private key (clamping applied). */
SOTTO_MUST_CHECK int st_x25519_public(uint8_t pub[ST_X25519_BYTES],
                                      const uint8_t priv[ST_X25519_BYTES]);
/* X25519(priv, pub). An all-zero result is SOTTO_ERR_WEAK_KEY. */
SOTTO_MUST_CHECK int st_x25519(uint8_t shared[ST_X25519_BYTES], const uint8_t priv[ST_X25519_BYTES],
                               const uint8_t pub[ST_X25519_BYTES]);
/* Clamp a 32-byte scalar in place (as libsignal does on deserialize). */
void st_x25519_clamp(uint8_t priv[ST_X25519_BYTES]);
/* libsignal's 33-byte public key: 0x05 || u. */
void st_pubkey_encode(uint8_t out[ST_PUBKEY_BYTES], const uint8_t pub[ST_X25519_BYTES]);
/* Strict: exactly 33 bytes with type byte 0x05, else SOTTO_ERR_INVALID_KEY. */
SOTTO_MUST_CHECK int st_pubkey_decode(uint8_t pub[ST_X25519_BYTES], const uint8_t *in, size_t len);
/*
 * libsignal's "canonical" base-key check: u < 2^255 - 19 with the top bit
 * clear, and the point maps to a torsion-free Edwards point. 1 if canonical.
 */
int st_x25519_pub_is_canonical(const uint8_t pub[ST_X25519_BYTES]);

/* ---- XEdDSA as libsignal does it, and Ed25519 (xeddsa.c) ---- */

/* Sign msg with a Curve25519 private key; z is 64 fresh random bytes. */
SOTTO_MUST_CHECK int st_xeddsa_sign_z(uint8_t sig[ST_SIG_BYTES],
                                      const uint8_t priv[ST_X25519_BYTES], const uint8_t *msg,
                                      size_t len, const uint8_t z[ST_XEDDSA_Z_BYTES]);
/* As st_xeddsa_sign_z with z from st_random_bytes. */
SOTTO_MUST_CHECK int st_xeddsa_sign(uint8_t sig[ST_SIG_BYTES], const uint8_t priv[ST_X25519_BYTES],
                                    const uint8_t *msg, size_t len);
/* SOTTO_OK or SOTTO_ERR_INVALID_SIGNATURE. */
SOTTO_MUST_CHECK int st_xeddsa_verify(const uint8_t sig[ST_SIG_BYTES],
                                      const uint8_t pub[ST_X25519_BYTES], const uint8_t *msg,
                                      size_t len);
/* Plain Ed25519 (RFC 8032) verification. */
SOTTO_MUST_CHECK int st_ed25519_verify(const uint8_t sig[ST_SIG_BYTES], const uint8_t pub[32],
                                       const uint8_t *msg, size_t len);

/* ---- hashes and MACs (hash.c) ---- */

void st_sha256(uint8_t out[ST_SHA256_BYTES], const uint8_t *in, size_t len);
void st_sha512(uint8_t out[ST_SHA512_BYTES], const uint8_t *in, size_t len);
/* BLAKE2b with outlen 1..64 and an optional key of up to 64 bytes. */
SOTTO_MUST_CHECK int st_blake2b(uint8_t *out, size_t outlen, const uint8_t *key, size_t keylen,
                                const uint8_t *in, size_t len);
void st_hmac_sha256(uint8_t out[ST_HMAC_SHA256_BYTES], const uint8_t *key, size_t keylen,
                    const uint8_t *msg, size_t len);

/* Incremental HMAC-SHA256 for MACs over several pieces. */
struct st_hmac_sha256 {
    uint8_t opaque[416] __attribute__((aligned(16)));
};
void st_hmac_sha256_init(struct st_hmac_sha256 *h, const uint8_t *key, size_t keylen);
void st_hmac_sha256_update(struct st_hmac_sha256 *h, const uint8_t *msg, size_t len);
/* Writes the tag and wipes the state. */
void st_hmac_sha256_final(struct st_hmac_sha256 *h, uint8_t out[ST_HMAC_SHA256_BYTES]);

/* ---- HKDF-SHA256, RFC 5869 (hkdf.c) ---- */

/* salt may be NULL/0 (= 32 zero bytes). outlen <= 255*32. */
SOTTO_MUST_CHECK int st_hkdf_sha256(uint8_t *out, size_t outlen, const uint8_t *salt,
                                    size_t saltlen, const uint8_t *ikm, size_t ikmlen,
                                    const uint8_t *info, size_t infolen);
void st_hkdf_sha256_extract(uint8_t prk[ST_SHA256_BYTES], const uint8_t *salt, size_t saltlen,
                            const uint8_t *ikm, size_t ikmlen);
SOTTO_MUST_CHECK int st_hkdf_sha256_expand(uint8_t *out, size_t outlen,
                                           const uint8_t prk[ST_SHA256_BYTES], const uint8_t *info,
                                           size_t infolen);

/* ---- AES (aes.c) ---- */

/* Ciphertext length for a plaintext of len bytes under PKCS#7. */
static inline size_t st_cbc_padded_len(size_t len)
{
    return (len / ST_AES_BLOCK_BYTES + 1) * ST_AES_BLOCK_BYTES;
}
/* AES-256-CBC with PKCS#7; out holds st_cbc_padded_len(len) bytes. */
SOTTO_MUST_CHECK int st_aes256_cbc_encrypt(uint8_t *out, size_t *outlen,
                                           const uint8_t key[ST_AES256_KEY_BYTES],
                                           const uint8_t iv[ST_AES_BLOCK_BYTES], const uint8_t *in,
                                           size_t len);
/* out holds len bytes; *outlen gets the unpadded length. Bad padding:
 * SOTTO_ERR_BAD_PADDING; a length not a positive multiple of 16:
 * SOTTO_ERR_INVALID_MESSAGE. */
SOTTO_MUST_CHECK int st_aes256_cbc_decrypt(uint8_t *out, size_t *outlen,
                                           const uint8_t key[ST_AES256_KEY_BYTES],
                                           const uint8_t iv[ST_AES_BLOCK_BYTES], const uint8_t *in,
                                           size_t len);
/* AES-256-CTR with a 16-byte initial counter block (sealed sender). */
SOTTO_MUST_CHECK int st_aes256_ctr(uint8_t *out, const uint8_t key[ST_AES256_KEY_BYTES],
                                   const uint8_t iv[ST_AES_BLOCK_BYTES], const uint8_t *in,
                                   size_t len);
/* AES-256-GCM, IV of 1..ST_GCM_IV_MAX bytes, 16-byte tag. */
SOTTO_MUST_CHECK int st_aes256_gcm_encrypt(uint8_t *ct, uint8_t tag[ST_AEAD_TAG_BYTES],
                                           const uint8_t key[ST_AES256_KEY_BYTES],
                                           const uint8_t *iv, size_t ivlen, const uint8_t *aad,
                                           size_t aadlen, const uint8_t *pt, size_t len);
/* On a bad tag returns SOTTO_ERR_BAD_MAC and leaves pt zeroed. */
SOTTO_MUST_CHECK int st_aes256_gcm_decrypt(uint8_t *pt, const uint8_t key[ST_AES256_KEY_BYTES],
                                           const uint8_t *iv, size_t ivlen, const uint8_t *aad,
                                           size_t aadlen, const uint8_t *ct, size_t len,
                                           const uint8_t tag[ST_AEAD_TAG_BYTES]);

/* ---- ChaCha20-Poly1305 (chacha.c); ct = ciphertext || 16-byte tag ---- */

SOTTO_MUST_CHECK int st_chacha20poly1305_encrypt(uint8_t *ct, const uint8_t key[ST_AEAD_KEY_BYTES],
                                                 const uint8_t nonce[ST_CHACHA_NONCE_BYTES],
                                                 const uint8_t *aad, size_t aadlen,
                                                 const uint8_t *pt, size_t len);
/* ctlen includes the tag; pt gets ctlen - 16 bytes. */
SOTTO_MUST_CHECK int st_chacha20poly1305_decrypt(uint8_t *pt, const uint8_t key[ST_AEAD_KEY_BYTES],
                                                 const uint8_t nonce[ST_CHACHA_NONCE_BYTES],
                                                 const uint8_t *aad, size_t aadlen,
                                                 const uint8_t *ct, size_t ctlen);
SOTTO_MUST_CHECK int st_xchacha20poly1305_encrypt(uint8_t *ct, const uint8_t key[ST_AEAD_KEY_BYTES],
                                                  const uint8_t nonce[ST_XCHACHA_NONCE_BYTES],
                                                  const uint8_t *aad, size_t aadlen,
                                                  const uint8_t *pt, size_t len);
SOTTO_MUST_CHECK int st_xchacha20poly1305_decrypt(uint8_t *pt, const uint8_t key[ST_AEAD_KEY_BYTES],
                                                  const uint8_t nonce[ST_XCHACHA_NONCE_BYTES],
                                                  const uint8_t *aad, size_t aadlen,
                                                  const uint8_t *ct, size_t ctlen);

#endif
