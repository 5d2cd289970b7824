/*
 * Internals shared by the SQLite backend's files: the handle, statement
 * helpers, and the functions that fill the ops table in sqlite.c.
 */
#ifndef SD_SQLITE_INTERNAL_H
#define SD_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store/sqlite_sql.h"
#include "store/store.h"

struct sq_store {
    struct sd_store base;
    sqlite3 *db;
    sqlite3_stmt *st[SQ__COUNT];
    uint32_t fail_every; /* testing: every n-th write fails (0 = never) */
    uint64_t writes;
};

static inline struct sq_store *sq(struct sd_store *s)
{
    return (struct sq_store *)s;
}

/* 1 if this write is to fail (sd_store_sqlite_fail_every), logged as such. */
int sq_injected(struct sq_store *q);
/* Logs the SQLite error for `what`; returns SD_ST_ERROR. */
int sq_fail(struct sq_store *q, const char *what);
/* Statement i, reset and with bindings cleared. */
sqlite3_stmt *sq_get(struct sq_store *q, enum sq_stmt i);
int sq_exec(struct sq_store *q, const char *sql);
/* Steps a statement once: SD_ST_OK, SD_ST_CONFLICT (constraint) or SD_ST_ERROR. */
int sq_run(struct sq_store *q, sqlite3_stmt *s);
int sq_col_blob(struct sd_blob *b, sqlite3_stmt *s, int i);
/* Copies a column of exactly n bytes, else zeroes out. */
void sq_col_fixed(uint8_t *out, size_t n, sqlite3_stmt *s, int i);
/* COMMIT if rc is SD_ST_OK (and the commit works), else ROLLBACK; the result. */
int sq_finish(struct sq_store *q, int rc);
/* Recomputes the change-log chain; one line to cb; SD_ST_ERROR if broken. */
int sq_log_verify(struct sq_store *q, sd_row_cb cb, void *arg);

int sq_account_create(struct sd_store *st, int64_t *id, const char *username,
                      const char *username_key, const uint8_t account_key[33],
                      const struct sd_blob *devlist, const struct sd_blob *sig, uint64_t version,
                      const struct sd_device *devs, size_t n, uint64_t now,
                      struct sd_log_entry *log, struct sd_kt_batch *kt);
int sq_account_get(struct sd_store *st, struct sd_account *out, const char *username_key);
int sq_account_by_id(struct sd_store *st, struct sd_account *out, int64_t id);
int sq_device_by_key(struct sd_store *st, int64_t *account_id, uint32_t *device_id,
                     const uint8_t identity_key[33]);
int sq_devices_set(struct sd_store *st, int64_t account_id, const struct sd_blob *devlist,
                   const struct sd_blob *sig, uint64_t version, const struct sd_device *devs,
                   size_t n, uint64_t now, struct sd_log_entry *log, struct sd_kt_batch *kt);
int sq_devices_get(struct sd_store *st, struct sd_device *out, size_t max, size_t *n,
                   int64_t account_id);
/* sqlite_kt.c; sq_kt_append runs inside the caller's transaction */
int sq_kt_append(struct sq_store *q, int64_t account_id, struct sd_kt_batch *kt, uint64_t now,
                 int new_account);
int sq_kt_leaves(struct sd_store *st, sd_kt_leaf_cb cb, void *arg);
int sq_kt_account_leaf(struct sd_store *st, int64_t account_id, uint64_t *idx,
                       struct sd_blob *leaf);
int sq_kt_checkpoint_get(struct sd_store *st, uint64_t *size, struct sd_blob *note);
int sq_kt_checkpoint_put(struct sd_store *st, uint64_t size, const char *note, size_t len);
int sq_keys_put(struct sd_store *st, int64_t account_id, uint32_t device_id,
                const struct sd_keys_upload *up);
int sq_keys_count(struct sd_store *st, struct sd_key_counts *out, int64_t account_id,
                  uint32_t device_id);
int sq_bundle_take(struct sd_store *st, struct sd_bundle *out, int64_t account_id,
                   const struct sd_device *dev);
int sq_batch_begin(struct sd_store *st);
int sq_envelopes_put(struct sd_store *st, struct sd_envelope *e, size_t n, uint32_t cap);
int sq_batch_commit(struct sd_store *st);
void sq_batch_rollback(struct sd_store *st);
int sq_envelopes_after(struct sd_store *st, int64_t account_id, uint32_t device_id,
                       int64_t after_seq, uint32_t limit, uint64_t now, sd_envelope_cb cb,
                       void *arg);
int sq_envelope_delete(struct sd_store *st, int64_t account_id, uint32_t device_id,
                       const uint8_t guid[16], uint64_t tomb_expires);
int sq_expire(struct sd_store *st, uint64_t now, uint64_t *n_deleted);
int sq_stats(struct sd_store *st, uint64_t *accounts, uint64_t *devices, uint64_t *queued);
int sq_admin_list(struct sd_store *st, const char *what, const char *arg, sd_row_cb cb,
                  void *cbarg);

#endif
