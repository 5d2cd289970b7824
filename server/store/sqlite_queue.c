/* SQLite backend: envelope queue (group commit batches), acks with
 * tombstones, expiry, stats and admin views. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

/* ---- envelopes ---- */

int sq_batch_begin(struct sd_store *st)
{
    return sq_exec(sq(st), "BEGIN IMMEDIATE");
}

int sq_batch_commit(struct sd_store *st)
{
    struct sq_store *q = sq(st);
    if (sq_exec(q, "COMMIT") != SD_ST_OK) {
        sq_exec(q, "ROLLBACK");
        return SD_ST_ERROR;
    }
    return SD_ST_OK;
}

void sq_batch_rollback(struct sd_store *st)
{
    sq_exec(sq(st), "ROLLBACK");
}

static int put_one(struct sq_store *q, struct sd_envelope *e, uint32_t cap)
{
    sqlite3_stmt *s = sq_get(q, SQ_QUEUE_DEPTH);
    int64_t depth = 0;
    int rc;

    sqlite3_bind_int64(s, 1, e->account_id);
    sqlite3_bind_int(s, 2, (int)e->device_id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        depth = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    if (depth >= (int64_t)cap) {
        return SD_ST_FULL;
    }
    s = sq_get(q, SQ_ENVELOPE_PUT);
    sqlite3_bind_int64(s, 1, e->account_id);
    sqlite3_bind_int(s, 2, (int)e->device_id);
    sqlite3_bind_blob(s, 3, e->guid, 16, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, e->source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, e->source_account);
    sqlite3_bind_int(s, 6, (int)e->source_device);
    sqlite3_bind_int64(s, 7, e->type);
    sqlite3_bind_int64(s, 8, (int64_t)e->timestamp);
    sqlite3_bind_int64(s, 9, (int64_t)e->server_ts);
    sqlite3_bind_int64(s, 10, (int64_t)e->expires);
    sqlite3_bind_blob(s, 11, e->content.p, (int)e->content.len, SQLITE_STATIC);
    rc = sq_injected(q) ? SQLITE_IOERR : sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        return sq_fail(q, "envelope_put");
    }
    e->seq = sqlite3_changes(q->db) > 0 ? sqlite3_last_insert_rowid(q->db) : 0;
    return SD_ST_OK;
}

int sq_envelopes_put(struct sd_store *st, struct sd_envelope *e, size_t n, uint32_t cap)
{
    struct sq_store *q = sq(st);
    int rc = sq_run(q, sq_get(q, SQ_SAVEPOINT));

    for (size_t i = 0; rc == SD_ST_OK && i < n; i++) {
        rc = put_one(q, &e[i], cap);
    }
    if (rc != SD_ST_OK) {
        sq_run(q, sq_get(q, SQ_ROLLBACK_TO));
    }
    sq_run(q, sq_get(q, SQ_RELEASE));
    return rc;
}

int sq_envelopes_after(struct sd_store *st, int64_t account_id, uint32_t device_id,
                       int64_t after_seq, uint32_t limit, uint64_t now, sd_envelope_cb cb,
                       void *arg)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_ENVELOPES_AFTER);
    struct sd_envelope e;
    int rc;

    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_int(s, 2, (int)device_id);
    sqlite3_bind_int64(s, 3, after_seq);
    sqlite3_bind_int64(s, 4, (int64_t)now);
    sqlite3_bind_int(s, 5, (int)limit);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&e, 0, sizeof(e));
        e.account_id = account_id;
        e.device_id = device_id;
        e.seq = sqlite3_column_int64(s, 0);
        sq_col_fixed(e.guid, 16, s, 1);
        snprintf(e.source, sizeof(e.source), "%s", (const char *)sqlite3_column_text(s, 2));
        e.source_device = (uint32_t)sqlite3_column_int(s, 3);
        e.type = (uint32_t)sqlite3_column_int64(s, 4);
        e.timestamp = (uint64_t)sqlite3_column_int64(s, 5);
        e.server_ts = (uint64_t)sqlite3_column_int64(s, 6);
        e.content.p = (uint8_t *)sqlite3_column_blob(s, 7); /* borrowed for the callback */
        e.content.len = (size_t)sqlite3_column_bytes(s, 7);
        if (cb(arg, &e) != 0) {
            break;
        }
    }
    sqlite3_reset(s);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SD_ST_OK : sq_fail(q, "envelopes_after");
}

int sq_envelope_delete(struct sd_store *st, int64_t account_id, uint32_t device_id,
                       const uint8_t guid[16], uint64_t tomb_expires)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_ENVELOPE_DELETE);
    int rc;

    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_int(s, 2, (int)device_id);
    sqlite3_bind_blob(s, 3, guid, 16, SQLITE_STATIC);
    rc = sq_run(q, s);
    if (rc == SD_ST_OK && sqlite3_changes(q->db) == 0) {
        return SD_ST_NOT_FOUND;
    }
    if (rc == SD_ST_OK) {
        s = sq_get(q, SQ_TOMBSTONE_PUT);
        sqlite3_bind_int64(s, 1, account_id);
        sqlite3_bind_int(s, 2, (int)device_id);
        sqlite3_bind_blob(s, 3, guid, 16, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, (int64_t)tomb_expires);
        rc = sq_run(q, s);
    }
    return rc;
}

int sq_expire(struct sd_store *st, uint64_t now, uint64_t *n_deleted)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_EXPIRE);
    int rc;

    sqlite3_bind_int64(s, 1, (int64_t)now);
    rc = sq_run(q, s);
    *n_deleted = rc == SD_ST_OK ? (uint64_t)sqlite3_changes(q->db) : 0;
    if (rc == SD_ST_OK) {
        s = sq_get(q, SQ_TOMBSTONE_EXPIRE);
        sqlite3_bind_int64(s, 1, (int64_t)now);
        rc = sq_run(q, s);
    }
    return rc;
}

int sq_stats(struct sd_store *st, uint64_t *accounts, uint64_t *devices, uint64_t *queued)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_STATS);
    int rc = sqlite3_step(s);

    *accounts = *devices = *queued = 0;
    if (rc == SQLITE_ROW) {
        *accounts = (uint64_t)sqlite3_column_int64(s, 0);
        *devices = (uint64_t)sqlite3_column_int64(s, 1);
        *queued = (uint64_t)sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SD_ST_OK : sq_fail(q, "stats");
}

int sq_admin_list(struct sd_store *st, const char *what, const char *arg, sd_row_cb cb, void *cbarg)
{
    struct sq_store *q = sq(st);
    enum sq_stmt i;
    sqlite3_stmt *s;
    char line[512];
    int rc;

    if (strcmp(what, "accounts") == 0) {
        i = SQ_ADMIN_ACCOUNTS;
    } else if (strcmp(what, "devices") == 0) {
        i = SQ_ADMIN_DEVICES;
    } else if (strcmp(what, "queues") == 0) {
        i = SQ_ADMIN_QUEUES;
    } else if (strcmp(what, "log") == 0) {
        i = SQ_ADMIN_LOG;
    } else if (strcmp(what, "verify-log") == 0) {
        return sq_log_verify(q, cb, cbarg);
    } else {
        return SD_ST_NOT_FOUND;
    }
    s = sq_get(q, i);
    if (sqlite3_bind_parameter_count(s) > 0) {
        sqlite3_bind_text(s, 1, arg ? arg : "", -1, SQLITE_STATIC);
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        snprintf(line, sizeof(line), "%s", (const char *)sqlite3_column_text(s, 0));
        if (cb(cbarg, line) != 0) {
            break;
        }
    }
    sqlite3_reset(s);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SD_ST_OK : sq_fail(q, "admin_list");
}
