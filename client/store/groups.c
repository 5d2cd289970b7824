/*
 * Group states and sender-key records. A group row is keyed by its random
 * id (hex, not secret); its state (name, members, version: client/group.c)
 * is sealed. A sender-key row is keyed by a blind index of (sender,
 * device, distribution id), so the table does not say who is in which
 * group; the record (lib/group's SenderKeyRecord) is sealed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "client/hex.h"
#include "internal.h"

int sc_store_group_put(struct sc_store *s, const char *gid, const uint8_t *state, size_t len)
{
    sqlite3_stmt *st;
    int rc;
    if (gid == NULL || strlen(gid) != SC_GID_LEN)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = sc_prepare(s, &st, "INSERT OR REPLACE INTO groups(gid, state) VALUES(?, ?)", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, gid, -1, SQLITE_TRANSIENT);
    rc = sc_bind_sealed(s, st, 2, "groups", "state", gid, state, len);
    if (rc != SOTTO_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    return sc_step_done(st);
}

int sc_store_group_get(struct sc_store *s, uint8_t **state, size_t *len, const char *gid)
{
    sqlite3_stmt *st;
    int rc;
    *state = NULL;
    *len = 0;
    if (gid == NULL || strlen(gid) != SC_GID_LEN)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = sc_prepare(s, &st, "SELECT state FROM groups WHERE gid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, gid, -1, SQLITE_TRANSIENT);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = sc_column_unseal(s, state, len, st, 0, "groups", "state", gid);
    sqlite3_finalize(st);
    return rc;
}

int sc_store_group_list(struct sc_store *s, sc_group_row_cb *cb, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st, "SELECT gid, state FROM groups ORDER BY gid", 1);
    if (rc != SOTTO_OK)
        return rc;
    while (rc == SOTTO_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *gid = (const char *)sqlite3_column_text(st, 0);
        uint8_t *v = NULL;
        size_t n = 0;
        if (gid == NULL || strlen(gid) != SC_GID_LEN) {
            rc = SOTTO_ERR_STORE;
            break;
        }
        rc = sc_column_unseal(s, &v, &n, st, 1, "groups", "state", gid);
        if (rc == SOTTO_OK)
            rc = cb(ctx, gid, v, n);
        sc_free_secret(v, n);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Blind index of "sender.device.dist" (the row key). */
static int sk_key(struct sc_store *s, char kid[SC_INDEX_HEX + 1], const char *sender,
                  uint32_t device, const uint8_t dist[16])
{
    char name[SC_NAME_MAX + 1 + 10 + 1 + 32 + 1], dh[33];
    if (sender == NULL || !sc_name_valid(sender))
        return SOTTO_ERR_INVALID_ARGUMENT;
    sc_hex_encode(dh, dist, 16);
    snprintf(name, sizeof name, "%s.%" PRIu32 ".%s", sender, device, dh);
    return sc_index(s, kid, "skey", name);
}

int sc_store_sender_key_put(struct sc_store *s, const char *sender, uint32_t device,
                            const uint8_t dist[16], const uint8_t *rec, size_t len)
{
    char kid[SC_INDEX_HEX + 1];
    sqlite3_stmt *st;
    int rc = sk_key(s, kid, sender, device, dist);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "INSERT OR REPLACE INTO sender_keys(kid, record) VALUES(?, ?)", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, kid, -1, SQLITE_TRANSIENT);
    rc = sc_bind_sealed(s, st, 2, "sender_keys", "record", kid, rec, len);
    if (rc != SOTTO_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    return sc_step_done(st);
}

int sc_store_sender_key_get(struct sc_store *s, uint8_t **rec, size_t *len, const char *sender,
                            uint32_t device, const uint8_t dist[16])
{
    char kid[SC_INDEX_HEX + 1];
    sqlite3_stmt *st;
    int rc;
    *rec = NULL;
    *len = 0;
    rc = sk_key(s, kid, sender, device, dist);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "SELECT record FROM sender_keys WHERE kid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, kid, -1, SQLITE_TRANSIENT);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = sc_column_unseal(s, rec, len, st, 0, "sender_keys", "record", kid);
    sqlite3_finalize(st);
    return rc;
}

int sc_store_sender_key_delete(struct sc_store *s, const char *sender, uint32_t device,
                               const uint8_t dist[16])
{
    char kid[SC_INDEX_HEX + 1];
    sqlite3_stmt *st;
    int rc = sk_key(s, kid, sender, device, dist);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "DELETE FROM sender_keys WHERE kid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, kid, -1, SQLITE_TRANSIENT);
    return sc_step_done(st);
}
