/*
 * The two sender-key wire messages, reader and writer side by side
 * (signal-wire.md sections 4 and 6; libsignal protocol.rs):
 *
 *   SenderKeyDistributionMessage = 0x33 || protobuf
 *   SenderKeyMessage             = 0x33 || protobuf || XEdDSA signature (64)
 *
 * Only the high nibble of the version byte is checked: below 3 is a legacy
 * version, above 3 unknown.
 */
#include <string.h>

#include "group.pb-c.h"
#include "group/sender_key.h"

static int check_version(uint8_t b, uint32_t *version)
{
    *version = b >> 4;
    if (*version != ST_SK_VERSION)
        return SOTTO_ERR_INVALID_VERSION;
    return SOTTO_OK;
}

static int has_bytes(protobuf_c_boolean has, const ProtobufCBinaryData *b, size_t len)
{
    return has && b->len == len;
}

int st_skdm_parse(struct st_skdm *m, const uint8_t *in, size_t len)
{
    Sotto__Group__SenderKeyDistributionMessage *p = NULL;
    int rc;

    memset(m, 0, sizeof *m);
    /* At least an X25519 key and a chain key. */
    if (in == NULL || len < ST_SKDM_MIN)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (len > SOTTO_GROUP_SKDM_INPUT_MAX)
        return SOTTO_ERR_TOO_LARGE;
    if ((rc = check_version(in[0], &m->version)) != SOTTO_OK)
        return rc;
    rc = SOTTO_ERR_INVALID_MESSAGE;
    p = sotto__group__sender_key_distribution_message__unpack(NULL, len - 1, in + 1);
    if (p == NULL)
        goto out;
    if (!has_bytes(p->has_distribution_uuid, &p->distribution_uuid, SOTTO_GROUP_UUID_BYTES) ||
        !p->has_chain_id || !p->has_iteration ||
        !has_bytes(p->has_chain_key, &p->chain_key, ST_SK_CHAIN_KEY_BYTES) ||
        !has_bytes(p->has_signing_key, &p->signing_key, ST_PUBKEY_BYTES))
        goto out;
    if (p->signing_key.data[0] != ST_PUBKEY_TYPE_DJB) {
        rc = SOTTO_ERR_INVALID_KEY;
        goto out;
    }
    memcpy(m->distribution_id, p->distribution_uuid.data, SOTTO_GROUP_UUID_BYTES);
    m->chain_id = p->chain_id;
    m->iteration = p->iteration;
    memcpy(m->chain_key, p->chain_key.data, ST_SK_CHAIN_KEY_BYTES);
    memcpy(m->signing_key, p->signing_key.data, ST_PUBKEY_BYTES);
    rc = SOTTO_OK;
out:
    if (p != NULL) {
        if (p->chain_key.data != NULL)
            st_wipe(p->chain_key.data, p->chain_key.len);
        sotto__group__sender_key_distribution_message__free_unpacked(p, NULL);
    }
    if (rc != SOTTO_OK)
        st_wipe(m, sizeof *m);
    return rc;
}

int st_skdm_write(uint8_t *out, size_t *out_len, size_t cap, const struct st_skdm *m)
{
    Sotto__Group__SenderKeyDistributionMessage p =
        SOTTO__GROUP__SENDER_KEY_DISTRIBUTION_MESSAGE__INIT;
    size_t n;

    *out_len = 0;
    p.has_distribution_uuid = 1;
    p.distribution_uuid.data = (uint8_t *)m->distribution_id;
    p.distribution_uuid.len = SOTTO_GROUP_UUID_BYTES;
    p.has_chain_id = 1;
    p.chain_id = m->chain_id;
    p.has_iteration = 1;
    p.iteration = m->iteration;
    p.has_chain_key = 1;
    p.chain_key.data = (uint8_t *)m->chain_key;
    p.chain_key.len = ST_SK_CHAIN_KEY_BYTES;
    p.has_signing_key = 1;
    p.signing_key.data = (uint8_t *)m->signing_key;
    p.signing_key.len = ST_PUBKEY_BYTES;
    n = sotto__group__sender_key_distribution_message__get_packed_size(&p);
    if (out == NULL || cap < 1 + n)
        return SOTTO_ERR_INVALID_ARGUMENT;
    out[0] = ST_SK_VERSION_BYTE;
    *out_len = 1 + sotto__group__sender_key_distribution_message__pack(&p, out + 1);
    return SOTTO_OK;
}

void st_skm_clear(struct st_skm *m)
{
    if (m->pb != NULL)
        sotto__group__sender_key_message__free_unpacked(m->pb, NULL);
    memset(m, 0, sizeof *m);
}

int st_skm_parse(struct st_skm *m, const uint8_t *in, size_t len)
{
    Sotto__Group__SenderKeyMessage *p;
    size_t body;
    int rc;

    memset(m, 0, sizeof *m);
    if (in == NULL || len < ST_SK_MESSAGE_MIN)
        return SOTTO_ERR_INVALID_MESSAGE;
    if ((rc = check_version(in[0], &m->version)) != SOTTO_OK)
        return rc;
    body = len - 1 - ST_SIG_BYTES;
    p = sotto__group__sender_key_message__unpack(NULL, body, in + 1);
    if (p == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    m->pb = p;
    if (!has_bytes(p->has_distribution_uuid, &p->distribution_uuid, SOTTO_GROUP_UUID_BYTES) ||
        !p->has_chain_id || !p->has_iteration || !p->has_ciphertext) {
        st_skm_clear(m);
        return SOTTO_ERR_INVALID_MESSAGE;
    }
    memcpy(m->distribution_id, p->distribution_uuid.data, SOTTO_GROUP_UUID_BYTES);
    m->chain_id = p->chain_id;
    m->iteration = p->iteration;
    m->ciphertext = p->ciphertext.data;
    m->ciphertext_len = p->ciphertext.len;
    m->signed_part = in;
    m->signed_len = 1 + body;
    m->signature = in + 1 + body;
    return SOTTO_OK;
}

int st_skm_write(uint8_t *out, size_t *out_len, size_t cap,
                 const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES], uint32_t chain_id,
                 uint32_t iteration, const uint8_t *ciphertext, size_t ciphertext_len,
                 const uint8_t signing_priv[ST_X25519_BYTES])
{
    Sotto__Group__SenderKeyMessage p = SOTTO__GROUP__SENDER_KEY_MESSAGE__INIT;
    size_t n;
    int rc;

    *out_len = 0;
    p.has_distribution_uuid = 1;
    p.distribution_uuid.data = (uint8_t *)distribution_id;
    p.distribution_uuid.len = SOTTO_GROUP_UUID_BYTES;
    p.has_chain_id = 1;
    p.chain_id = chain_id;
    p.has_iteration = 1;
    p.iteration = iteration;
    p.has_ciphertext = 1;
    p.ciphertext.data = (uint8_t *)ciphertext;
    p.ciphertext.len = ciphertext_len;
    n = sotto__group__sender_key_message__get_packed_size(&p);
    if (out == NULL || cap < 1 + n + ST_SIG_BYTES)
        return SOTTO_ERR_INVALID_ARGUMENT;
    out[0] = ST_SK_VERSION_BYTE;
    n = sotto__group__sender_key_message__pack(&p, out + 1);
    rc = st_xeddsa_sign(out + 1 + n, signing_priv, out, 1 + n);
    if (rc != SOTTO_OK) {
        st_wipe(out, 1 + n + ST_SIG_BYTES);
        return rc;
    }
    *out_len = 1 + n + ST_SIG_BYTES;
    return SOTTO_OK;
}
