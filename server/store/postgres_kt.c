/*
 * PostgreSQL backend: the key-transparency log's leaves and checkpoint
 * (docs/transparency.md). Leaves are appended inside the transaction of
 * the account change they record, under the log lock (LOCK_LOG) the caller
 * took, so two nodes never pick the same index.
 */
#include <stdlib.h>
#include <string.h>

#include "store/postgres_internal.h"

/* Next free index and the account's newest leaf (SOTTO_KT_NO_PREV if none). */
static int kt_positions(struct pg_store *q, int64_t account_id, uint64_t *next, uint64_t *prev)
{
    struct pg_args a = {0};
    int rc;
    PGresult *r = pg_run(q, PG_KT_NEXT, NULL, &rc);

    *next = 0;
    *prev = SOTTO_KT_NO_PREV;
    if (r == NULL) {
        return rc;
    }
    *next = (uint64_t)pg_i64(r, 0, 0);
    PQclear(r);
    pa_i64(&a, account_id);
    r = pg_run(q, PG_KT_ACCOUNT_LAST, &a, &rc);
    if (r != NULL && PQntuples(r) == 1) {
        *prev = (uint64_t)pg_i64(r, 0, 0);
    }
    PQclear(r);
    return rc;
}

int pg_kt_append(struct pg_store *q, int64_t account_id, struct sd_kt_batch *kt, uint64_t now,
                 int new_account)
{
    uint64_t next, prev;
    int rc;

    if (kt == NULL || kt->n == 0 || kt->n > 2) {
        return SD_ST_ERROR;
    }
    rc = kt_positions(q, account_id, &next, &prev);
    if (rc != SD_ST_OK || (new_account != 0) != (prev == SOTTO_KT_NO_PREV)) {
        return rc != SD_ST_OK ? rc : SD_ST_ERROR;
    }
    kt->first_index = next;
    for (size_t i = 0; rc == SD_ST_OK && i < kt->n; i++) {
        struct pg_args a = {0};
        kt->leaf[i].timestamp = now;
        kt->leaf[i].prev_index = i == 0 ? prev : next + i - 1;
        if (sotto_kt_leaf_encode(kt->enc[i], &kt->enc_len[i], sizeof(kt->enc[i]), &kt->leaf[i]) !=
            SOTTO_OK) {
            return SD_ST_ERROR;
        }
        pa_i64(&a, (int64_t)(next + i));
        pa_i64(&a, account_id);
        pa_i64(&a, kt->leaf[i].type);
        pa_blob(&a, kt->leaf[i].account_uuid, SOTTO_KT_UUID_BYTES);
        pa_blob(&a, kt->enc[i], kt->enc_len[i]);
        rc = pg_do(q, PG_KT_INSERT, &a, NULL);
    }
    return rc;
}

int pg_kt_leaves(struct sd_store *st, sd_kt_leaf_cb cb, void *arg)
{
    int rc;
    PGresult *r = pg_run(pg(st), PG_KT_ALL, NULL, &rc);

    for (int i = 0; r != NULL && i < PQntuples(r); i++) {
        if (cb(arg, (uint64_t)pg_i64(r, i, 0), (const uint8_t *)PQgetvalue(r, i, 1),
               (size_t)PQgetlength(r, i, 1)) != 0) {
            rc = SD_ST_ERROR;
            break;
        }
    }
    PQclear(r);
    return rc;
}

int pg_kt_account_leaf(struct sd_store *st, int64_t account_id, uint64_t *idx, struct sd_blob *leaf)
{
    struct pg_args a = {0};
    PGresult *r;
    int rc;

    *idx = 0;
    memset(leaf, 0, sizeof(*leaf));
    pa_i64(&a, account_id);
    r = pg_run(pg(st), PG_KT_ACCOUNT_LAST, &a, &rc);
    if (r == NULL) {
        return rc;
    }
    rc = SD_ST_NOT_FOUND;
    if (PQntuples(r) == 1) {
        *idx = (uint64_t)pg_i64(r, 0, 0);
        rc = pg_blob(leaf, r, 0, 1) == 0 ? SD_ST_OK : SD_ST_ERROR;
    }
    PQclear(r);
    return rc;
}

int pg_kt_checkpoint_get(struct sd_store *st, uint64_t *size, struct sd_blob *note)
{
    int rc;
    PGresult *r = pg_run(pg(st), PG_KT_CP_GET, NULL, &rc);

    *size = 0;
    memset(note, 0, sizeof(*note));
    if (r == NULL) {
        return rc;
    }
    rc = SD_ST_NOT_FOUND;
    if (PQntuples(r) == 1) {
        *size = (uint64_t)pg_i64(r, 0, 0);
        rc = pg_blob(note, r, 0, 1) == 0 ? SD_ST_OK : SD_ST_ERROR;
    }
    PQclear(r);
    return rc;
}

int pg_kt_checkpoint_put(struct sd_store *st, uint64_t size, const char *note, size_t len)
{
    struct pg_args a = {0};
    char *text = malloc(len + 1);
    int rc;

    if (text == NULL) {
        return SD_ST_ERROR;
    }
    memcpy(text, note, len);
    text[len] = '\0';
    pa_i64(&a, (int64_t)size);
    pa_text(&a, text);
    rc = pg_do(pg(st), PG_KT_CP_PUT, &a, NULL);
    free(text);
    return rc;
}
