/*
 * The Double Ratchet (signal.org/docs/specifications/doubleratchet) with
 * libsignal's KDFs (signal-wire.md section 3):
 *   root step   HKDF(salt rk, X25519(ours, theirs), "WhisperRatchet") -> rk || ck
 *   chain step  seed = HMAC(ck, 0x01), ck' = HMAC(ck, 0x02)
 *   message key HKDF(no salt, seed, "WhisperMessageKeys", 80) -> cipher || mac || iv
 * Bodies are AES-256-CBC/PKCS#7 with an 8-byte truncated MAC (message.c).
 * Skipped keys are kept as seeds, at most 2000 per receiver chain.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "session/session.h"

struct msg_keys {
    uint8_t cipher[ST_KEY_BYTES];
    uint8_t mac[ST_KEY_BYTES];
    uint8_t iv[ST_AES_BLOCK_BYTES];
};

static const uint8_t seed_byte = 0x01, chain_byte = 0x02;

int st_root_step(uint8_t rk_out[ST_KEY_BYTES], uint8_t ck_out[ST_KEY_BYTES],
                 const uint8_t rk[ST_KEY_BYTES], const uint8_t their_pub[ST_KEY_BYTES],
                 const uint8_t our_priv[ST_KEY_BYTES])
{
    static const char info[] = "WhisperRatchet";
    uint8_t dh[ST_X25519_BYTES], okm[2 * ST_KEY_BYTES];
    int rc;

    if ((rc = st_x25519(dh, our_priv, their_pub)) != SOTTO_OK)
        goto out;
    rc = st_hkdf_sha256(okm, sizeof(okm), rk, ST_KEY_BYTES, dh, sizeof(dh), (const uint8_t *)info,
                        sizeof(info) - 1);
    if (rc != SOTTO_OK)
        goto out;
    memcpy(rk_out, okm, ST_KEY_BYTES);
    memcpy(ck_out, okm + ST_KEY_BYTES, ST_KEY_BYTES);
out:
    st_wipe(dh, sizeof(dh));
    st_wipe(okm, sizeof(okm));
    return rc;
}

/*
 * seed = HMAC(ck, 0x01); ck = HMAC(ck, 0x02). Both HMACs share the key, so
 * the keyed state is computed once and copied: HMAC is the ratchet's main
 * cost per message.
 */
static void chain_step(uint8_t seed[ST_KEY_BYTES], uint8_t ck[ST_KEY_BYTES])
{
    struct st_hmac_sha256 h1, h2;

    st_hmac_sha256_init(&h1, ck, ST_KEY_BYTES);
    h2 = h1;
    st_hmac_sha256_update(&h1, &seed_byte, 1);
    st_hmac_sha256_final(&h1, seed);
    st_hmac_sha256_update(&h2, &chain_byte, 1);
    st_hmac_sha256_final(&h2, ck);
}

/*
 * HKDF-SHA256(no salt, seed, "WhisperMessageKeys", 80) (RFC 5869 extract
 * then expand), with the PRK-keyed HMAC state computed once for the three
 * expand blocks T(1..3).
 */
static void message_keys(struct msg_keys *k, const uint8_t seed[ST_KEY_BYTES])
{
    static const char info[] = "WhisperMessageKeys";
    struct st_hmac_sha256 base, h;
    uint8_t prk[ST_SHA256_BYTES], t[3][ST_SHA256_BYTES];

    st_hkdf_sha256_extract(prk, NULL, 0, seed, ST_KEY_BYTES);
    st_hmac_sha256_init(&base, prk, sizeof(prk));
    for (uint8_t i = 0; i < 3; i++) {
        uint8_t n = (uint8_t)(i + 1);
        h = base;
        if (i > 0)
            st_hmac_sha256_update(&h, t[i - 1], ST_SHA256_BYTES);
        st_hmac_sha256_update(&h, (const uint8_t *)info, sizeof(info) - 1);
        st_hmac_sha256_update(&h, &n, 1);
        st_hmac_sha256_final(&h, t[i]);
    }
    memcpy(k->cipher, t[0], 32);
    memcpy(k->mac, t[1], 32);
    memcpy(k->iv, t[2], 16);
    st_wipe(&base, sizeof(base));
    st_wipe(prk, sizeof(prk));
    st_wipe(t, sizeof(t));
}

int st_ratchet_encrypt(struct sotto_buf *out, struct st_state *s, const uint8_t *pt, size_t len)
{
    uint8_t seed[ST_KEY_BYTES];
    struct msg_keys k;
    uint8_t *body = NULL;
    size_t body_len = 0;
    int rc;

    out->data = NULL;
    out->len = 0;
    if (s->ns == UINT32_MAX)
        return SOTTO_ERR_INVALID_STATE;
    if (len > SOTTO_MESSAGE_MAX - 256)
        return SOTTO_ERR_TOO_LARGE;
    /* The chain moves on even if we fail: the caller drops this copy. */
    chain_step(seed, s->cks);
    message_keys(&k, seed);
    rc = SOTTO_ERR_NOMEM;
    if ((body = malloc(st_cbc_padded_len(len))) == NULL)
        goto out;
    if ((rc = st_aes256_cbc_encrypt(body, &body_len, k.cipher, k.iv, pt, len)) != SOTTO_OK)
        goto out;
    rc = st_signal_msg_build(out, s->version, s->send_pub, s->ns, s->pn, body, body_len,
                             s->local_identity, s->remote_identity, k.mac);
    if (rc != SOTTO_OK)
        goto out;
    s->ns++;
out:
    free(body);
    st_wipe(seed, sizeof(seed));
    st_wipe(&k, sizeof(k));
    return rc;
}

/*
 * A message on a ratchet key we have no receiver chain for: two root steps
 * (receive chain, then a new sending chain with a fresh key pair).
 * previous_counter becomes the index of the last message sent, as libsignal.
 */
static int dh_ratchet(struct st_state *s, const uint8_t their[ST_KEY_BYTES])
{
    uint8_t rk1[ST_KEY_BYTES], ckr[ST_KEY_BYTES], pub[ST_KEY_BYTES], priv[ST_KEY_BYTES];
    int rc;

    if ((rc = st_root_step(rk1, ckr, s->rk, their, s->send_priv)) != SOTTO_OK)
        goto out;
    if ((rc = st_x25519_keypair(pub, priv)) != SOTTO_OK)
        goto out;
    if ((rc = st_root_step(s->rk, s->cks, rk1, their, priv)) != SOTTO_OK)
        goto out;
    st_state_add_recv(s, their, ckr);
    s->pn = s->ns > 0 ? s->ns - 1 : 0;
    memcpy(s->send_pub, pub, ST_KEY_BYTES);
    memcpy(s->send_priv, priv, ST_KEY_BYTES);
    s->ns = 0;
out:
    st_wipe(rk1, sizeof(rk1));
    st_wipe(ckr, sizeof(ckr));
    st_wipe(priv, sizeof(priv));
    return rc;
}

/* A counter below the chain index: a stored skipped key or a duplicate. */
static int take_skipped(uint8_t seed[ST_KEY_BYTES], struct st_recv_chain *c, uint32_t counter)
{
    for (uint32_t i = 0; i < c->nskipped; i++) {
        if (c->skipped[i].counter != counter)
            continue;
        memcpy(seed, c->skipped[i].seed, ST_KEY_BYTES);
        st_wipe(c->skipped[i].seed, ST_KEY_BYTES);
        memmove(&c->skipped[i], &c->skipped[i + 1], (c->nskipped - i - 1) * sizeof(c->skipped[0]));
        c->nskipped--;
        return SOTTO_OK;
    }
    return SOTTO_ERR_DUPLICATE_MESSAGE;
}

/*
 * Derive the key for counter on chain c, storing the keys it skips. Of a
 * long jump only the newest ST_MAX_MESSAGE_KEYS skipped keys can survive
 * (libsignal drops the oldest beyond that), so only those are stored and
 * room is made once up front rather than by one shift per key.
 */
static int message_seed(uint8_t seed[ST_KEY_BYTES], struct st_recv_chain *c, uint32_t counter,
                        int self_session)
{
    uint32_t jump, keep;
    int rc;

    if (c->index > counter)
        return take_skipped(seed, c, counter);
    jump = counter - c->index;
    if (jump > ST_MAX_FORWARD_JUMPS && !self_session)
        return SOTTO_ERR_TOO_FAR_AHEAD;
    keep = jump < ST_MAX_MESSAGE_KEYS ? jump : ST_MAX_MESSAGE_KEYS;
    if ((rc = st_chain_reserve_skipped(c, keep)) != SOTTO_OK)
        return rc;
    while (c->index < counter) {
        chain_step(seed, c->ck);
        if (counter - c->index <= keep &&
            (rc = st_chain_push_skipped(c, c->index, seed)) != SOTTO_OK)
            return rc;
        c->index++;
    }
    chain_step(seed, c->ck);
    c->index++;
    return SOTTO_OK;
}

int st_ratchet_decrypt(struct sotto_buf *pt, struct st_state *s, const struct st_signal_msg *m,
                       int self_session)
{
    struct st_recv_chain *c;
    uint8_t seed[ST_KEY_BYTES];
    struct msg_keys k;
    int rc;

    pt->data = NULL;
    pt->len = 0;
    memset(&k, 0, sizeof(k));
    memset(seed, 0, sizeof(seed));
    if (m->version != s->version)
        return SOTTO_ERR_INVALID_VERSION;
    c = st_state_find_recv(s, m->ratchet_key);
    if (c == NULL) {
        if ((rc = dh_ratchet(s, m->ratchet_key)) != SOTTO_OK)
            goto out;
        c = &s->recv[s->nrecv - 1];
    }
    if ((rc = message_seed(seed, c, m->counter, self_session)) != SOTTO_OK)
        goto out;
    message_keys(&k, seed);
    rc = SOTTO_ERR_BAD_MAC;
    if (!st_signal_msg_verify_mac(m, s->remote_identity, s->local_identity, k.mac))
        goto out;
    rc = SOTTO_ERR_INVALID_MESSAGE;
    if (m->body_len == 0)
        goto out;
    rc = SOTTO_ERR_NOMEM;
    if ((pt->data = malloc(m->body_len)) == NULL)
        goto out;
    rc = st_aes256_cbc_decrypt(pt->data, &pt->len, k.cipher, k.iv, m->body, m->body_len);
    if (rc != SOTTO_OK) {
        st_wipe(pt->data, m->body_len);
        free(pt->data);
        pt->data = NULL;
        pt->len = 0;
        goto out;
    }
    /* The peer answered: stop wrapping our messages in PreKey messages. */
    s->pending.present = 0;
out:
    st_wipe(seed, sizeof(seed));
    st_wipe(&k, sizeof(k));
    return rc;
}
