/*
 * Sealed key/value rows: identity secrets and settings, session records and
 * prekey records (opaque bytes owned by libsotto's session layer).
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

void sc_free_secret(uint8_t *v, size_t len)
{
    if (v == NULL)
        return;
    sodium_memzero(v, len);
    free(v);
}

int sc_store_secret_put(struct sc_store *s, const char *name, const uint8_t *v, size_t len)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st, "INSERT OR REPLACE INTO identity(name, value) VALUES(?, ?)", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sc_bind_sealed(s, st, 2, "identity", "value", name, v, len);
    if (rc != SOTTO_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    return sc_step_done(st);
}

int sc_store_secret_get(struct sc_store *s, uint8_t **v, size_t *len, const char *name)
{
    sqlite3_stmt *st;
    int rc;
    *v = NULL;
    *len = 0;
    rc = sc_prepare(s, &st, "SELECT value FROM identity WHERE name = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = sc_column_unseal(s, v, len, st, 0, "identity", "value", name);
    sqlite3_finalize(st);
    return rc;
}

/* Row key of a session: blind index of the peer, then the device id. */
static int session_key(struct sc_store *s, char pid[SC_INDEX_HEX + 1], char rowkey[64],
                       const char *peer, uint32_t device)
{
    int rc = sc_index(s, pid, "peer", peer);
    if (rc != SOTTO_OK)
        return rc;
    snprintf(rowkey, 64, "%s.%" PRIu32, pid, device);
    return SOTTO_OK;
}

int sc_store_session_put(struct sc_store *s, const char *peer, uint32_t device, const uint8_t *rec,
                         size_t len)
{
    char pid[SC_INDEX_HEX + 1], rowkey[64];
    sqlite3_stmt *st;
    int rc = session_key(s, pid, rowkey, peer, device);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "INSERT OR REPLACE INTO sessions(peer, device, record) VALUES(?, ?, ?)",
                    1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, device);
    rc = sc_bind_sealed(s, st, 3, "sessions", "record", rowkey, rec, len);
    if (rc != SOTTO_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    return sc_step_done(st);
}

int sc_store_session_get(struct sc_store *s, uint8_t **rec, size_t *len, const char *peer,
                         uint32_t device)
{
    char pid[SC_INDEX_HEX + 1], rowkey[64];
    sqlite3_stmt *st;
    int rc;
    *rec = NULL;
    *len = 0;
    rc = session_key(s, pid, rowkey, peer, device);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "SELECT record FROM sessions WHERE peer = ? AND device = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, device);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = sc_column_unseal(s, rec, len, st, 0, "sessions", "record", rowkey);
    sqlite3_finalize(st);
    return rc;
}

int sc_store_session_delete(struct sc_store *s, const char *peer, uint32_t device)
{
    char pid[SC_INDEX_HEX + 1], rowkey[64];
    sqlite3_stmt *st;
    int rc = session_key(s, pid, rowkey, peer, device);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "DELETE FROM sessions WHERE peer = ? AND device = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, device);
    return sc_step_done(st);
}

int sc_store_prekey_put(struct sc_store *s, const char *kind, uint32_t id, const uint8_t *rec,
                        size_t len)
{
    char rowkey[64];
    sqlite3_stmt *st;
    int rc =
        sc_prepare(s, &st, "INSERT OR REPLACE INTO prekeys(kind, id, record) VALUES(?,?,?)", 1);
    if (rc != SOTTO_OK)
        return rc;
    snprintf(rowkey, sizeof rowkey, "%s.%" PRIu32, kind, id);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    rc = sc_bind_sealed(s, st, 3, "prekeys", "record", rowkey, rec, len);
    if (rc != SOTTO_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    return sc_step_done(st);
}

int sc_store_prekey_get(struct sc_store *s, uint8_t **rec, size_t *len, const char *kind,
                        uint32_t id)
{
    char rowkey[64];
    sqlite3_stmt *st;
    int rc;
    *rec = NULL;
    *len = 0;
    rc = sc_prepare(s, &st, "SELECT record FROM prekeys WHERE kind = ? AND id = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    snprintf(rowkey, sizeof rowkey, "%s.%" PRIu32, kind, id);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = sc_column_unseal(s, rec, len, st, 0, "prekeys", "record", rowkey);
    sqlite3_finalize(st);
    return rc;
}

int sc_store_prekey_delete(struct sc_store *s, const char *kind, uint32_t id)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st, "DELETE FROM prekeys WHERE kind = ? AND id = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    return sc_step_done(st);
}
