/*
 * Internals shared by the PostgreSQL backend's files: the handle, the
 * parameter builder, result readers, and the functions that fill the ops
 * table in postgres.c.
 */
#ifndef SD_POSTGRES_INTERNAL_H
#define SD_POSTGRES_INTERNAL_H

#include <libpq-fe.h>

#include "store/postgres_sql.h"
#include "store/store.h"

enum { PG_ARGS_MAX = 12 };

struct pg_store {
    struct sd_store base;
    PGconn *conn;
    int in_tx; /* inside BEGIN ... COMMIT/ROLLBACK: no reconnect */
};

static inline struct pg_store *pg(struct sd_store *s)
{
    return (struct pg_store *)s;
}

/* Parameters of one statement: integers as binary int8, blobs as bytea,
 * strings as text. Pointers are borrowed until the statement ran. */
struct pg_args {
    int n;
    const char *v[PG_ARGS_MAX];
    int len[PG_ARGS_MAX];
    int fmt[PG_ARGS_MAX];
    char i8[PG_ARGS_MAX][8];
};

void pa_i64(struct pg_args *a, int64_t x);
void pa_blob(struct pg_args *a, const void *p, size_t len);
void pa_text(struct pg_args *a, const char *s);

/*
 * Runs prepared statement i. *rc: SD_ST_OK, SD_ST_CONFLICT (an integrity
 * constraint, SQLSTATE class 23) or SD_ST_ERROR (logged). Returns the
 * result to PQclear when *rc is SD_ST_OK, else NULL.
 */
PGresult *pg_run(struct pg_store *q, enum pg_stmt i, const struct pg_args *a, int *rc);
/* pg_run for statements whose rows are not wanted; *changed = rows hit. */
int pg_do(struct pg_store *q, enum pg_stmt i, const struct pg_args *a, uint64_t *changed);
/* A parameterless command (BEGIN, SAVEPOINT...): SD_ST_OK or SD_ST_ERROR. */
int pg_exec(struct pg_store *q, const char *sql);
/* COMMIT if rc is SD_ST_OK (and the commit works), else ROLLBACK. */
int pg_finish(struct pg_store *q, int rc);

/* Binary column readers: NULL reads as 0 / empty. */
int64_t pg_i64(const PGresult *r, int row, int col);
int pg_blob(struct sd_blob *b, const PGresult *r, int row, int col);
/* Copies a column of exactly n bytes, else zeroes out. */
void pg_fixed(uint8_t *out, size_t n, const PGresult *r, int row, int col);

int pg_account_create(struct sd_store *st, int64_t *id, const char *username,
                      const char *username_key, const uint8_t account_key[33],
                      const struct sd_blob *devlist, const struct sd_blob *sig, uint64_t version,
                      const struct sd_device *devs, size_t n, uint64_t now,
                      struct sd_log_entry *log, struct sd_kt_batch *kt);
int pg_account_get(struct sd_store *st, struct sd_account *out, const char *username_key);
int pg_account_by_id(struct sd_store *st, struct sd_account *out, int64_t id);
int pg_device_by_key(struct sd_store *st, int64_t *account_id, uint32_t *device_id,
                     const uint8_t identity_key[33]);
int pg_devices_set(struct sd_store *st, int64_t account_id, const struct sd_blob *devlist,
                   const struct sd_blob *sig, uint64_t version, const struct sd_device *devs,
                   size_t n, uint64_t now, struct sd_log_entry *log, struct sd_kt_batch *kt);
int pg_devices_get(struct sd_store *st, struct sd_device *out, size_t max, size_t *n,
                   int64_t account_id);
int pg_log_verify(struct pg_store *q, sd_row_cb cb, void *arg);
/* postgres_kt.c; pg_kt_append runs inside the caller's transaction */
int pg_kt_append(struct pg_store *q, int64_t account_id, struct sd_kt_batch *kt, uint64_t now,
                 int new_account);
int pg_kt_leaves(struct sd_store *st, sd_kt_leaf_cb cb, void *arg);
int pg_kt_account_leaf(struct sd_store *st, int64_t account_id, uint64_t *idx,
                       struct sd_blob *leaf);
int pg_kt_checkpoint_get(struct sd_store *st, uint64_t *size, struct sd_blob *note);
int pg_kt_checkpoint_put(struct sd_store *st, uint64_t size, const char *note, size_t len);
int pg_keys_put(struct sd_store *st, int64_t account_id, uint32_t device_id,
                const struct sd_keys_upload *up);
int pg_keys_count(struct sd_store *st, struct sd_key_counts *out, int64_t account_id,
                  uint32_t device_id);
int pg_bundle_take(struct sd_store *st, struct sd_bundle *out, int64_t account_id,
                   const struct sd_device *dev);
int pg_batch_begin(struct sd_store *st);
int pg_envelopes_put(struct sd_store *st, struct sd_envelope *e, size_t n, uint32_t cap);
int pg_batch_commit(struct sd_store *st);
void pg_batch_rollback(struct sd_store *st);
int pg_envelopes_after(struct sd_store *st, int64_t account_id, uint32_t device_id,
                       int64_t after_seq, uint32_t limit, uint64_t now, sd_envelope_cb cb,
                       void *arg);
int pg_envelope_delete(struct sd_store *st, int64_t account_id, uint32_t device_id,
                       const uint8_t guid[16], uint64_t tomb_expires);
int pg_expire(struct sd_store *st, uint64_t now, uint64_t *n_deleted);
int pg_stats(struct sd_store *st, uint64_t *accounts, uint64_t *devices, uint64_t *queued);
int pg_admin_list(struct sd_store *st, const char *what, const char *arg, sd_row_cb cb,
                  void *cbarg);

#endif
