/*
 * Session encrypt and decrypt over the caller's store (libsignal's
 * session_cipher): encrypt with the current state, wrapping in a PreKey
 * message while unacknowledged; decrypt by trial over the current state
 * then the archived ones, each on a copy, committing only the state that
 * authenticates and decrypts (signal-wire.md section 3).
 */
#include <string.h>

#include "crypto/crypto.h"
#include "session/cipher.h"
#include "session/store.h"

static int session_with_self(const struct st_state *s)
{
    return memcmp(s->local_identity, s->remote_identity, ST_KEY_BYTES) == 0;
}

int sotto_session_encrypt(struct sotto_buf *ct, int *type, const struct sotto_store *store,
                          const struct sotto_address *remote, const uint8_t *pt, size_t len,
                          uint64_t now_ms)
{
    struct sotto_session_record *rec = NULL;
    struct sotto_buf inner = {NULL, 0};
    struct st_state *s;
    int rc, found;

    ct->data = NULL;
    ct->len = 0;
    *type = 0;
    if (!st_store_complete(store) || remote == NULL || (pt == NULL && len > 0))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if ((rc = st_store_load_record(&rec, &found, store, remote)) != SOTTO_OK)
        goto out;
    rc = SOTTO_ERR_NO_SESSION;
    if ((s = rec->current) == NULL)
        goto out;
    /* An unacknowledged session older than 30 days can no longer send. */
    if (s->pending.present && s->pending.timestamp + ST_MAX_UNACK_SESSION_AGE_MS < now_ms)
        goto out;
    if ((rc = st_ratchet_encrypt(&inner, s, pt, len)) != SOTTO_OK)
        goto out;
    if (s->pending.present) {
        if ((rc = st_prekey_msg_build(ct, s, inner.data, inner.len)) != SOTTO_OK)
            goto out;
        *type = SOTTO_MSG_PREKEY;
    } else {
        *ct = inner;
        inner.data = NULL;
        inner.len = 0;
        *type = SOTTO_MSG_WHISPER;
    }
    if ((rc = st_store_check_trust(store, remote, s->remote_identity, SOTTO_DIRECTION_SENDING)) ||
        (rc = st_store_save_identity(store, remote, s->remote_identity)))
        goto out;
    rc = st_store_save_record(store, remote, rec);
out:
    if (rc != SOTTO_OK) {
        sotto_buf_free(ct);
        *type = 0;
    }
    sotto_buf_free(&inner);
    sotto_session_record_free(rec);
    return rc;
}

/* Keeps the most telling error of a trial: anything beats a version
 * mismatch, and the current state's error beats the archived ones'. */
static int better_error(int have, int got)
{
    if (have == SOTTO_OK || have == SOTTO_ERR_INVALID_VERSION)
        return got;
    return have;
}

int st_decrypt_current(struct sotto_buf *pt, struct sotto_session_record *rec,
                       const struct st_signal_msg *m)
{
    struct st_state *copy = NULL;
    int rc;

    if (rec->current == NULL)
        return SOTTO_ERR_NO_SESSION;
    if ((rc = st_state_copy(&copy, rec->current)) != SOTTO_OK)
        return rc;
    rc = st_ratchet_decrypt(pt, copy, m, session_with_self(copy));
    if (rc != SOTTO_OK) {
        st_state_free(copy);
        return rc;
    }
    st_state_free(rec->current);
    rec->current = copy;
    return SOTTO_OK;
}

int st_decrypt_record(struct sotto_buf *pt, struct sotto_session_record *rec,
                      const struct st_signal_msg *m)
{
    int err = SOTTO_OK, rc;

    if (rec->current == NULL && rec->narchived == 0)
        return SOTTO_ERR_NO_SESSION;
    if (rec->current != NULL) {
        rc = st_decrypt_current(pt, rec, m);
        if (rc == SOTTO_OK || rc == SOTTO_ERR_DUPLICATE_MESSAGE || rc == SOTTO_ERR_NOMEM)
            return rc;
        err = better_error(err, rc);
    }
    for (size_t i = 0; i < rec->narchived; i++) {
        struct st_state *s = NULL;
        rc = st_state_parse(&s, rec->archived[i].data, rec->archived[i].len);
        if (rc == SOTTO_OK)
            rc = st_ratchet_decrypt(pt, s, m, session_with_self(s));
        if (rc == SOTTO_OK)
            return st_record_promote_archived(rec, i, s);
        st_state_free(s);
        if (rc == SOTTO_ERR_DUPLICATE_MESSAGE || rc == SOTTO_ERR_NOMEM)
            return rc;
        err = better_error(err, rc);
    }
    return err;
}

static int decrypt_whisper(struct sotto_buf *pt, const struct sotto_store *store,
                           const struct sotto_address *remote, const uint8_t *ct, size_t len)
{
    struct sotto_session_record *rec = NULL;
    struct st_signal_msg m;
    int rc, found;

    if ((rc = st_signal_msg_parse(&m, ct, len)) != SOTTO_OK)
        return rc;
    if ((rc = st_store_load_record(&rec, &found, store, remote)) != SOTTO_OK)
        goto out;
    rc = SOTTO_ERR_NO_SESSION;
    if (!found)
        goto out;
    if ((rc = st_decrypt_record(pt, rec, &m)) != SOTTO_OK)
        goto out;
    rc = st_store_check_trust(store, remote, rec->current->remote_identity,
                              SOTTO_DIRECTION_RECEIVING);
    if (rc == SOTTO_OK)
        rc = st_store_save_identity(store, remote, rec->current->remote_identity);
    if (rc == SOTTO_OK)
        rc = st_store_save_record(store, remote, rec);
    if (rc != SOTTO_OK)
        sotto_buf_free(pt);
out:
    st_signal_msg_clear(&m);
    sotto_session_record_free(rec);
    return rc;
}

int sotto_session_decrypt(struct sotto_buf *pt, const struct sotto_store *store,
                          const struct sotto_address *remote, int type, const uint8_t *ct,
                          size_t len)
{
    pt->data = NULL;
    pt->len = 0;
    if (!st_store_complete(store) || remote == NULL || ct == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    switch (type) {
    case SOTTO_MSG_WHISPER:
        return decrypt_whisper(pt, store, remote, ct, len);
    case SOTTO_MSG_PREKEY:
        return st_decrypt_prekey(pt, store, remote, ct, len);
    default:
        return SOTTO_ERR_INVALID_MESSAGE;
    }
}
