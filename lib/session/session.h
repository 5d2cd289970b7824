/*
 * lib/session internals: the session state (one Double Ratchet), the
 * record (current state + archived states), the wire messages and the
 * key agreement, shared between the files of this folder and the tests.
 */
#ifndef ST_SESSION_H
#define ST_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/session.h"

/* libsignal's limits (rust/protocol/src/consts.rs, v0.72.1 .. v0.101.0). */
enum st_session_limits {
    ST_MAX_FORWARD_JUMPS = 25000,
    ST_MAX_MESSAGE_KEYS = 2000,
    ST_MAX_RECEIVER_CHAINS = 5,
    ST_ARCHIVED_STATES_MAX = 40,
    ST_MAC_BYTES = 8,
    ST_KEY_BYTES = 32,
    ST_KYBER_CT_BYTES = 1569, /* type byte 0x08 || 1568 */
    ST_KYBER_SK_BYTES = 3169,
    ST_SKIPPED_ENTRY_BYTES = 36, /* counter (4, big-endian) || seed (32) */
    ST_RECORD_MAX = 8 << 20,     /* a serialized record larger than this is refused */
};
#define ST_MAX_UNACK_SESSION_AGE_MS (30ull * 24 * 3600 * 1000)

/* Version byte: high nibble = session version, low nibble = 4 (current). */
enum st_session_version {
    ST_VERSION_X3DH = 3,
    ST_VERSION_PQXDH = 4,
    ST_VERSION_CURRENT = 4,
};

struct st_skipped {
    uint32_t counter;
    uint8_t seed[ST_KEY_BYTES];
};

struct st_recv_chain {
    uint8_t their_ratchet[ST_KEY_BYTES];
    uint8_t ck[ST_KEY_BYTES];
    uint32_t index;
    struct st_skipped *skipped; /* oldest first, malloc'd, capacity cap */
    uint32_t nskipped;
    uint32_t cap;
};

struct st_pending {
    int present;
    int has_prekey;
    uint32_t prekey_id;
    uint32_t signed_prekey_id;
    uint8_t base_key[ST_KEY_BYTES];
    int has_kyber;
    uint32_t kyber_prekey_id;
    uint8_t kyber_ct[ST_KYBER_CT_BYTES];
    uint64_t timestamp;
};

/* One Double Ratchet session (libsignal's SessionState). */
struct st_state {
    uint32_t version;
    uint8_t local_identity[ST_KEY_BYTES];
    uint8_t remote_identity[ST_KEY_BYTES];
    uint8_t rk[ST_KEY_BYTES];
    uint32_t pn; /* previous_counter as libsignal sends it */
    uint8_t send_pub[ST_KEY_BYTES];
    uint8_t send_priv[ST_KEY_BYTES];
    uint8_t cks[ST_KEY_BYTES];
    uint32_t ns;
    struct st_recv_chain recv[ST_MAX_RECEIVER_CHAINS]; /* oldest first */
    uint32_t nrecv;
    struct st_pending pending;
    uint32_t remote_registration_id;
    uint32_t local_registration_id;
    uint8_t alice_base_key[ST_KEY_BYTES];
};

struct st_blob {
    uint8_t *data;
    size_t len;
};

/* libsignal's SessionRecord; archived states stay serialized until tried. */
struct sotto_session_record {
    struct st_state *current;                        /* NULL if none */
    struct st_blob archived[ST_ARCHIVED_STATES_MAX]; /* most recent first */
    size_t narchived;
};

/* ---- state.c ---- */
struct st_state *st_state_new(void);
void st_state_free(struct st_state *s);
SOTTO_MUST_CHECK int st_state_copy(struct st_state **out, const struct st_state *s);
SOTTO_MUST_CHECK int st_state_serialize(struct st_blob *out, const struct st_state *s);
SOTTO_MUST_CHECK int st_state_parse(struct st_state **out, const uint8_t *data, size_t len);
/* Append a receiver chain, dropping the oldest beyond ST_MAX_RECEIVER_CHAINS. */
void st_state_add_recv(struct st_state *s, const uint8_t their[ST_KEY_BYTES],
                       const uint8_t ck[ST_KEY_BYTES]);
struct st_recv_chain *st_state_find_recv(struct st_state *s, const uint8_t their[ST_KEY_BYTES]);
/* Make room for n more skipped keys (n <= ST_MAX_MESSAGE_KEYS), dropping
 * the oldest so that the chain never holds more than ST_MAX_MESSAGE_KEYS. */
SOTTO_MUST_CHECK int st_chain_reserve_skipped(struct st_recv_chain *c, uint32_t n);
/* Store a skipped key, dropping the oldest beyond ST_MAX_MESSAGE_KEYS. */
SOTTO_MUST_CHECK int st_chain_push_skipped(struct st_recv_chain *c, uint32_t counter,
                                           const uint8_t seed[ST_KEY_BYTES]);

/* ---- record.c ---- */
struct sotto_session_record *st_record_new(void);
/* Archive the current state (if any) and make s current; takes s. */
SOTTO_MUST_CHECK int st_record_promote(struct sotto_session_record *r, struct st_state *s);
/* Drop archived state i and make s (its decrypted successor) current. */
SOTTO_MUST_CHECK int st_record_promote_archived(struct sotto_session_record *r, size_t i,
                                                struct st_state *s);

/* ---- message.c: SignalMessage and PreKeySignalMessage ---- */

/* A parsed SignalMessage; pointers point into the received bytes. */
struct st_signal_msg {
    uint32_t version;
    uint8_t ratchet_key[ST_KEY_BYTES];
    uint32_t counter;
    uint32_t previous_counter;
    const uint8_t *body; /* CBC ciphertext */
    size_t body_len;
    const uint8_t *raw; /* version byte || protobuf (what the MAC covers) */
    size_t raw_len;
    const uint8_t *mac;
    void *pb; /* protobuf-c message owning body */
};

struct st_prekey_msg {
    uint32_t version;
    uint32_t registration_id;
    int has_prekey;
    uint32_t prekey_id;
    uint32_t signed_prekey_id;
    int has_kyber;
    uint32_t kyber_prekey_id;
    const uint8_t *kyber_ct;
    size_t kyber_ct_len;
    uint8_t base_key[ST_KEY_BYTES];
    uint8_t identity_key[ST_KEY_BYTES];
    struct st_signal_msg inner;
    void *pb;
};

SOTTO_MUST_CHECK int st_signal_msg_parse(struct st_signal_msg *m, const uint8_t *in, size_t len);
void st_signal_msg_clear(struct st_signal_msg *m);
/* 1 if the 8-byte MAC checks under mac_key for sender -> receiver. */
int st_signal_msg_verify_mac(const struct st_signal_msg *m, const uint8_t sender[ST_KEY_BYTES],
                             const uint8_t receiver[ST_KEY_BYTES],
                             const uint8_t mac_key[ST_KEY_BYTES]);
/* Build version || protobuf || MAC. */
SOTTO_MUST_CHECK int st_signal_msg_build(struct sotto_buf *out, uint32_t version,
                                         const uint8_t ratchet_key[ST_KEY_BYTES], uint32_t counter,
                                         uint32_t previous_counter, const uint8_t *body,
                                         size_t body_len, const uint8_t sender[ST_KEY_BYTES],
                                         const uint8_t receiver[ST_KEY_BYTES],
                                         const uint8_t mac_key[ST_KEY_BYTES]);
SOTTO_MUST_CHECK int st_prekey_msg_parse(struct st_prekey_msg *m, const uint8_t *in, size_t len);
void st_prekey_msg_clear(struct st_prekey_msg *m);
/* Wrap a built SignalMessage in a PreKeySignalMessage for state s. */
SOTTO_MUST_CHECK int st_prekey_msg_build(struct sotto_buf *out, const struct st_state *s,
                                         const uint8_t *inner, size_t inner_len);

/* ---- ratchet.c ---- */
/* Encrypt with s (advances the sending chain). Output is a SignalMessage. */
SOTTO_MUST_CHECK int st_ratchet_encrypt(struct sotto_buf *out, struct st_state *s,
                                        const uint8_t *pt, size_t len);
/* Decrypt m with s in place; the caller passes a copy and keeps it only on
 * success. self_session disables the forward-jump limit. */
SOTTO_MUST_CHECK int st_ratchet_decrypt(struct sotto_buf *pt, struct st_state *s,
                                        const struct st_signal_msg *m, int self_session);
/* (rk', ck) = HKDF(salt rk, DH(our_priv, their_pub), "WhisperRatchet"). */
SOTTO_MUST_CHECK int st_root_step(uint8_t rk_out[ST_KEY_BYTES], uint8_t ck_out[ST_KEY_BYTES],
                                  const uint8_t rk[ST_KEY_BYTES],
                                  const uint8_t their_pub[ST_KEY_BYTES],
                                  const uint8_t our_priv[ST_KEY_BYTES]);

/* ---- agreement.c: X3DH / PQXDH ---- */

struct st_alice_params {
    uint32_t version;
    uint8_t our_identity_pub[ST_KEY_BYTES];
    uint8_t our_identity_priv[ST_KEY_BYTES];
    uint8_t our_base_pub[ST_KEY_BYTES];
    uint8_t our_base_priv[ST_KEY_BYTES];
    uint8_t their_identity[ST_KEY_BYTES];
    uint8_t their_signed_prekey[ST_KEY_BYTES];
    int has_one_time;
    uint8_t their_one_time[ST_KEY_BYTES];
    const uint8_t *kem_ss; /* 32 B for v4, else NULL */
};

struct st_bob_params {
    uint32_t version;
    uint8_t our_identity_pub[ST_KEY_BYTES];
    uint8_t our_identity_priv[ST_KEY_BYTES];
    uint8_t our_signed_pub[ST_KEY_BYTES];
    uint8_t our_signed_priv[ST_KEY_BYTES];
    int has_one_time;
    uint8_t our_one_time_priv[ST_KEY_BYTES];
    uint8_t their_identity[ST_KEY_BYTES];
    uint8_t their_base[ST_KEY_BYTES];
    const uint8_t *kem_ss;
};

SOTTO_MUST_CHECK int st_alice_init(struct st_state **out, const struct st_alice_params *p);
SOTTO_MUST_CHECK int st_bob_init(struct st_state **out, const struct st_bob_params *p);

#endif
