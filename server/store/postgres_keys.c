/* PostgreSQL backend: prekey upload, counts and one-shot bundle takes. */
#include <string.h>

#include "sdlimits.h"
#include "store/postgres_internal.h"

static int put_key(struct pg_store *q, enum pg_stmt i, int64_t account_id, uint32_t device_id,
                   const struct sd_prekey *k, int last_resort)
{
    struct pg_args a = {0};

    pa_i64(&a, account_id);
    pa_i64(&a, device_id);
    pa_i64(&a, k->key_id);
    pa_blob(&a, k->pub.p, k->pub.len);
    if (i != PG_ONETIME_PUT) {
        pa_blob(&a, k->sig.p, k->sig.len);
    }
    if (i == PG_KYBER_PUT) {
        pa_i64(&a, last_resort);
    }
    return pg_do(q, i, &a, NULL);
}

int pg_keys_count(struct sd_store *st, struct sd_key_counts *out, int64_t account_id,
                  uint32_t device_id)
{
    struct pg_args a = {0};
    PGresult *r;
    int rc;

    memset(out, 0, sizeof(*out));
    pa_i64(&a, account_id);
    pa_i64(&a, device_id);
    r = pg_run(pg(st), PG_KEY_COUNTS, &a, &rc);
    if (r != NULL && PQntuples(r) == 1) {
        out->one_time = (uint32_t)pg_i64(r, 0, 0);
        out->kyber = (uint32_t)pg_i64(r, 0, 1);
        out->has_signed = pg_i64(r, 0, 2) > 0;
        out->has_last_resort = pg_i64(r, 0, 3) > 0;
    }
    PQclear(r);
    return rc;
}

static int keys_put_all(struct pg_store *q, int64_t ac, uint32_t d, const struct sd_keys_upload *up)
{
    int rc = SD_ST_OK;

    if (up->signed_prekey != NULL) {
        rc = put_key(q, PG_SIGNED_PUT, ac, d, up->signed_prekey, 0);
    }
    for (size_t i = 0; rc == SD_ST_OK && i < up->n_one_time; i++) {
        rc = put_key(q, PG_ONETIME_PUT, ac, d, &up->one_time[i], 0);
    }
    for (size_t i = 0; rc == SD_ST_OK && i < up->n_kyber; i++) {
        rc = put_key(q, PG_KYBER_PUT, ac, d, &up->kyber[i], 0);
    }
    if (rc == SD_ST_OK && up->last_resort != NULL) {
        struct pg_args a = {0};
        pa_i64(&a, ac);
        pa_i64(&a, d);
        rc = pg_do(q, PG_LAST_RESORT_CLEAR, &a, NULL);
        if (rc == SD_ST_OK) {
            rc = put_key(q, PG_KYBER_PUT, ac, d, up->last_resort, 1);
        }
    }
    return rc;
}

int pg_keys_put(struct sd_store *st, int64_t account_id, uint32_t device_id,
                const struct sd_keys_upload *up)
{
    struct pg_store *q = pg(st);
    struct sd_key_counts c;
    int rc;

    if (pg_exec(q, "BEGIN") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    rc = keys_put_all(q, account_id, device_id, up);
    if (rc == SD_ST_OK) {
        rc = pg_keys_count(st, &c, account_id, device_id);
    }
    if (rc == SD_ST_OK && (c.one_time > SD_PREKEY_STORE_MAX || c.kyber > SD_PREKEY_STORE_MAX)) {
        rc = SD_ST_FULL;
    }
    return pg_finish(q, rc);
}

static int take_key(struct pg_store *q, struct sd_prekey *k, int *has, enum pg_stmt i,
                    int64_t account_id, uint32_t device_id)
{
    struct pg_args a = {0};
    PGresult *r;
    int rc, err = 0;

    *has = 0;
    pa_i64(&a, account_id);
    pa_i64(&a, device_id);
    r = pg_run(q, i, &a, &rc);
    if (r != NULL && PQntuples(r) == 1) {
        *has = 1;
        k->key_id = (uint32_t)pg_i64(r, 0, 0);
        err |= pg_blob(&k->pub, r, 0, 1);
        if (PQnfields(r) > 2) {
            err |= pg_blob(&k->sig, r, 0, 2);
        }
    }
    PQclear(r);
    return err != 0 ? SD_ST_ERROR : rc;
}

int pg_bundle_take(struct sd_store *st, struct sd_bundle *out, int64_t account_id,
                   const struct sd_device *dev)
{
    struct pg_store *q = pg(st);
    uint32_t d = dev->device_id;
    int rc;

    memset(out, 0, sizeof(*out));
    out->dev = *dev;
    if (pg_exec(q, "BEGIN") != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    rc = take_key(q, &out->signed_prekey, &out->has_signed, PG_SIGNED_GET, account_id, d);
    if (rc == SD_ST_OK) {
        rc = take_key(q, &out->one_time, &out->has_one_time, PG_ONETIME_TAKE, account_id, d);
    }
    if (rc == SD_ST_OK) {
        rc = take_key(q, &out->kyber, &out->has_kyber, PG_KYBER_TAKE, account_id, d);
    }
    if (rc == SD_ST_OK && !out->has_kyber) {
        rc = take_key(q, &out->kyber, &out->has_kyber, PG_LAST_RESORT_GET, account_id, d);
        out->kyber_last_resort = out->has_kyber;
    }
    if (rc == SD_ST_OK) {
        rc = pg_keys_count(st, &out->left, account_id, d);
    }
    rc = pg_finish(q, rc);
    if (rc != SD_ST_OK) {
        sd_bundle_free(out);
    }
    return rc;
}
