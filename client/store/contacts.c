/*
 * Contacts (trust state, identity key, blocked) and their device lists.
 * Rows are keyed by the blind index of the name; name and keys are sealed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "internal.h"

/* Fills c from a row (pid, name, identity_key, trust, blocked, changed). */
static int read_row(struct sc_store *s, struct sc_contact *c, sqlite3_stmt *st)
{
    const char *pid = (const char *)sqlite3_column_text(st, 0);
    uint8_t *v = NULL;
    size_t n;
    int rc;

    memset(c, 0, sizeof *c);
    rc = sc_column_unseal(s, &v, &n, st, 1, "contacts", "name", pid);
    if (rc != SOTTO_OK)
        return rc;
    if (n > SC_NAME_MAX) {
        free(v);
        return SOTTO_ERR_STORE;
    }
    memcpy(c->name, v, n + 1);
    free(v);
    if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
        rc = sc_column_unseal(s, &v, &n, st, 2, "contacts", "identity_key", pid);
        if (rc != SOTTO_OK)
            return rc;
        if (n == SC_IDKEY_BYTES) {
            memcpy(c->identity_key, v, n);
            c->has_key = 1;
        }
        free(v);
    }
    c->trust = sqlite3_column_int(st, 3);
    c->blocked = sqlite3_column_int(st, 4);
    c->key_changed_at = sqlite3_column_int64(st, 5);
    c->timer_s = (uint32_t)sqlite3_column_int64(st, 6);
    return SOTTO_OK;
}

#define CONTACT_COLS "pid, name, identity_key, trust, blocked, key_changed_at, timer"

int sc_store_contact_get(struct sc_store *s, struct sc_contact *c, const char *name)
{
    char pid[SC_INDEX_HEX + 1];
    sqlite3_stmt *st;
    int rc;

    memset(c, 0, sizeof *c);
    rc = sc_index(s, pid, "peer", name);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "SELECT " CONTACT_COLS " FROM contacts WHERE pid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = read_row(s, c, st);
    sqlite3_finalize(st);
    return rc;
}

int sc_store_contact_put(struct sc_store *s, const struct sc_contact *c)
{
    char pid[SC_INDEX_HEX + 1];
    sqlite3_stmt *st;
    int rc;

    if (!sc_name_valid(c->name))
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = sc_index(s, pid, "peer", c->name);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st,
                    "INSERT OR REPLACE INTO contacts(" CONTACT_COLS ") VALUES(?,?,?,?,?,?,?)", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
    rc = sc_bind_sealed(s, st, 2, "contacts", "name", pid, (const uint8_t *)c->name,
                        strlen(c->name));
    if (rc == SOTTO_OK && c->has_key)
        rc = sc_bind_sealed(s, st, 3, "contacts", "identity_key", pid, c->identity_key,
                            SC_IDKEY_BYTES);
    if (rc != SOTTO_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_bind_int(st, 4, c->trust);
    sqlite3_bind_int(st, 5, c->blocked);
    sqlite3_bind_int64(st, 6, c->key_changed_at);
    sqlite3_bind_int64(st, 7, c->timer_s);
    return sc_step_done(st);
}

static int cmp_contact(const void *a, const void *b)
{
    return strcmp(((const struct sc_contact *)a)->name, ((const struct sc_contact *)b)->name);
}

int sc_store_contact_list(struct sc_store *s, sc_contact_cb *cb, void *ctx)
{
    struct sc_contact *all = NULL, *grown;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st, "SELECT " CONTACT_COLS " FROM contacts", 1);
    if (rc != SOTTO_OK)
        return rc;
    /* Names are sealed, so sorting happens here after opening them. */
    while (rc == SOTTO_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            grown = realloc(all, cap * sizeof *all);
            if (grown == NULL) {
                rc = SOTTO_ERR_NOMEM;
                break;
            }
            all = grown;
        }
        rc = read_row(s, &all[n], st);
        if (rc == SOTTO_OK)
            n++;
    }
    sqlite3_finalize(st);
    if (rc == SOTTO_OK && n > 0) {
        qsort(all, n, sizeof *all, cmp_contact);
        for (size_t i = 0; i < n && rc == SOTTO_OK; i++)
            rc = cb(ctx, &all[i]);
    }
    free(all);
    return rc;
}

int sc_store_contact_observe_key(struct sc_store *s, int *changed, const char *name,
                                 const uint8_t key[SC_IDKEY_BYTES], int64_t now)
{
    struct sc_contact c;
    int rc = sc_store_contact_get(s, &c, name);

    *changed = 0;
    if (rc == SOTTO_ERR_NOT_FOUND) {
        memset(&c, 0, sizeof c);
        if (strlen(name) > SC_NAME_MAX)
            return SOTTO_ERR_INVALID_ARGUMENT;
        memcpy(c.name, name, strlen(name) + 1);
    } else if (rc != SOTTO_OK) {
        return rc;
    }
    if (c.has_key && st_ct_equal(c.identity_key, key, SC_IDKEY_BYTES))
        return SOTTO_OK;
    if (c.has_key) {
        *changed = 1;
        c.key_changed_at = now;
        if (c.trust == SC_TRUST_VERIFIED)
            c.trust = SC_TRUST_CHANGED;
    }
    memcpy(c.identity_key, key, SC_IDKEY_BYTES);
    c.has_key = 1;
    return sc_store_contact_put(s, &c);
}

int sc_store_devices_set(struct sc_store *s, const char *name, const struct sc_device *d, size_t n)
{
    char pid[SC_INDEX_HEX + 1], rowkey[64];
    sqlite3_stmt *st;
    int rc = sc_index(s, pid, "peer", name);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st, "DELETE FROM devices WHERE pid = ?", 1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
    rc = sc_step_done(st);
    for (size_t i = 0; i < n && rc == SOTTO_OK; i++) {
        rc = sc_prepare(s, &st,
                        "INSERT INTO devices(pid, device, registration_id, identity_key)"
                        " VALUES(?,?,?,?)",
                        1);
        if (rc != SOTTO_OK)
            break;
        snprintf(rowkey, sizeof rowkey, "%s.%" PRIu32, pid, d[i].id);
        sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, d[i].id);
        sqlite3_bind_int64(st, 3, d[i].registration_id);
        rc = sc_bind_sealed(s, st, 4, "devices", "identity_key", rowkey, d[i].identity_key,
                            SC_IDKEY_BYTES);
        if (rc != SOTTO_OK) {
            sqlite3_finalize(st);
            break;
        }
        rc = sc_step_done(st);
    }
    return rc;
}

int sc_store_devices_get(struct sc_store *s, struct sc_device *d, size_t cap, size_t *n,
                         const char *name)
{
    char pid[SC_INDEX_HEX + 1], rowkey[64];
    sqlite3_stmt *st;
    uint8_t *v;
    size_t vlen;
    int rc;

    *n = 0;
    rc = sc_index(s, pid, "peer", name);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_prepare(s, &st,
                    "SELECT device, registration_id, identity_key FROM devices WHERE pid = ?"
                    " ORDER BY device",
                    1);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
    while (rc == SOTTO_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (*n < cap) {
            struct sc_device *e = &d[*n];
            e->id = (uint32_t)sqlite3_column_int64(st, 0);
            e->registration_id = (uint32_t)sqlite3_column_int64(st, 1);
            snprintf(rowkey, sizeof rowkey, "%s.%" PRIu32, pid, e->id);
            rc = sc_column_unseal(s, &v, &vlen, st, 2, "devices", "identity_key", rowkey);
            if (rc != SOTTO_OK)
                break;
            if (vlen == SC_IDKEY_BYTES)
                memcpy(e->identity_key, v, SC_IDKEY_BYTES);
            else
                rc = SOTTO_ERR_STORE;
            free(v);
        }
        (*n)++;
    }
    sqlite3_finalize(st);
    return rc;
}
