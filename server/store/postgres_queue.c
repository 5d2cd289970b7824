/* PostgreSQL backend: envelope queue (group commit batches), acks with
 * tombstones, expiry, stats and admin views. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres_internal.h"

int pg_batch_begin(struct sd_store *st)
{
    return pg_exec(pg(st), "BEGIN");
}

int pg_batch_commit(struct sd_store *st)
{
    struct pg_store *q = pg(st);
    if (pg_exec(q, "COMMIT") != SD_ST_OK) {
        pg_exec(q, "ROLLBACK");
        return SD_ST_ERROR;
    }
    return SD_ST_OK;
}

void pg_batch_rollback(struct sd_store *st)
{
    pg_exec(pg(st), "ROLLBACK");
}

/* SD_ST_FULL when the device's queue holds cap envelopes (nothing stored,
 * as SQLite checks before it inserts); e->seq = 0 when the guid was queued
 * or acked already (an idempotent retry). */
static int put_one(struct pg_store *q, struct sd_envelope *e, uint32_t cap)
{
    struct pg_args a = {0};
    PGresult *r;
    int rc;

    pa_i64(&a, e->account_id);
    pa_i64(&a, e->device_id);
    pa_blob(&a, e->guid, 16);
    pa_text(&a, e->source);
    pa_i64(&a, e->source_account);
    pa_i64(&a, e->source_device);
    pa_i64(&a, e->type);
    pa_i64(&a, (int64_t)e->timestamp);
    pa_i64(&a, (int64_t)e->server_ts);
    pa_i64(&a, (int64_t)e->expires);
    pa_blob(&a, e->content.p, e->content.len);
    pa_i64(&a, cap);
    e->seq = 0;
    r = pg_run(q, PG_ENVELOPE_PUT, &a, &rc);
    if (r != NULL && PQntuples(r) != 1) {
        rc = SD_ST_ERROR;
    }
    if (rc == SD_ST_OK && pg_i64(r, 0, 0) >= (int64_t)cap) {
        rc = SD_ST_FULL;
    }
    if (rc == SD_ST_OK) {
        e->seq = pg_i64(r, 0, 1);
    }
    PQclear(r);
    return rc == SD_ST_CONFLICT ? SD_ST_ERROR : rc;
}

/*
 * One envelope needs no savepoint: when it is refused (FULL) nothing was
 * stored, and when it fails the whole batch's transaction fails, so no send
 * in it is acked. Several envelopes of one send are all or none.
 */
int pg_envelopes_put(struct sd_store *st, struct sd_envelope *e, size_t n, uint32_t cap)
{
    struct pg_store *q = pg(st);
    int rc = n > 1 ? pg_exec(q, "SAVEPOINT send") : SD_ST_OK;

    if (rc != SD_ST_OK) {
        return rc;
    }
    for (size_t i = 0; rc == SD_ST_OK && i < n; i++) {
        rc = put_one(q, &e[i], cap);
    }
    if (n > 1 && rc != SD_ST_OK) {
        pg_exec(q, "ROLLBACK TO SAVEPOINT send");
    }
    if (n > 1) {
        pg_exec(q, "RELEASE SAVEPOINT send");
    }
    return rc;
}

int pg_envelopes_after(struct sd_store *st, int64_t account_id, uint32_t device_id,
                       int64_t after_seq, uint32_t limit, uint64_t now, sd_envelope_cb cb,
                       void *arg)
{
    struct pg_args a = {0};
    struct sd_envelope e;
    PGresult *r;
    int rc;

    pa_i64(&a, account_id);
    pa_i64(&a, device_id);
    pa_i64(&a, after_seq);
    pa_i64(&a, (int64_t)now);
    pa_i64(&a, limit);
    r = pg_run(pg(st), PG_ENVELOPES_AFTER, &a, &rc);
    for (int i = 0; r != NULL && i < PQntuples(r); i++) {
        memset(&e, 0, sizeof(e));
        e.account_id = account_id;
        e.device_id = device_id;
        e.seq = pg_i64(r, i, 0);
        pg_fixed(e.guid, 16, r, i, 1);
        snprintf(e.source, sizeof(e.source), "%s", PQgetvalue(r, i, 2));
        e.source_device = (uint32_t)pg_i64(r, i, 3);
        e.type = (uint32_t)pg_i64(r, i, 4);
        e.timestamp = (uint64_t)pg_i64(r, i, 5);
        e.server_ts = (uint64_t)pg_i64(r, i, 6);
        e.content.p = (uint8_t *)PQgetvalue(r, i, 7); /* borrowed for the callback */
        e.content.len = (size_t)PQgetlength(r, i, 7);
        if (cb(arg, &e) != 0) {
            break;
        }
    }
    PQclear(r);
    return rc;
}

int pg_envelope_delete(struct sd_store *st, int64_t account_id, uint32_t device_id,
                       const uint8_t guid[16], uint64_t tomb_expires)
{
    struct pg_args a = {0};
    PGresult *r;
    int rc;

    pa_i64(&a, account_id);
    pa_i64(&a, device_id);
    pa_blob(&a, guid, 16);
    pa_i64(&a, (int64_t)tomb_expires);
    r = pg_run(pg(st), PG_ENVELOPE_ACK, &a, &rc);
    if (r != NULL && (PQntuples(r) != 1 || pg_i64(r, 0, 0) == 0)) {
        rc = PQntuples(r) == 1 ? SD_ST_NOT_FOUND : SD_ST_ERROR;
    }
    PQclear(r);
    return rc;
}

int pg_expire(struct sd_store *st, uint64_t now, uint64_t *n_deleted)
{
    struct pg_store *q = pg(st);
    struct pg_args a = {0};
    int rc;

    pa_i64(&a, (int64_t)now);
    rc = pg_do(q, PG_EXPIRE, &a, n_deleted);
    if (rc == SD_ST_OK) {
        rc = pg_do(q, PG_TOMBSTONE_EXPIRE, &a, NULL);
    }
    return rc;
}

int pg_stats(struct sd_store *st, uint64_t *accounts, uint64_t *devices, uint64_t *queued)
{
    int rc;
    PGresult *r = pg_run(pg(st), PG_STATS, NULL, &rc);

    *accounts = *devices = *queued = 0;
    if (r != NULL && PQntuples(r) == 1) {
        *accounts = (uint64_t)pg_i64(r, 0, 0);
        *devices = (uint64_t)pg_i64(r, 0, 1);
        *queued = (uint64_t)pg_i64(r, 0, 2);
    }
    PQclear(r);
    return rc;
}

int pg_admin_list(struct sd_store *st, const char *what, const char *arg, sd_row_cb cb, void *cbarg)
{
    static const struct {
        const char *name;
        enum pg_stmt i;
    } views[] = {{"accounts", PG_ADMIN_ACCOUNTS},
                 {"devices", PG_ADMIN_DEVICES},
                 {"queues", PG_ADMIN_QUEUES},
                 {"log", PG_ADMIN_LOG}};
    struct pg_args a = {0};
    PGresult *r;
    int rc;
    size_t v = 0;

    if (strcmp(what, "verify-log") == 0) {
        return pg_log_verify(pg(st), cb, cbarg);
    }
    while (v < sizeof(views) / sizeof(views[0]) && strcmp(what, views[v].name) != 0) {
        v++;
    }
    if (v == sizeof(views) / sizeof(views[0])) {
        return SD_ST_NOT_FOUND;
    }
    if (views[v].i == PG_ADMIN_DEVICES) {
        pa_text(&a, arg ? arg : "");
    }
    r = pg_run(pg(st), views[v].i, &a, &rc);
    for (int i = 0; r != NULL && i < PQntuples(r); i++) {
        if (cb(cbarg, PQgetvalue(r, i, 0)) != 0) {
            break;
        }
    }
    PQclear(r);
    return rc;
}
