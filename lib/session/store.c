/*
 * The session code's view of the caller's store: records in and out as
 * bytes, our identity, and the trust decision, with errors normalised.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "session/store.h"

int st_store_complete(const struct sotto_store *st)
{
    return st != NULL && st->get_identity_key_pair != NULL &&
           st->get_local_registration_id != NULL && st->save_identity != NULL &&
           st->is_trusted_identity != NULL && st->load_session != NULL &&
           st->store_session != NULL && st->load_prekey != NULL && st->remove_prekey != NULL &&
           st->load_signed_prekey != NULL && st->load_kyber_prekey != NULL &&
           st->mark_kyber_prekey_used != NULL;
}

int st_store_load_record(struct sotto_session_record **rec, int *found,
                         const struct sotto_store *st, const struct sotto_address *addr)
{
    const uint8_t *data = NULL;
    size_t len = 0;
    int rc;

    *rec = NULL;
    *found = 0;
    rc = st->load_session(st->ctx, addr, &data, &len);
    if (rc == SOTTO_ERR_NOT_FOUND) {
        *rec = st_record_new();
        return *rec != NULL ? SOTTO_OK : SOTTO_ERR_NOMEM;
    }
    if (rc != SOTTO_OK)
        return rc;
    *found = 1;
    return sotto_session_record_parse(rec, data, len);
}

int st_store_save_record(const struct sotto_store *st, const struct sotto_address *addr,
                         const struct sotto_session_record *rec)
{
    struct sotto_buf b;
    int rc = sotto_session_record_serialize(&b, rec);

    if (rc != SOTTO_OK)
        return rc;
    rc = st->store_session(st->ctx, addr, b.data, b.len);
    sotto_buf_free(&b);
    return rc;
}

int st_store_identity(uint8_t pub[ST_KEY_BYTES], uint8_t priv[ST_KEY_BYTES],
                      const struct sotto_store *st)
{
    uint8_t enc[ST_PUBKEY_BYTES];
    int rc = st->get_identity_key_pair(st->ctx, enc, priv);

    if (rc == SOTTO_OK)
        rc = st_pubkey_decode(pub, enc, sizeof(enc));
    if (rc != SOTTO_OK)
        st_wipe(priv, ST_KEY_BYTES);
    st_x25519_clamp(priv);
    return rc;
}

int st_store_check_trust(const struct sotto_store *st, const struct sotto_address *addr,
                         const uint8_t key[ST_KEY_BYTES], enum sotto_direction dir)
{
    uint8_t enc[ST_PUBKEY_BYTES];
    int trusted = 0;
    int rc;

    st_pubkey_encode(enc, key);
    rc = st->is_trusted_identity(st->ctx, addr, enc, dir, &trusted);
    if (rc != SOTTO_OK)
        return rc;
    return trusted ? SOTTO_OK : SOTTO_ERR_UNTRUSTED_IDENTITY;
}

int st_store_save_identity(const struct sotto_store *st, const struct sotto_address *addr,
                           const uint8_t key[ST_KEY_BYTES])
{
    uint8_t enc[ST_PUBKEY_BYTES];
    int replaced = 0;

    st_pubkey_encode(enc, key);
    return st->save_identity(st->ctx, addr, enc, &replaced);
}
