/*
 * Identity key pairs, one-time prekeys and signed prekeys, and their
 * records (lib/proto/storage.proto). A signed prekey's signature is
 * XEdDSA by the identity key over the 33-byte serialized prekey public key
 * (signal-wire.md section 1).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "session/keys.h"
#include "storage.pb-c.h"

static ProtobufCBinaryData bin(const uint8_t *p, size_t len)
{
    ProtobufCBinaryData b = {len, (uint8_t *)p};
    return b;
}

static int alloc_buf(struct sotto_buf *out, size_t len)
{
    out->data = malloc(len > 0 ? len : 1);
    out->len = out->data != NULL ? len : 0;
    return out->data != NULL ? SOTTO_OK : SOTTO_ERR_NOMEM;
}

static int get_priv(uint8_t priv[ST_KEY_BYTES], protobuf_c_boolean has, ProtobufCBinaryData b)
{
    if (!has || b.len != ST_KEY_BYTES)
        return SOTTO_ERR_INVALID_KEY;
    memcpy(priv, b.data, ST_KEY_BYTES);
    /* libsignal clamps private keys on deserialize. */
    st_x25519_clamp(priv);
    return SOTTO_OK;
}

static int get_pub(uint8_t pub[ST_KEY_BYTES], protobuf_c_boolean has, ProtobufCBinaryData b)
{
    if (!has)
        return SOTTO_ERR_INVALID_KEY;
    return st_pubkey_decode(pub, b.data, b.len);
}

int sotto_identity_generate(uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                            uint8_t private_key[SOTTO_PRIVATE_KEY_BYTES])
{
    uint8_t pub[ST_KEY_BYTES];
    int rc = st_x25519_keypair(pub, private_key);

    memset(public_key, 0, SOTTO_PUBLIC_KEY_BYTES);
    if (rc == SOTTO_OK)
        st_pubkey_encode(public_key, pub);
    return rc;
}

int sotto_identity_serialize(struct sotto_buf *out,
                             const uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                             const uint8_t private_key[SOTTO_PRIVATE_KEY_BYTES])
{
    SottoStorage__IdentityKeyPair pb = SOTTO_STORAGE__IDENTITY_KEY_PAIR__INIT;
    int rc;

    pb.has_public_key = pb.has_private_key = 1;
    pb.public_key = bin(public_key, SOTTO_PUBLIC_KEY_BYTES);
    pb.private_key = bin(private_key, SOTTO_PRIVATE_KEY_BYTES);
    if ((rc = alloc_buf(out, sotto_storage__identity_key_pair__get_packed_size(&pb))) != SOTTO_OK)
        return rc;
    sotto_storage__identity_key_pair__pack(&pb, out->data);
    return SOTTO_OK;
}

int sotto_identity_parse(uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                         uint8_t private_key[SOTTO_PRIVATE_KEY_BYTES], const uint8_t *data,
                         size_t len)
{
    SottoStorage__IdentityKeyPair *pb;
    uint8_t pub[ST_KEY_BYTES];
    int rc;

    memset(public_key, 0, SOTTO_PUBLIC_KEY_BYTES);
    memset(private_key, 0, SOTTO_PRIVATE_KEY_BYTES);
    pb = sotto_storage__identity_key_pair__unpack(NULL, len, data);
    if (pb == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    if ((rc = get_pub(pub, pb->has_public_key, pb->public_key)) == SOTTO_OK &&
        (rc = get_priv(private_key, pb->has_private_key, pb->private_key)) == SOTTO_OK)
        st_pubkey_encode(public_key, pub);
    else
        st_wipe(private_key, SOTTO_PRIVATE_KEY_BYTES);
    sotto_storage__identity_key_pair__free_unpacked(pb, NULL);
    return rc;
}

int sotto_prekey_generate(struct sotto_buf *record, uint32_t id)
{
    SottoStorage__PreKeyRecord pb = SOTTO_STORAGE__PRE_KEY_RECORD__INIT;
    uint8_t pub[ST_KEY_BYTES], priv[ST_KEY_BYTES], enc[ST_PUBKEY_BYTES];
    int rc;

    record->data = NULL;
    record->len = 0;
    if ((rc = st_x25519_keypair(pub, priv)) != SOTTO_OK)
        goto out;
    st_pubkey_encode(enc, pub);
    pb.has_id = pb.has_public_key = pb.has_private_key = 1;
    pb.id = id;
    pb.public_key = bin(enc, sizeof(enc));
    pb.private_key = bin(priv, sizeof(priv));
    if ((rc = alloc_buf(record, sotto_storage__pre_key_record__get_packed_size(&pb))) != SOTTO_OK)
        goto out;
    sotto_storage__pre_key_record__pack(&pb, record->data);
out:
    st_wipe(priv, sizeof(priv));
    return rc;
}

int st_prekey_record_load(uint32_t *id, uint8_t pub[ST_KEY_BYTES], uint8_t priv[ST_KEY_BYTES],
                          const uint8_t *data, size_t len)
{
    SottoStorage__PreKeyRecord *pb;
    int rc;

    *id = 0;
    memset(priv, 0, ST_KEY_BYTES);
    pb = sotto_storage__pre_key_record__unpack(NULL, len, data);
    if (pb == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    rc = SOTTO_ERR_INVALID_MESSAGE;
    if (pb->has_id && (rc = get_pub(pub, pb->has_public_key, pb->public_key)) == SOTTO_OK &&
        (rc = get_priv(priv, pb->has_private_key, pb->private_key)) == SOTTO_OK)
        *id = pb->id;
    sotto_storage__pre_key_record__free_unpacked(pb, NULL);
    return rc;
}

int sotto_prekey_public(uint32_t *id, uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                        const uint8_t *record, size_t len)
{
    uint8_t pub[ST_KEY_BYTES], priv[ST_KEY_BYTES];
    int rc = st_prekey_record_load(id, pub, priv, record, len);

    memset(public_key, 0, SOTTO_PUBLIC_KEY_BYTES);
    if (rc == SOTTO_OK)
        st_pubkey_encode(public_key, pub);
    st_wipe(priv, sizeof(priv));
    return rc;
}

int sotto_signed_prekey_generate(struct sotto_buf *record, uint32_t id,
                                 const uint8_t identity_private[SOTTO_PRIVATE_KEY_BYTES],
                                 uint64_t timestamp_ms)
{
    SottoStorage__SignedPreKeyRecord pb = SOTTO_STORAGE__SIGNED_PRE_KEY_RECORD__INIT;
    uint8_t pub[ST_KEY_BYTES], priv[ST_KEY_BYTES], enc[ST_PUBKEY_BYTES], sig[ST_SIG_BYTES];
    int rc;

    record->data = NULL;
    record->len = 0;
    if ((rc = st_x25519_keypair(pub, priv)) != SOTTO_OK)
        goto out;
    st_pubkey_encode(enc, pub);
    if ((rc = st_xeddsa_sign(sig, identity_private, enc, sizeof(enc))) != SOTTO_OK)
        goto out;
    pb.has_id = pb.has_public_key = pb.has_private_key = pb.has_signature = 1;
    pb.has_timestamp = 1;
    pb.id = id;
    pb.public_key = bin(enc, sizeof(enc));
    pb.private_key = bin(priv, sizeof(priv));
    pb.signature = bin(sig, sizeof(sig));
    pb.timestamp = timestamp_ms;
    rc = alloc_buf(record, sotto_storage__signed_pre_key_record__get_packed_size(&pb));
    if (rc != SOTTO_OK)
        goto out;
    sotto_storage__signed_pre_key_record__pack(&pb, record->data);
out:
    st_wipe(priv, sizeof(priv));
    return rc;
}

int st_signed_prekey_record_load(uint32_t *id, uint8_t pub[ST_KEY_BYTES],
                                 uint8_t priv[ST_KEY_BYTES], uint8_t sig[ST_SIG_BYTES],
                                 const uint8_t *data, size_t len)
{
    SottoStorage__SignedPreKeyRecord *pb;
    int rc;

    *id = 0;
    memset(priv, 0, ST_KEY_BYTES);
    pb = sotto_storage__signed_pre_key_record__unpack(NULL, len, data);
    if (pb == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    rc = SOTTO_ERR_INVALID_MESSAGE;
    if (!pb->has_id || !pb->has_signature || pb->signature.len != ST_SIG_BYTES)
        goto out;
    if ((rc = get_pub(pub, pb->has_public_key, pb->public_key)) != SOTTO_OK ||
        (rc = get_priv(priv, pb->has_private_key, pb->private_key)) != SOTTO_OK)
        goto out;
    *id = pb->id;
    memcpy(sig, pb->signature.data, ST_SIG_BYTES);
out:
    sotto_storage__signed_pre_key_record__free_unpacked(pb, NULL);
    return rc;
}

int sotto_signed_prekey_public(uint32_t *id, uint8_t public_key[SOTTO_PUBLIC_KEY_BYTES],
                               uint8_t signature[SOTTO_SIGNATURE_BYTES], const uint8_t *record,
                               size_t len)
{
    uint8_t pub[ST_KEY_BYTES], priv[ST_KEY_BYTES];
    int rc = st_signed_prekey_record_load(id, pub, priv, signature, record, len);

    memset(public_key, 0, SOTTO_PUBLIC_KEY_BYTES);
    if (rc == SOTTO_OK)
        st_pubkey_encode(public_key, pub);
    else
        memset(signature, 0, SOTTO_SIGNATURE_BYTES);
    st_wipe(priv, sizeof(priv));
    return rc;
}
