/*
 * 1:1 Signal sessions: identity keys, prekeys, X3DH (v3) / PQXDH (v4)
 * session setup and the Double Ratchet, byte-compatible with libsignal
 * 0.72.1 and 0.90.0 (without SPQR).
 *
 * libsotto keeps no state of its own: everything persistent lives in the
 * caller's store, reached through struct sotto_store (function pointers the
 * caller implements). Records cross that interface as serialized bytes, so
 * any key-value store will do. Time is always a parameter (ms since epoch).
 */
#ifndef SOTTO_SESSION_H
#define SOTTO_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum sotto_session_sizes {
    SOTTO_PUBLIC_KEY_BYTES = 33, /* 0x05 || X25519 u */
    SOTTO_PRIVATE_KEY_BYTES = 32,
    SOTTO_SIGNATURE_BYTES = 64,
    SOTTO_KYBER_PUBLIC_BYTES = 1569, /* 0x08 || Kyber1024 public key */
    SOTTO_MESSAGE_MAX = 1 << 20,     /* largest ciphertext accepted/produced */
};

/* CiphertextMessageType numbers as libsignal's. */
enum sotto_message_type {
    SOTTO_MSG_WHISPER = 2,
    SOTTO_MSG_PREKEY = 3,
};

enum sotto_direction {
    SOTTO_DIRECTION_SENDING = 0,
    SOTTO_DIRECTION_RECEIVING = 1,
};

/* A peer's device: a name (a UUID string for Signal) and a device id. */
struct sotto_address {
    const char *name;
    uint32_t device_id;
};

/* Bytes owned by the caller after a call; release with sotto_buf_free. */
struct sotto_buf {
    uint8_t *data;
    size_t len;
};
/* Wipes and frees b->data; b becomes empty. NULL is fine. */
void sotto_buf_free(struct sotto_buf *b);

/*
 * The caller's storage. Every callback returns SOTTO_OK or an error code
 * (the library passes it on); a lookup that finds nothing returns
 * SOTTO_ERR_NOT_FOUND. Bytes handed out by load_* callbacks need only stay
 * valid until the next callback on the same store.
 */
struct sotto_store {
    void *ctx;
    /* Our identity key pair and registration id. */
    int (*get_identity_key_pair)(void *ctx, uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                                 uint8_t private_key[SOTTO_PRIVATE_KEY_BYTES]);
    int (*get_local_registration_id)(void *ctx, uint32_t *id);
    /* Remember a peer's identity key; *replaced = 1 if it changed. */
    int (*save_identity)(void *ctx, const struct sotto_address *addr,
                         const uint8_t key[SOTTO_PUBLIC_KEY_BYTES], int *replaced);
    /* The trust decision: *trusted = 1 to go on. */
    int (*is_trusted_identity)(void *ctx, const struct sotto_address *addr,
                               const uint8_t key[SOTTO_PUBLIC_KEY_BYTES],
                               enum sotto_direction direction, int *trusted);
    /* Session records (sotto_session_record_serialize bytes). */
    int (*load_session)(void *ctx, const struct sotto_address *addr, const uint8_t **data,
                        size_t *len);
    int (*store_session)(void *ctx, const struct sotto_address *addr, const uint8_t *data,
                         size_t len);
    /* One-time prekeys (sotto_prekey_generate records). */
    int (*load_prekey)(void *ctx, uint32_t id, const uint8_t **data, size_t *len);
    int (*remove_prekey)(void *ctx, uint32_t id);
    /* Signed prekeys (sotto_signed_prekey_generate records). */
    int (*load_signed_prekey)(void *ctx, uint32_t id, const uint8_t **data, size_t *len);
    /* Kyber prekeys (sotto_kyber_prekey_generate records). A used one-time
     * Kyber prekey should be removed by the store; last-resort ones kept. */
    int (*load_kyber_prekey)(void *ctx, uint32_t id, const uint8_t **data, size_t *len);
    int (*mark_kyber_prekey_used)(void *ctx, uint32_t id, uint32_t signed_prekey_id,
                                  const uint8_t base_key[SOTTO_PUBLIC_KEY_BYTES]);
};

/* ---- identity and prekeys (serialized records) ---- */

SOTTO_MUST_CHECK int sotto_identity_generate(uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                                             uint8_t private_key[SOTTO_PRIVATE_KEY_BYTES]);
/* The identity key pair as an IdentityKeyPair record, and back. */
SOTTO_MUST_CHECK int sotto_identity_serialize(struct sotto_buf *out,
                                              const uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                                              const uint8_t private_key[SOTTO_PRIVATE_KEY_BYTES]);
SOTTO_MUST_CHECK int sotto_identity_parse(uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                                          uint8_t private_key[SOTTO_PRIVATE_KEY_BYTES],
                                          const uint8_t *data, size_t len);

/* New one-time prekey record with this id. */
SOTTO_MUST_CHECK int sotto_prekey_generate(struct sotto_buf *record, uint32_t id);
SOTTO_MUST_CHECK int sotto_prekey_public(uint32_t *id, uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                                         const uint8_t *record, size_t len);

/* New signed prekey record: signed with the identity private key. */
SOTTO_MUST_CHECK int
sotto_signed_prekey_generate(struct sotto_buf *record, uint32_t id,
                             const uint8_t identity_private[SOTTO_PRIVATE_KEY_BYTES],
                             uint64_t timestamp_ms);
SOTTO_MUST_CHECK int sotto_signed_prekey_public(uint32_t *id,
                                                uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                                                uint8_t signature[SOTTO_SIGNATURE_BYTES],
                                                const uint8_t *record, size_t len);

/* New Kyber1024 prekey record (last_resort: kept after use). */
SOTTO_MUST_CHECK int
sotto_kyber_prekey_generate(struct sotto_buf *record, uint32_t id,
                            const uint8_t identity_private[SOTTO_PRIVATE_KEY_BYTES],
                            uint64_t timestamp_ms, int last_resort);
SOTTO_MUST_CHECK int sotto_kyber_prekey_public(uint32_t *id,
                                               uint8_t public_key[SOTTO_KYBER_PUBLIC_BYTES],
                                               uint8_t signature[SOTTO_SIGNATURE_BYTES],
                                               int *last_resort, const uint8_t *record, size_t len);

/* A peer's published keys, as fetched from a server. */
struct sotto_prekey_bundle {
    uint32_t registration_id;
    uint32_t device_id;
    int has_prekey;
    uint32_t prekey_id;
    uint8_t prekey[SOTTO_PUBLIC_KEY_BYTES];
    uint32_t signed_prekey_id;
    uint8_t signed_prekey[SOTTO_PUBLIC_KEY_BYTES];
    uint8_t signed_prekey_signature[SOTTO_SIGNATURE_BYTES];
    uint8_t identity_key[SOTTO_PUBLIC_KEY_BYTES];
    int has_kyber; /* without it the session is X3DH v3 (libsignal 0.72.1 only) */
    uint32_t kyber_prekey_id;
    uint8_t kyber_prekey[SOTTO_KYBER_PUBLIC_BYTES];
    uint8_t kyber_prekey_signature[SOTTO_SIGNATURE_BYTES];
};

/* ---- sessions ---- */

/*
 * Start a session with remote from its bundle: checks trust and both
 * signatures, runs X3DH (no Kyber prekey) or PQXDH, and stores a session
 * whose messages are PreKey messages until the peer answers.
 * Errors: UNTRUSTED_IDENTITY, INVALID_SIGNATURE, INVALID_KEY, store errors.
 */
SOTTO_MUST_CHECK int sotto_session_process_bundle(const struct sotto_store *store,
                                                  const struct sotto_address *remote,
                                                  const struct sotto_prekey_bundle *bundle,
                                                  uint64_t now_ms);

/*
 * Encrypt pt for remote. *type is SOTTO_MSG_PREKEY or SOTTO_MSG_WHISPER.
 * Errors: NO_SESSION (none, or unacknowledged for over 30 days),
 * UNTRUSTED_IDENTITY, store errors.
 */
SOTTO_MUST_CHECK int sotto_session_encrypt(struct sotto_buf *ct, int *type,
                                           const struct sotto_store *store,
                                           const struct sotto_address *remote, const uint8_t *pt,
                                           size_t len, uint64_t now_ms);

/*
 * Decrypt a message of the given type from remote. The session record is
 * written back only when the message authenticates and decrypts.
 * Errors: INVALID_MESSAGE, INVALID_VERSION, BAD_MAC, DUPLICATE_MESSAGE,
 * TOO_FAR_AHEAD, NO_SESSION, INVALID_PREKEY, INVALID_KEY, UNTRUSTED_IDENTITY.
 */
SOTTO_MUST_CHECK int sotto_session_decrypt(struct sotto_buf *pt, const struct sotto_store *store,
                                           const struct sotto_address *remote, int type,
                                           const uint8_t *ct, size_t len);

/* ---- session records ---- */

struct sotto_session_record;

SOTTO_MUST_CHECK int sotto_session_record_parse(struct sotto_session_record **out,
                                                const uint8_t *data, size_t len);
SOTTO_MUST_CHECK int sotto_session_record_serialize(struct sotto_buf *out,
                                                    const struct sotto_session_record *rec);
/* Wipes and frees; NULL is fine. */
void sotto_session_record_free(struct sotto_session_record *rec);
/* 1 if the record has a current session state that can send. */
int sotto_session_record_has_current(const struct sotto_session_record *rec);
/* Version (3 or 4) of the current state, 0 if none. */
uint32_t sotto_session_record_version(const struct sotto_session_record *rec);
/*
 * Archive the current state (libsignal's archiveCurrentState, e.g. after
 * the peer's identity changed): the next message to the peer needs a new
 * bundle; messages on the archived state still decrypt. No-op without one.
 */
SOTTO_MUST_CHECK int sotto_session_record_archive_current(struct sotto_session_record *rec);
/* The peer's identity key in the current state. */
SOTTO_MUST_CHECK int sotto_session_record_remote_identity(uint8_t key[SOTTO_PUBLIC_KEY_BYTES],
                                                          const struct sotto_session_record *rec);

#endif
