/*
 * SQLite backend of store.h: WAL journal, synchronous=FULL (a commit is on
 * disk before it returns), every statement prepared once at open, schema
 * migrations from schema.h recorded in schema_version.
 *
 * The server runs one loop thread per store handle, so statements never run
 * concurrently on one handle; transactions still make every multi-step change
 * atomic against crashes and against other processes (sottod admin).
 */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sdlimits.h"
#include "log.h"
#include "store/schema.h"
#include "store/sqlite_sql.h"

struct sq_store {
    struct sd_store base;
    sqlite3 *db;
    sqlite3_stmt *st[SQ__COUNT];
};

static struct sq_store *sq(struct sd_store *s)
{
    return (struct sq_store *)s;
}

static int fail(struct sq_store *q, const char *what)
{
    sd_log(SD_LOG_ERROR, "store failure", "op=%s err=\"%s\"", what, sqlite3_errmsg(q->db));
    return SD_ST_ERROR;
}

/* Resets and clears bindings so a statement can be reused. */
static sqlite3_stmt *stmt(struct sq_store *q, enum sq_stmt i)
{
    sqlite3_reset(q->st[i]);
    sqlite3_clear_bindings(q->st[i]);
    return q->st[i];
}

static int exec(struct sq_store *q, const char *sql)
{
    if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        return fail(q, sql);
    }
    return SD_ST_OK;
}

/* Runs a statement that returns no rows (or ignores them). */
static int run(struct sq_store *q, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_CONSTRAINT) {
        sqlite3_reset(s);
        return SD_ST_CONFLICT;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return fail(q, sqlite3_sql(s));
    }
    sqlite3_reset(s);
    return SD_ST_OK;
}

static int col_blob(struct sd_blob *b, sqlite3_stmt *s, int i)
{
    return sd_blob_set(b, sqlite3_column_blob(s, i), (size_t)sqlite3_column_bytes(s, i));
}

static void col_fixed(uint8_t *out, size_t n, sqlite3_stmt *s, int i)
{
    memset(out, 0, n);
    if ((size_t)sqlite3_column_bytes(s, i) == n) {
        memcpy(out, sqlite3_column_blob(s, i), n);
    }
}

/* ---- open, migrate, close ---- */

static int migrate(struct sq_store *q)
{
    sqlite3_stmt *s = NULL;
    int64_t have = 0;
    int rc = exec(q, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);");

    if (rc != SD_ST_OK) {
        return rc;
    }
    if (sqlite3_prepare_v2(q->db, "SELECT max(version) FROM schema_version", -1, &s, NULL) !=
        SQLITE_OK) {
        return fail(q, "schema_version");
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        have = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    for (size_t v = (size_t)have; v < SD_MIGRATIONS_N; v++) {
        char ins[80];
        snprintf(ins, sizeof(ins), "INSERT INTO schema_version VALUES(%zu);", v + 1);
        if (exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
            return SD_ST_ERROR;
        }
        if (exec(q, sd_migrations[v]) != SD_ST_OK || exec(q, ins) != SD_ST_OK) {
            exec(q, "ROLLBACK");
            return SD_ST_ERROR;
        }
        if (exec(q, "COMMIT") != SD_ST_OK) {
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

static const struct sd_store_ops sq_ops;

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
    if (!readonly && (exec(q, "PRAGMA journal_mode=WAL") != SD_ST_OK ||
                      exec(q, "PRAGMA synchronous=FULL") != SD_ST_OK || migrate(q) != SD_ST_OK)) {
        goto err;
    }
    exec(q, "PRAGMA foreign_keys=ON");
    for (int i = 0; i < SQ__COUNT; i++) {
        if (sqlite3_prepare_v3(q->db, sq_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i], NULL) !=
            SQLITE_OK) {
            fail(q, sq_sql[i]);
            goto err;
        }
    }
    *out = &q->base;
    return SD_ST_OK;
err:
    sq_close(&q->base);
    return SD_ST_ERROR;
}

/* ---- change log: idx, hash = SHA-256(prev || idx || kind || account || payload) ---- */

static int log_append(struct sq_store *q, struct sd_log_entry *log, int64_t account_id, int kind,
                      const struct sd_blob *devlist, const struct sd_blob *sig, uint64_t now)
{
    sqlite3_stmt *s = stmt(q, SQ_LOG_LAST);
    uint8_t prev[32] = {0}, hdr[17];
    uint64_t idx = 1;
    size_t plen = devlist->len + sig->len;
    uint8_t *buf = malloc(32 + sizeof(hdr) + plen);
    int rc;

    if (buf == NULL) {
        return SD_ST_ERROR;
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        idx = (uint64_t)sqlite3_column_int64(s, 0) + 1;
        col_fixed(prev, 32, s, 1);
    }
    sqlite3_reset(s);
    for (int i = 0; i < 8; i++) {
        hdr[i] = (uint8_t)(idx >> (56 - 8 * i));
        hdr[9 + i] = (uint8_t)((uint64_t)account_id >> (56 - 8 * i));
    }
    hdr[8] = (uint8_t)kind;
    memcpy(buf, prev, 32);
    memcpy(buf + 32, hdr, sizeof(hdr));
    memcpy(buf + 32 + sizeof(hdr), devlist->p, devlist->len);
    memcpy(buf + 32 + sizeof(hdr) + devlist->len, sig->p, sig->len);
    st_sha256(log->hash, buf, 32 + sizeof(hdr) + plen);
    log->index = idx;
    s = stmt(q, SQ_LOG_INSERT);
    sqlite3_bind_int64(s, 1, (int64_t)idx);
    sqlite3_bind_int64(s, 2, (int64_t)now);
    sqlite3_bind_int64(s, 3, account_id);
    sqlite3_bind_int(s, 4, kind);
    sqlite3_bind_blob(s, 5, buf + 32 + sizeof(hdr), (int)plen, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, prev, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 7, log->hash, 32, SQLITE_STATIC);
    rc = run(q, s);
    free(buf);
    return rc;
}

static int devices_insert(struct sq_store *q, int64_t account_id, const struct sd_device *devs,
                          size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *s = stmt(q, SQ_DEVICE_INSERT);
        int rc;
        sqlite3_bind_int64(s, 1, account_id);
        sqlite3_bind_int(s, 2, (int)devs[i].device_id);
        sqlite3_bind_blob(s, 3, devs[i].identity_key, 33, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, (int)devs[i].registration_id);
        rc = run(q, s);
        if (rc != SD_ST_OK) {
            return rc;
        }
    }
    return SD_ST_OK;
}

static int finish(struct sq_store *q, int rc)
{
    if (rc == SD_ST_OK && exec(q, "COMMIT") == SD_ST_OK) {
        return SD_ST_OK;
    }
    exec(q, "ROLLBACK");
    return rc == SD_ST_OK ? SD_ST_ERROR : rc;
}

static int sq_account_create(struct sd_store *st, int64_t *id, const char *username,
                             const char *username_key, const uint8_t account_key[33],
                             const struct sd_blob *devlist, const struct sd_blob *sig,
                             uint64_t version, const struct sd_device *devs, size_t n, uint64_t now,
                             struct sd_log_entry *log)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s;
    int rc;

    *id = 0;
    if (exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    s = stmt(q, SQ_ACCOUNT_INSERT);
    sqlite3_bind_text(s, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, username_key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, account_key, 33, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, devlist->p, (int)devlist->len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, sig->p, (int)sig->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, (int64_t)version);
    sqlite3_bind_int64(s, 7, (int64_t)now);
    rc = run(q, s);
    if (rc == SD_ST_OK) {
        *id = sqlite3_last_insert_rowid(q->db);
        rc = devices_insert(q, *id, devs, n);
    }
    if (rc == SD_ST_OK) {
        rc = log_append(q, log, *id, 1, devlist, sig, now);
    }
    return finish(q, rc);
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
        return fail(q, "account_get");
    }
    a->id = sqlite3_column_int64(s, 0);
    snprintf(a->username, sizeof(a->username), "%s", (const char *)sqlite3_column_text(s, 1));
    col_fixed(a->account_key, 33, s, 2);
    rc = col_blob(&a->devlist, s, 3) | col_blob(&a->devlist_sig, s, 4);
    a->devlist_version = (uint64_t)sqlite3_column_int64(s, 5);
    a->log_index = (uint64_t)sqlite3_column_int64(s, 6);
    col_fixed(a->log_hash, 32, s, 7);
    sqlite3_reset(s);
    if (rc != 0) {
        sd_account_free(a);
        return SD_ST_ERROR;
    }
    return SD_ST_OK;
}

static int sq_account_get(struct sd_store *st, struct sd_account *out, const char *username_key)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = stmt(q, SQ_ACCOUNT_GET);
    sqlite3_bind_text(s, 1, username_key, -1, SQLITE_STATIC);
    return account_row(q, out, s);
}

static int sq_account_by_id(struct sd_store *st, struct sd_account *out, int64_t id)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = stmt(q, SQ_ACCOUNT_BY_ID);
    sqlite3_bind_int64(s, 1, id);
    return account_row(q, out, s);
}

static int sq_device_by_key(struct sd_store *st, int64_t *account_id, uint32_t *device_id,
                            const uint8_t identity_key[33])
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = stmt(q, SQ_DEVICE_BY_KEY);
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
    return rc == SQLITE_DONE ? SD_ST_NOT_FOUND : fail(q, "device_by_key");
}

static int listed(const struct sd_device *devs, size_t n, const struct sd_device *d)
{
    for (size_t i = 0; i < n; i++) {
        if (devs[i].device_id == d->device_id &&
            memcmp(devs[i].identity_key, d->identity_key, 33) == 0) {
            return 1;
        }
    }
    return 0;
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
        if (listed(devs, n, &old[k])) {
            continue;
        }
        for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
            sqlite3_stmt *s = stmt(q, drops[i]);
            int rc;
            sqlite3_bind_int64(s, 1, account_id);
            sqlite3_bind_int(s, 2, (int)old[k].device_id);
            rc = run(q, s);
            if (rc != SD_ST_OK) {
                return rc;
            }
        }
    }
    return SD_ST_OK;
}

static int sq_devices_get(struct sd_store *st, struct sd_device *out, size_t max, size_t *n,
                          int64_t account_id);

static int sq_devices_set(struct sd_store *st, int64_t account_id, const struct sd_blob *devlist,
                          const struct sd_blob *sig, uint64_t version, const struct sd_device *devs,
                          size_t n, uint64_t now, struct sd_log_entry *log)
{
    struct sq_store *q = sq(st);
    struct sd_device old[SD_DEVICES_MAX];
    size_t nold = 0;
    sqlite3_stmt *s;
    int rc;

    if (exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    if (sq_devices_get(st, old, SD_DEVICES_MAX, &nold, account_id) != SD_ST_OK) {
        return finish(q, SD_ST_ERROR);
    }
    /* the version check and the update are one statement: no lost update */
    s = stmt(q, SQ_DEVLIST_UPDATE);
    sqlite3_bind_blob(s, 1, devlist->p, (int)devlist->len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, sig->p, (int)sig->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (int64_t)version);
    sqlite3_bind_int64(s, 4, account_id);
    rc = run(q, s);
    if (rc == SD_ST_OK && sqlite3_changes(q->db) != 1) {
        rc = SD_ST_STALE;
    }
    if (rc == SD_ST_OK) {
        s = stmt(q, SQ_DEVICES_DELETE);
        sqlite3_bind_int64(s, 1, account_id);
        rc = run(q, s);
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
    return finish(q, rc);
}

static int sq_devices_get(struct sd_store *st, struct sd_device *out, size_t max, size_t *n,
                          int64_t account_id)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = stmt(q, SQ_DEVICES_GET);
    int rc;

    *n = 0;
    sqlite3_bind_int64(s, 1, account_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
        out[*n].device_id = (uint32_t)sqlite3_column_int(s, 0);
        col_fixed(out[*n].identity_key, 33, s, 1);
        out[*n].registration_id = (uint32_t)sqlite3_column_int(s, 2);
        (*n)++;
    }
    sqlite3_reset(s);
    return (rc == SQLITE_DONE || rc == SQLITE_ROW) ? SD_ST_OK : fail(q, "devices_get");
}

/* ---- prekeys ---- */

static int put_key(struct sq_store *q, enum sq_stmt i, int64_t account_id, uint32_t device_id,
                   const struct sd_prekey *k, int last_resort)
{
    sqlite3_stmt *s = stmt(q, i);
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_int(s, 2, (int)device_id);
    sqlite3_bind_int64(s, 3, k->key_id);
    sqlite3_bind_blob(s, 4, k->pub.p, (int)k->pub.len, SQLITE_STATIC);
    if (i != SQ_ONETIME_PUT) {
        sqlite3_bind_blob(s, 5, k->sig.p, (int)k->sig.len, SQLITE_STATIC);
    }
    if (i == SQ_KYBER_PUT) {
        sqlite3_bind_int(s, 6, last_resort);
    }
    return run(q, s);
}

static int sq_keys_count(struct sd_store *st, struct sd_key_counts *out, int64_t account_id,
                         uint32_t device_id)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = stmt(q, SQ_KEY_COUNTS);
    int rc;

    memset(out, 0, sizeof(*out));
    for (int i = 1; i <= 4; i++) {
        sqlite3_bind_int64(s, 2 * i - 1, account_id);
        sqlite3_bind_int(s, 2 * i, (int)device_id);
    }
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->one_time = (uint32_t)sqlite3_column_int(s, 0);
        out->kyber = (uint32_t)sqlite3_column_int(s, 1);
        out->has_signed = sqlite3_column_int(s, 2) > 0;
        out->has_last_resort = sqlite3_column_int(s, 3) > 0;
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SD_ST_OK : fail(q, "keys_count");
}

static int keys_put_all(struct sq_store *q, int64_t a, uint32_t d, const struct sd_keys_upload *up)
{
    int rc = SD_ST_OK;

    if (up->signed_prekey != NULL) {
        rc = put_key(q, SQ_SIGNED_PUT, a, d, up->signed_prekey, 0);
    }
    for (size_t i = 0; rc == SD_ST_OK && i < up->n_one_time; i++) {
        rc = put_key(q, SQ_ONETIME_PUT, a, d, &up->one_time[i], 0);
    }
    for (size_t i = 0; rc == SD_ST_OK && i < up->n_kyber; i++) {
        rc = put_key(q, SQ_KYBER_PUT, a, d, &up->kyber[i], 0);
    }
    if (rc == SD_ST_OK && up->last_resort != NULL) {
        sqlite3_stmt *s = stmt(q, SQ_LAST_RESORT_CLEAR);
        sqlite3_bind_int64(s, 1, a);
        sqlite3_bind_int(s, 2, (int)d);
        rc = run(q, s);
        if (rc == SD_ST_OK) {
            rc = put_key(q, SQ_KYBER_PUT, a, d, up->last_resort, 1);
        }
    }
    return rc;
}

static int sq_keys_put(struct sd_store *st, int64_t account_id, uint32_t device_id,
                       const struct sd_keys_upload *up)
{
    struct sq_store *q = sq(st);
    struct sd_key_counts c;
    int rc;

    if (exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    rc = keys_put_all(q, account_id, device_id, up);
    if (rc == SD_ST_OK) {
        rc = sq_keys_count(st, &c, account_id, device_id);
    }
    if (rc == SD_ST_OK && (c.one_time > SD_PREKEY_STORE_MAX || c.kyber > SD_PREKEY_STORE_MAX)) {
        rc = SD_ST_FULL;
    }
    return finish(q, rc);
}

static int take_key(struct sq_store *q, struct sd_prekey *k, int *has, enum sq_stmt i,
                    int64_t account_id, uint32_t device_id)
{
    sqlite3_stmt *s = stmt(q, i);
    int rc, err = 0;

    *has = 0;
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_int(s, 2, (int)device_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *has = 1;
        k->key_id = (uint32_t)sqlite3_column_int64(s, 0);
        err |= col_blob(&k->pub, s, 1);
        if (sqlite3_column_count(s) > 2) {
            err |= col_blob(&k->sig, s, 2);
        }
        rc = sqlite3_step(s); /* run a DELETE ... RETURNING to completion */
    }
    sqlite3_reset(s);
    if (err != 0 || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
        return fail(q, "take_key");
    }
    return SD_ST_OK;
}

static int sq_bundle_take(struct sd_store *st, struct sd_bundle *out, int64_t account_id,
                          const struct sd_device *dev)
{
    struct sq_store *q = sq(st);
    uint32_t d = dev->device_id;
    int rc;

    memset(out, 0, sizeof(*out));
    out->dev = *dev;
    if (exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    rc = take_key(q, &out->signed_prekey, &out->has_signed, SQ_SIGNED_GET, account_id, d);
    if (rc == SD_ST_OK) {
        rc = take_key(q, &out->one_time, &out->has_one_time, SQ_ONETIME_TAKE, account_id, d);
    }
    if (rc == SD_ST_OK) {
        rc = take_key(q, &out->kyber, &out->has_kyber, SQ_KYBER_TAKE, account_id, d);
    }
    if (rc == SD_ST_OK && !out->has_kyber) {
        rc = take_key(q, &out->kyber, &out->has_kyber, SQ_LAST_RESORT_GET, account_id, d);
        out->kyber_last_resort = out->has_kyber;
    }
    if (rc == SD_ST_OK) {
        rc = sq_keys_count(st, &out->left, account_id, d);
    }
    rc = finish(q, rc);
    if (rc != SD_ST_OK) {
        sd_bundle_free(out);
    }
    return rc;
}

/* ---- envelopes ---- */

static int sq_batch_begin(struct sd_store *st)
{
    return exec(sq(st), "BEGIN IMMEDIATE");
}

static int sq_batch_commit(struct sd_store *st)
{
    struct sq_store *q = sq(st);
    if (exec(q, "COMMIT") != SD_ST_OK) {
        exec(q, "ROLLBACK");
        return SD_ST_ERROR;
    }
    return SD_ST_OK;
}

static void sq_batch_rollback(struct sd_store *st)
{
    exec(sq(st), "ROLLBACK");
}

static int put_one(struct sq_store *q, struct sd_envelope *e, uint32_t cap)
{
    sqlite3_stmt *s = stmt(q, SQ_QUEUE_DEPTH);
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
    s = stmt(q, SQ_ENVELOPE_PUT);
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
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        return fail(q, "envelope_put");
    }
    e->seq = sqlite3_changes(q->db) > 0 ? sqlite3_last_insert_rowid(q->db) : 0;
    return SD_ST_OK;
}

static int sq_envelopes_put(struct sd_store *st, struct sd_envelope *e, size_t n, uint32_t cap)
{
    struct sq_store *q = sq(st);
    int rc = run(q, stmt(q, SQ_SAVEPOINT));

    for (size_t i = 0; rc == SD_ST_OK && i < n; i++) {
        rc = put_one(q, &e[i], cap);
    }
    if (rc != SD_ST_OK) {
        run(q, stmt(q, SQ_ROLLBACK_TO));
    }
    run(q, stmt(q, SQ_RELEASE));
    return rc;
}

static int sq_envelopes_after(struct sd_store *st, int64_t account_id, uint32_t device_id,
                              int64_t after_seq, uint32_t limit, uint64_t now, sd_envelope_cb cb,
                              void *arg)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = stmt(q, SQ_ENVELOPES_AFTER);
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
        col_fixed(e.guid, 16, s, 1);
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
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SD_ST_OK : fail(q, "envelopes_after");
}

static int sq_envelope_delete(struct sd_store *st, int64_t account_id, uint32_t device_id,
                              const uint8_t guid[16], uint64_t tomb_expires)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = stmt(q, SQ_ENVELOPE_DELETE);
    int rc;

    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_int(s, 2, (int)device_id);
    sqlite3_bind_blob(s, 3, guid, 16, SQLITE_STATIC);
    rc = run(q, s);
    if (rc == SD_ST_OK && sqlite3_changes(q->db) == 0) {
        return SD_ST_NOT_FOUND;
    }
    if (rc == SD_ST_OK) {
        s = stmt(q, SQ_TOMBSTONE_PUT);
        sqlite3_bind_int64(s, 1, account_id);
        sqlite3_bind_int(s, 2, (int)device_id);
        sqlite3_bind_blob(s, 3, guid, 16, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, (int64_t)tomb_expires);
        rc = run(q, s);
    }
    return rc;
}

static int sq_expire(struct sd_store *st, uint64_t now, uint64_t *n_deleted)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = stmt(q, SQ_EXPIRE);
    int rc;

    sqlite3_bind_int64(s, 1, (int64_t)now);
    rc = run(q, s);
    *n_deleted = rc == SD_ST_OK ? (uint64_t)sqlite3_changes(q->db) : 0;
    if (rc == SD_ST_OK) {
        s = stmt(q, SQ_TOMBSTONE_EXPIRE);
        sqlite3_bind_int64(s, 1, (int64_t)now);
        rc = run(q, s);
    }
    return rc;
}

static int sq_stats(struct sd_store *st, uint64_t *accounts, uint64_t *devices, uint64_t *queued)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = stmt(q, SQ_STATS);
    int rc = sqlite3_step(s);

    *accounts = *devices = *queued = 0;
    if (rc == SQLITE_ROW) {
        *accounts = (uint64_t)sqlite3_column_int64(s, 0);
        *devices = (uint64_t)sqlite3_column_int64(s, 1);
        *queued = (uint64_t)sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? SD_ST_OK : fail(q, "stats");
}

static int sq_admin_list(struct sd_store *st, const char *what, const char *arg, sd_row_cb cb,
                         void *cbarg)
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
    } else {
        return SD_ST_NOT_FOUND;
    }
    s = stmt(q, i);
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
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SD_ST_OK : fail(q, "admin_list");
}

static const struct sd_store_ops sq_ops = {
    .close = sq_close,
    .account_create = sq_account_create,
    .account_get = sq_account_get,
    .account_by_id = sq_account_by_id,
    .device_by_key = sq_device_by_key,
    .devices_set = sq_devices_set,
    .devices_get = sq_devices_get,
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
