/*
 * libsignal's 1:1 wire messages (signal-wire.md section 4), reader and
 * writer side by side:
 *   SignalMessage       = version byte || protobuf || 8-byte MAC
 *   PreKeySignalMessage = version byte || protobuf (field 4 is a SignalMessage)
 * The MAC is HMAC-SHA256(mac key, sender identity (33) || receiver identity
 * (33) || version byte || protobuf) truncated to 8 bytes, computed over the
 * bytes exactly as received: parsed messages keep pointers to the raw input.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "session/session.h"
#include "wire.pb-c.h"

static int check_version_byte(uint32_t *version, uint8_t b)
{
    *version = b >> 4;
    /* libsignal: below 3 is a legacy version, above 4 unrecognized. */
    if (*version < ST_VERSION_X3DH || *version > ST_VERSION_CURRENT)
        return SOTTO_ERR_INVALID_VERSION;
    return SOTTO_OK;
}

static int decode_key(uint8_t out[ST_KEY_BYTES], protobuf_c_boolean has, ProtobufCBinaryData b)
{
    if (!has)
        return SOTTO_ERR_INVALID_MESSAGE;
    return st_pubkey_decode(out, b.data, b.len);
}

void st_signal_msg_clear(struct st_signal_msg *m)
{
    if (m->pb != NULL)
        signal_wire__signal_message__free_unpacked(m->pb, NULL);
    memset(m, 0, sizeof(*m));
}

int st_signal_msg_parse(struct st_signal_msg *m, const uint8_t *in, size_t len)
{
    SignalWire__SignalMessage *pb;
    int rc;

    memset(m, 0, sizeof(*m));
    if (len < 1 + ST_MAC_BYTES)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (len > SOTTO_MESSAGE_MAX)
        return SOTTO_ERR_TOO_LARGE;
    if ((rc = check_version_byte(&m->version, in[0])) != SOTTO_OK)
        return rc;
    pb = signal_wire__signal_message__unpack(NULL, len - 1 - ST_MAC_BYTES, in + 1);
    if (pb == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    m->pb = pb;
    if (!pb->has_counter || !pb->has_ciphertext) {
        rc = SOTTO_ERR_INVALID_MESSAGE;
        goto out;
    }
    if ((rc = decode_key(m->ratchet_key, pb->has_ratchet_key, pb->ratchet_key)) != SOTTO_OK)
        goto out;
    m->counter = pb->counter;
    m->previous_counter = pb->previous_counter;
    m->body = pb->ciphertext.data;
    m->body_len = pb->ciphertext.len;
    m->raw = in;
    m->raw_len = len - ST_MAC_BYTES;
    m->mac = in + len - ST_MAC_BYTES;
out:
    if (rc != SOTTO_OK)
        st_signal_msg_clear(m);
    return rc;
}

static void compute_mac(uint8_t mac[ST_HMAC_SHA256_BYTES], const uint8_t sender[ST_KEY_BYTES],
                        const uint8_t receiver[ST_KEY_BYTES], const uint8_t mac_key[ST_KEY_BYTES],
                        const uint8_t *raw, size_t raw_len)
{
    struct st_hmac_sha256 h;
    uint8_t id[ST_PUBKEY_BYTES];

    st_hmac_sha256_init(&h, mac_key, ST_KEY_BYTES);
    st_pubkey_encode(id, sender);
    st_hmac_sha256_update(&h, id, sizeof(id));
    st_pubkey_encode(id, receiver);
    st_hmac_sha256_update(&h, id, sizeof(id));
    st_hmac_sha256_update(&h, raw, raw_len);
    st_hmac_sha256_final(&h, mac);
}

int st_signal_msg_verify_mac(const struct st_signal_msg *m, const uint8_t sender[ST_KEY_BYTES],
                             const uint8_t receiver[ST_KEY_BYTES],
                             const uint8_t mac_key[ST_KEY_BYTES])
{
    uint8_t mac[ST_HMAC_SHA256_BYTES];
    int ok;

    compute_mac(mac, sender, receiver, mac_key, m->raw, m->raw_len);
    ok = st_ct_equal(mac, m->mac, ST_MAC_BYTES);
    st_wipe(mac, sizeof(mac));
    return ok;
}

static ProtobufCBinaryData bin(const uint8_t *p, size_t len)
{
    ProtobufCBinaryData b = {len, (uint8_t *)p};
    return b;
}

int st_signal_msg_build(struct sotto_buf *out, uint32_t version,
                        const uint8_t ratchet_key[ST_KEY_BYTES], uint32_t counter,
                        uint32_t previous_counter, const uint8_t *body, size_t body_len,
                        const uint8_t sender[ST_KEY_BYTES], const uint8_t receiver[ST_KEY_BYTES],
                        const uint8_t mac_key[ST_KEY_BYTES])
{
    SignalWire__SignalMessage pb = SIGNAL_WIRE__SIGNAL_MESSAGE__INIT;
    uint8_t rk[ST_PUBKEY_BYTES], mac[ST_HMAC_SHA256_BYTES];
    size_t plen;

    out->data = NULL;
    out->len = 0;
    st_pubkey_encode(rk, ratchet_key);
    /* libsignal always writes fields 1-4, previous_counter even when 0. */
    pb.has_ratchet_key = pb.has_counter = pb.has_previous_counter = pb.has_ciphertext = 1;
    pb.ratchet_key = bin(rk, sizeof(rk));
    pb.counter = counter;
    pb.previous_counter = previous_counter;
    pb.ciphertext = bin(body, body_len);
    plen = signal_wire__signal_message__get_packed_size(&pb);
    out->data = malloc(1 + plen + ST_MAC_BYTES);
    if (out->data == NULL)
        return SOTTO_ERR_NOMEM;
    out->data[0] = (uint8_t)(version << 4 | ST_VERSION_CURRENT);
    signal_wire__signal_message__pack(&pb, out->data + 1);
    compute_mac(mac, sender, receiver, mac_key, out->data, 1 + plen);
    memcpy(out->data + 1 + plen, mac, ST_MAC_BYTES);
    st_wipe(mac, sizeof(mac));
    out->len = 1 + plen + ST_MAC_BYTES;
    return SOTTO_OK;
}

void st_prekey_msg_clear(struct st_prekey_msg *m)
{
    st_signal_msg_clear(&m->inner);
    if (m->pb != NULL)
        signal_wire__pre_key_signal_message__free_unpacked(m->pb, NULL);
    memset(m, 0, sizeof(*m));
}

static int prekey_fields(struct st_prekey_msg *m, const SignalWire__PreKeySignalMessage *pb)
{
    int rc;

    if (!pb->has_signed_pre_key_id || !pb->has_message)
        return SOTTO_ERR_INVALID_MESSAGE;
    if ((rc = decode_key(m->base_key, pb->has_base_key, pb->base_key)) != SOTTO_OK ||
        (rc = decode_key(m->identity_key, pb->has_identity_key, pb->identity_key)) != SOTTO_OK)
        return rc;
    m->has_prekey = pb->has_pre_key_id;
    m->prekey_id = pb->pre_key_id;
    m->signed_prekey_id = pb->signed_pre_key_id;
    m->registration_id = pb->registration_id;
    /* Kyber id and ciphertext come both or neither; v4 needs them. */
    if (pb->has_kyber_pre_key_id != pb->has_kyber_ciphertext)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (m->version == ST_VERSION_PQXDH && !pb->has_kyber_ciphertext)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (pb->has_kyber_ciphertext && m->version == ST_VERSION_PQXDH) {
        if (pb->kyber_ciphertext.len != ST_KYBER_CT_BYTES)
            return SOTTO_ERR_INVALID_MESSAGE;
        m->has_kyber = 1;
        m->kyber_prekey_id = pb->kyber_pre_key_id;
        m->kyber_ct = pb->kyber_ciphertext.data;
        m->kyber_ct_len = pb->kyber_ciphertext.len;
    }
    return st_signal_msg_parse(&m->inner, pb->message.data, pb->message.len);
}

int st_prekey_msg_parse(struct st_prekey_msg *m, const uint8_t *in, size_t len)
{
    SignalWire__PreKeySignalMessage *pb;
    int rc;

    memset(m, 0, sizeof(*m));
    if (len < 1)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (len > SOTTO_MESSAGE_MAX)
        return SOTTO_ERR_TOO_LARGE;
    if ((rc = check_version_byte(&m->version, in[0])) != SOTTO_OK)
        return rc;
    pb = signal_wire__pre_key_signal_message__unpack(NULL, len - 1, in + 1);
    if (pb == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    m->pb = pb;
    if ((rc = prekey_fields(m, pb)) != SOTTO_OK)
        st_prekey_msg_clear(m);
    return rc;
}

int st_prekey_msg_build(struct sotto_buf *out, const struct st_state *s, const uint8_t *inner,
                        size_t inner_len)
{
    SignalWire__PreKeySignalMessage pb = SIGNAL_WIRE__PRE_KEY_SIGNAL_MESSAGE__INIT;
    uint8_t base[ST_PUBKEY_BYTES], id[ST_PUBKEY_BYTES];
    const struct st_pending *p = &s->pending;
    size_t plen;

    out->data = NULL;
    out->len = 0;
    st_pubkey_encode(base, p->base_key);
    st_pubkey_encode(id, s->local_identity);
    pb.has_pre_key_id = p->has_prekey != 0;
    pb.pre_key_id = p->prekey_id;
    pb.has_base_key = pb.has_identity_key = pb.has_message = 1;
    pb.base_key = bin(base, sizeof(base));
    pb.identity_key = bin(id, sizeof(id));
    pb.message = bin(inner, inner_len);
    pb.has_registration_id = pb.has_signed_pre_key_id = 1;
    pb.registration_id = s->local_registration_id;
    pb.signed_pre_key_id = p->signed_prekey_id;
    pb.has_kyber_pre_key_id = pb.has_kyber_ciphertext = p->has_kyber != 0;
    pb.kyber_pre_key_id = p->kyber_prekey_id;
    pb.kyber_ciphertext = bin(p->kyber_ct, ST_KYBER_CT_BYTES);
    plen = signal_wire__pre_key_signal_message__get_packed_size(&pb);
    out->data = malloc(1 + plen);
    if (out->data == NULL)
        return SOTTO_ERR_NOMEM;
    out->data[0] = (uint8_t)(s->version << 4 | ST_VERSION_CURRENT);
    signal_wire__pre_key_signal_message__pack(&pb, out->data + 1);
    out->len = 1 + plen;
    return SOTTO_OK;
}
