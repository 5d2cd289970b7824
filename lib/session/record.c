/*
 * Session records (libsignal's SessionRecord): the current state plus up to
 * ARCHIVED_STATES_MAX_LENGTH (40) previous states, most recent first.
 * Archived states stay serialized: they are parsed only when a message
 * fails on the current state, which keeps the common path lean.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "session/session.h"
#include "storage.pb-c.h"

enum { RECORD_FORMAT = 1 };

struct sotto_session_record *st_record_new(void)
{
    return calloc(1, sizeof(struct sotto_session_record));
}

static void blob_free(struct st_blob *b)
{
    if (b->data != NULL) {
        st_wipe(b->data, b->len);
        free(b->data);
    }
    b->data = NULL;
    b->len = 0;
}

void sotto_session_record_free(struct sotto_session_record *rec)
{
    if (rec == NULL)
        return;
    st_state_free(rec->current);
    for (size_t i = 0; i < rec->narchived; i++)
        blob_free(&rec->archived[i]);
    free(rec);
}

static int archive_current(struct sotto_session_record *r)
{
    struct st_blob b;
    int rc;

    if (r->current == NULL)
        return SOTTO_OK;
    if ((rc = st_state_serialize(&b, r->current)) != SOTTO_OK)
        return rc;
    if (r->narchived == ST_ARCHIVED_STATES_MAX)
        blob_free(&r->archived[--r->narchived]);
    memmove(&r->archived[1], &r->archived[0], r->narchived * sizeof(r->archived[0]));
    r->archived[0] = b;
    r->narchived++;
    st_state_free(r->current);
    r->current = NULL;
    return SOTTO_OK;
}

int st_record_promote(struct sotto_session_record *r, struct st_state *s)
{
    int rc = archive_current(r);

    if (rc != SOTTO_OK) {
        st_state_free(s);
        return rc;
    }
    r->current = s;
    return SOTTO_OK;
}

int st_record_promote_archived(struct sotto_session_record *r, size_t i, struct st_state *s)
{
    blob_free(&r->archived[i]);
    memmove(&r->archived[i], &r->archived[i + 1], (r->narchived - i - 1) * sizeof(r->archived[0]));
    r->narchived--;
    return st_record_promote(r, s);
}

static int copy_blob(struct st_blob *b, ProtobufCBinaryData d)
{
    b->data = malloc(d.len > 0 ? d.len : 1);
    if (b->data == NULL)
        return SOTTO_ERR_NOMEM;
    memcpy(b->data, d.data, d.len);
    b->len = d.len;
    return SOTTO_OK;
}

static int record_from_pb(struct sotto_session_record *r, const SottoStorage__SessionRecord *pr)
{
    int rc;

    if (!pr->has_format || pr->format != RECORD_FORMAT)
        return SOTTO_ERR_INVALID_VERSION;
    if (pr->n_archived > ST_ARCHIVED_STATES_MAX)
        return SOTTO_ERR_TOO_LARGE;
    if (pr->has_current &&
        (rc = st_state_parse(&r->current, pr->current.data, pr->current.len)) != SOTTO_OK)
        return rc;
    for (size_t i = 0; i < pr->n_archived; i++) {
        if ((rc = copy_blob(&r->archived[i], pr->archived[i])) != SOTTO_OK)
            return rc;
        r->narchived++;
    }
    return SOTTO_OK;
}

int sotto_session_record_parse(struct sotto_session_record **out, const uint8_t *data, size_t len)
{
    SottoStorage__SessionRecord *pr;
    struct sotto_session_record *r = NULL;
    int rc;

    *out = NULL;
    if (data == NULL || len > ST_RECORD_MAX)
        return data == NULL ? SOTTO_ERR_INVALID_ARGUMENT : SOTTO_ERR_TOO_LARGE;
    pr = sotto_storage__session_record__unpack(NULL, len, data);
    if (pr == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    r = st_record_new();
    if (r == NULL) {
        rc = SOTTO_ERR_NOMEM;
        goto out;
    }
    if ((rc = record_from_pb(r, pr)) != SOTTO_OK) {
        sotto_session_record_free(r);
        goto out;
    }
    *out = r;
out:
    sotto_storage__session_record__free_unpacked(pr, NULL);
    return rc;
}

int sotto_session_record_serialize(struct sotto_buf *out, const struct sotto_session_record *rec)
{
    SottoStorage__SessionRecord pr = SOTTO_STORAGE__SESSION_RECORD__INIT;
    ProtobufCBinaryData arch[ST_ARCHIVED_STATES_MAX];
    struct st_blob cur = {NULL, 0};
    int rc;

    out->data = NULL;
    out->len = 0;
    pr.has_format = 1;
    pr.format = RECORD_FORMAT;
    if (rec->current != NULL) {
        if ((rc = st_state_serialize(&cur, rec->current)) != SOTTO_OK)
            return rc;
        pr.has_current = 1;
        pr.current.data = cur.data;
        pr.current.len = cur.len;
    }
    for (size_t i = 0; i < rec->narchived; i++) {
        arch[i].data = rec->archived[i].data;
        arch[i].len = rec->archived[i].len;
    }
    pr.n_archived = rec->narchived;
    pr.archived = arch;
    rc = SOTTO_ERR_NOMEM;
    out->len = sotto_storage__session_record__get_packed_size(&pr);
    out->data = malloc(out->len);
    if (out->data == NULL) {
        out->len = 0;
        goto out;
    }
    sotto_storage__session_record__pack(&pr, out->data);
    rc = SOTTO_OK;
out:
    blob_free(&cur);
    return rc;
}

int sotto_session_record_archive_current(struct sotto_session_record *rec)
{
    if (rec == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    return archive_current(rec);
}

int sotto_session_record_has_current(const struct sotto_session_record *rec)
{
    return rec != NULL && rec->current != NULL;
}

uint32_t sotto_session_record_version(const struct sotto_session_record *rec)
{
    return rec != NULL && rec->current != NULL ? rec->current->version : 0;
}

int sotto_session_record_remote_identity(uint8_t key[SOTTO_PUBLIC_KEY_BYTES],
                                         const struct sotto_session_record *rec)
{
    memset(key, 0, SOTTO_PUBLIC_KEY_BYTES);
    if (rec == NULL || rec->current == NULL)
        return SOTTO_ERR_NO_SESSION;
    st_pubkey_encode(key, rec->current->remote_identity);
    return SOTTO_OK;
}

void sotto_buf_free(struct sotto_buf *b)
{
    if (b == NULL)
        return;
    if (b->data != NULL) {
        st_wipe(b->data, b->len);
        free(b->data);
    }
    b->data = NULL;
    b->len = 0;
}
