/*
 * Sealed sender v1 (signal-wire.md section 7; libsignal sealed_sender.rs
 * sealed_sender_encrypt_from_usmc / sealed_sender_decrypt_to_usmc):
 *
 *   e = fresh X25519 key pair, R = recipient identity, S = sender identity
 *   chain || ck_e || mk_e = HKDF(salt "UnidentifiedDelivery" || R || E, X25519(e, R), "", 96)
 *   encrypted_static = CTR(ck_e)(S) || HMAC(mk_e, that)[0..10]
 *   _ || ck_s || mk_s = HKDF(salt chain || encrypted_static, X25519(s, R), "", 96)
 *   encrypted_message = CTR(ck_s)(USMC) || HMAC(mk_s, that)[0..10]
 *   wire = 0x11 || UnidentifiedSenderMessage { E, encrypted_static, encrypted_message }
 *
 * CTR uses a zero IV. Receivers check each MAC before decrypting.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sealed.pb-c.h"
#include "sealed/sealed.h"

static const char SALT_PREFIX[] = "UnidentifiedDelivery";

struct v1_keys {
    uint8_t chain[32], cipher[32], mac[32];
};

/* Ephemeral keys: dh = X25519(e, R) (or (r, E) on receipt). */
static int ephemeral_keys(struct v1_keys *k, const uint8_t dh[32],
                          const uint8_t recipient33[ST_PUBKEY_BYTES],
                          const uint8_t eph33[ST_PUBKEY_BYTES])
{
    uint8_t salt[sizeof SALT_PREFIX - 1 + 2 * ST_PUBKEY_BYTES], okm[96];
    int rc;

    memcpy(salt, SALT_PREFIX, sizeof SALT_PREFIX - 1);
    memcpy(salt + sizeof SALT_PREFIX - 1, recipient33, ST_PUBKEY_BYTES);
    memcpy(salt + sizeof SALT_PREFIX - 1 + ST_PUBKEY_BYTES, eph33, ST_PUBKEY_BYTES);
    rc = st_hkdf_sha256(okm, sizeof okm, salt, sizeof salt, dh, 32, NULL, 0);
    if (rc == SOTTO_OK) {
        memcpy(k->chain, okm, 32);
        memcpy(k->cipher, okm + 32, 32);
        memcpy(k->mac, okm + 64, 32);
    }
    st_wipe(okm, sizeof okm);
    return rc;
}

/* Static keys: dh = X25519(s, R) (or (r, S)); the first 32 bytes unused. */
static int static_keys(struct v1_keys *k, const uint8_t dh[32], const uint8_t chain[32],
                       const uint8_t enc_static[ST_SEALED_STATIC_CT_BYTES])
{
    uint8_t salt[32 + ST_SEALED_STATIC_CT_BYTES], okm[96];
    int rc;

    memcpy(salt, chain, 32);
    memcpy(salt + 32, enc_static, ST_SEALED_STATIC_CT_BYTES);
    rc = st_hkdf_sha256(okm, sizeof okm, salt, sizeof salt, dh, 32, NULL, 0);
    if (rc == SOTTO_OK) {
        memset(k->chain, 0, 32);
        memcpy(k->cipher, okm + 32, 32);
        memcpy(k->mac, okm + 64, 32);
    }
    st_wipe(okm, sizeof okm);
    return rc;
}

/* out = CTR(key, 0)(in) || HMAC(mac, ct)[0..10]; out holds len + 10. */
static int ctr_mac_seal(uint8_t *out, const struct v1_keys *k, const uint8_t *in, size_t len)
{
    static const uint8_t zero_iv[ST_AES_BLOCK_BYTES];
    uint8_t tag[ST_HMAC_SHA256_BYTES];
    int rc;

    if ((rc = st_aes256_ctr(out, k->cipher, zero_iv, in, len)) != SOTTO_OK)
        return rc;
    st_hmac_sha256(tag, k->mac, 32, out, len);
    memcpy(out + len, tag, ST_SEALED_MAC_BYTES);
    return SOTTO_OK;
}

/* Checks the 10-byte MAC, then decrypts len - 10 bytes into out. */
static int ctr_mac_open(uint8_t *out, const struct v1_keys *k, const uint8_t *in, size_t len)
{
    static const uint8_t zero_iv[ST_AES_BLOCK_BYTES];
    uint8_t tag[ST_HMAC_SHA256_BYTES];
    size_t n;

    if (len < ST_SEALED_MAC_BYTES)
        return SOTTO_ERR_INVALID_MESSAGE;
    n = len - ST_SEALED_MAC_BYTES;
    st_hmac_sha256(tag, k->mac, 32, in, n);
    if (!st_ct_equal(tag, in + n, ST_SEALED_MAC_BYTES))
        return SOTTO_ERR_BAD_MAC;
    return st_aes256_ctr(out, k->cipher, zero_iv, in, n);
}

static int pack_envelope(uint8_t *out, size_t *out_len, size_t cap, const uint8_t eph33[33],
                         const uint8_t *enc_static, const uint8_t *enc_msg, size_t enc_msg_len)
{
    Sotto__Sealed__UnidentifiedSenderMessage m = SOTTO__SEALED__UNIDENTIFIED_SENDER_MESSAGE__INIT;
    size_t n;

    m.has_ephemeral_public = 1;
    m.ephemeral_public.data = (uint8_t *)eph33;
    m.ephemeral_public.len = ST_PUBKEY_BYTES;
    m.has_encrypted_static = 1;
    m.encrypted_static.data = (uint8_t *)enc_static;
    m.encrypted_static.len = ST_SEALED_STATIC_CT_BYTES;
    m.has_encrypted_message = 1;
    m.encrypted_message.data = (uint8_t *)enc_msg;
    m.encrypted_message.len = enc_msg_len;
    n = sotto__sealed__unidentified_sender_message__get_packed_size(&m);
    if (cap < 1 + n)
        return SOTTO_ERR_INVALID_ARGUMENT;
    out[0] = ST_SEALED_V1_VERSION_BYTE;
    *out_len = 1 + sotto__sealed__unidentified_sender_message__pack(&m, out + 1);
    return SOTTO_OK;
}

/* Encrypts the serialized USMC for recipient33 with our identity key s. */
static int seal_usmc(uint8_t *out, size_t *out_len, size_t cap, const uint8_t s[32],
                     const uint8_t recipient33[33], const uint8_t *usmc, size_t usmc_len)
{
    uint8_t e[32], epub[32], eph33[33], spub[32], s33[33], r[32], dh[32];
    uint8_t enc_static[ST_SEALED_STATIC_CT_BYTES], *enc_msg = NULL;
    struct v1_keys k;
    int rc;

    memset(&k, 0, sizeof k);
    if ((rc = st_pubkey_decode(r, recipient33, ST_PUBKEY_BYTES)) != SOTTO_OK ||
        (rc = st_x25519_public(spub, s)) != SOTTO_OK ||
        (rc = st_x25519_keypair(epub, e)) != SOTTO_OK)
        goto out;
    st_pubkey_encode(s33, spub);
    st_pubkey_encode(eph33, epub);
    /* ephemeral layer: hides S */
    if ((rc = st_x25519(dh, e, r)) != SOTTO_OK ||
        (rc = ephemeral_keys(&k, dh, recipient33, eph33)) != SOTTO_OK ||
        (rc = ctr_mac_seal(enc_static, &k, s33, ST_PUBKEY_BYTES)) != SOTTO_OK)
        goto out;
    /* static layer: binds the content to S */
    if ((rc = st_x25519(dh, s, r)) != SOTTO_OK ||
        (rc = static_keys(&k, dh, k.chain, enc_static)) != SOTTO_OK)
        goto out;
    enc_msg = malloc(usmc_len + ST_SEALED_MAC_BYTES);
    if (enc_msg == NULL) {
        rc = SOTTO_ERR_NOMEM;
        goto out;
    }
    if ((rc = ctr_mac_seal(enc_msg, &k, usmc, usmc_len)) != SOTTO_OK)
        goto out;
    rc = pack_envelope(out, out_len, cap, eph33, enc_static, enc_msg,
                       usmc_len + ST_SEALED_MAC_BYTES);
out:
    st_wipe(e, sizeof e);
    st_wipe(dh, sizeof dh);
    st_wipe(&k, sizeof k);
    free(enc_msg);
    return rc;
}

int sotto_sealed_encrypt(uint8_t *out, size_t *out_len, size_t cap,
                         const uint8_t our_identity_priv[32], const uint8_t recipient_identity[33],
                         uint32_t msg_type, const uint8_t *sender_cert, size_t sender_cert_len,
                         const uint8_t *content, size_t content_len, uint32_t content_hint,
                         const uint8_t *group_id, size_t group_id_len)
{
    struct st_usmc u;
    uint8_t *usmc = NULL;
    size_t usmc_len;
    int rc;

    if (out_len == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *out_len = 0;
    if (out == NULL || our_identity_priv == NULL || recipient_identity == NULL ||
        sender_cert == NULL || (content == NULL && content_len > 0) ||
        (group_id == NULL && group_id_len > 0) ||
        sotto_sealed_type_to_ciphertext_type(msg_type) == 0)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (content_len > SOTTO_SEALED_INPUT_MAX || sender_cert_len > SOTTO_SEALED_SENDER_CERT_MAX ||
        group_id_len > SOTTO_SEALED_INPUT_MAX)
        return SOTTO_ERR_TOO_LARGE;
    memset(&u, 0, sizeof u);
    u.type = msg_type;
    u.cert = sender_cert;
    u.cert_len = sender_cert_len;
    u.content = content;
    u.content_len = content_len;
    u.content_hint = content_hint;
    u.group_id = group_id;
    u.group_id_len = group_id_len;
    usmc_len = st_usmc_size(&u);
    usmc = malloc(usmc_len);
    if (usmc == NULL)
        return SOTTO_ERR_NOMEM;
    usmc_len = st_usmc_write(usmc, &u);
    rc = seal_usmc(out, out_len, cap, our_identity_priv, recipient_identity, usmc, usmc_len);
    st_wipe(usmc, usmc_len);
    free(usmc);
    return rc;
}

/* The parsed envelope (owns the protobuf). */
struct envelope {
    Sotto__Sealed__UnidentifiedSenderMessage *pb;
    uint8_t eph[32];
};

static int parse_envelope(struct envelope *env, const uint8_t *msg, size_t len)
{
    Sotto__Sealed__UnidentifiedSenderMessage *p;
    unsigned version;

    memset(env, 0, sizeof *env);
    if (msg == NULL || len == 0)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (len > SOTTO_SEALED_INPUT_MAX)
        return SOTTO_ERR_TOO_LARGE;
    /* libsignal accepts a high nibble of 0 or 1 for v1. */
    version = msg[0] >> 4;
    if (version == 2)
        return SOTTO_ERR_UNSUPPORTED;
    if (version > 1)
        return SOTTO_ERR_INVALID_VERSION;
    p = sotto__sealed__unidentified_sender_message__unpack(NULL, len - 1, msg + 1);
    if (p == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    env->pb = p;
    if (!p->has_ephemeral_public || !p->has_encrypted_static || !p->has_encrypted_message)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (st_pubkey_decode(env->eph, p->ephemeral_public.data, p->ephemeral_public.len) != SOTTO_OK)
        return SOTTO_ERR_INVALID_KEY;
    /* 33-byte key + 10-byte MAC; libsignal would fail the MAC or key on any other size. */
    if (p->encrypted_static.len != ST_SEALED_STATIC_CT_BYTES)
        return SOTTO_ERR_INVALID_MESSAGE;
    return SOTTO_OK;
}

/*
 * Opens the envelope: the sender's static key (33 bytes) and the USMC bytes
 * (malloc'd, *usmc_len). Nothing about the certificate is checked here.
 */
static int open_envelope(uint8_t s33[33], uint8_t **usmc, size_t *usmc_len, const uint8_t r[32],
                         const struct envelope *env)
{
    const Sotto__Sealed__UnidentifiedSenderMessage *p = env->pb;
    uint8_t rpub[32], r33[33], eph33[33], dh[32], spub[32];
    struct v1_keys k;
    int rc;

    *usmc = NULL;
    *usmc_len = 0;
    memset(&k, 0, sizeof k);
    if ((rc = st_x25519_public(rpub, r)) != SOTTO_OK)
        goto out;
    st_pubkey_encode(r33, rpub);
    st_pubkey_encode(eph33, env->eph);
    if ((rc = st_x25519(dh, r, env->eph)) != SOTTO_OK ||
        (rc = ephemeral_keys(&k, dh, r33, eph33)) != SOTTO_OK ||
        (rc = ctr_mac_open(s33, &k, p->encrypted_static.data, p->encrypted_static.len)) != SOTTO_OK)
        goto out;
    if ((rc = st_pubkey_decode(spub, s33, ST_PUBKEY_BYTES)) != SOTTO_OK)
        goto out;
    if ((rc = st_x25519(dh, r, spub)) != SOTTO_OK ||
        (rc = static_keys(&k, dh, k.chain, p->encrypted_static.data)) != SOTTO_OK)
        goto out;
    if (p->encrypted_message.len < ST_SEALED_MAC_BYTES) {
        rc = SOTTO_ERR_INVALID_MESSAGE;
        goto out;
    }
    *usmc_len = p->encrypted_message.len - ST_SEALED_MAC_BYTES;
    *usmc = malloc(*usmc_len ? *usmc_len : 1);
    if (*usmc == NULL) {
        rc = SOTTO_ERR_NOMEM;
        goto out;
    }
    rc = ctr_mac_open(*usmc, &k, p->encrypted_message.data, p->encrypted_message.len);
out:
    if (rc != SOTTO_OK && *usmc != NULL) {
        st_wipe(*usmc, *usmc_len);
        free(*usmc);
        *usmc = NULL;
        *usmc_len = 0;
    }
    st_wipe(dh, sizeof dh);
    st_wipe(&k, sizeof k);
    return rc;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (d != NULL && n > 0)
        memcpy(d, p, n);
    return d;
}

/* Checks the USMC against the static key and the trust roots; fills res. */
static int accept_usmc(struct sotto_sealed_result *res, const uint8_t s33[33], const uint8_t *usmc,
                       size_t usmc_len, const uint8_t *trust_roots, size_t n_roots, uint64_t now_ms,
                       const char *local_uuid, uint32_t local_device)
{
    struct st_usmc u;
    int rc;

    if ((rc = st_usmc_parse(&u, usmc, usmc_len)) != SOTTO_OK)
        return rc;
    if ((rc = sotto_sender_cert_parse(&res->sender, u.cert, u.cert_len)) != SOTTO_OK)
        goto out;
    /* The certificate must name the key the message was sealed with. */
    rc = SOTTO_ERR_UNTRUSTED_IDENTITY;
    if (!st_ct_equal(res->sender.identity_key, s33, ST_PUBKEY_BYTES))
        goto out;
    if ((rc = sotto_sender_cert_validate(u.cert, u.cert_len, trust_roots, n_roots, now_ms)) !=
        SOTTO_OK)
        goto out;
    rc = SOTTO_ERR_INVALID_STATE; /* libsignal: SealedSenderSelfSend */
    if (local_uuid != NULL && strcmp(local_uuid, res->sender.uuid) == 0 &&
        local_device == res->sender.device)
        goto out;
    rc = SOTTO_ERR_NOMEM;
    res->msg_type = u.type;
    res->content_hint = u.content_hint;
    res->content = dup_bytes(u.content, u.content_len);
    res->content_len = u.content_len;
    if (res->content == NULL)
        goto out;
    if (u.group_id != NULL) {
        res->group_id = dup_bytes(u.group_id, u.group_id_len);
        res->group_id_len = u.group_id_len;
        if (res->group_id == NULL)
            goto out;
    }
    rc = SOTTO_OK;
out:
    st_usmc_clear(&u);
    return rc;
}

int sotto_sealed_decrypt(struct sotto_sealed_result *res, const uint8_t our_identity_priv[32],
                         const uint8_t *trust_roots, size_t n_roots, uint64_t now_ms,
                         const char *local_uuid, uint32_t local_device, const uint8_t *msg,
                         size_t len)
{
    struct envelope env;
    uint8_t s33[33], *usmc = NULL;
    size_t usmc_len = 0;
    int rc;

    if (res == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    memset(res, 0, sizeof *res);
    if (our_identity_priv == NULL || trust_roots == NULL || n_roots == 0)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if ((rc = parse_envelope(&env, msg, len)) != SOTTO_OK)
        goto out;
    if ((rc = open_envelope(s33, &usmc, &usmc_len, our_identity_priv, &env)) != SOTTO_OK)
        goto out;
    rc = accept_usmc(res, s33, usmc, usmc_len, trust_roots, n_roots, now_ms, local_uuid,
                     local_device);
out:
    if (env.pb != NULL)
        sotto__sealed__unidentified_sender_message__free_unpacked(env.pb, NULL);
    if (usmc != NULL) {
        st_wipe(usmc, usmc_len);
        free(usmc);
    }
    if (rc != SOTTO_OK)
        sotto_sealed_result_free(res);
    return rc;
}

void sotto_sealed_result_free(struct sotto_sealed_result *res)
{
    if (res == NULL)
        return;
    if (res->content != NULL) {
        st_wipe(res->content, res->content_len);
        free(res->content);
    }
    free(res->group_id);
    memset(res, 0, sizeof *res);
}
