/*
 * Message history and the outbox. A send is one transaction that writes the
 * history row and the outbox row together (synchronous=FULL), so once
 * sc_store_outbox_add returns, the message survives a kill or power loss.
 * The outbox hands out items oldest first, and never an item while an older
 * one to the same peer is still pending, so order per peer is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/attach.h"
#include "crypto/crypto.h"
#include "internal.h"

static int insert_message(struct sc_store *s, const struct sc_message *m)
{
    char pid[SC_INDEX_HEX + 1];
    sqlite3_stmt *st;
    int64_t expires;
    int rc;

    if (!sc_name_valid(m->peer) || strlen(m->mid) != SC_MID_LEN || m->body_len > SC_BODY_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = sc_index(s, pid, "peer", m->peer);
    if (rc != SOTTO_OK)
        return rc;
    if (m->kind == SC_KIND_REACTION && strlen(m->target) != SC_MID_LEN)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (m->gid[0] != 0 && strlen(m->gid) != SC_GID_LEN)
        return SOTTO_ERR_INVALID_ARGUMENT;
    expires = m->expires_at;
    if (expires == 0 && m->gid[0] == 0) { /* a 1:1 timer is not the group's */
        rc = sc_prepare(s, &st, "SELECT timer FROM contacts WHERE pid = ?", 1);
        if (rc != SOTTO_OK)
            return rc;
        sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
            expires = m->ts + sqlite3_column_int64(st, 0) * 1000;
        sqlite3_finalize(st);
    }
    rc = sc_prepare(s, &st,
                    "INSERT INTO messages(mid, pid, peer, outgoing, device, ts, status, body,"
                    " kind, target, expires_at, gid) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                    1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, m->mid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, pid, -1, SQLITE_TRANSIENT);
    rc = sc_bind_sealed(s, st, 3, "messages", "peer", m->mid, (const uint8_t *)m->peer,
                        strlen(m->peer));
    if (rc == SOTTO_OK)
        rc = sc_bind_sealed(s, st, 8, "messages", "body", m->mid, m->body, m->body_len);
    if (rc != SOTTO_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_bind_int(st, 4, m->outgoing ? 1 : 0);
    sqlite3_bind_int64(st, 5, m->device);
    sqlite3_bind_int64(st, 6, m->ts);
    sqlite3_bind_int(st, 7, m->status);
    sqlite3_bind_int(st, 9, m->kind);
    if (m->kind == SC_KIND_REACTION)
        sqlite3_bind_text(st, 10, m->target, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 11, expires);
    if (m->gid[0] != 0)
        sqlite3_bind_text(st, 12, m->gid, -1, SQLITE_TRANSIENT);
    return sc_step_done(st);
}

int sc_store_message_add(struct sc_store *s, const struct sc_message *m)
{
    return insert_message(s, m);
}

int sc_store_message_status(struct sc_store *s, const char *mid, int status)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st, "UPDATE messages SET status = ? WHERE mid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_int(st, 1, status);
    sqlite3_bind_text(st, 2, mid, -1, SQLITE_TRANSIENT);
    rc = sc_step_done(st);
    if (rc == SOTTO_OK && sqlite3_changes(s->db) == 0)
        rc = SOTTO_ERR_NOT_FOUND;
    return rc;
}

int sc_store_message_body(struct sc_store *s, const char *mid, const uint8_t *body, size_t len)
{
    sqlite3_stmt *st;
    int rc;
    if (strlen(mid) != SC_MID_LEN || len > SC_BODY_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = sc_prepare(s, &st, "UPDATE messages SET body = ? WHERE mid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_bind_sealed(s, st, 1, "messages", "body", mid, body, len);
    if (rc != SOTTO_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_bind_text(st, 2, mid, -1, SQLITE_TRANSIENT);
    rc = sc_step_done(st);
    if (rc == SOTTO_OK && sqlite3_changes(s->db) == 0)
        rc = SOTTO_ERR_NOT_FOUND;
    return rc;
}

static int remove_expired_files(struct sc_store *s, int64_t now);

int sc_store_message_expire(struct sc_store *s, int64_t now, size_t *n)
{
    sqlite3_stmt *st;
    int rc = remove_expired_files(s, now);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st,
                    "DELETE FROM messages WHERE expires_at > 0 AND expires_at <= ?"
                    " AND mid NOT IN (SELECT mid FROM outbox)",
                    1);
    if (n != NULL)
        *n = 0;
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    rc = sc_step_done(st);
    if (rc == SOTTO_OK && n != NULL)
        *n = (size_t)sqlite3_changes(s->db);
    return rc;
}

void sc_message_clear(struct sc_message *m)
{
    if (m->body != NULL)
        sc_free_secret(m->body, m->body_len);
    memset(m, 0, sizeof *m);
}

#define MSG_COLS "mid, peer, outgoing, device, ts, status, body, kind, target, expires_at, gid"

/* Fills m from a row of MSG_COLS; m->body is malloc'd. */
static int read_message(struct sc_store *s, struct sc_message *m, sqlite3_stmt *st)
{
    const char *mid = (const char *)sqlite3_column_text(st, 0);
    uint8_t *v;
    size_t n;
    int rc;

    memset(m, 0, sizeof *m);
    if (mid == NULL || strlen(mid) != SC_MID_LEN)
        return SOTTO_ERR_STORE;
    memcpy(m->mid, mid, SC_MID_LEN + 1);
    rc = sc_column_unseal(s, &v, &n, st, 1, "messages", "peer", mid);
    if (rc != SOTTO_OK)
        return rc;
    if (n > SC_NAME_MAX) {
        free(v);
        return SOTTO_ERR_STORE;
    }
    memcpy(m->peer, v, n + 1);
    free(v);
    m->outgoing = sqlite3_column_int(st, 2);
    m->device = (uint32_t)sqlite3_column_int64(st, 3);
    m->ts = sqlite3_column_int64(st, 4);
    m->status = sqlite3_column_int(st, 5);
    m->kind = sqlite3_column_int(st, 7);
    if (sqlite3_column_type(st, 8) == SQLITE_TEXT && sqlite3_column_bytes(st, 8) == SC_MID_LEN)
        memcpy(m->target, sqlite3_column_text(st, 8), SC_MID_LEN + 1);
    m->expires_at = sqlite3_column_int64(st, 9);
    if (sqlite3_column_type(st, 10) == SQLITE_TEXT && sqlite3_column_bytes(st, 10) == SC_GID_LEN)
        memcpy(m->gid, sqlite3_column_text(st, 10), SC_GID_LEN + 1);
    return sc_column_unseal(s, &m->body, &m->body_len, st, 6, "messages", "body", mid);
}

/* A received attachment's saved copy goes with its expired message: only
 * a file named attachments/<mid>-... (never the sender's own file). */
static int remove_expired_files(struct sc_store *s, int64_t now)
{
    struct sc_message m;
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st,
                        "SELECT " MSG_COLS " FROM messages WHERE expires_at > 0 AND"
                        " expires_at <= ? AND kind = 2 AND outgoing = 0",
                        1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    while (rc == SOTTO_OK && sqlite3_step(st) == SQLITE_ROW) {
        struct sc_attach *a = malloc(sizeof *a);
        char tail[SC_MID_LEN + 32];
        const char *p;
        rc = read_message(s, &m, st);
        if (rc == SOTTO_OK && a != NULL && sc_attach_decode(a, m.body, m.body_len, 1) == SOTTO_OK) {
            snprintf(tail, sizeof tail, "/attachments/%s-", m.mid);
            p = strstr(a->path, tail);
            if (p != NULL && strchr(p + strlen(tail), '/') == NULL)
                unlink(a->path);
        }
        if (a != NULL) {
            st_wipe(a, sizeof *a);
            free(a);
        }
        sc_message_clear(&m);
    }
    sqlite3_finalize(st);
    return rc;
}

int sc_store_message_get(struct sc_store *s, struct sc_message *m, const char *mid)
{
    sqlite3_stmt *st;
    int rc;
    memset(m, 0, sizeof *m);
    rc = sc_prepare(s, &st, "SELECT " MSG_COLS " FROM messages WHERE mid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, mid, -1, SQLITE_TRANSIENT);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = read_message(s, m, st);
    sqlite3_finalize(st);
    if (rc != SOTTO_OK)
        sc_message_clear(m);
    return rc;
}

/* Calls cb for each message row of st (then finalized); stops at the
 * first nonzero return or error. */
static int each_row(struct sc_store *s, sqlite3_stmt *st, sc_message_cb *cb, void *ctx)
{
    struct sc_message m;
    int rc = SOTTO_OK;
    while (rc == SOTTO_OK && sqlite3_step(st) == SQLITE_ROW) {
        rc = read_message(s, &m, st);
        if (rc == SOTTO_OK)
            rc = cb(ctx, &m);
        sc_message_clear(&m);
    }
    sqlite3_finalize(st);
    return rc;
}

int sc_store_message_list(struct sc_store *s, const char *peer, size_t limit, sc_message_cb *cb,
                          void *ctx)
{
    char pid[SC_INDEX_HEX + 1] = "";
    sqlite3_stmt *st;
    int rc;

    if (peer != NULL) {
        rc = sc_index(s, pid, "peer", peer);
        if (rc != SOTTO_OK)
            return rc;
    }
    rc = sc_prepare(s, &st,
                    "SELECT " MSG_COLS " FROM (SELECT *, rowid AS r FROM messages"
                    " WHERE (?1 = '' OR (pid = ?1 AND gid IS NULL)) ORDER BY ts DESC, r DESC"
                    " LIMIT ?2)"
                    " ORDER BY ts, r",
                    1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, limit == 0 ? -1 : (sqlite3_int64)limit);
    return each_row(s, st, cb, ctx);
}

int sc_store_message_list_group(struct sc_store *s, const char *gid, size_t limit,
                                sc_message_cb *cb, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st,
                        "SELECT " MSG_COLS " FROM (SELECT *, rowid AS r FROM messages"
                        " WHERE gid = ?1 ORDER BY ts DESC, r DESC LIMIT ?2) ORDER BY ts, r",
                        1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, gid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, limit == 0 ? -1 : (sqlite3_int64)limit);
    return each_row(s, st, cb, ctx);
}

int sc_store_outbox_add(struct sc_store *s, const struct sc_message *m)
{
    char pid[SC_INDEX_HEX + 1];
    sqlite3_stmt *st;
    int own, rc = sc_index(s, pid, "peer", m->peer);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_txn_begin(s, &own);
    if (rc != SOTTO_OK)
        return rc;
    rc = insert_message(s, m);
    if (rc != SOTTO_OK)
        goto out;
    rc = sc_prepare(s, &st, "INSERT INTO outbox(mid, pid, queued_at) VALUES(?,?,?)", 1);
    if (rc != SOTTO_OK)
        goto out;
    sqlite3_bind_text(st, 1, m->mid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, pid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, m->ts);
    rc = sc_step_done(st);
out:
    return sc_txn_end(s, own, rc);
}

void sc_outbox_item_clear(struct sc_outbox_item *it)
{
    if (it->body != NULL)
        sc_free_secret(it->body, it->body_len);
    memset(it, 0, sizeof *it);
}

int sc_store_outbox_next(struct sc_store *s, struct sc_outbox_item *it, int64_t now)
{
    struct sc_message m;
    sqlite3_stmt *st;
    int rc;

    memset(it, 0, sizeof *it);
    rc = sc_prepare(s, &st,
                    "SELECT m.mid, m.peer, m.outgoing, m.device, m.ts, m.status, m.body,"
                    " m.kind, m.target, m.expires_at, m.gid, o.attempts, o.next_at FROM outbox o"
                    " JOIN "
                    "messages m ON m.mid = o.mid"
                    " WHERE o.held = 0 AND o.next_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox"
                    " o2 WHERE o2.pid = o.pid AND o2.rowid < o.rowid)"
                    " ORDER BY o.rowid LIMIT 1",
                    1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        rc = read_message(s, &m, st);
        if (rc == SOTTO_OK) {
            memcpy(it->mid, m.mid, sizeof it->mid);
            memcpy(it->peer, m.peer, sizeof it->peer);
            it->body = m.body;
            it->body_len = m.body_len;
            it->kind = m.kind;
            it->ts = m.ts;
            memcpy(it->target, m.target, sizeof it->target);
            memcpy(it->gid, m.gid, sizeof it->gid);
            it->attempts = (uint32_t)sqlite3_column_int64(st, 11);
            it->next_at = sqlite3_column_int64(st, 12);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int64_t sc_backoff_ms(uint32_t attempts)
{
    int64_t ms = 1000;
    for (uint32_t i = 1; i < attempts && ms < 300000; i++)
        ms *= 2;
    return ms < 300000 ? ms : 300000;
}

int sc_store_outbox_retry(struct sc_store *s, const char *mid, int64_t now, const char *error)
{
    sqlite3_stmt *st;
    uint32_t attempts = 0;
    int rc = sc_prepare(s, &st, "SELECT attempts FROM outbox WHERE mid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, mid, -1, SQLITE_TRANSIENT);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        attempts = (uint32_t)sqlite3_column_int64(st, 0) + 1;
        rc = SOTTO_OK;
    }
    sqlite3_finalize(st);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st,
                    "UPDATE outbox SET attempts = ?, next_at = ?, last_error = ?"
                    " WHERE mid = ?",
                    1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_int64(st, 1, attempts);
    sqlite3_bind_int64(st, 2, now + sc_backoff_ms(attempts));
    rc = sc_bind_sealed(s, st, 3, "outbox", "last_error", mid, (const uint8_t *)error,
                        strlen(error));
    if (rc != SOTTO_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_bind_text(st, 4, mid, -1, SQLITE_TRANSIENT);
    return sc_step_done(st);
}

int sc_store_outbox_done(struct sc_store *s, const char *mid)
{
    sqlite3_stmt *st;
    int own, rc = sc_txn_begin(s, &own);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "DELETE FROM outbox WHERE mid = ?", 1);
    if (rc != SOTTO_OK)
        goto out;
    sqlite3_bind_text(st, 1, mid, -1, SQLITE_TRANSIENT);
    rc = sc_step_done(st);
    if (rc == SOTTO_OK)
        rc = sc_store_message_status(s, mid, SC_MSG_SENT);
out:
    return sc_txn_end(s, own, rc);
}

static int set_held(struct sc_store *s, const char *peer, int held)
{
    char pid[SC_INDEX_HEX + 1];
    sqlite3_stmt *st;
    int rc = sc_index(s, pid, "peer", peer);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "UPDATE outbox SET held = ?, next_at = 0 WHERE pid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_int(st, 1, held);
    sqlite3_bind_text(st, 2, pid, -1, SQLITE_TRANSIENT);
    return sc_step_done(st);
}

int sc_store_outbox_hold(struct sc_store *s, const char *peer)
{
    return set_held(s, peer, 1);
}

int sc_store_outbox_release(struct sc_store *s, const char *peer)
{
    return set_held(s, peer, 0);
}

int sc_store_outbox_count(struct sc_store *s, size_t *n)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st, "SELECT count(*) FROM outbox", 0);
    *n = 0;
    if (rc != SOTTO_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return SOTTO_OK;
}
