/*
 * The daemon's event journal: every event a subscriber may need (message
 * received, status changed, key changed) is appended with a sequence number;
 * each subscriber keeps a cursor, the last seq it acked. After a restart a
 * subscriber resumes from its cursor, so no event is missed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int sc_store_journal_append(struct sc_store *s, int64_t *seq, const char *kind, const char *json)
{
    sqlite3_stmt *st;
    uint8_t *ct;
    size_t ctlen;
    int rc, own;

    *seq = 0;
    /* The row key is the seq, unknown before the insert: reserve the row,
     * then seal the body bound to it, in one transaction. */
    rc = sc_txn_begin(s, &own);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "INSERT INTO journal(kind, body) VALUES(?, x'')", 1);
    if (rc != SOTTO_OK)
        goto out;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    rc = sc_step_done(st);
    if (rc != SOTTO_OK)
        goto out;
    *seq = sqlite3_last_insert_rowid(s->db);
    {
        char rowkey[32];
        snprintf(rowkey, sizeof rowkey, "%lld", (long long)*seq);
        rc =
            sc_seal(s, &ct, &ctlen, "journal", "body", rowkey, (const uint8_t *)json, strlen(json));
    }
    if (rc != SOTTO_OK)
        goto out;
    rc = sc_prepare(s, &st, "UPDATE journal SET body = ? WHERE seq = ?", 1);
    if (rc != SOTTO_OK) {
        free(ct);
        goto out;
    }
    sqlite3_bind_blob(st, 1, ct, (int)ctlen, free);
    sqlite3_bind_int64(st, 2, *seq);
    rc = sc_step_done(st);
out:
    rc = sc_txn_end(s, own, rc);
    if (rc != SOTTO_OK)
        *seq = 0;
    return rc;
}

int sc_store_journal_read(struct sc_store *s, int64_t after, size_t max, sc_journal_cb *cb,
                          void *ctx)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(
        s, &st, "SELECT seq, kind, body FROM journal WHERE seq > ? ORDER BY seq LIMIT ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, max == 0 ? -1 : (sqlite3_int64)max);
    while (rc == SOTTO_OK && sqlite3_step(st) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        char rowkey[32];
        uint8_t *body;
        size_t n;
        snprintf(rowkey, sizeof rowkey, "%lld", (long long)seq);
        rc = sc_column_unseal(s, &body, &n, st, 2, "journal", "body", rowkey);
        if (rc != SOTTO_OK)
            break;
        rc = cb(ctx, seq, (const char *)sqlite3_column_text(st, 1), (const char *)body);
        sc_free_secret(body, n);
    }
    sqlite3_finalize(st);
    return rc;
}

int sc_store_cursor_get(struct sc_store *s, int64_t *seq, const char *sub)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st, "SELECT seq FROM cursors WHERE subscriber = ?", 0);
    *seq = 0;
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, sub, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        *seq = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return SOTTO_OK;
}

int sc_store_cursor_set(struct sc_store *s, const char *sub, int64_t seq)
{
    sqlite3_stmt *st;
    /* Cursors only move forward: a late or repeated ack changes nothing. */
    int rc =
        sc_prepare(s, &st,
                   "INSERT INTO cursors(subscriber, seq) VALUES(?1, ?2) ON CONFLICT(subscriber)"
                   " DO UPDATE SET seq = max(seq, ?2)",
                   0);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, sub, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, seq);
    return sc_step_done(st);
}

int sc_store_journal_prune(struct sc_store *s, int64_t keep_acked, int64_t keep_max, size_t *n)
{
    sqlite3_stmt *st;
    int64_t last = 0, upto;
    int rc;

    if (n != NULL)
        *n = 0;
    rc = sc_prepare(s, &st, "SELECT COALESCE(MAX(seq), 0) FROM journal", 0);
    if (rc != SOTTO_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        last = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    /* What every subscriber has acked, but the newest keep_acked kept for a
     * subscriber that starts later; never more than keep_max at all. */
    rc = sc_prepare(s, &st,
                    "DELETE FROM journal WHERE seq <= ?2 OR (seq <= ?1 AND seq <= "
                    "(SELECT COALESCE(MIN(seq), 0) FROM cursors))",
                    0);
    if (rc != SOTTO_OK)
        return rc;
    upto = last - keep_acked;
    sqlite3_bind_int64(st, 1, upto);
    sqlite3_bind_int64(st, 2, last - keep_max);
    rc = sc_step_done(st);
    if (rc == SOTTO_OK && n != NULL)
        *n = (size_t)sqlite3_changes(s->db);
    return rc;
}
