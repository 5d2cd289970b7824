/*
 * Kyber prekeys for PQXDH (signal.org/docs/specifications/pqxdh) in
 * libsignal's form: Kyber1024 round 3, every key and ciphertext prefixed
 * with type byte 0x08; the signature is XEdDSA by the identity key over
 * the full serialized public key (1569 bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "kem/kem.h"
#include "session/keys.h"
#include "storage.pb-c.h"

enum { PK_RAW = 1568, SK_RAW = 3168 };

static ProtobufCBinaryData bin(const uint8_t *p, size_t len)
{
    ProtobufCBinaryData b = {len, (uint8_t *)p};
    return b;
}

static int pack_record(struct sotto_buf *record, uint32_t id, const uint8_t *pk, const uint8_t *sk,
                       const uint8_t sig[ST_SIG_BYTES], uint64_t ts, int last_resort)
{
    SottoStorage__KyberPreKeyRecord pb = SOTTO_STORAGE__KYBER_PRE_KEY_RECORD__INIT;

    pb.has_id = pb.has_public_key = pb.has_secret_key = pb.has_signature = 1;
    pb.has_timestamp = pb.has_last_resort = 1;
    pb.id = id;
    pb.public_key = bin(pk, SOTTO_KYBER_PUBLIC_BYTES);
    pb.secret_key = bin(sk, ST_KYBER_SK_BYTES);
    pb.signature = bin(sig, ST_SIG_BYTES);
    pb.timestamp = ts;
    pb.last_resort = last_resort != 0;
    record->len = sotto_storage__kyber_pre_key_record__get_packed_size(&pb);
    record->data = malloc(record->len);
    if (record->data == NULL) {
        record->len = 0;
        return SOTTO_ERR_NOMEM;
    }
    sotto_storage__kyber_pre_key_record__pack(&pb, record->data);
    return SOTTO_OK;
}

int sotto_kyber_prekey_generate(struct sotto_buf *record, uint32_t id,
                                const uint8_t identity_private[SOTTO_PRIVATE_KEY_BYTES],
                                uint64_t timestamp_ms, int last_resort)
{
    uint8_t *raw_sk = NULL, *sk = NULL;
    uint8_t raw_pk[PK_RAW], pk[SOTTO_KYBER_PUBLIC_BYTES], sig[ST_SIG_BYTES];
    size_t n;
    int rc = SOTTO_ERR_NOMEM;

    record->data = NULL;
    record->len = 0;
    raw_sk = malloc(SK_RAW);
    sk = malloc(ST_KYBER_SK_BYTES);
    if (raw_sk == NULL || sk == NULL)
        goto out;
    if ((rc = st_kem_keypair(ST_KEM_KYBER1024, raw_pk, raw_sk)) != SOTTO_OK ||
        (rc = st_kem_serialize_pk(pk, sizeof(pk), &n, ST_KEM_KYBER1024, raw_pk)) != SOTTO_OK ||
        (rc = st_kem_serialize_sk(sk, ST_KYBER_SK_BYTES, &n, ST_KEM_KYBER1024, raw_sk)) != SOTTO_OK)
        goto out;
    if ((rc = st_xeddsa_sign(sig, identity_private, pk, sizeof(pk))) != SOTTO_OK)
        goto out;
    rc = pack_record(record, id, pk, sk, sig, timestamp_ms, last_resort);
out:
    if (raw_sk != NULL) {
        st_wipe(raw_sk, SK_RAW);
        free(raw_sk);
    }
    if (sk != NULL) {
        st_wipe(sk, ST_KYBER_SK_BYTES);
        free(sk);
    }
    return rc;
}

static SottoStorage__KyberPreKeyRecord *unpack(const uint8_t *data, size_t len)
{
    SottoStorage__KyberPreKeyRecord *pb;

    pb = sotto_storage__kyber_pre_key_record__unpack(NULL, len, data);
    if (pb == NULL)
        return NULL;
    if (!pb->has_id || !pb->has_public_key || pb->public_key.len != SOTTO_KYBER_PUBLIC_BYTES ||
        !pb->has_secret_key || pb->secret_key.len != ST_KYBER_SK_BYTES || !pb->has_signature ||
        pb->signature.len != ST_SIG_BYTES) {
        sotto_storage__kyber_pre_key_record__free_unpacked(pb, NULL);
        return NULL;
    }
    return pb;
}

int sotto_kyber_prekey_public(uint32_t *id, uint8_t public_key[SOTTO_KYBER_PUBLIC_BYTES],
                              uint8_t signature[SOTTO_SIGNATURE_BYTES], int *last_resort,
                              const uint8_t *record, size_t len)
{
    SottoStorage__KyberPreKeyRecord *pb = unpack(record, len);

    *id = 0;
    *last_resort = 0;
    if (pb == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    *id = pb->id;
    *last_resort = pb->last_resort;
    memcpy(public_key, pb->public_key.data, SOTTO_KYBER_PUBLIC_BYTES);
    memcpy(signature, pb->signature.data, ST_SIG_BYTES);
    st_wipe(pb->secret_key.data, pb->secret_key.len);
    sotto_storage__kyber_pre_key_record__free_unpacked(pb, NULL);
    return SOTTO_OK;
}

int st_kyber_prekey_record_load(uint32_t *id, uint8_t sk[ST_KYBER_SK_BYTES], const uint8_t *data,
                                size_t len)
{
    SottoStorage__KyberPreKeyRecord *pb = unpack(data, len);

    *id = 0;
    if (pb == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    *id = pb->id;
    memcpy(sk, pb->secret_key.data, ST_KYBER_SK_BYTES);
    st_wipe(pb->secret_key.data, pb->secret_key.len);
    sotto_storage__kyber_pre_key_record__free_unpacked(pb, NULL);
    return SOTTO_OK;
}

int st_pqxdh_encaps(uint8_t ct[ST_KYBER_CT_BYTES], uint8_t ss[ST_KEY_BYTES], const uint8_t *pk,
                    size_t pklen)
{
    enum st_kem_variant v;
    const uint8_t *raw;
    int rc;

    memset(ct, 0, ST_KYBER_CT_BYTES);
    /* Only Kyber1024 (0x08) is what libsignal 0.72.1 / 0.90.0 speak. */
    if ((rc = st_kem_parse_pk(&v, &raw, pk, pklen)) != SOTTO_OK)
        return rc;
    if (v != ST_KEM_KYBER1024)
        return SOTTO_ERR_INVALID_KEY;
    if ((rc = st_kem_encaps(v, ct + 1, ss, raw, PK_RAW)) != SOTTO_OK)
        return rc;
    ct[0] = ST_KEM_TYPE_KYBER1024;
    return SOTTO_OK;
}

int st_pqxdh_decaps(uint8_t ss[ST_KEY_BYTES], const uint8_t *ct, size_t ctlen,
                    const uint8_t sk[ST_KYBER_SK_BYTES])
{
    enum st_kem_variant vc, vs;
    const uint8_t *raw_ct, *raw_sk;
    int rc;

    memset(ss, 0, ST_KEY_BYTES);
    if ((rc = st_kem_parse_sk(&vs, &raw_sk, sk, ST_KYBER_SK_BYTES)) != SOTTO_OK)
        return rc;
    if ((rc = st_kem_parse_ct(&vc, &raw_ct, ct, ctlen)) != SOTTO_OK)
        return rc;
    /* libsignal refuses a ciphertext whose type differs from the key's. */
    if (vc != vs || vc != ST_KEM_KYBER1024)
        return SOTTO_ERR_INVALID_MESSAGE;
    return st_kem_decaps(vc, ss, raw_ct, ctlen - 1, raw_sk, SK_RAW);
}
