/*
 * The initiator's side of X3DH / PQXDH: process a peer's prekey bundle
 * (signal.org X3DH section 3.3, PQXDH section 3.3; libsignal's
 * process_prekey_bundle): trust, signature checks, key agreement, and a
 * new current session state that wraps its messages in PreKey messages
 * until the peer answers.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "session/keys.h"
#include "session/store.h"

static int check_bundle(const struct sotto_prekey_bundle *b, struct st_alice_params *p)
{
    int rc;

    if ((rc = st_pubkey_decode(p->their_identity, b->identity_key, ST_PUBKEY_BYTES)) ||
        (rc = st_pubkey_decode(p->their_signed_prekey, b->signed_prekey, ST_PUBKEY_BYTES)))
        return rc;
    if (b->has_prekey &&
        (rc = st_pubkey_decode(p->their_one_time, b->prekey, ST_PUBKEY_BYTES)) != SOTTO_OK)
        return rc;
    p->has_one_time = b->has_prekey != 0;
    /* The signed prekey signature covers the 33-byte serialized key. */
    if ((rc = st_xeddsa_verify(b->signed_prekey_signature, p->their_identity, b->signed_prekey,
                               ST_PUBKEY_BYTES)) != SOTTO_OK)
        return SOTTO_ERR_INVALID_SIGNATURE;
    /* The Kyber prekey signature covers the 1569-byte serialized key. */
    if (b->has_kyber && st_xeddsa_verify(b->kyber_prekey_signature, p->their_identity,
                                         b->kyber_prekey, SOTTO_KYBER_PUBLIC_BYTES) != SOTTO_OK)
        return SOTTO_ERR_INVALID_SIGNATURE;
    p->version = b->has_kyber ? ST_VERSION_PQXDH : ST_VERSION_X3DH;
    return SOTTO_OK;
}

static void set_pending(struct st_state *s, const struct sotto_prekey_bundle *b,
                        const struct st_alice_params *p, const uint8_t *kyber_ct, uint64_t now_ms)
{
    struct st_pending *pd = &s->pending;

    pd->present = 1;
    pd->has_prekey = b->has_prekey != 0;
    pd->prekey_id = b->prekey_id;
    pd->signed_prekey_id = b->signed_prekey_id;
    memcpy(pd->base_key, p->our_base_pub, ST_KEY_BYTES);
    pd->has_kyber = b->has_kyber != 0;
    pd->kyber_prekey_id = b->kyber_prekey_id;
    if (b->has_kyber)
        memcpy(pd->kyber_ct, kyber_ct, ST_KYBER_CT_BYTES);
    pd->timestamp = now_ms;
    s->remote_registration_id = b->registration_id;
}

int sotto_session_process_bundle(const struct sotto_store *store,
                                 const struct sotto_address *remote,
                                 const struct sotto_prekey_bundle *bundle, uint64_t now_ms)
{
    struct st_alice_params p;
    struct sotto_session_record *rec = NULL;
    struct st_state *s = NULL;
    uint8_t kyber_ct[ST_KYBER_CT_BYTES], ss[ST_KEY_BYTES];
    uint32_t reg_id = 0;
    int rc, found;

    memset(&p, 0, sizeof(p));
    if (!st_store_complete(store) || remote == NULL || bundle == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if ((rc = check_bundle(bundle, &p)) != SOTTO_OK)
        goto out;
    if ((rc = st_store_check_trust(store, remote, p.their_identity, SOTTO_DIRECTION_SENDING)))
        goto out;
    if ((rc = st_store_identity(p.our_identity_pub, p.our_identity_priv, store)) ||
        (rc = store->get_local_registration_id(store->ctx, &reg_id)))
        goto out;
    if ((rc = st_x25519_keypair(p.our_base_pub, p.our_base_priv)) != SOTTO_OK)
        goto out;
    if (bundle->has_kyber) {
        rc = st_pqxdh_encaps(kyber_ct, ss, bundle->kyber_prekey, SOTTO_KYBER_PUBLIC_BYTES);
        if (rc != SOTTO_OK)
            goto out;
        p.kem_ss = ss;
    }
    if ((rc = st_alice_init(&s, &p)) != SOTTO_OK)
        goto out;
    set_pending(s, bundle, &p, kyber_ct, now_ms);
    s->local_registration_id = reg_id;
    if ((rc = st_store_load_record(&rec, &found, store, remote)) != SOTTO_OK)
        goto out;
    rc = st_record_promote(rec, s);
    s = NULL;
    if (rc != SOTTO_OK)
        goto out;
    if ((rc = st_store_save_identity(store, remote, p.their_identity)) != SOTTO_OK)
        goto out;
    rc = st_store_save_record(store, remote, rec);
out:
    st_state_free(s);
    sotto_session_record_free(rec);
    st_wipe(&p, sizeof(p));
    st_wipe(ss, sizeof(ss));
    return rc;
}
