/*
 * Noise CipherState and SymmetricState (Noise revision 34, §5.1, §5.2) for
 * the 25519_ChaChaPoly_BLAKE2b suite: shared by the handshake
 * (noise_handshake.c) and the transport (noise_transport.c). Internal to
 * lib/transport.
 */
#ifndef ST_TRANSPORT_NOISE_STATE_H
#define ST_TRANSPORT_NOISE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/blake2b.h"
#include "transport/noise.h"

/* The nonce value Noise reserves: reaching it ends a CipherState. */
#define ST_NOISE_NONCE_MAX UINT64_MAX

struct st_noise_cipher {
    uint8_t k[ST_NOISE_KEY_BYTES];
    uint64_t n;
    int has_key;
};

struct st_noise_symmetric {
    uint8_t ck[ST_NOISE_HASH_BYTES];
    uint8_t h[ST_NOISE_HASH_BYTES];
    struct st_noise_cipher cs;
};

/* InitializeKey(k): n = 0. */
void st_noise_cipher_init(struct st_noise_cipher *c, const uint8_t k[ST_NOISE_KEY_BYTES]);
/* EncryptWithAd: out gets len (+16 with a key) bytes; plain copy without a
 * key. SOTTO_ERR_NONCE_EXHAUSTED at n = 2^64-1. */
SOTTO_MUST_CHECK int st_noise_cipher_encrypt(struct st_noise_cipher *c, uint8_t *out,
                                             const uint8_t *ad, size_t adlen, const uint8_t *pt,
                                             size_t len);
/* DecryptWithAd: ct is len bytes (>= 16 with a key); out gets len (-16)
 * bytes. SOTTO_ERR_BAD_MAC leaves n unchanged and out wiped. */
SOTTO_MUST_CHECK int st_noise_cipher_decrypt(struct st_noise_cipher *c, uint8_t *out,
                                             const uint8_t *ad, size_t adlen, const uint8_t *ct,
                                             size_t len);
/* Rekey(): k = first 32 bytes of ENCRYPT(k, 2^64-1, "", 32 zero bytes). */
SOTTO_MUST_CHECK int st_noise_cipher_rekey(struct st_noise_cipher *c);

/* InitializeSymmetric(protocol_name), name of at most 64 bytes. */
void st_noise_symmetric_init(struct st_noise_symmetric *ss, const char *name);
void st_noise_mix_hash(struct st_noise_symmetric *ss, const uint8_t *data, size_t len);
void st_noise_mix_key(struct st_noise_symmetric *ss, const uint8_t ikm[ST_NOISE_KEY_BYTES]);
/* EncryptAndHash / DecryptAndHash: as the cipher calls with ad = h, then
 * MixHash(ciphertext). */
SOTTO_MUST_CHECK int st_noise_encrypt_and_hash(struct st_noise_symmetric *ss, uint8_t *out,
                                               const uint8_t *pt, size_t len);
SOTTO_MUST_CHECK int st_noise_decrypt_and_hash(struct st_noise_symmetric *ss, uint8_t *out,
                                               const uint8_t *ct, size_t len);
/* Split(): the two CipherStates (c1 = initiator to responder). */
void st_noise_symmetric_split(const struct st_noise_symmetric *ss, struct st_noise_cipher *c1,
                              struct st_noise_cipher *c2);

/* For noise_transport.c: Split() a DONE handshake into our send and receive
 * CipherStates and h, then wipe what it no longer needs (keeps h and rs)
 * and mark it SPLIT. SOTTO_ERR_INVALID_STATE unless DONE. */
SOTTO_MUST_CHECK int st_noise_handshake_take_split(struct st_noise_handshake *hs,
                                                   struct st_noise_cipher *send,
                                                   struct st_noise_cipher *recv,
                                                   uint8_t h[ST_NOISE_HASH_BYTES]);

#endif
