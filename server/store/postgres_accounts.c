/* PostgreSQL backend: accounts, devices and the hash-chained change log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdlimits.h"
#include "store/postgres_internal.h"

/* ---- change log (the chain as sd_log_hash; the caller holds LOCK_LOG) ---- */

static int log_append(struct pg_store *q, struct sd_log_entry *log, int64_t account_id, int kind,
                      const struct sd_blob *devlist, const struct sd_blob *sig, uint64_t now)
{
    struct pg_args a = {0};
    uint8_t prev[32] = {0};
    uint64_t idx = 1;
    size_t plen = devlist->len + sig->len;
    uint8_t *payload;
    PGresult *r = pg_run(q, PG_LOG_LAST, NULL, &(int){0});
    int rc;

    if (r == NULL) {
        return SD_ST_ERROR;
    }
    if (PQntuples(r) == 1) {
        idx = (uint64_t)pg_i64(r, 0, 0) + 1;
        pg_fixed(prev, 32, r, 0, 1);
    }
    PQclear(r);
    if ((payload = malloc(plen + 1)) == NULL) {
        return SD_ST_ERROR;
    }
    memcpy(payload, devlist->p, devlist->len);
    memcpy(payload + devlist->len, sig->p, sig->len);
    if (sd_log_hash(log->hash, prev, idx, kind, account_id, payload, plen) != 0) {
        free(payload);
        return SD_ST_ERROR;
    }
    log->index = idx;
    pa_i64(&a, (int64_t)idx);
    pa_i64(&a, (int64_t)now);
    pa_i64(&a, account_id);
    pa_i64(&a, kind);
    pa_blob(&a, payload, plen);
    pa_blob(&a, prev, 32);
    pa_blob(&a, log->hash, 32);
    rc = pg_do(q, PG_LOG_INSERT, &a, NULL);
    free(payload);
    return rc;
}

/* One row of the chain check: 0 if row i follows prev. */
static int verify_row(const PGresult *r, int i, uint8_t prev[32], uint64_t want_idx)
{
    uint8_t h[32];
    uint64_t idx = (uint64_t)pg_i64(r, i, 0);

    if (idx != want_idx || PQgetlength(r, i, 4) != 32 ||
        memcmp(PQgetvalue(r, i, 4), prev, 32) != 0 ||
        sd_log_hash(h, prev, idx, (int)pg_i64(r, i, 1), pg_i64(r, i, 2),
                    (const uint8_t *)PQgetvalue(r, i, 3), (size_t)PQgetlength(r, i, 3)) != 0 ||
        PQgetlength(r, i, 5) != 32 || memcmp(PQgetvalue(r, i, 5), h, 32) != 0) {
        return -1;
    }
    memcpy(prev, h, 32);
    return 0;
}

int pg_log_verify(struct pg_store *q, sd_row_cb cb, void *arg)
{
    int rc;
    PGresult *r = pg_run(q, PG_LOG_ALL, NULL, &rc);
    uint8_t prev[32] = {0};
    uint64_t n = 0;
    char line[160], hex[65];
    int bad = 0;

    if (r == NULL) {
        return rc;
    }
    for (int i = 0; i < PQntuples(r) && !bad; i++) {
        bad = verify_row(r, i, prev, n + 1) != 0;
        n += !bad;
    }
    PQclear(r);
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

static int devices_insert(struct pg_store *q, int64_t account_id, const struct sd_device *devs,
                          size_t n)
{
    int rc = SD_ST_OK;

    for (size_t i = 0; rc == SD_ST_OK && i < n; i++) {
        struct pg_args a = {0};
        pa_i64(&a, account_id);
        pa_i64(&a, devs[i].device_id);
        pa_blob(&a, devs[i].identity_key, 33);
        pa_i64(&a, devs[i].registration_id);
        rc = pg_do(q, PG_DEVICE_INSERT, &a, NULL);
    }
    return rc;
}

static int account_insert(struct pg_store *q, int64_t *id, const char *username,
                          const char *username_key, const uint8_t account_key[33],
                          const struct sd_blob *devlist, const struct sd_blob *sig,
                          uint64_t version, uint64_t now)
{
    struct pg_args a = {0};
    PGresult *r;
    int rc;

    pa_text(&a, username);
    pa_text(&a, username_key);
    pa_blob(&a, account_key, 33);
    pa_blob(&a, devlist->p, devlist->len);
    pa_blob(&a, sig->p, sig->len);
    pa_i64(&a, (int64_t)version);
    pa_i64(&a, (int64_t)now);
    r = pg_run(q, PG_ACCOUNT_INSERT, &a, &rc);
    if (r != NULL && PQntuples(r) == 1) {
        *id = pg_i64(r, 0, 0);
    } else if (rc == SD_ST_OK) {
        rc = SD_ST_ERROR;
    }
    PQclear(r);
    return rc;
}

int pg_account_create(struct sd_store *st, int64_t *id, const char *username,
                      const char *username_key, const uint8_t account_key[33],
                      const struct sd_blob *devlist, const struct sd_blob *sig, uint64_t version,
                      const struct sd_device *devs, size_t n, uint64_t now,
                      struct sd_log_entry *log, struct sd_kt_batch *kt)
{
    struct pg_store *q = pg(st);
    int rc;

    *id = 0;
    if (pg_exec(q, "BEGIN") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    /* the logs' next index is max + 1: one appender at a time, all nodes */
    rc = pg_do(q, PG_LOCK_LOG, NULL, NULL);
    if (rc == SD_ST_OK) {
        rc = account_insert(q, id, username, username_key, account_key, devlist, sig, version, now);
    }
    if (rc == SD_ST_OK) {
        rc = devices_insert(q, *id, devs, n);
    }
    if (rc == SD_ST_OK) {
        rc = log_append(q, log, *id, 1, devlist, sig, now);
    }
    if (rc == SD_ST_OK) {
        rc = pg_kt_append(q, *id, kt, now, 1);
    }
    rc = pg_finish(q, rc);
    if (rc != SD_ST_OK) {
        *id = 0;
    }
    return rc;
}

static int account_row(struct pg_store *q, struct sd_account *a, enum pg_stmt i,
                       const struct pg_args *args)
{
    int rc;
    PGresult *r = pg_run(q, i, args, &rc);

    memset(a, 0, sizeof(*a));
    if (r == NULL) {
        return rc;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        return SD_ST_NOT_FOUND;
    }
    a->id = pg_i64(r, 0, 0);
    snprintf(a->username, sizeof(a->username), "%s", PQgetvalue(r, 0, 1));
    pg_fixed(a->account_key, 33, r, 0, 2);
    rc = pg_blob(&a->devlist, r, 0, 3) | pg_blob(&a->devlist_sig, r, 0, 4);
    a->devlist_version = (uint64_t)pg_i64(r, 0, 5);
    a->log_index = (uint64_t)pg_i64(r, 0, 6);
    pg_fixed(a->log_hash, 32, r, 0, 7);
    PQclear(r);
    if (rc != 0) {
        sd_account_free(a);
        return SD_ST_ERROR;
    }
    return SD_ST_OK;
}

int pg_account_get(struct sd_store *st, struct sd_account *out, const char *username_key)
{
    struct pg_args a = {0};
    pa_text(&a, username_key);
    return account_row(pg(st), out, PG_ACCOUNT_GET, &a);
}

int pg_account_by_id(struct sd_store *st, struct sd_account *out, int64_t id)
{
    struct pg_args a = {0};
    pa_i64(&a, id);
    return account_row(pg(st), out, PG_ACCOUNT_BY_ID, &a);
}

int pg_device_by_key(struct sd_store *st, int64_t *account_id, uint32_t *device_id,
                     const uint8_t identity_key[33])
{
    struct pg_args a = {0};
    PGresult *r;
    int rc;

    *account_id = 0;
    *device_id = 0;
    pa_blob(&a, identity_key, 33);
    r = pg_run(pg(st), PG_DEVICE_BY_KEY, &a, &rc);
    if (r == NULL) {
        return rc;
    }
    rc = SD_ST_NOT_FOUND;
    if (PQntuples(r) == 1) {
        *account_id = pg_i64(r, 0, 0);
        *device_id = (uint32_t)pg_i64(r, 0, 1);
        rc = SD_ST_OK;
    }
    PQclear(r);
    return rc;
}

/* Removes prekeys and queued envelopes of devices that left the list or
 * came back under the same id with another identity key. */
static int drop_removed(struct pg_store *q, int64_t account_id, const struct sd_device *old,
                        size_t nold, const struct sd_device *devs, size_t n)
{
    static const enum pg_stmt drops[] = {PG_DROP_SIGNED, PG_DROP_ONETIME, PG_DROP_KYBER,
                                         PG_DROP_ENVELOPES};
    int rc = SD_ST_OK;

    for (size_t k = 0; rc == SD_ST_OK && k < nold; k++) {
        if (sd_device_listed(devs, n, &old[k])) {
            continue;
        }
        for (size_t i = 0; rc == SD_ST_OK && i < sizeof(drops) / sizeof(drops[0]); i++) {
            struct pg_args a = {0};
            pa_i64(&a, account_id);
            pa_i64(&a, old[k].device_id);
            rc = pg_do(q, drops[i], &a, NULL);
        }
    }
    return rc;
}

/* The version check and the update are one statement: no lost update. */
static int devlist_update(struct pg_store *q, int64_t account_id, const struct sd_blob *devlist,
                          const struct sd_blob *sig, uint64_t version)
{
    struct pg_args a = {0};
    uint64_t changed = 0;
    int rc;

    pa_blob(&a, devlist->p, devlist->len);
    pa_blob(&a, sig->p, sig->len);
    pa_i64(&a, (int64_t)version);
    pa_i64(&a, account_id);
    rc = pg_do(q, PG_DEVLIST_UPDATE, &a, &changed);
    if (rc == SD_ST_OK && changed != 1) {
        rc = SD_ST_STALE;
    }
    return rc;
}

int pg_devices_set(struct sd_store *st, int64_t account_id, const struct sd_blob *devlist,
                   const struct sd_blob *sig, uint64_t version, const struct sd_device *devs,
                   size_t n, uint64_t now, struct sd_log_entry *log, struct sd_kt_batch *kt)
{
    struct pg_store *q = pg(st);
    struct sd_device old[SD_DEVICES_MAX];
    struct pg_args a = {0};
    size_t nold = 0;
    int rc;

    if (pg_exec(q, "BEGIN") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    rc = pg_do(q, PG_LOCK_LOG, NULL, NULL);
    if (rc == SD_ST_OK) {
        rc = pg_devices_get(st, old, SD_DEVICES_MAX, &nold, account_id);
    }
    if (rc == SD_ST_OK) {
        rc = devlist_update(q, account_id, devlist, sig, version);
    }
    if (rc == SD_ST_OK) {
        pa_i64(&a, account_id);
        rc = pg_do(q, PG_DEVICES_DELETE, &a, NULL);
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
        rc = pg_kt_append(q, account_id, kt, now, 0);
    }
    return pg_finish(q, rc);
}

int pg_devices_get(struct sd_store *st, struct sd_device *out, size_t max, size_t *n,
                   int64_t account_id)
{
    struct pg_args a = {0};
    PGresult *r;
    int rc;

    *n = 0;
    pa_i64(&a, account_id);
    r = pg_run(pg(st), PG_DEVICES_GET, &a, &rc);
    for (int i = 0; r != NULL && i < PQntuples(r) && *n < max; i++) {
        out[*n].device_id = (uint32_t)pg_i64(r, i, 0);
        pg_fixed(out[*n].identity_key, 33, r, i, 1);
        out[*n].registration_id = (uint32_t)pg_i64(r, i, 2);
        (*n)++;
    }
    PQclear(r);
    return rc;
}
