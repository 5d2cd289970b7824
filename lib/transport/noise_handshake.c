/*
 * Noise HandshakeState (Noise revision 34, §5.3) for
 * Noise_XX_25519_ChaChaPoly_BLAKE2b and Noise_IK_25519_ChaChaPoly_BLAKE2b:
 *
 *   XX:  -> e                 IK:  <- s
 *        <- e, ee, s, es           ...
 *        -> s, se                  -> e, es, s, ss
 *                                  <- e, ee, se
 *
 * Every message is processed on a local copy of the state that is written
 * back only when the whole message succeeded; a failure marks the handshake
 * FAILED instead (noise.h has the contract).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "transport/noise_state.h"

enum token { T_END = 0, T_E, T_S, T_EE, T_ES, T_SE, T_SS };

enum { MAX_MESSAGES = 3, MAX_TOKENS = 5 };

struct pattern {
    const char *name;
    unsigned nmsgs;
    int resp_static_premessage; /* "<- s" before "..." */
    uint8_t tokens[MAX_MESSAGES][MAX_TOKENS];
};

static const struct pattern patterns[] = {
    [ST_NOISE_XX] = {.name = "Noise_XX_25519_ChaChaPoly_BLAKE2b",
                     .nmsgs = 3,
                     .resp_static_premessage = 0,
                     .tokens = {{T_E}, {T_E, T_EE, T_S, T_ES}, {T_S, T_SE}}},
    [ST_NOISE_IK] = {.name = "Noise_IK_25519_ChaChaPoly_BLAKE2b",
                     .nmsgs = 2,
                     .resp_static_premessage = 1,
                     .tokens = {{T_E, T_ES, T_S, T_SS}, {T_E, T_EE, T_SE}}},
};

struct st_noise_handshake {
    struct st_noise_symmetric ss;
    const struct pattern *pat;
    int initiator;
    int failed;
    int split;
    unsigned msg; /* index of the next handshake message */
    uint8_t s[ST_NOISE_KEY_BYTES], s_pub[ST_NOISE_KEY_BYTES];
    uint8_t e[ST_NOISE_KEY_BYTES], e_pub[ST_NOISE_KEY_BYTES];
    uint8_t re[ST_NOISE_KEY_BYTES], rs[ST_NOISE_KEY_BYTES];
    int has_e, has_rs;
};

enum st_noise_state st_noise_handshake_state(const struct st_noise_handshake *hs)
{
    if (hs->failed)
        return ST_NOISE_FAILED;
    if (hs->split)
        return ST_NOISE_SPLIT;
    if (hs->msg >= hs->pat->nmsgs)
        return ST_NOISE_DONE;
    /* The initiator writes the even-numbered messages (0, 2). */
    if ((hs->msg % 2 == 0) == (hs->initiator != 0))
        return ST_NOISE_WRITE;
    return ST_NOISE_READ;
}

int st_noise_handshake_done(const struct st_noise_handshake *hs)
{
    enum st_noise_state st = st_noise_handshake_state(hs);
    return st == ST_NOISE_DONE || st == ST_NOISE_SPLIT;
}

int st_noise_handshake_new(struct st_noise_handshake **hsp, enum st_noise_pattern p, int initiator,
                           const uint8_t s_priv[ST_NOISE_KEY_BYTES], const uint8_t *rs_pub,
                           const uint8_t *prologue, size_t plen)
{
    struct st_noise_handshake *hs = NULL;
    int rc = SOTTO_ERR_INVALID_ARGUMENT;

    if (hsp == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *hsp = NULL;
    if ((p != ST_NOISE_XX && p != ST_NOISE_IK) || s_priv == NULL || (prologue == NULL && plen > 0))
        goto out;
    /* Only an IK initiator knows the responder's static key in advance. */
    if ((rs_pub != NULL) != (p == ST_NOISE_IK && initiator))
        goto out;
    rc = SOTTO_ERR_NOMEM;
    hs = calloc(1, sizeof *hs);
    if (hs == NULL)
        goto out;
    hs->pat = &patterns[p];
    hs->initiator = initiator != 0;
    memcpy(hs->s, s_priv, ST_NOISE_KEY_BYTES);
    rc = st_x25519_public(hs->s_pub, hs->s);
    if (rc != SOTTO_OK)
        goto out;
    if (rs_pub != NULL) {
        memcpy(hs->rs, rs_pub, ST_NOISE_KEY_BYTES);
        hs->has_rs = 1;
    }
    /*
     *= https://noiseprotocol.org/noise.html#the-handshakestate-object
     *# Calls MixHash(prologue). Calls MixHash() once for each public key
     *# listed in the pre-messages from handshake_pattern
     */
    st_noise_symmetric_init(&hs->ss, hs->pat->name);
    st_noise_mix_hash(&hs->ss, prologue, plen);
    if (hs->pat->resp_static_premessage)
        st_noise_mix_hash(&hs->ss, hs->initiator ? hs->rs : hs->s_pub, ST_NOISE_KEY_BYTES);
    *hsp = hs;
    hs = NULL;
    rc = SOTTO_OK;
out:
    st_noise_handshake_free(hs);
    return rc;
}

void st_noise_handshake_free(struct st_noise_handshake *hs)
{
    if (hs == NULL)
        return;
    st_wipe(hs, sizeof *hs);
    free(hs);
}

int st_noise_set_ephemeral(struct st_noise_handshake *hs, const uint8_t e_priv[ST_NOISE_KEY_BYTES])
{
    int rc;

    if (hs == NULL || e_priv == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    /* Our e token is in our first message: before it, msg is 0 (initiator)
     * or at most 1 (responder). */
    if (hs->failed || hs->split || hs->msg > (hs->initiator ? 0u : 1u))
        return SOTTO_ERR_INVALID_STATE;
    memcpy(hs->e, e_priv, ST_NOISE_KEY_BYTES);
    rc = st_x25519_public(hs->e_pub, hs->e);
    if (rc != SOTTO_OK) {
        st_wipe(hs->e, sizeof hs->e);
        return rc;
    }
    hs->has_e = 1;
    return SOTTO_OK;
}

/* Bytes message hs->msg adds to its payload: tokens, static key encrypted
 * once a key exists, payload tag once a key exists. */
static size_t message_overhead(const struct st_noise_handshake *hs)
{
    const uint8_t *tok = hs->pat->tokens[hs->msg];
    int has_key = hs->ss.cs.has_key;
    size_t n = 0;

    for (unsigned i = 0; i < MAX_TOKENS && tok[i] != T_END; i++) {
        if (tok[i] == T_E)
            n += ST_NOISE_KEY_BYTES;
        else if (tok[i] == T_S)
            n += ST_NOISE_KEY_BYTES + (has_key ? ST_NOISE_TAG_BYTES : 0);
        else
            has_key = 1;
    }
    return n + (has_key ? ST_NOISE_TAG_BYTES : 0);
}

size_t st_noise_write_overhead(const struct st_noise_handshake *hs)
{
    if (hs == NULL || st_noise_handshake_state(hs) != ST_NOISE_WRITE)
        return 0;
    return message_overhead(hs);
}

/* ee, es, se, ss: MixKey(DH(..)). A zero DH output (a small-order key from
 * the peer) fails the handshake. */
static int mix_dh(struct st_noise_handshake *hs, enum token t)
{
    const uint8_t *priv, *pub;
    uint8_t dh[ST_X25519_BYTES];
    int rc;

    switch (t) {
    case T_EE:
        priv = hs->e, pub = hs->re;
        break;
    case T_ES:
        priv = hs->initiator ? hs->e : hs->s, pub = hs->initiator ? hs->rs : hs->re;
        break;
    case T_SE:
        priv = hs->initiator ? hs->s : hs->e, pub = hs->initiator ? hs->re : hs->rs;
        break;
    case T_SS:
        priv = hs->s, pub = hs->rs;
        break;
    default:
        return SOTTO_ERR_INVALID_STATE;
    }
    rc = st_x25519(dh, priv, pub);
    if (rc != SOTTO_OK) {
        rc = SOTTO_ERR_HANDSHAKE;
        goto out;
    }
    st_noise_mix_key(&hs->ss, dh);
out:
    st_wipe(dh, sizeof dh);
    return rc;
}

/* WriteMessage's token loop and payload, on w (a copy). */
static int write_tokens(struct st_noise_handshake *w, uint8_t *out, size_t *pos,
                        const uint8_t *payload, size_t len)
{
    const uint8_t *tok = w->pat->tokens[w->msg];
    size_t n;
    int rc = SOTTO_OK;

    for (unsigned i = 0; i < MAX_TOKENS && tok[i] != T_END && rc == SOTTO_OK; i++) {
        switch (tok[i]) {
        case T_E: /* e = GENERATE_KEYPAIR() unless injected; MixHash(e.pub) */
            if (!w->has_e) {
                rc = st_x25519_keypair(w->e_pub, w->e);
                if (rc != SOTTO_OK)
                    break;
                w->has_e = 1;
            }
            memcpy(out + *pos, w->e_pub, ST_NOISE_KEY_BYTES);
            *pos += ST_NOISE_KEY_BYTES;
            st_noise_mix_hash(&w->ss, w->e_pub, ST_NOISE_KEY_BYTES);
            break;
        case T_S: /* EncryptAndHash(s.pub) */
            n = ST_NOISE_KEY_BYTES + (w->ss.cs.has_key ? ST_NOISE_TAG_BYTES : 0);
            rc = st_noise_encrypt_and_hash(&w->ss, out + *pos, w->s_pub, ST_NOISE_KEY_BYTES);
            *pos += n;
            break;
        default:
            rc = mix_dh(w, (enum token)tok[i]);
            break;
        }
    }
    if (rc != SOTTO_OK)
        return rc;
    n = len + (w->ss.cs.has_key ? ST_NOISE_TAG_BYTES : 0);
    rc = st_noise_encrypt_and_hash(&w->ss, out + *pos, payload, len);
    *pos += n;
    return rc;
}

int st_noise_write_message(struct st_noise_handshake *hs, uint8_t *out, size_t cap, size_t *outlen,
                           const uint8_t *payload, size_t len)
{
    struct st_noise_handshake w;
    size_t need, pos = 0;
    int rc;

    if (outlen == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *outlen = 0;
    if (hs == NULL || out == NULL || (payload == NULL && len > 0))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (st_noise_handshake_state(hs) != ST_NOISE_WRITE)
        return SOTTO_ERR_INVALID_STATE;
    need = message_overhead(hs);
    if (len > ST_NOISE_MAX_MESSAGE - need)
        return SOTTO_ERR_TOO_LARGE;
    need += len;
    if (cap < need)
        return SOTTO_ERR_INVALID_ARGUMENT;

    w = *hs;
    rc = write_tokens(&w, out, &pos, payload, len);
    if (rc != SOTTO_OK) {
        hs->failed = 1;
        st_wipe(out, need);
        goto out;
    }
    w.msg++;
    *hs = w;
    *outlen = pos;
out:
    st_wipe(&w, sizeof w);
    return rc;
}

/* ReadMessage's token loop and payload, on w (a copy). The length was
 * checked against message_overhead, so the reads stay inside msg. */
static int read_tokens(struct st_noise_handshake *w, uint8_t *payload, const uint8_t *msg,
                       size_t len)
{
    const uint8_t *tok = w->pat->tokens[w->msg];
    size_t pos = 0, n;
    int rc = SOTTO_OK;

    for (unsigned i = 0; i < MAX_TOKENS && tok[i] != T_END && rc == SOTTO_OK; i++) {
        switch (tok[i]) {
        case T_E: /* re = the next DHLEN bytes; MixHash(re.pub) */
            memcpy(w->re, msg + pos, ST_NOISE_KEY_BYTES);
            pos += ST_NOISE_KEY_BYTES;
            st_noise_mix_hash(&w->ss, w->re, ST_NOISE_KEY_BYTES);
            break;
        case T_S: /* rs = DecryptAndHash(next DHLEN (+16) bytes) */
            n = ST_NOISE_KEY_BYTES + (w->ss.cs.has_key ? ST_NOISE_TAG_BYTES : 0);
            rc = st_noise_decrypt_and_hash(&w->ss, w->rs, msg + pos, n);
            w->has_rs = rc == SOTTO_OK;
            pos += n;
            break;
        default:
            rc = mix_dh(w, (enum token)tok[i]);
            break;
        }
    }
    if (rc != SOTTO_OK)
        return rc;
    return st_noise_decrypt_and_hash(&w->ss, payload, msg + pos, len - pos);
}

int st_noise_read_message(struct st_noise_handshake *hs, uint8_t *payload, size_t cap, size_t *plen,
                          const uint8_t *msg, size_t len)
{
    struct st_noise_handshake w;
    uint8_t empty[1]; /* payload target when the caller expects none */
    size_t overhead;
    int rc;

    if (plen == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *plen = 0;
    if (hs == NULL || (msg == NULL && len > 0) || (payload == NULL && cap > 0))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (st_noise_handshake_state(hs) != ST_NOISE_READ)
        return SOTTO_ERR_INVALID_STATE;
    overhead = message_overhead(hs);
    /* From here on, errors in the peer's bytes fail the handshake. */
    if (len > ST_NOISE_MAX_MESSAGE) {
        hs->failed = 1;
        return SOTTO_ERR_TOO_LARGE;
    }
    if (len < overhead) { /* shorter than its keys and tags */
        hs->failed = 1;
        return SOTTO_ERR_TRUNCATED;
    }
    if (cap < len - overhead)
        return SOTTO_ERR_INVALID_ARGUMENT;

    w = *hs;
    rc = read_tokens(&w, payload != NULL ? payload : empty, msg, len);
    if (rc != SOTTO_OK) {
        /* A bad tag, a bad key: all the same to the caller. */
        if (rc == SOTTO_ERR_BAD_MAC || rc == SOTTO_ERR_WEAK_KEY)
            rc = SOTTO_ERR_HANDSHAKE;
        hs->failed = 1;
        if (cap > 0)
            st_wipe(payload, len - overhead);
        goto out;
    }
    w.msg++;
    *hs = w;
    *plen = len - overhead;
out:
    st_wipe(&w, sizeof w);
    return rc;
}

int st_noise_remote_static(const struct st_noise_handshake *hs, uint8_t rs[ST_NOISE_KEY_BYTES])
{
    if (hs == NULL || rs == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    memset(rs, 0, ST_NOISE_KEY_BYTES);
    if (hs->failed || !hs->has_rs)
        return SOTTO_ERR_INVALID_STATE;
    memcpy(rs, hs->rs, ST_NOISE_KEY_BYTES);
    return SOTTO_OK;
}

int st_noise_handshake_hash(const struct st_noise_handshake *hs, uint8_t h[ST_NOISE_HASH_BYTES])
{
    if (hs == NULL || h == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    memset(h, 0, ST_NOISE_HASH_BYTES);
    if (!st_noise_handshake_done(hs))
        return SOTTO_ERR_INVALID_STATE;
    memcpy(h, hs->ss.h, ST_NOISE_HASH_BYTES);
    return SOTTO_OK;
}

int st_noise_handshake_take_split(struct st_noise_handshake *hs, struct st_noise_cipher *send,
                                  struct st_noise_cipher *recv, uint8_t h[ST_NOISE_HASH_BYTES])
{
    struct st_noise_cipher c1, c2;

    if (st_noise_handshake_state(hs) != ST_NOISE_DONE)
        return SOTTO_ERR_INVALID_STATE;
    st_noise_symmetric_split(&hs->ss, &c1, &c2);
    *send = hs->initiator ? c1 : c2;
    *recv = hs->initiator ? c2 : c1;
    memcpy(h, hs->ss.h, ST_NOISE_HASH_BYTES);
    st_wipe(&c1, sizeof c1);
    st_wipe(&c2, sizeof c2);
    st_wipe(hs->ss.ck, sizeof hs->ss.ck);
    st_wipe(&hs->ss.cs, sizeof hs->ss.cs);
    st_wipe(hs->s, sizeof hs->s);
    st_wipe(hs->e, sizeof hs->e);
    hs->split = 1;
    return SOTTO_OK;
}
