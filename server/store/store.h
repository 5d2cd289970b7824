/*
 * sottod storage interface: a table of function pointers so SQLite (the
 * embedded default, sqlite.c) and PostgreSQL can sit behind the same calls,
 * as redis's connection.h hides its socket types.
 *
 * Every function returns a store status (SD_ST_OK = 0). Blobs handed out
 * (struct sd_blob) are malloc'd and owned by the caller (sd_blob_free).
 * Writes that must be atomic are one transaction inside the backend; the
 * envelope batch (batch_begin / envelope_put / batch_commit) is the group
 * commit: the caller acks sends only after batch_commit returned SD_ST_OK.
 */
#ifndef SD_STORE_H
#define SD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/kt.h"

enum sd_store_status {
    SD_ST_OK = 0,
    SD_ST_NOT_FOUND,
    SD_ST_CONFLICT,  /* unique constraint: username taken, key in use */
    SD_ST_STALE,     /* device list version not newer */
    SD_ST_FULL,      /* queue or prekey store at its cap */
    SD_ST_DUPLICATE, /* envelope guid already stored for that device */
    SD_ST_ERROR,     /* backend failure (logged by the backend) */
};

struct sd_blob {
    uint8_t *p;
    size_t len;
};

void sd_blob_free(struct sd_blob *b);
int sd_blob_set(struct sd_blob *b, const void *p, size_t len);

struct sd_device {
    uint32_t device_id;
    uint32_t registration_id;
    uint8_t identity_key[33];
};

struct sd_account {
    int64_t id;
    char username[40];
    uint8_t account_key[33];
    uint64_t devlist_version;
    struct sd_blob devlist;     /* serialized DeviceList */
    struct sd_blob devlist_sig; /* 64-byte XEdDSA */
    uint64_t log_index;         /* newest change log entry of this account */
    uint8_t log_hash[32];
};

void sd_account_free(struct sd_account *a);

struct sd_log_entry {
    uint64_t index;
    uint8_t hash[32];
};

/*
 * Leaves to append to the transparency log in the same transaction as the
 * account change they record. In: leaf[0..n) with type, account_uuid, body
 * and signature set. The store assigns the index (the log's next), the
 * timestamp (now) and prev_index (the account's previous leaf, the first
 * of a new account gets SOTTO_KT_NO_PREV), and returns the encodings.
 */
struct sd_kt_batch {
    struct sotto_kt_leaf leaf[2];
    size_t n;
    uint64_t first_index;              /* out */
    uint8_t enc[2][SOTTO_KT_LEAF_MAX]; /* out */
    size_t enc_len[2];                 /* out */
};

/* Called for each stored leaf in index order; nonzero stops. */
typedef int (*sd_kt_leaf_cb)(void *arg, uint64_t idx, const uint8_t *leaf, size_t len);

/* A signed key as uploaded: the server only checks sizes. */
struct sd_prekey {
    uint32_t key_id;
    struct sd_blob pub;
    struct sd_blob sig; /* empty for EC one-time keys */
};

struct sd_keys_upload {
    const struct sd_prekey *signed_prekey; /* NULL: keep the stored one */
    const struct sd_prekey *one_time;
    size_t n_one_time;
    const struct sd_prekey *kyber;
    size_t n_kyber;
    const struct sd_prekey *last_resort; /* NULL: keep */
};

struct sd_key_counts {
    uint32_t one_time;
    uint32_t kyber;
    int has_signed;
    int has_last_resort;
};

/* One device's bundle; one_time/kyber taken out of the store. */
struct sd_bundle {
    struct sd_device dev;
    struct sd_prekey signed_prekey;
    int has_signed;
    struct sd_prekey one_time;
    int has_one_time;
    struct sd_prekey kyber;
    int has_kyber;
    int kyber_last_resort;
    struct sd_key_counts left; /* what remains after this fetch */
};

void sd_bundle_free(struct sd_bundle *b);

struct sd_envelope {
    int64_t seq; /* assigned by the store, increasing per device */
    int64_t account_id;
    uint32_t device_id;
    uint8_t guid[16];
    int64_t source_account;
    uint32_t source_device;
    char source[40];
    uint32_t type;
    uint64_t timestamp;
    uint64_t server_ts;
    uint64_t expires;
    struct sd_blob content;
};

/* Called for each envelope; return nonzero to stop early. */
typedef int (*sd_envelope_cb)(void *arg, const struct sd_envelope *e);
typedef int (*sd_row_cb)(void *arg, const char *line);

struct sd_store;

struct sd_store_ops {
    void (*close)(struct sd_store *s);

    /* accounts and devices; each appends to the hash-chained log */
    int (*account_create)(struct sd_store *s, int64_t *id, const char *username,
                          const char *username_key, const uint8_t account_key[33],
                          const struct sd_blob *devlist, const struct sd_blob *sig,
                          uint64_t version, const struct sd_device *devs, size_t n, uint64_t now,
                          struct sd_log_entry *log, struct sd_kt_batch *kt);
    int (*account_get)(struct sd_store *s, struct sd_account *out, const char *username_key);
    int (*account_by_id)(struct sd_store *s, struct sd_account *out, int64_t id);
    int (*device_by_key)(struct sd_store *s, int64_t *account_id, uint32_t *device_id,
                         const uint8_t identity_key[33]);
    int (*devices_set)(struct sd_store *s, int64_t account_id, const struct sd_blob *devlist,
                       const struct sd_blob *sig, uint64_t version, const struct sd_device *devs,
                       size_t n, uint64_t now, struct sd_log_entry *log, struct sd_kt_batch *kt);
    int (*devices_get)(struct sd_store *s, struct sd_device *out, size_t max, size_t *n,
                       int64_t account_id);

    /* key transparency log (sqlite_kt.c) */
    int (*kt_leaves)(struct sd_store *s, sd_kt_leaf_cb cb, void *arg);
    /* The account's newest leaf: SD_ST_NOT_FOUND if it has none. */
    int (*kt_account_leaf)(struct sd_store *s, int64_t account_id, uint64_t *idx,
                           struct sd_blob *leaf);
    int (*kt_checkpoint_get)(struct sd_store *s, uint64_t *size, struct sd_blob *note);
    int (*kt_checkpoint_put)(struct sd_store *s, uint64_t size, const char *note, size_t len);

    /* prekeys */
    int (*keys_put)(struct sd_store *s, int64_t account_id, uint32_t device_id,
                    const struct sd_keys_upload *up);
    int (*keys_count)(struct sd_store *s, struct sd_key_counts *out, int64_t account_id,
                      uint32_t device_id);
    /* Takes one one-time key and one Kyber key in one transaction. */
    int (*bundle_take)(struct sd_store *s, struct sd_bundle *out, int64_t account_id,
                       const struct sd_device *dev);

    /* envelopes: group commit */
    int (*batch_begin)(struct sd_store *s);
    /* Stores one send's envelopes atomically (a savepoint inside the batch):
     * SD_ST_FULL when a device queue holds cap envelopes already (nothing
     * stored), SD_ST_OK otherwise; envelopes whose guid is already stored or
     * was acked are skipped (retries are idempotent). */
    int (*envelopes_put)(struct sd_store *s, struct sd_envelope *e, size_t n, uint32_t cap);
    int (*batch_commit)(struct sd_store *s);
    void (*batch_rollback)(struct sd_store *s);
    int (*envelopes_after)(struct sd_store *s, int64_t account_id, uint32_t device_id,
                           int64_t after_seq, uint32_t limit, uint64_t now, sd_envelope_cb cb,
                           void *arg);
    /* Deletes an acked envelope and remembers its guid until tomb_expires
     * so a late retry of the same send is not delivered again. */
    int (*envelope_delete)(struct sd_store *s, int64_t account_id, uint32_t device_id,
                           const uint8_t guid[16], uint64_t tomb_expires);
    int (*expire)(struct sd_store *s, uint64_t now, uint64_t *n_deleted);

    /* admin and metrics */
    int (*stats)(struct sd_store *s, uint64_t *accounts, uint64_t *devices, uint64_t *queued);
    int (*admin_list)(struct sd_store *s, const char *what, const char *arg, sd_row_cb cb,
                      void *arg2);
};

struct sd_store {
    const struct sd_store_ops *ops;
};

struct sd_config;

/* Opens the backend cfg names (server.store): the SQLite file db_path, or
 * PostgreSQL at postgres.conninfo. Logs why on failure. */
int sd_store_open(struct sd_store **out, const struct sd_config *cfg, int readonly);
/* Opens (creating and migrating) the PostgreSQL store; SD_ST_ERROR in
 * builds without libpq (postgres_missing.c). */
int sd_store_postgres_open(struct sd_store **out, const char *conninfo, int readonly);
/* Change-log chain: out = SHA-256(prev || BE64(idx) || kind ||
 * BE64(account_id) || payload). -1 if out of memory. */
int sd_log_hash(uint8_t out[32], const uint8_t prev[32], uint64_t idx, int kind, int64_t account_id,
                const uint8_t *payload, size_t plen);

/* Opens (creating and migrating) the SQLite store in path. */
int sd_store_sqlite_open(struct sd_store **out, const char *path, int readonly);
/* Testing only (SOTTOD_TEST_FAIL_EVERY): every n-th write statement fails as
 * if the disk had, so the error paths run; ROLLBACKs are spared. */
void sd_store_sqlite_fail_every(struct sd_store *s, uint32_t n);

/* 1 if d (same id and identity key) is among devs[0..n): backends use it to
 * drop the keys and queues of devices that left a list. */
int sd_device_listed(const struct sd_device *devs, size_t n, const struct sd_device *d);

#endif
