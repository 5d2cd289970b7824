/*
 * Sealed-sender certificates (signal-wire.md section 7; libsignal
 * sealed_sender.rs ServerCertificate / SenderCertificate):
 *
 *   ServerCertificate = { certificate: { id, key }, signature by a trust root }
 *   SenderCertificate = { certificate: { e164?, device, expires, identity key,
 *                         signer (the ServerCertificate), uuid }, signature by
 *                         the server key }
 *
 * Signatures cover the inner certificate bytes exactly as received.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sealed.pb-c.h"
#include "sealed/sealed.h"

typedef Sotto__Sealed__ServerCertificate pb_server;
typedef Sotto__Sealed__ServerCertificateData pb_server_inner;
typedef Sotto__Sealed__SenderCertificate pb_sender;
typedef Sotto__Sealed__SenderCertificateData pb_sender_inner;

/* Every unpacked level of one sender certificate. */
struct cert_parts {
    pb_sender *outer;
    pb_sender_inner *inner;
    pb_server *server;
    pb_server_inner *server_inner;
};

static void parts_free(struct cert_parts *p)
{
    if (p->outer != NULL)
        sotto__sealed__sender_certificate__free_unpacked(p->outer, NULL);
    if (p->inner != NULL)
        sotto__sealed__sender_certificate_data__free_unpacked(p->inner, NULL);
    if (p->server != NULL)
        sotto__sealed__server_certificate__free_unpacked(p->server, NULL);
    if (p->server_inner != NULL)
        sotto__sealed__server_certificate_data__free_unpacked(p->server_inner, NULL);
    memset(p, 0, sizeof *p);
}

static int pubkey_ok(protobuf_c_boolean has, const ProtobufCBinaryData *b)
{
    return has && b->len == ST_PUBKEY_BYTES && b->data[0] == ST_PUBKEY_TYPE_DJB;
}

static int parse_server(struct cert_parts *p, struct sotto_sender_cert *c,
                        const ProtobufCBinaryData *bytes)
{
    p->server = sotto__sealed__server_certificate__unpack(NULL, bytes->len, bytes->data);
    if (p->server == NULL || !p->server->has_certificate || !p->server->has_signature)
        return SOTTO_ERR_INVALID_MESSAGE;
    p->server_inner = sotto__sealed__server_certificate_data__unpack(
        NULL, p->server->certificate.len, p->server->certificate.data);
    if (p->server_inner == NULL || !p->server_inner->has_key || !p->server_inner->has_id)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (!pubkey_ok(1, &p->server_inner->key))
        return SOTTO_ERR_INVALID_KEY;
    c->server_key_id = p->server_inner->id;
    memcpy(c->server_key, p->server_inner->key.data, ST_PUBKEY_BYTES);
    return SOTTO_OK;
}

static int copy_uuid(struct sotto_sender_cert *c, const pb_sender_inner *in)
{
    switch (in->sender_uuid_case) {
    case SOTTO__SEALED__SENDER_CERTIFICATE_DATA__SENDER_UUID_UUID_STRING:
        if (in->uuid_string == NULL || strlen(in->uuid_string) > SOTTO_SEALED_UUID_MAX)
            return SOTTO_ERR_INVALID_MESSAGE;
        memcpy(c->uuid, in->uuid_string, strlen(in->uuid_string) + 1);
        return SOTTO_OK;
    case SOTTO__SEALED__SENDER_CERTIFICATE_DATA__SENDER_UUID_UUID_BYTES: {
        static const char digits[] = "0123456789abcdef";
        size_t o = 0;
        if (in->uuid_bytes.len != 16)
            return SOTTO_ERR_INVALID_MESSAGE;
        for (size_t i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10)
                c->uuid[o++] = '-';
            c->uuid[o++] = digits[in->uuid_bytes.data[i] >> 4];
            c->uuid[o++] = digits[in->uuid_bytes.data[i] & 15];
        }
        c->uuid[o] = '\0';
        return SOTTO_OK;
    }
    default:
        return SOTTO_ERR_INVALID_MESSAGE;
    }
}

static int parse_inner(struct cert_parts *p, struct sotto_sender_cert *c)
{
    pb_sender_inner *in = p->inner;
    int rc;

    if (!in->has_sender_device || !in->has_expires)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (in->signer_case == SOTTO__SEALED__SENDER_CERTIFICATE_DATA__SIGNER_SIGNER_ID)
        return SOTTO_ERR_UNSUPPORTED; /* libsignal's built-in server certificates */
    if (in->signer_case != SOTTO__SEALED__SENDER_CERTIFICATE_DATA__SIGNER_SIGNER_CERTIFICATE)
        return SOTTO_ERR_INVALID_MESSAGE;
    if ((rc = copy_uuid(c, in)) != SOTTO_OK)
        return rc;
    if (in->sender_e164 != NULL) {
        if (strlen(in->sender_e164) > SOTTO_SEALED_E164_MAX)
            return SOTTO_ERR_INVALID_MESSAGE;
        memcpy(c->e164, in->sender_e164, strlen(in->sender_e164) + 1);
        c->has_e164 = 1;
    }
    if (!in->has_identity_key)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (!pubkey_ok(1, &in->identity_key))
        return SOTTO_ERR_INVALID_KEY;
    memcpy(c->identity_key, in->identity_key.data, ST_PUBKEY_BYTES);
    c->device = in->sender_device;
    c->expires = in->expires;
    return parse_server(p, c, &in->signer_certificate);
}

static int parse_parts(struct cert_parts *p, struct sotto_sender_cert *c, const uint8_t *in,
                       size_t len)
{
    memset(p, 0, sizeof *p);
    memset(c, 0, sizeof *c);
    if (in == NULL || len > SOTTO_SEALED_SENDER_CERT_MAX)
        return in == NULL ? SOTTO_ERR_INVALID_MESSAGE : SOTTO_ERR_TOO_LARGE;
    p->outer = sotto__sealed__sender_certificate__unpack(NULL, len, in);
    if (p->outer == NULL || !p->outer->has_certificate || !p->outer->has_signature)
        return SOTTO_ERR_INVALID_MESSAGE;
    p->inner = sotto__sealed__sender_certificate_data__unpack(NULL, p->outer->certificate.len,
                                                              p->outer->certificate.data);
    if (p->inner == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    return parse_inner(p, c);
}

int sotto_sender_cert_parse(struct sotto_sender_cert *cert, const uint8_t *in, size_t len)
{
    struct cert_parts p;
    int rc;

    if (cert == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = parse_parts(&p, cert, in, len);
    parts_free(&p);
    if (rc != SOTTO_OK)
        memset(cert, 0, sizeof *cert);
    return rc;
}

/* XEdDSA check of sig over msg by a 33-byte key; 1 if it verifies. */
static int verifies(const uint8_t key33[ST_PUBKEY_BYTES], const ProtobufCBinaryData *msg,
                    const ProtobufCBinaryData *sig)
{
    if (sig->len != ST_SIG_BYTES)
        return 0;
    return st_xeddsa_verify(sig->data, key33 + 1, msg->data, msg->len) == SOTTO_OK;
}

int sotto_sender_cert_validate(const uint8_t *in, size_t len, const uint8_t *trust_roots,
                               size_t n_roots, uint64_t now_ms)
{
    struct sotto_sender_cert c;
    struct cert_parts p;
    int rc, root_ok = 0;

    if (trust_roots == NULL || n_roots == 0)
        return SOTTO_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < n_roots; i++) {
        if (trust_roots[33 * i] != ST_PUBKEY_TYPE_DJB)
            return SOTTO_ERR_INVALID_KEY;
    }
    if ((rc = parse_parts(&p, &c, in, len)) != SOTTO_OK)
        goto out;
    /* Every root is tried, so timing does not tell which one signed. */
    for (size_t i = 0; i < n_roots; i++)
        root_ok |= verifies(trust_roots + 33 * i, &p.server->certificate, &p.server->signature);
    rc = SOTTO_ERR_UNTRUSTED_IDENTITY;
    if (!root_ok || c.server_key_id == SOTTO_SEALED_REVOKED_KEY_ID)
        goto out;
    if (!verifies(c.server_key, &p.outer->certificate, &p.outer->signature))
        goto out;
    if (now_ms > c.expires)
        goto out;
    rc = SOTTO_OK;
out:
    parts_free(&p);
    return rc;
}

/* Packs {certificate, signature by priv over it} with a signed inner blob. */
static int sign_and_wrap(uint8_t *out, size_t *out_len, size_t cap, const uint8_t *inner,
                         size_t inner_len, const uint8_t priv[32], int sender)
{
    uint8_t sig[ST_SIG_BYTES];
    ProtobufCBinaryData c = {inner_len, (uint8_t *)inner}, s = {sizeof sig, sig};
    pb_server srv = SOTTO__SEALED__SERVER_CERTIFICATE__INIT;
    pb_sender snd = SOTTO__SEALED__SENDER_CERTIFICATE__INIT;
    size_t n;
    int rc;

    if ((rc = st_xeddsa_sign(sig, priv, inner, inner_len)) != SOTTO_OK)
        return rc;
    /* Both wrappers have the same two fields; pick the descriptor. */
    srv.has_certificate = snd.has_certificate = 1;
    srv.certificate = snd.certificate = c;
    srv.has_signature = snd.has_signature = 1;
    srv.signature = snd.signature = s;
    n = sender ? sotto__sealed__sender_certificate__get_packed_size(&snd)
               : sotto__sealed__server_certificate__get_packed_size(&srv);
    if (n > cap)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *out_len = sender ? sotto__sealed__sender_certificate__pack(&snd, out)
                      : sotto__sealed__server_certificate__pack(&srv, out);
    return SOTTO_OK;
}

int sotto_server_cert_create(uint8_t *out, size_t *out_len, size_t cap, uint32_t key_id,
                             const uint8_t server_key[33], const uint8_t trust_root_priv[32])
{
    pb_server_inner in = SOTTO__SEALED__SERVER_CERTIFICATE_DATA__INIT;
    uint8_t buf[64];
    size_t n;

    if (out_len == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *out_len = 0;
    if (out == NULL || server_key == NULL || trust_root_priv == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (server_key[0] != ST_PUBKEY_TYPE_DJB)
        return SOTTO_ERR_INVALID_KEY;
    in.has_id = 1;
    in.id = key_id;
    in.has_key = 1;
    in.key.data = (uint8_t *)server_key;
    in.key.len = ST_PUBKEY_BYTES;
    n = sotto__sealed__server_certificate_data__pack(&in, buf);
    return sign_and_wrap(out, out_len, cap, buf, n, trust_root_priv, 0);
}

int sotto_sender_cert_create(uint8_t *out, size_t *out_len, size_t cap, const char *uuid,
                             const char *e164, uint32_t device, uint64_t expires,
                             const uint8_t identity_key[33], const uint8_t *server_cert,
                             size_t server_cert_len, const uint8_t server_priv[32])
{
    pb_sender_inner in;
    uint8_t *buf = NULL;
    size_t n;
    int rc;

    if (out_len == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *out_len = 0;
    if (out == NULL || uuid == NULL || identity_key == NULL || server_cert == NULL ||
        server_priv == NULL || strlen(uuid) > SOTTO_SEALED_UUID_MAX ||
        (e164 != NULL && strlen(e164) > SOTTO_SEALED_E164_MAX) ||
        server_cert_len > SOTTO_SEALED_SERVER_CERT_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (identity_key[0] != ST_PUBKEY_TYPE_DJB)
        return SOTTO_ERR_INVALID_KEY;
    sotto__sealed__sender_certificate_data__init(&in);
    in.sender_e164 = (char *)e164;
    in.has_sender_device = 1;
    in.sender_device = device;
    in.has_expires = 1;
    in.expires = expires;
    in.has_identity_key = 1;
    in.identity_key.data = (uint8_t *)identity_key;
    in.identity_key.len = ST_PUBKEY_BYTES;
    in.signer_case = SOTTO__SEALED__SENDER_CERTIFICATE_DATA__SIGNER_SIGNER_CERTIFICATE;
    in.signer_certificate.data = (uint8_t *)server_cert;
    in.signer_certificate.len = server_cert_len;
    in.sender_uuid_case = SOTTO__SEALED__SENDER_CERTIFICATE_DATA__SENDER_UUID_UUID_STRING;
    in.uuid_string = (char *)uuid;
    n = sotto__sealed__sender_certificate_data__get_packed_size(&in);
    buf = malloc(n);
    if (buf == NULL)
        return SOTTO_ERR_NOMEM;
    n = sotto__sealed__sender_certificate_data__pack(&in, buf);
    rc = sign_and_wrap(out, out_len, cap, buf, n, server_priv, 1);
    free(buf);
    return rc;
}
