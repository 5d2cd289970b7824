/*
 * Sender keys, internal layer (signal-wire.md section 6; libsignal
 * sender_keys.rs, group_cipher.rs, protocol.rs): limits, the in-memory
 * record, the chain, and the two wire messages.
 */
#ifndef ST_SENDER_KEY_H
#define ST_SENDER_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "sotto/group.h"

enum st_sk_limits {
    ST_SK_VERSION = 3, /* message version; the byte is 0x33 */
    ST_SK_VERSION_BYTE = 0x33,
    ST_SK_CHAIN_KEY_BYTES = 32,
    ST_SK_SEED_BYTES = 32,
    ST_SK_IV_BYTES = 16,
    ST_SK_MAX_FORWARD_JUMPS = 25000,
    ST_SK_MAX_MESSAGE_KEYS = 2000, /* skipped keys kept per state */
    ST_SK_MAX_STATES = 5,          /* states per (sender, distribution id) */
    ST_SK_MESSAGE_MIN = 1 + ST_SIG_BYTES,
    ST_SKDM_MIN = 1 + 32 + 32,
};

/* A skipped message key, kept as its seed (as libsignal stores it). */
struct st_sk_skipped {
    uint32_t iteration;
    uint8_t seed[ST_SK_SEED_BYTES];
};

struct st_sk_state {
    uint32_t version;
    uint32_t chain_id;
    uint32_t iteration; /* of chain_key */
    uint8_t chain_key[ST_SK_CHAIN_KEY_BYTES];
    uint8_t signing_pub[ST_PUBKEY_BYTES]; /* 0x05 || u */
    uint8_t signing_priv[ST_X25519_BYTES];
    int has_priv;
    struct st_sk_skipped *skipped; /* oldest first, room for ST_SK_MAX_MESSAGE_KEYS */
    size_t n_skipped;
};

/* states[0] is the newest (the one a sender encrypts with). */
struct st_sk_record {
    struct st_sk_state states[ST_SK_MAX_STATES];
    size_t n;
};

/* ---- chain (chain.c) ---- */

/* IV 16 || cipher key 32 from a message-key seed. */
SOTTO_MUST_CHECK int st_sk_message_keys(uint8_t iv[ST_SK_IV_BYTES],
                                        uint8_t key[ST_AES256_KEY_BYTES],
                                        const uint8_t seed[ST_SK_SEED_BYTES]);
/* seed = HMAC(ck, 0x01) */
void st_sk_message_seed(uint8_t seed[ST_SK_SEED_BYTES], const uint8_t ck[ST_SK_CHAIN_KEY_BYTES]);
/* Advances the state's chain key by one. SOTTO_ERR_INVALID_STATE at 2^32-1. */
SOTTO_MUST_CHECK int st_sk_state_step(struct st_sk_state *s);
/*
 * The message-key seed for `iteration` on a receiving state: a stored
 * skipped key (removed), or the chain moved forward past it, keeping the
 * keys it passed. SOTTO_ERR_DUPLICATE_MESSAGE, SOTTO_ERR_TOO_FAR_AHEAD,
 * SOTTO_ERR_INVALID_STATE (chain end), SOTTO_ERR_NOMEM. The state is
 * only changed on success.
 */
SOTTO_MUST_CHECK int st_sk_state_key_for(uint8_t seed[ST_SK_SEED_BYTES], struct st_sk_state *s,
                                         uint32_t iteration);

/* ---- record (record.c) ---- */

void st_sk_record_init(struct st_sk_record *r);
/* Wipes and frees what the record holds; leaves it empty. */
void st_sk_record_clear(struct st_sk_record *r);
/* Parses a stored record. SOTTO_ERR_INVALID_STATE if corrupt. */
SOTTO_MUST_CHECK int st_sk_record_parse(struct st_sk_record *r, const uint8_t *in, size_t len);
/* Serializes into a fresh malloc'd buffer (caller wipes and frees). */
SOTTO_MUST_CHECK int st_sk_record_serialize(uint8_t **out, size_t *out_len,
                                            const struct st_sk_record *r);
/* The state with this chain id, or NULL. */
struct st_sk_state *st_sk_record_find(struct st_sk_record *r, uint32_t chain_id);
/*
 * Puts a state first: an existing state with the same chain id and signing
 * key is kept as it is (moved first); other states with that chain id are
 * dropped; the oldest goes when there are ST_SK_MAX_STATES. priv may be
 * NULL.
 */
void st_sk_record_add(struct st_sk_record *r, uint32_t version, uint32_t chain_id,
                      uint32_t iteration, const uint8_t chain_key[ST_SK_CHAIN_KEY_BYTES],
                      const uint8_t signing_pub[ST_PUBKEY_BYTES], const uint8_t *signing_priv);

/* ---- wire messages (message.c) ---- */

struct st_skdm {
    uint32_t version; /* high nibble of the version byte */
    uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES];
    uint32_t chain_id;
    uint32_t iteration;
    uint8_t chain_key[ST_SK_CHAIN_KEY_BYTES];
    uint8_t signing_key[ST_PUBKEY_BYTES];
};

/* SKM fields; ciphertext points into the parsed protobuf (free with
 * st_skm_clear), the signed part and signature into the input. */
struct st_skm {
    uint32_t version;
    uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES];
    uint32_t chain_id;
    uint32_t iteration;
    const uint8_t *ciphertext;
    size_t ciphertext_len;
    const uint8_t *signed_part; /* version byte || protobuf */
    size_t signed_len;
    const uint8_t *signature; /* ST_SIG_BYTES */
    void *pb;
};

SOTTO_MUST_CHECK int st_skdm_parse(struct st_skdm *m, const uint8_t *in, size_t len);
SOTTO_MUST_CHECK int st_skdm_write(uint8_t *out, size_t *out_len, size_t cap,
                                   const struct st_skdm *m);
SOTTO_MUST_CHECK int st_skm_parse(struct st_skm *m, const uint8_t *in, size_t len);
void st_skm_clear(struct st_skm *m);
/* Builds 0x33 || protobuf || signature with the private signing key. */
SOTTO_MUST_CHECK int st_skm_write(uint8_t *out, size_t *out_len, size_t cap,
                                  const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES],
                                  uint32_t chain_id, uint32_t iteration, const uint8_t *ciphertext,
                                  size_t ciphertext_len,
                                  const uint8_t signing_priv[ST_X25519_BYTES]);

#endif
