/* SQLite backend: accounts, devices and the hash-chained change log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sdlimits.h"
#include "store/sqlite_internal.h"

/* ---- change log: idx, hash = SHA-256(prev || idx || kind || account || payload) ---- */

static int log_append(struct sq_store *q, struct sd_log_entry *log, int64_t account_id, int kind,
                      const struct sd_blob *devlist, const struct sd_blob *sig, uint64_t now)
{
    sqlite3_stmt *s = sq_get(q, SQ_LOG_LAST);
    uint8_t prev[32] = {0};
    uint64_t idx = 1;
    size_t plen = devlist->len + sig->len;
    uint8_t *payload = malloc(plen + 1);
    int rc;

    if (payload == NULL) {
        return SD_ST_ERROR;
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        idx = (uint64_t)sqlite3_column_int64(s, 0) + 1;
        sq_col_fixed(prev, 32, s, 1);
    }
    sqlite3_reset(s);
    memcpy(payload, devlist->p, devlist->len);
    memcpy(payload + devlist->len, sig->p, sig->len);
    if (sd_log_hash(log->hash, prev, idx, kind, account_id, payload, plen) != 0) {
        free(payload);
        return SD_ST_ERROR;
    }
    log->index = idx;
    s = sq_get(q, SQ_LOG_INSERT);
    sqlite3_bind_int64(s, 1, (int64_t)idx);
    sqlite3_bind_int64(s, 2, (int64_t)now);
    sqlite3_bind_int64(s, 3, account_id);
    sqlite3_bind_int(s, 4, kind);
    sqlite3_bind_blob(s, 5, payload, (int)plen, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, prev, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 7, log->hash, 32, SQLITE_STATIC);
    rc = sq_run(q, s);
    free(payload);
    return rc;
}

/* One row of the chain check: 0 if the row follows prev. */
static int verify_row(sqlite3_stmt *s, uint8_t prev[32], uint64_t want_idx)
{
    uint8_t h[32];
    uint64_t idx = (uint64_t)sqlite3_column_int64(s, 0);

    if (idx != want_idx || sqlite3_column_bytes(s, 4) != 32 ||
        memcmp(sqlite3_column_blob(s, 4), prev, 32) != 0 ||
        sd_log_hash(h, prev, idx, sqlite3_column_int(s, 1), sqlite3_column_int64(s, 2),
                    sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3)) != 0 ||
        sqlite3_column_bytes(s, 5) != 32 || memcmp(sqlite3_column_blob(s, 5), h, 32) != 0) {
        return -1;
    }
    memcpy(prev, h, 32);
    return 0;
}

int sq_log_verify(struct sq_store *q, sd_row_cb cb, void *arg)
{
    sqlite3_stmt *s = sq_get(q, SQ_LOG_ALL);
    uint8_t prev[32] = {0};
    uint64_t n = 0;
    char line[160], hex[65];
    int rc, bad = 0;

    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (verify_row(s, prev, n + 1) != 0) {
            bad = 1;
            break;
        }
        n++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return sq_fail(q, "log_verify");
    }
    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", prev[i]);
    }
    if (bad) {
        snprintf(line, sizeof(line), "broken index=%llu (entries before it verify)",
                 (unsigned long long)n + 1);
    } else {
        snprintf(line, sizeof(line), "ok entries=%llu head=%s", (unsigned long long)n, hex);
    }
    cb(arg, line);
    return bad ? SD_ST_ERROR : SD_ST_OK;
}

static int devices_insert(struct sq_store *q, int64_t account_id, const struct sd_device *devs,
                          size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *s = sq_get(q, SQ_DEVICE_INSERT);
        int rc;
        sqlite3_bind_int64(s, 1, account_id);
        sqlite3_bind_int(s, 2, (int)devs[i].device_id);
        sqlite3_bind_blob(s, 3, devs[i].identity_key, 33, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, (int)devs[i].registration_id);
        rc = sq_run(q, s);
        if (rc != SD_ST_OK) {
            return rc;
        }
    }
    return SD_ST_OK;
}

int sq_account_create(struct sd_store *st, int64_t *id, const char *username,
                      const char *username_key, const uint8_t account_key[33],
                      const struct sd_blob *devlist, const struct sd_blob *sig, uint64_t version,
                      const struct sd_device *devs, size_t n, uint64_t now,
                      struct sd_log_entry *log, struct sd_kt_batch *kt)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s;
    int rc;

    *id = 0;
    if (sq_exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    s = sq_get(q, SQ_ACCOUNT_INSERT);
    sqlite3_bind_text(s, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, username_key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, account_key, 33, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, devlist->p, (int)devlist->len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, sig->p, (int)sig->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, (int64_t)version);
    sqlite3_bind_int64(s, 7, (int64_t)now);
    rc = sq_run(q, s);
    if (rc == SD_ST_OK) {
        *id = sqlite3_last_insert_rowid(q->db);
        rc = devices_insert(q, *id, devs, n);
    }
    if (rc == SD_ST_OK) {
        rc = log_append(q, log, *id, 1, devlist, sig, now);
    }
    if (rc == SD_ST_OK) {
        rc = sq_kt_append(q, *id, kt, now, 1);
    }
    return sq_finish(q, rc);
}

static int account_row(struct sq_store *q, struct sd_account *a, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    memset(a, 0, sizeof(*a));
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return SD_ST_NOT_FOUND;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return sq_fail(q, "account_get");
    }
    a->id = sqlite3_column_int64(s, 0);
    snprintf(a->username, sizeof(a->username), "%s", (const char *)sqlite3_column_text(s, 1));
    sq_col_fixed(a->account_key, 33, s, 2);
    rc = sq_col_blob(&a->devlist, s, 3) | sq_col_blob(&a->devlist_sig, s, 4);
    a->devlist_version = (uint64_t)sqlite3_column_int64(s, 5);
    a->log_index = (uint64_t)sqlite3_column_int64(s, 6);
    sq_col_fixed(a->log_hash, 32, s, 7);
    sqlite3_reset(s);
    if (rc != 0) {
        sd_account_free(a);
        return SD_ST_ERROR;
    }
    return SD_ST_OK;
}

int sq_account_get(struct sd_store *st, struct sd_account *out, const char *username_key)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_ACCOUNT_GET);
    sqlite3_bind_text(s, 1, username_key, -1, SQLITE_STATIC);
    return account_row(q, out, s);
}

int sq_account_by_id(struct sd_store *st, struct sd_account *out, int64_t id)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_ACCOUNT_BY_ID);
    sqlite3_bind_int64(s, 1, id);
    return account_row(q, out, s);
}

int sq_device_by_key(struct sd_store *st, int64_t *account_id, uint32_t *device_id,
                     const uint8_t identity_key[33])
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_DEVICE_BY_KEY);
    int rc;

    *account_id = 0;
    *device_id = 0;
    sqlite3_bind_blob(s, 1, identity_key, 33, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *account_id = sqlite3_column_int64(s, 0);
        *device_id = (uint32_t)sqlite3_column_int(s, 1);
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW) {
        return SD_ST_OK;
    }
    return rc == SQLITE_DONE ? SD_ST_NOT_FOUND : sq_fail(q, "device_by_key");
}

/* Removes prekeys and queued envelopes of devices that left the list or
 * came back under the same id with another identity key: their keys and
 * ciphertexts belong to a device that no longer exists. */
static int drop_removed(struct sq_store *q, int64_t account_id, const struct sd_device *old,
                        size_t nold, const struct sd_device *devs, size_t n)
{
    static const enum sq_stmt drops[] = {SQ_DROP_SIGNED, SQ_DROP_ONETIME, SQ_DROP_KYBER,
                                         SQ_DROP_ENVELOPES};
    for (size_t k = 0; k < nold; k++) {
        if (sd_device_listed(devs, n, &old[k])) {
            continue;
        }
        for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
            sqlite3_stmt *s = sq_get(q, drops[i]);
            int rc;
            sqlite3_bind_int64(s, 1, account_id);
            sqlite3_bind_int(s, 2, (int)old[k].device_id);
            rc = sq_run(q, s);
            if (rc != SD_ST_OK) {
                return rc;
            }
        }
    }
    return SD_ST_OK;
}

int sq_devices_set(struct sd_store *st, int64_t account_id, const struct sd_blob *devlist,
                   const struct sd_blob *sig, uint64_t version, const struct sd_device *devs,
                   size_t n, uint64_t now, struct sd_log_entry *log, struct sd_kt_batch *kt)
{
    struct sq_store *q = sq(st);
    struct sd_device old[SD_DEVICES_MAX];
    size_t nold = 0;
    sqlite3_stmt *s;
    int rc;

    if (sq_exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    if (sq_devices_get(st, old, SD_DEVICES_MAX, &nold, account_id) != SD_ST_OK) {
        return sq_finish(q, SD_ST_ERROR);
    }
    /* the version check and the update are one statement: no lost update */
    s = sq_get(q, SQ_DEVLIST_UPDATE);
    sqlite3_bind_blob(s, 1, devlist->p, (int)devlist->len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, sig->p, (int)sig->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (int64_t)version);
    sqlite3_bind_int64(s, 4, account_id);
    rc = sq_run(q, s);
    if (rc == SD_ST_OK && sqlite3_changes(q->db) != 1) {
        rc = SD_ST_STALE;
    }
    if (rc == SD_ST_OK) {
        s = sq_get(q, SQ_DEVICES_DELETE);
        sqlite3_bind_int64(s, 1, account_id);
        rc = sq_run(q, s);
    }
    if (rc == SD_ST_OK) {
        rc = devices_insert(q, account_id, devs, n);
    }
    if (rc == SD_ST_OK) {
        rc = drop_removed(q, account_id, old, nold, devs, n);
    }
    if (rc == SD_ST_OK) {
        rc = log_append(q, log, account_id, 2, devlist, sig, now);
    }
    if (rc == SD_ST_OK) {
        rc = sq_kt_append(q, account_id, kt, now, 0);
    }
    return sq_finish(q, rc);
}

int sq_devices_get(struct sd_store *st, struct sd_device *out, size_t max, size_t *n,
                   int64_t account_id)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_DEVICES_GET);
    int rc;

    *n = 0;
    sqlite3_bind_int64(s, 1, account_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
        out[*n].device_id = (uint32_t)sqlite3_column_int(s, 0);
        sq_col_fixed(out[*n].identity_key, 33, s, 1);
        out[*n].registration_id = (uint32_t)sqlite3_column_int(s, 2);
        (*n)++;
    }
    sqlite3_reset(s);
    return (rc == SQLITE_DONE || rc == SQLITE_ROW) ? SD_ST_OK : sq_fail(q, "devices_get");
}
