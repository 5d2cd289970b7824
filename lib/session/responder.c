/*
 * The responder's side of X3DH / PQXDH: an incoming PreKeySignalMessage
 * (signal.org X3DH section 3.4, PQXDH section 3.4; libsignal's
 * process_prekey + message_decrypt_prekey). A message whose (version, base
 * key) matches a state we already hold reuses that state (simultaneous
 * initiation, retransmitted PreKey messages); otherwise the key agreement
 * runs and the new state becomes current, the old one archived. Nothing
 * reaches the store unless the inner message authenticates and decrypts;
 * then the one-time prekey is removed and the Kyber prekey reported used.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "session/cipher.h"
#include "session/keys.h"
#include "session/store.h"

static int not_found_is_prekey(int rc)
{
    return rc == SOTTO_ERR_NOT_FOUND ? SOTTO_ERR_INVALID_PREKEY : rc;
}

/* *matched = 1 if a state with this (version, base key) is now current. */
static int promote_matching(struct sotto_session_record *rec, const struct st_prekey_msg *m,
                            int *matched)
{
    *matched = 0;
    if (rec->current != NULL && rec->current->version == m->version &&
        memcmp(rec->current->alice_base_key, m->base_key, ST_KEY_BYTES) == 0) {
        *matched = 1;
        return SOTTO_OK;
    }
    for (size_t i = 0; i < rec->narchived; i++) {
        struct st_state *s = NULL;
        int rc = st_state_parse(&s, rec->archived[i].data, rec->archived[i].len);
        if (rc != SOTTO_OK)
            return rc;
        if (s->version == m->version && memcmp(s->alice_base_key, m->base_key, ST_KEY_BYTES) == 0) {
            *matched = 1;
            return st_record_promote_archived(rec, i, s);
        }
        st_state_free(s);
    }
    return SOTTO_OK;
}

static int load_prekeys(struct st_bob_params *p, const struct sotto_store *st,
                        const struct st_prekey_msg *m, uint8_t kyber_sk[ST_KYBER_SK_BYTES])
{
    const uint8_t *data = NULL;
    size_t len = 0;
    uint8_t sig[ST_SIG_BYTES], pub[ST_KEY_BYTES];
    uint32_t id;
    int rc;

    rc = st->load_signed_prekey(st->ctx, m->signed_prekey_id, &data, &len);
    if (rc != SOTTO_OK)
        return not_found_is_prekey(rc);
    rc = st_signed_prekey_record_load(&id, p->our_signed_pub, p->our_signed_priv, sig, data, len);
    if (rc != SOTTO_OK)
        return rc;
    if (m->has_prekey) {
        if ((rc = st->load_prekey(st->ctx, m->prekey_id, &data, &len)) != SOTTO_OK)
            return not_found_is_prekey(rc);
        rc = st_prekey_record_load(&id, pub, p->our_one_time_priv, data, len);
        if (rc != SOTTO_OK)
            return rc;
        p->has_one_time = 1;
    }
    if (m->has_kyber) {
        if ((rc = st->load_kyber_prekey(st->ctx, m->kyber_prekey_id, &data, &len)) != SOTTO_OK)
            return not_found_is_prekey(rc);
        if ((rc = st_kyber_prekey_record_load(&id, kyber_sk, data, len)) != SOTTO_OK)
            return rc;
    }
    return SOTTO_OK;
}

/* The key agreement for a new PreKey message; *out is the new state. */
static int new_bob_state(struct st_state **out, const struct sotto_store *st,
                         const struct st_prekey_msg *m)
{
    struct st_bob_params p;
    uint8_t *kyber_sk = NULL;
    uint8_t ss[ST_KEY_BYTES];
    uint32_t reg_id = 0;
    int rc;

    *out = NULL;
    memset(&p, 0, sizeof(p));
    /* libsignal (v0.80.1+) refuses a base key that is not canonical. */
    if (!st_x25519_pub_is_canonical(m->base_key))
        return SOTTO_ERR_INVALID_KEY;
    rc = SOTTO_ERR_NOMEM;
    if ((kyber_sk = malloc(ST_KYBER_SK_BYTES)) == NULL)
        goto out;
    if ((rc = load_prekeys(&p, st, m, kyber_sk)) != SOTTO_OK)
        goto out;
    if (m->has_kyber) {
        if ((rc = st_pqxdh_decaps(ss, m->kyber_ct, m->kyber_ct_len, kyber_sk)) != SOTTO_OK)
            goto out;
        p.kem_ss = ss;
    }
    if ((rc = st_store_identity(p.our_identity_pub, p.our_identity_priv, st)) ||
        (rc = st->get_local_registration_id(st->ctx, &reg_id)))
        goto out;
    p.version = m->version;
    memcpy(p.their_identity, m->identity_key, ST_KEY_BYTES);
    memcpy(p.their_base, m->base_key, ST_KEY_BYTES);
    if ((rc = st_bob_init(out, &p)) != SOTTO_OK)
        goto out;
    (*out)->remote_registration_id = m->registration_id;
    (*out)->local_registration_id = reg_id;
out:
    if (kyber_sk != NULL) {
        st_wipe(kyber_sk, ST_KYBER_SK_BYTES);
        free(kyber_sk);
    }
    st_wipe(&p, sizeof(p));
    st_wipe(ss, sizeof(ss));
    return rc;
}

/* After a successful decrypt: consume the prekeys the new state used. */
static int consume_prekeys(const struct sotto_store *st, const struct st_prekey_msg *m)
{
    uint8_t base[ST_PUBKEY_BYTES];
    int rc;

    if (m->has_prekey && (rc = st->remove_prekey(st->ctx, m->prekey_id)) != SOTTO_OK)
        return rc;
    if (!m->has_kyber)
        return SOTTO_OK;
    st_pubkey_encode(base, m->base_key);
    rc = st->mark_kyber_prekey_used(st->ctx, m->kyber_prekey_id, m->signed_prekey_id, base);
    return not_found_is_prekey(rc);
}

int st_decrypt_prekey(struct sotto_buf *pt, const struct sotto_store *store,
                      const struct sotto_address *remote, const uint8_t *ct, size_t len)
{
    struct sotto_session_record *rec = NULL;
    struct st_state *s = NULL;
    struct st_prekey_msg m;
    int rc, found, matched = 0;

    if ((rc = st_prekey_msg_parse(&m, ct, len)) != SOTTO_OK)
        return rc;
    if ((rc = st_store_check_trust(store, remote, m.identity_key, SOTTO_DIRECTION_RECEIVING)))
        goto out;
    if ((rc = st_store_load_record(&rec, &found, store, remote)) != SOTTO_OK)
        goto out;
    if ((rc = promote_matching(rec, &m, &matched)) != SOTTO_OK)
        goto out;
    if (!matched) {
        if ((rc = new_bob_state(&s, store, &m)) != SOTTO_OK)
            goto out;
        rc = st_record_promote(rec, s);
        s = NULL;
        if (rc != SOTTO_OK)
            goto out;
    }
    /* A PreKey message is tried against the current state only. */
    if ((rc = st_decrypt_current(pt, rec, &m.inner)) != SOTTO_OK)
        goto out;
    if ((rc = st_store_save_identity(store, remote, m.identity_key)) != SOTTO_OK)
        goto out;
    /* Prekeys are consumed before the record is stored (libsignal stores
     * first): a store that refuses a reused last-resort Kyber key then
     * keeps the replayed session out of the record. */
    if (!matched && (rc = consume_prekeys(store, &m)) != SOTTO_OK)
        goto out;
    rc = st_store_save_record(store, remote, rec);
out:
    if (rc != SOTTO_OK)
        sotto_buf_free(pt);
    st_state_free(s);
    st_prekey_msg_clear(&m);
    sotto_session_record_free(rec);
    return rc;
}
