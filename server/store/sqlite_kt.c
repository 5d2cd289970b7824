/*
 * SQLite backend: the key-transparency log's leaves and checkpoint
 * (docs/transparency.md). Leaves are appended inside the transaction of
 * the account change they record, so a change is never stored without its
 * leaf, nor a leaf without its change.
 */
#include <string.h>

#include "store/sqlite_internal.h"

/* Next free index and the account's newest leaf (SOTTO_KT_NO_PREV if none). */
static int kt_positions(struct sq_store *q, int64_t account_id, uint64_t *next, uint64_t *prev)
{
    sqlite3_stmt *s = sq_get(q, SQ_KT_NEXT);
    int rc = sqlite3_step(s);

    *next = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW) {
        return sq_fail(q, "kt_next");
    }
    s = sq_get(q, SQ_KT_ACCOUNT_LAST);
    sqlite3_bind_int64(s, 1, account_id);
    rc = sqlite3_step(s);
    *prev = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : SOTTO_KT_NO_PREV;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SD_ST_OK : sq_fail(q, "kt_account_last");
}

/* Both leaves of a batch in one statement (one write, one fault point). */
int sq_kt_append(struct sq_store *q, int64_t account_id, struct sd_kt_batch *kt, uint64_t now,
                 int new_account)
{
    sqlite3_stmt *s;
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
    s = sq_get(q, kt->n == 2 ? SQ_KT_INSERT2 : SQ_KT_INSERT);
    for (size_t i = 0; i < kt->n; i++) {
        int col = 5 * (int)i;
        kt->leaf[i].timestamp = now;
        kt->leaf[i].prev_index = i == 0 ? prev : next + i - 1;
        if (sotto_kt_leaf_encode(kt->enc[i], &kt->enc_len[i], sizeof(kt->enc[i]), &kt->leaf[i]) !=
            SOTTO_OK) {
            return SD_ST_ERROR;
        }
        sqlite3_bind_int64(s, col + 1, (int64_t)(next + i));
        sqlite3_bind_int64(s, col + 2, account_id);
        sqlite3_bind_int(s, col + 3, kt->leaf[i].type);
        sqlite3_bind_blob(s, col + 4, kt->leaf[i].account_uuid, SOTTO_KT_UUID_BYTES, SQLITE_STATIC);
        sqlite3_bind_blob(s, col + 5, kt->enc[i], (int)kt->enc_len[i], SQLITE_STATIC);
    }
    return sq_run(q, s);
}

int sq_kt_leaves(struct sd_store *st, sd_kt_leaf_cb cb, void *arg)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_KT_ALL);
    int rc;

    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cb(arg, (uint64_t)sqlite3_column_int64(s, 0), sqlite3_column_blob(s, 1),
               (size_t)sqlite3_column_bytes(s, 1)) != 0) {
            sqlite3_reset(s);
            return SD_ST_ERROR;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? SD_ST_OK : sq_fail(q, "kt_leaves");
}

int sq_kt_account_leaf(struct sd_store *st, int64_t account_id, uint64_t *idx, struct sd_blob *leaf)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_KT_ACCOUNT_LAST);
    int rc;

    *idx = 0;
    memset(leaf, 0, sizeof(*leaf));
    sqlite3_bind_int64(s, 1, account_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *idx = (uint64_t)sqlite3_column_int64(s, 0);
        rc = sq_col_blob(leaf, s, 1) == 0 ? SD_ST_OK : SD_ST_ERROR;
    } else {
        rc = rc == SQLITE_DONE ? SD_ST_NOT_FOUND : sq_fail(q, "kt_account_leaf");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_kt_checkpoint_get(struct sd_store *st, uint64_t *size, struct sd_blob *note)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_KT_CP_GET);
    int rc = sqlite3_step(s);

    *size = 0;
    memset(note, 0, sizeof(*note));
    if (rc == SQLITE_ROW) {
        *size = (uint64_t)sqlite3_column_int64(s, 0);
        rc = sq_col_blob(note, s, 1) == 0 ? SD_ST_OK : SD_ST_ERROR;
    } else {
        rc = rc == SQLITE_DONE ? SD_ST_NOT_FOUND : sq_fail(q, "kt_checkpoint_get");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_kt_checkpoint_put(struct sd_store *st, uint64_t size, const char *note, size_t len)
{
    struct sq_store *q = sq(st);
    sqlite3_stmt *s = sq_get(q, SQ_KT_CP_PUT);
    sqlite3_bind_int64(s, 1, (int64_t)size);
    sqlite3_bind_text(s, 2, note, (int)len, SQLITE_STATIC);
    return sq_run(q, s);
}
