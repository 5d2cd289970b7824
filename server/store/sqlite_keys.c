/* SQLite backend: prekey upload, counts and one-shot bundle takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdlimits.h"
#include "store/sqlite_internal.h"

/* ---- prekeys ---- */

static int put_key(struct sq_store *q, enum sq_stmt i, int64_t account_id, uint32_t device_id,
                   const struct sd_prekey *k, int last_resort)
{
    sqlite3_stmt *s = sq_get(q, i);
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
    return sq_run(q, s);
}

int sq_keys_count(struct sd_store *st, struct sd_key_counts *out, int64_t account_id,
                  uint32_t device_id)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_KEY_COUNTS);
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
    return rc == SQLITE_ROW ? SD_ST_OK : sq_fail(q, "keys_count");
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
        sqlite3_stmt *s = sq_get(q, SQ_LAST_RESORT_CLEAR);
        sqlite3_bind_int64(s, 1, a);
        sqlite3_bind_int(s, 2, (int)d);
        rc = sq_run(q, s);
        if (rc == SD_ST_OK) {
            rc = put_key(q, SQ_KYBER_PUT, a, d, up->last_resort, 1);
        }
    }
    return rc;
}

int sq_keys_put(struct sd_store *st, int64_t account_id, uint32_t device_id,
                const struct sd_keys_upload *up)
{
    struct sq_store *q = sq(st);
    struct sd_key_counts c;
    int rc;

    if (sq_exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    rc = keys_put_all(q, account_id, device_id, up);
    if (rc == SD_ST_OK) {
        rc = sq_keys_count(st, &c, account_id, device_id);
    }
    if (rc == SD_ST_OK && (c.one_time > SD_PREKEY_STORE_MAX || c.kyber > SD_PREKEY_STORE_MAX)) {
        rc = SD_ST_FULL;
    }
    return sq_finish(q, rc);
}

static int take_key(struct sq_store *q, struct sd_prekey *k, int *has, enum sq_stmt i,
                    int64_t account_id, uint32_t device_id)
{
    sqlite3_stmt *s = sq_get(q, i);
    int rc, err = 0;

    *has = 0;
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_int(s, 2, (int)device_id);
    rc = sq_injected(q) ? SQLITE_IOERR : sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *has = 1;
        k->key_id = (uint32_t)sqlite3_column_int64(s, 0);
        err |= sq_col_blob(&k->pub, s, 1);
        if (sqlite3_column_count(s) > 2) {
            err |= sq_col_blob(&k->sig, s, 2);
        }
        rc = sqlite3_step(s); /* run a DELETE ... RETURNING to completion */
    }
    sqlite3_reset(s);
    if (err != 0 || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
        return sq_fail(q, "take_key");
    }
    return SD_ST_OK;
}

int sq_bundle_take(struct sd_store *st, struct sd_bundle *out, int64_t account_id,
                   const struct sd_device *dev)
{
    struct sq_store *q = sq(st);
    uint32_t d = dev->device_id;
    int rc;

    memset(out, 0, sizeof(*out));
    out->dev = *dev;
    if (sq_exec(q, "BEGIN IMMEDIATE") != SD_ST_OK) {
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
    rc = sq_finish(q, rc);
    if (rc != SD_ST_OK) {
        sd_bundle_free(out);
    }
    return rc;
}
