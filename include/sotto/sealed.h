/*
 * Sealed sender v1 (one recipient) and its certificates, byte-compatible
 * with libsignal (signal-wire.md section 7). The sender's identity travels
 * encrypted inside the message; the server sees only the recipient. The
 * inner content (a serialized SignalMessage, PreKeySignalMessage,
 * SenderKeyMessage or PlaintextContent) is opaque bytes here: encrypt it
 * with the session layer first and decrypt it with the session layer after.
 *
 * Usage (the peer driver's sealed_* ops):
 *
 *   sealed_encrypt: inner = 1:1 encrypt of the plaintext (type 2 or 3)
 *       size_t cap = SOTTO_SEALED_V1_MAX(cert_len, inner_len, 0);
 *       rc = sotto_sealed_encrypt(out, &out_len, cap, my_identity_priv, peer_identity_key,
 *                                 sotto_sealed_type_from_ciphertext_type(inner_type),
 *                                 cert, cert_len, inner, inner_len,
 *                                 SOTTO_SEALED_HINT_DEFAULT, NULL, 0);
 *   sealed_decrypt:
 *       struct sotto_sealed_result res;
 *       rc = sotto_sealed_decrypt(&res, my_identity_priv, trust_root, 1, timestamp_ms,
 *                                 my_uuid, my_device, msg, msg_len);
 *       res.sender.uuid, res.sender.device, then 1:1 decrypt res.content with
 *       type sotto_sealed_type_to_ciphertext_type(res.msg_type);
 *       sotto_sealed_result_free(&res);
 *
 *   certificates (a server, or a test standing in for one):
 *       sotto_server_cert_create(scert, &scert_len, sizeof scert, key_id, server_pub33,
 *                                trust_root_priv);
 *       sotto_sender_cert_create(cert, &cert_len, sizeof cert, uuid, NULL, device,
 *                                expires_ms, identity_key33, scert, scert_len, server_priv);
 */
#ifndef SOTTO_SEALED_H
#define SOTTO_SEALED_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum sotto_sealed_sizes {
    SOTTO_SEALED_UUID_MAX = 128, /* sender uuid string, bytes */
    SOTTO_SEALED_E164_MAX = 32,
    SOTTO_SEALED_SERVER_CERT_MAX = 256, /* ours are 2+64 + 2+(6+35) + 4 < 120 */
    SOTTO_SEALED_SENDER_CERT_MAX = 1024,
    SOTTO_SEALED_INPUT_MAX = (1 << 24) + 4096,
    SOTTO_SEALED_REVOKED_KEY_ID = 0xDEADC357, /* libsignal's test revocation */
};

/* Output room for a v1 message around a certificate, content and group id:
 * USMC at most 30 bytes of framing, the envelope at most 97. */
#define SOTTO_SEALED_V1_MAX(cert_len, content_len, group_len)                                      \
    ((size_t)(cert_len) + (size_t)(content_len) + (size_t)(group_len) + 127)

/* UnidentifiedSenderMessage.Message.Type (not CiphertextMessageType). */
enum sotto_sealed_type {
    SOTTO_SEALED_PREKEY = 1,    /* CiphertextMessageType 3 */
    SOTTO_SEALED_WHISPER = 2,   /* 2 */
    SOTTO_SEALED_SENDERKEY = 7, /* 7 */
    SOTTO_SEALED_PLAINTEXT = 8, /* 8 */
};

enum sotto_sealed_hint {
    SOTTO_SEALED_HINT_DEFAULT = 0,
    SOTTO_SEALED_HINT_RESENDABLE = 1,
    SOTTO_SEALED_HINT_IMPLICIT = 2,
};

/* CiphertextMessageType (2, 3, 7, 8) <-> sealed type; 0 if unknown. */
uint32_t sotto_sealed_type_from_ciphertext_type(uint32_t ciphertext_type);
uint32_t sotto_sealed_type_to_ciphertext_type(uint32_t sealed_type);

/* A parsed sender certificate (nothing verified by parsing alone). */
struct sotto_sender_cert {
    char uuid[SOTTO_SEALED_UUID_MAX + 1];
    char e164[SOTTO_SEALED_E164_MAX + 1]; /* "" when absent */
    int has_e164;
    uint32_t device;
    uint64_t expires; /* ms since the epoch */
    uint8_t identity_key[33];
    uint32_t server_key_id;
    uint8_t server_key[33];
};

/* A server certificate: the trust root signs (key_id, server key). */
SOTTO_MUST_CHECK int sotto_server_cert_create(uint8_t *out, size_t *out_len, size_t cap,
                                              uint32_t key_id, const uint8_t server_key[33],
                                              const uint8_t trust_root_priv[32]);

/* A sender certificate signed by the server key; e164 may be NULL.
 * Written as libsignal writes it (embedded server certificate, uuid string). */
SOTTO_MUST_CHECK int sotto_sender_cert_create(uint8_t *out, size_t *out_len, size_t cap,
                                              const char *uuid, const char *e164, uint32_t device,
                                              uint64_t expires, const uint8_t identity_key[33],
                                              const uint8_t *server_cert, size_t server_cert_len,
                                              const uint8_t server_priv[32]);

/* Parses without verifying. SOTTO_ERR_INVALID_MESSAGE, SOTTO_ERR_INVALID_KEY,
 * SOTTO_ERR_UNSUPPORTED (a certificate naming a built-in signer by id). */
SOTTO_MUST_CHECK int sotto_sender_cert_parse(struct sotto_sender_cert *cert, const uint8_t *in,
                                             size_t len);

/*
 * Validates as libsignal does: the server certificate verifies under one of
 * n_roots trust roots (33 bytes each, all tried), its key id is not
 * revoked, the sender certificate verifies under the server key, and
 * now_ms <= expires. SOTTO_ERR_UNTRUSTED_IDENTITY when any check fails.
 */
SOTTO_MUST_CHECK int sotto_sender_cert_validate(const uint8_t *in, size_t len,
                                                const uint8_t *trust_roots, size_t n_roots,
                                                uint64_t now_ms);

/*
 * Seals content for the recipient's identity key with our identity private
 * key (whose public key must be the one in the certificate, or the
 * recipient will refuse it). out needs SOTTO_SEALED_V1_MAX(...) bytes.
 */
SOTTO_MUST_CHECK int sotto_sealed_encrypt(uint8_t *out, size_t *out_len, size_t cap,
                                          const uint8_t our_identity_priv[32],
                                          const uint8_t recipient_identity[33], uint32_t msg_type,
                                          const uint8_t *sender_cert, size_t sender_cert_len,
                                          const uint8_t *content, size_t content_len,
                                          uint32_t content_hint, const uint8_t *group_id,
                                          size_t group_id_len);

struct sotto_sealed_result {
    struct sotto_sender_cert sender;
    uint32_t msg_type;     /* enum sotto_sealed_type */
    uint32_t content_hint; /* 0 when absent */
    uint8_t *content;      /* owned; sotto_sealed_result_free */
    size_t content_len;
    uint8_t *group_id; /* owned, NULL when absent */
    size_t group_id_len;
};

/*
 * Opens a v1 message with our identity key, checks that the certificate's
 * identity key is the one the message was sealed with, validates the
 * certificate (see sotto_sender_cert_validate) and refuses a message from
 * our own uuid and device (local_uuid may be NULL to skip that check).
 * Errors: SOTTO_ERR_INVALID_VERSION, SOTTO_ERR_UNSUPPORTED (v2),
 * SOTTO_ERR_INVALID_MESSAGE, SOTTO_ERR_INVALID_KEY, SOTTO_ERR_BAD_MAC,
 * SOTTO_ERR_WEAK_KEY, SOTTO_ERR_UNTRUSTED_IDENTITY (certificate or key
 * mismatch), SOTTO_ERR_INVALID_STATE (sent by ourselves).
 */
SOTTO_MUST_CHECK int sotto_sealed_decrypt(struct sotto_sealed_result *res,
                                          const uint8_t our_identity_priv[32],
                                          const uint8_t *trust_roots, size_t n_roots,
                                          uint64_t now_ms, const char *local_uuid,
                                          uint32_t local_device, const uint8_t *msg, size_t len);

/* Wipes and frees what a result holds. */
void sotto_sealed_result_free(struct sotto_sealed_result *res);

#endif
