/*
 * SQLite backend of store.h: WAL journal, synchronous=FULL (a commit is on
 * disk before it returns), every statement prepared once at open, schema
 * migrations from schema.h recorded in schema_version. Accounts and the
 * change log: sqlite_accounts.c; prekeys: sqlite_keys.c; envelopes, expiry
 * and admin views: sqlite_queue.c.
 *
 * The server runs one loop thread per store handle, so statements never run
 * concurrently on one handle; transactions still make every multi-step change
 * atomic against crashes and against other processes (sottod admin).
 */
#define SQ_WANT_SQL
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store/schema.h"
#include "store/sqlite_internal.h"

int sq_fail(struct sq_store *q, const char *what)
{
    sd_log(SD_LOG_ERROR, "store failure", "op=%s err=\"%s\"", what, sqlite3_errmsg(q->db));
    return SD_ST_ERROR;
}

/* Resets and clears bindings so a statement can be reused. */
sqlite3_stmt *sq_get(struct sq_store *q, enum sq_stmt i)
{
    sqlite3_reset(q->st[i]);
    sqlite3_clear_bindings(q->st[i]);
    return q->st[i];
}

int sq_injected(struct sq_store *q)
{
    if (q->fail_every == 0 || ++q->writes % q->fail_every != 0) {
        return 0;
    }
    sd_log(SD_LOG_WARN, "injected store failure", "write=%llu", (unsigned long long)q->writes);
    return 1;
}

static const struct sd_store_ops sq_ops;

/* Only SQLite stores inject failures; another backend ignores the call. */
void sd_store_sqlite_fail_every(struct sd_store *s, uint32_t n)
{
    if (s->ops == &sq_ops) {
        sq(s)->fail_every = n;
    }
}

/* ROLLBACK is never failed on purpose: a real one fails only with the disk. */
int sq_exec(struct sq_store *q, const char *sql)
{
    if (strcmp(sql, "ROLLBACK") != 0 && sq_injected(q)) {
        return SD_ST_ERROR;
    }
    if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        return sq_fail(q, sql);
    }
    return SD_ST_OK;
}

/* Runs a statement that returns no rows (or ignores them). */
int sq_run(struct sq_store *q, sqlite3_stmt *s)
{
    int rc;

    if (s != q->st[SQ_ROLLBACK_TO] && s != q->st[SQ_RELEASE] && sq_injected(q)) {
        sqlite3_reset(s);
        return SD_ST_ERROR;
    }
    rc = sqlite3_step(s);
    if (rc == SQLITE_CONSTRAINT) {
        sqlite3_reset(s);
        return SD_ST_CONFLICT;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return sq_fail(q, sqlite3_sql(s));
    }
    sqlite3_reset(s);
    return SD_ST_OK;
}

int sq_col_blob(struct sd_blob *b, sqlite3_stmt *s, int i)
{
    return sd_blob_set(b, sqlite3_column_blob(s, i), (size_t)sqlite3_column_bytes(s, i));
}

void sq_col_fixed(uint8_t *out, size_t n, sqlite3_stmt *s, int i)
{
    memset(out, 0, n);
    if ((size_t)sqlite3_column_bytes(s, i) == n) {
        memcpy(out, sqlite3_column_blob(s, i), n);
    }
}

int sq_finish(struct sq_store *q, int rc)
{
    if (rc == SD_ST_OK && sq_exec(q, "COMMIT") == SD_ST_OK) {
        return SD_ST_OK;
    }
    sq_exec(q, "ROLLBACK");
    return rc == SD_ST_OK ? SD_ST_ERROR : rc;
}

/* ---- open, migrate, close ---- */

static int migrate(struct sq_store *q)
{
    sqlite3_stmt *s = NULL;
    int64_t have = 0;
    int rc = sq_exec(q, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);");

    if (rc != SD_ST_OK) {
        return rc;
    }
    if (sqlite3_prepare_v2(q->db, "SELECT max(version) FROM schema_version", -1, &s, NULL) !=
        SQLITE_OK) {
        return sq_fail(q, "schema_version");
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        have = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    for (size_t v = (size_t)have; v < SD_MIGRATIONS_N; v++) {
        char ins[80];
        snprintf(ins, sizeof(ins), "INSERT INTO schema_version VALUES(%zu);", v + 1);
        if (sq_exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
            return SD_ST_ERROR;
        }
        if (sq_exec(q, sd_migrations[v]) != SD_ST_OK || sq_exec(q, ins) != SD_ST_OK) {
            sq_exec(q, "ROLLBACK");
            return SD_ST_ERROR;
        }
        if (sq_exec(q, "COMMIT") != SD_ST_OK) {
            return SD_ST_ERROR;
        }
        sd_log(SD_LOG_INFO, "schema migrated", "version=%zu", v + 1);
    }
    if ((size_t)have > SD_MIGRATIONS_N) {
        sd_log(SD_LOG_ERROR, "database schema is newer than this sottod", "have=%lld know=%zu",
               (long long)have, SD_MIGRATIONS_N);
        return SD_ST_ERROR;
    }
    return SD_ST_OK;
}

static void sq_close(struct sd_store *s)
{
    struct sq_store *q = sq(s);
    for (int i = 0; i < SQ__COUNT; i++) {
        sqlite3_finalize(q->st[i]);
    }
    sqlite3_close(q->db);
    free(q);
}

int sd_store_sqlite_open(struct sd_store **out, const char *path, int readonly)
{
    struct sq_store *q = calloc(1, sizeof(*q));
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

    *out = NULL;
    if (q == NULL) {
        return SD_ST_ERROR;
    }
    q->base.ops = &sq_ops;
    if (sqlite3_open_v2(path, &q->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sd_log(SD_LOG_ERROR, "cannot open database", "path=\"%s\" err=\"%s\"", path,
               q->db ? sqlite3_errmsg(q->db) : "nomem");
        goto err;
    }
    sqlite3_busy_timeout(q->db, 5000);
    if (!readonly &&
        (sq_exec(q, "PRAGMA journal_mode=WAL") != SD_ST_OK ||
         sq_exec(q, "PRAGMA synchronous=FULL") != SD_ST_OK || migrate(q) != SD_ST_OK)) {
        goto err;
    }
    sq_exec(q, "PRAGMA foreign_keys=ON");
    for (int i = 0; i < SQ__COUNT; i++) {
        if (sqlite3_prepare_v3(q->db, sq_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i], NULL) !=
            SQLITE_OK) {
            sq_fail(q, sq_sql[i]);
            goto err;
        }
    }
    *out = &q->base;
    return SD_ST_OK;
err:
    sq_close(&q->base);
    return SD_ST_ERROR;
}

static const struct sd_store_ops sq_ops = {
    .close = sq_close,
    .account_create = sq_account_create,
    .account_get = sq_account_get,
    .account_by_id = sq_account_by_id,
    .device_by_key = sq_device_by_key,
    .devices_set = sq_devices_set,
    .devices_get = sq_devices_get,
    .kt_leaves = sq_kt_leaves,
    .kt_account_leaf = sq_kt_account_leaf,
    .kt_checkpoint_get = sq_kt_checkpoint_get,
    .kt_checkpoint_put = sq_kt_checkpoint_put,
    .keys_put = sq_keys_put,
    .keys_count = sq_keys_count,
    .bundle_take = sq_bundle_take,
    .batch_begin = sq_batch_begin,
    .envelopes_put = sq_envelopes_put,
    .batch_commit = sq_batch_commit,
    .batch_rollback = sq_batch_rollback,
    .envelopes_after = sq_envelopes_after,
    .envelope_delete = sq_envelope_delete,
    .expire = sq_expire,
    .stats = sq_stats,
    .admin_list = sq_admin_list,
};
