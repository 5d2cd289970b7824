/*
 * PostgreSQL backend of store.h over libpq: one connection per store handle,
 * every statement prepared once per connection, parameters and results in
 * binary, schema migrations from postgres_schema.h recorded in
 * schema_version. Accounts and the change log: postgres_accounts.c; the
 * transparency log: postgres_kt.c; prekeys: postgres_keys.c; envelopes,
 * expiry and admin views: postgres_queue.c.
 *
 * First slice: calls are synchronous (they block the loop thread for one
 * round trip each), as the SQLite backend's do. Many sottod nodes may share
 * one database: appends to the change and transparency logs take a
 * transaction-level advisory lock, prekeys are taken with FOR UPDATE SKIP
 * LOCKED. Waking the node that holds a recipient (LISTEN/NOTIFY) is not
 * done yet (docs/architecture.md).
 */
#define PG_WANT_SQL
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store/postgres_internal.h"
#include "store/postgres_schema.h"

/* ---- parameters and results ---- */

void pa_i64(struct pg_args *a, int64_t x)
{
    uint64_t u = (uint64_t)x;

    for (int i = 0; i < 8; i++) {
        a->i8[a->n][i] = (char)(u >> (56 - 8 * i));
    }
    a->v[a->n] = a->i8[a->n];
    a->len[a->n] = 8;
    a->fmt[a->n] = 1;
    a->n++;
}

/* An empty bytea still needs a non-NULL pointer: NULL would send SQL NULL. */
void pa_blob(struct pg_args *a, const void *p, size_t len)
{
    a->v[a->n] = len > 0 ? (const char *)p : "";
    a->len[a->n] = (int)len;
    a->fmt[a->n] = 1;
    a->n++;
}

void pa_text(struct pg_args *a, const char *s)
{
    a->v[a->n] = s;
    a->len[a->n] = 0;
    a->fmt[a->n] = 0;
    a->n++;
}

int64_t pg_i64(const PGresult *r, int row, int col)
{
    const uint8_t *p = (const uint8_t *)PQgetvalue(r, row, col);
    uint64_t u = 0;

    if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8) {
        return 0;
    }
    for (int i = 0; i < 8; i++) {
        u = u << 8 | p[i];
    }
    return (int64_t)u;
}

int pg_blob(struct sd_blob *b, const PGresult *r, int row, int col)
{
    return sd_blob_set(b, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

void pg_fixed(uint8_t *out, size_t n, const PGresult *r, int row, int col)
{
    memset(out, 0, n);
    if (!PQgetisnull(r, row, col) && (size_t)PQgetlength(r, row, col) == n) {
        memcpy(out, PQgetvalue(r, row, col), n);
    }
}

/* ---- running statements ---- */

static int prepare_all(struct pg_store *q)
{
    for (int i = 0; i < PG__COUNT; i++) {
        char name[16];
        PGresult *r;
        int ok;

        snprintf(name, sizeof(name), "sd%d", i);
        r = PQprepare(q->conn, name, pg_sql[i], 0, NULL);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) {
            sd_log(SD_LOG_ERROR, "store prepare failed", "sql=\"%s\" err=\"%s\"", pg_sql[i],
                   PQresultErrorMessage(r));
        }
        PQclear(r);
        if (!ok) {
            return SD_ST_ERROR;
        }
    }
    return SD_ST_OK;
}

/* A dropped connection is reopened between transactions (never inside one:
 * its earlier statements are gone with the old session). */
static void reconnect(struct pg_store *q)
{
    if (PQstatus(q->conn) != CONNECTION_BAD || q->in_tx) {
        return;
    }
    sd_log(SD_LOG_WARN, "store connection lost; reconnecting", "err=\"%.*s\"",
           (int)strcspn(PQerrorMessage(q->conn), "\n"), PQerrorMessage(q->conn));
    PQreset(q->conn);
    if (PQstatus(q->conn) == CONNECTION_OK) {
        prepare_all(q);
    }
}

/*
 * 1 if r failed because the connection is gone and nothing of a transaction
 * is lost with it (not inside BEGIN ... COMMIT): the caller may reconnect
 * and run the statement once more. Statements run outside a transaction
 * are reads or idempotent writes (expire, checkpoint), so a statement the
 * server ran before the connection dropped does no harm run again.
 */
static int lost(const struct pg_store *q, const PGresult *r)
{
    return PQresultStatus(r) == PGRES_FATAL_ERROR && PQstatus(q->conn) == CONNECTION_BAD &&
           !q->in_tx;
}

/* Maps a failed result to a store status; logs everything but constraints. */
static int fail(struct pg_store *q, const PGresult *r, const char *what)
{
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

    if (state != NULL && strncmp(state, "23", 2) == 0) {
        return SD_ST_CONFLICT;
    }
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(q->conn);

    sd_log(SD_LOG_ERROR, "store failure", "op=\"%.60s\" sqlstate=%s err=\"%.*s\"", what,
           state ? state : "-", (int)strcspn(msg, "\n"), msg);
    return SD_ST_ERROR;
}

PGresult *pg_run(struct pg_store *q, enum pg_stmt i, const struct pg_args *a, int *rc)
{
    static const struct pg_args none;
    char name[16];
    PGresult *r;
    ExecStatusType st;

    if (a == NULL) {
        a = &none;
    }
    reconnect(q);
    snprintf(name, sizeof(name), "sd%d", (int)i);
    r = PQexecPrepared(q->conn, name, a->n, a->v, a->len, a->fmt, 1);
    if (lost(q, r)) { /* outside a transaction: one retry on a new session */
        PQclear(r);
        reconnect(q);
        r = PQexecPrepared(q->conn, name, a->n, a->v, a->len, a->fmt, 1);
    }
    st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        *rc = SD_ST_OK;
        return r;
    }
    *rc = fail(q, r, pg_sql[i]);
    PQclear(r);
    return NULL;
}

int pg_do(struct pg_store *q, enum pg_stmt i, const struct pg_args *a, uint64_t *changed)
{
    int rc;
    PGresult *r = pg_run(q, i, a, &rc);

    if (changed != NULL) {
        *changed = r != NULL ? strtoull(PQcmdTuples(r), NULL, 10) : 0;
    }
    PQclear(r);
    return rc;
}

int pg_exec(struct pg_store *q, const char *sql)
{
    PGresult *r;
    int rc = SD_ST_OK;

    reconnect(q);
    r = PQexec(q->conn, sql);
    if (lost(q, r)) {
        PQclear(r);
        reconnect(q);
        r = PQexec(q->conn, sql);
    }
    if (strcmp(sql, "BEGIN") == 0) {
        q->in_tx = 1;
    }
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        (void)fail(q, r, sql);
        rc = SD_ST_ERROR;
    } else if (strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        /* COMMIT of a transaction that had failed answers ROLLBACK */
        sd_log(SD_LOG_ERROR, "store commit rolled back", "status=%s", PQcmdStatus(r));
        rc = SD_ST_ERROR;
    }
    PQclear(r);
    if (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0 ||
        PQtransactionStatus(q->conn) == PQTRANS_IDLE) {
        q->in_tx = 0;
    }
    return rc;
}

int pg_finish(struct pg_store *q, int rc)
{
    if (rc == SD_ST_OK && pg_exec(q, "COMMIT") == SD_ST_OK) {
        return SD_ST_OK;
    }
    pg_exec(q, "ROLLBACK");
    return rc == SD_ST_OK ? SD_ST_ERROR : rc;
}

/* ---- open, migrate, close ---- */

static int64_t schema_have(struct pg_store *q)
{
    PGresult *r = PQexec(q->conn, "SELECT max(version) FROM schema_version");
    int64_t have = -1;

    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        have = PQgetisnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    }
    PQclear(r);
    return have;
}

/* All missing migrations in one transaction under an advisory lock, so
 * nodes starting together migrate once. */
static int migrate(struct pg_store *q)
{
    int64_t have;
    int rc = pg_exec(q, "BEGIN");

    if (rc == SD_ST_OK) {
        rc = pg_exec(q, "SELECT pg_advisory_xact_lock(5368)");
    }
    if (rc == SD_ST_OK) {
        rc = pg_exec(q, "CREATE TABLE IF NOT EXISTS schema_version(version bigint NOT NULL)");
    }
    have = rc == SD_ST_OK ? schema_have(q) : -1;
    if (have < 0 || (size_t)have > PG_MIGRATIONS_N) {
        sd_log(SD_LOG_ERROR, "database schema unreadable or newer than this sottod",
               "have=%lld know=%zu", (long long)have, PG_MIGRATIONS_N);
        return pg_finish(q, SD_ST_ERROR);
    }
    for (size_t v = (size_t)have; rc == SD_ST_OK && v < PG_MIGRATIONS_N; v++) {
        char ins[80];
        snprintf(ins, sizeof(ins), "INSERT INTO schema_version VALUES(%zu)", v + 1);
        rc = pg_exec(q, pg_migrations[v]);
        if (rc == SD_ST_OK) {
            rc = pg_exec(q, ins);
        }
        if (rc == SD_ST_OK) {
            sd_log(SD_LOG_INFO, "schema migrated", "backend=postgres version=%zu", v + 1);
        }
    }
    return pg_finish(q, rc);
}

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg;
    sd_log(SD_LOG_DEBUG, "postgres notice", "msg=\"%.*s\"", (int)strcspn(msg, "\n"), msg);
}

static void pg_close(struct sd_store *s)
{
    struct pg_store *q = pg(s);
    PQfinish(q->conn);
    free(q);
}

static const struct sd_store_ops pg_ops;

int sd_store_postgres_open(struct sd_store **out, const char *conninfo, int readonly)
{
    struct pg_store *q = calloc(1, sizeof(*q));

    *out = NULL;
    if (q == NULL) {
        return SD_ST_ERROR;
    }
    q->base.ops = &pg_ops;
    q->conn = PQconnectdb(conninfo);
    if (q->conn == NULL || PQstatus(q->conn) != CONNECTION_OK) {
        sd_log(SD_LOG_ERROR, "cannot connect to postgres", "err=\"%.*s\"",
               q->conn ? (int)strcspn(PQerrorMessage(q->conn), "\n") : 5,
               q->conn ? PQerrorMessage(q->conn) : "nomem");
        goto err;
    }
    PQsetNoticeProcessor(q->conn, quiet_notice, NULL);
    if (readonly && pg_exec(q, "SET default_transaction_read_only = on") != SD_ST_OK) {
        goto err;
    }
    if (!readonly && migrate(q) != SD_ST_OK) {
        goto err;
    }
    if (prepare_all(q) != SD_ST_OK) {
        goto err;
    }
    *out = &q->base;
    return SD_ST_OK;
err:
    pg_close(&q->base);
    return SD_ST_ERROR;
}

static const struct sd_store_ops pg_ops = {
    .close = pg_close,
    .account_create = pg_account_create,
    .account_get = pg_account_get,
    .account_by_id = pg_account_by_id,
    .device_by_key = pg_device_by_key,
    .devices_set = pg_devices_set,
    .devices_get = pg_devices_get,
    .kt_leaves = pg_kt_leaves,
    .kt_account_leaf = pg_kt_account_leaf,
    .kt_checkpoint_get = pg_kt_checkpoint_get,
    .kt_checkpoint_put = pg_kt_checkpoint_put,
    .keys_put = pg_keys_put,
    .keys_count = pg_keys_count,
    .bundle_take = pg_bundle_take,
    .batch_begin = pg_batch_begin,
    .envelopes_put = pg_envelopes_put,
    .batch_commit = pg_batch_commit,
    .batch_rollback = pg_batch_rollback,
    .envelopes_after = pg_envelopes_after,
    .envelope_delete = pg_envelope_delete,
    .expire = pg_expire,
    .stats = pg_stats,
    .admin_list = pg_admin_list,
};
