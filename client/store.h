/*
 * libsotto-client local store: one SQLite file per account, encrypted at rest
 * column by column.
 *
 * Every secret or content value is sealed with XChaCha20-Poly1305 under a key
 * derived from the store master key (Argon2id of a passphrase with a salt
 * kept in the file, or 32 random bytes from a 0600 key file). A sealed value
 * is nonce(24) || ciphertext || tag(16); its AAD is "table\0column\0rowkey",
 * so a value copied to another row or column fails to open. Names of peers
 * are never stored in clear either: rows are keyed by a blind index
 * (keyed BLAKE2b of the name) and the name itself is a sealed column.
 *
 * Functions return sotto_err codes: SOTTO_ERR_STORE for an SQLite failure,
 * SOTTO_ERR_BAD_MAC for a wrong passphrase or key or a tampered value,
 * SOTTO_ERR_NOT_FOUND, SOTTO_ERR_INVALID_STATE when the store is locked.
 * A store handle is used by one thread at a time.
 */
#ifndef SC_STORE_H
#define SC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum sc_store_sizes {
    SC_KEY_BYTES = 32,
    SC_SALT_BYTES = 16,
    SC_IDKEY_BYTES = 33, /* 0x05 || X25519 public */
    SC_NAME_MAX = 64,    /* account names: [a-z0-9._-]{1,64} */
    SC_MID_LEN = 32,     /* message id: 16 random bytes in hex */
    SC_BODY_MAX = 64 * 1024,
    SC_SCHEMA_VERSION = 3,
    SC_GID_LEN = 32,              /* group id: 16 random bytes in hex */
    SC_JOURNAL_KEEP_ACKED = 1000, /* events kept after every subscriber acked them */
    SC_JOURNAL_KEEP_MAX = 100000, /* events kept at most */
};

enum sc_trust {
    SC_TRUST_UNVERIFIED = 0, /* key seen, never compared */
    SC_TRUST_VERIFIED = 1,   /* safety number compared by the user */
    SC_TRUST_CHANGED = 2,    /* was verified; the key changed since: sending stops */
};

enum sc_msg_status {
    SC_MSG_QUEUED = 0,    /* in the outbox */
    SC_MSG_SENT = 1,      /* acked by the server */
    SC_MSG_DELIVERED = 2, /* delivery receipt */
    SC_MSG_READ = 3,      /* read receipt */
    SC_MSG_FAILED = 4,    /* held: untrusted key or permanent refusal */
    SC_MSG_RECEIVED = 5,  /* incoming */
};

struct sc_store;

/* Opens (creating 0600 if absent) and migrates the file at path. The store
 * is locked until one of the unlock calls succeeds. */
SOTTO_MUST_CHECK int sc_store_open(struct sc_store **out, const char *path);
/* Wipes keys and closes. NULL is fine. */
void sc_store_close(struct sc_store *s);
/* 1 if the store has never been unlocked (no verifier yet). */
int sc_store_is_new(struct sc_store *s);
/* 1 if the store was created for a key file, 0 for a passphrase. */
int sc_store_uses_keyfile(struct sc_store *s);
int sc_store_schema_version(struct sc_store *s);

/* Argon2id(passphrase, stored salt). The first unlock of a new store sets
 * the salt and the verifier. Wrong passphrase: SOTTO_ERR_BAD_MAC. */
SOTTO_MUST_CHECK int sc_store_unlock_passphrase(struct sc_store *s, const char *pass, size_t len);
/* Same with a raw 32-byte key (key file). */
SOTTO_MUST_CHECK int sc_store_unlock_key(struct sc_store *s, const uint8_t key[SC_KEY_BYTES]);

/* Key files: 32 random bytes, mode 0600, owned by us. load refuses a file
 * readable by group or others (SOTTO_ERR_INVALID_STATE). */
SOTTO_MUST_CHECK int sc_keyfile_create(uint8_t key[SC_KEY_BYTES], const char *path);
SOTTO_MUST_CHECK int sc_keyfile_load(uint8_t key[SC_KEY_BYTES], const char *path);

/* Transactions (BEGIN IMMEDIATE). Nested calls are not supported. */
SOTTO_MUST_CHECK int sc_store_begin(struct sc_store *s);
SOTTO_MUST_CHECK int sc_store_commit(struct sc_store *s);
void sc_store_rollback(struct sc_store *s);

/* Fresh message id (32 hex chars + NUL). */
void sc_new_mid(char mid[SC_MID_LEN + 1]);

/* ---- identity and settings (sealed key/value) ---- */

SOTTO_MUST_CHECK int sc_store_secret_put(struct sc_store *s, const char *name, const uint8_t *v,
                                         size_t len);
/* *v is malloc'd (NUL-terminated beyond len); free with sc_free_secret. */
SOTTO_MUST_CHECK int sc_store_secret_get(struct sc_store *s, uint8_t **v, size_t *len,
                                         const char *name);
void sc_free_secret(uint8_t *v, size_t len);

/* ---- session records and prekeys (opaque bytes for libsotto) ---- */

SOTTO_MUST_CHECK int sc_store_session_put(struct sc_store *s, const char *peer, uint32_t device,
                                          const uint8_t *rec, size_t len);
SOTTO_MUST_CHECK int sc_store_session_get(struct sc_store *s, uint8_t **rec, size_t *len,
                                          const char *peer, uint32_t device);
SOTTO_MUST_CHECK int sc_store_session_delete(struct sc_store *s, const char *peer, uint32_t device);
/* kind: "prekey", "signed", "kyber". */
SOTTO_MUST_CHECK int sc_store_prekey_put(struct sc_store *s, const char *kind, uint32_t id,
                                         const uint8_t *rec, size_t len);
SOTTO_MUST_CHECK int sc_store_prekey_get(struct sc_store *s, uint8_t **rec, size_t *len,
                                         const char *kind, uint32_t id);
SOTTO_MUST_CHECK int sc_store_prekey_delete(struct sc_store *s, const char *kind, uint32_t id);

/* ---- contacts ---- */

struct sc_contact {
    char name[SC_NAME_MAX + 1];
    uint8_t identity_key[SC_IDKEY_BYTES];
    int has_key;
    int trust; /* enum sc_trust */
    int blocked;
    int64_t key_changed_at; /* ms since the epoch, 0 = never */
    uint32_t timer_s;       /* disappearing-message timer, seconds; 0 = off */
};

SOTTO_MUST_CHECK int sc_store_contact_get(struct sc_store *s, struct sc_contact *c,
                                          const char *name);
SOTTO_MUST_CHECK int sc_store_contact_put(struct sc_store *s, const struct sc_contact *c);
typedef int sc_contact_cb(void *ctx, const struct sc_contact *c);
/* Calls cb for each contact (sorted by name); a nonzero return stops and is
 * returned. */
SOTTO_MUST_CHECK int sc_store_contact_list(struct sc_store *s, sc_contact_cb *cb, void *ctx);
/*
 * Records the identity key seen for name (creating the contact). *changed is
 * 1 when a different key was stored before; then a verified contact becomes
 * SC_TRUST_CHANGED and an unverified one stays unverified, both with
 * key_changed_at = now. The caller shows the change to the user.
 */
SOTTO_MUST_CHECK int sc_store_contact_observe_key(struct sc_store *s, int *changed,
                                                  const char *name,
                                                  const uint8_t key[SC_IDKEY_BYTES], int64_t now);

/* ---- devices of a contact (from their signed device list) ---- */

struct sc_device {
    uint32_t id;
    uint32_t registration_id;
    uint8_t identity_key[SC_IDKEY_BYTES];
};
SOTTO_MUST_CHECK int sc_store_devices_set(struct sc_store *s, const char *name,
                                          const struct sc_device *d, size_t n);
/* Up to cap devices into d; *n gets the count stored (may exceed cap). */
SOTTO_MUST_CHECK int sc_store_devices_get(struct sc_store *s, struct sc_device *d, size_t cap,
                                          size_t *n, const char *name);

/* ---- messages (history) and the outbox ---- */

struct sc_message {
    char mid[SC_MID_LEN + 1];
    char peer[SC_NAME_MAX + 1];
    int outgoing;
    uint32_t device; /* sender's device for incoming */
    int64_t ts;      /* ms since the epoch */
    int status;      /* enum sc_msg_status */
    uint8_t *body;   /* owned by the store during callbacks */
    size_t body_len;
    int kind;                    /* enum sc_msg_kind */
    char target[SC_MID_LEN + 1]; /* reaction: the message reacted to */
    int64_t expires_at;          /* ms; 0 = kept. Set on add from the timer */
    char gid[SC_GID_LEN + 1];    /* group id (hex), "" for a 1:1 message */
};

enum sc_msg_kind {
    SC_KIND_TEXT = 0,
    SC_KIND_REACTION = 1,   /* body = the emoji, target = the message's id */
    SC_KIND_ATTACHMENT = 2, /* body = descriptor + local path (client/attach.h) */
};

/* Adds a message; when the conversation has a timer (contact timer_s) and
 * m->expires_at is 0, the row expires at m->ts + timer (never for a group
 * message). An existing mid is
 * SOTTO_ERR_DUPLICATE_MESSAGE (dedupe). */
SOTTO_MUST_CHECK int sc_store_message_add(struct sc_store *s, const struct sc_message *m);
SOTTO_MUST_CHECK int sc_store_message_status(struct sc_store *s, const char *mid, int status);
/* Replaces a message's body (an attachment saved later gets its path).
 * SOTTO_ERR_NOT_FOUND when there is no such message. */
SOTTO_MUST_CHECK int sc_store_message_body(struct sc_store *s, const char *mid, const uint8_t *body,
                                           size_t len);
SOTTO_MUST_CHECK int sc_store_message_get(struct sc_store *s, struct sc_message *m,
                                          const char *mid);
/* Deletes messages whose expires_at is <= now (not those still in the
 * outbox); *n gets the count (may be NULL). */
SOTTO_MUST_CHECK int sc_store_message_expire(struct sc_store *s, int64_t now, size_t *n);
/* Frees m->body. */
void sc_message_clear(struct sc_message *m);
typedef int sc_message_cb(void *ctx, const struct sc_message *m);
/* Messages with peer (all peers if NULL), oldest first, the last `limit`
 * (0 = all). With a peer, group messages are left out. */
SOTTO_MUST_CHECK int sc_store_message_list(struct sc_store *s, const char *peer, size_t limit,
                                           sc_message_cb *cb, void *ctx);
/* The same for the messages of group gid (hex). */
SOTTO_MUST_CHECK int sc_store_message_list_group(struct sc_store *s, const char *gid, size_t limit,
                                                 sc_message_cb *cb, void *ctx);

struct sc_outbox_item {
    char mid[SC_MID_LEN + 1];
    char peer[SC_NAME_MAX + 1];
    uint32_t attempts;
    int64_t next_at;
    uint8_t *body;
    size_t body_len;
    int kind; /* enum sc_msg_kind */
    char target[SC_MID_LEN + 1];
    int64_t ts;               /* the message's timestamp: the envelope carries it */
    char gid[SC_GID_LEN + 1]; /* group message: the group (peer is then us) */
};
/* Queues a send: history row (status QUEUED) and outbox row, one
 * transaction. Returns only after the data is on disk. */
SOTTO_MUST_CHECK int sc_store_outbox_add(struct sc_store *s, const struct sc_message *m);
/* Oldest item due at now for any peer; SOTTO_ERR_NOT_FOUND when none. */
SOTTO_MUST_CHECK int sc_store_outbox_next(struct sc_store *s, struct sc_outbox_item *it,
                                          int64_t now);
void sc_outbox_item_clear(struct sc_outbox_item *it);
/* Retry later: attempts++, next_at = now + backoff(attempts), error noted. */
SOTTO_MUST_CHECK int sc_store_outbox_retry(struct sc_store *s, const char *mid, int64_t now,
                                           const char *error);
/* Sent: removes the outbox row, message status SENT. */
SOTTO_MUST_CHECK int sc_store_outbox_done(struct sc_store *s, const char *mid);
/* Held (untrusted key): stays in the outbox but is not due until released. */
SOTTO_MUST_CHECK int sc_store_outbox_hold(struct sc_store *s, const char *peer);
SOTTO_MUST_CHECK int sc_store_outbox_release(struct sc_store *s, const char *peer);
SOTTO_MUST_CHECK int sc_store_outbox_count(struct sc_store *s, size_t *n);
/* Backoff after n failed attempts, ms: 1s doubling, capped at 5 min. */
int64_t sc_backoff_ms(uint32_t attempts);

/* ---- journal: daemon events with per-subscriber cursors ---- */

/* Appends an event (JSON text, sealed); *seq gets its sequence number. */
SOTTO_MUST_CHECK int sc_store_journal_append(struct sc_store *s, int64_t *seq, const char *kind,
                                             const char *json);
typedef int sc_journal_cb(void *ctx, int64_t seq, const char *kind, const char *json);
/* Events with seq > after, oldest first, at most max (0 = all). */
SOTTO_MUST_CHECK int sc_store_journal_read(struct sc_store *s, int64_t after, size_t max,
                                           sc_journal_cb *cb, void *ctx);
/* Deletes events every subscriber has acked, except the newest keep_acked;
 * and in any case all but the newest keep_max (a subscriber that never
 * acks cannot make the journal grow without bound). *n: rows deleted (may
 * be NULL). */
SOTTO_MUST_CHECK int sc_store_journal_prune(struct sc_store *s, int64_t keep_acked,
                                            int64_t keep_max, size_t *n);
/* A subscriber's cursor: last acked seq (0 if new). */
SOTTO_MUST_CHECK int sc_store_cursor_get(struct sc_store *s, int64_t *seq, const char *sub);
SOTTO_MUST_CHECK int sc_store_cursor_set(struct sc_store *s, const char *sub, int64_t seq);

/* ---- groups and sender keys (client/group.h encodes the state) ---- */

/* A group's state (opaque bytes, sealed) under its hex id. */
SOTTO_MUST_CHECK int sc_store_group_put(struct sc_store *s, const char *gid, const uint8_t *state,
                                        size_t len);
/* *state malloc'd; free with sc_free_secret. SOTTO_ERR_NOT_FOUND if none. */
SOTTO_MUST_CHECK int sc_store_group_get(struct sc_store *s, uint8_t **state, size_t *len,
                                        const char *gid);
typedef int sc_group_row_cb(void *ctx, const char *gid, const uint8_t *state, size_t len);
/* Calls cb for every group (by id); a nonzero return stops and is returned. */
SOTTO_MUST_CHECK int sc_store_group_list(struct sc_store *s, sc_group_row_cb *cb, void *ctx);
/* Sender-key records (lib/group's, opaque) per (sender, device,
 * distribution id); rows keyed by a blind index of the three. */
SOTTO_MUST_CHECK int sc_store_sender_key_put(struct sc_store *s, const char *sender,
                                             uint32_t device, const uint8_t dist[16],
                                             const uint8_t *rec, size_t len);
SOTTO_MUST_CHECK int sc_store_sender_key_get(struct sc_store *s, uint8_t **rec, size_t *len,
                                             const char *sender, uint32_t device,
                                             const uint8_t dist[16]);
SOTTO_MUST_CHECK int sc_store_sender_key_delete(struct sc_store *s, const char *sender,
                                                uint32_t device, const uint8_t dist[16]);

/* 1 if name is a valid account/contact name. */
int sc_name_valid(const char *name);

#endif
