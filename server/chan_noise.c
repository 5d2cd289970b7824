/*
 * chan.h over lib/transport (Noise_XX / Noise_IK 25519_ChaChaPoly_BLAKE2b).
 * The initiator's first frame is the pattern byte followed by Noise message
 * 1; the prologue "sotto-server-v1" || pattern byte binds the choice.
 * Handshake payloads are empty: nothing is said before both sides are
 * authenticated.
 */
#include "chan.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sdlimits.h"
#include "transport/noise.h"

static const char prologue_text[] = "sotto-server-v1";

struct sd_chan {
    int initiator;
    int pattern;
    int have_rs;
    uint8_t spriv[32];
    uint8_t rs[32];
    struct st_noise_handshake *hs;
    struct st_noise_transport *t;
};

static int start(struct sd_chan *c)
{
    uint8_t prologue[sizeof(prologue_text)];
    enum st_noise_pattern p = c->pattern == SD_CHAN_IK ? ST_NOISE_IK : ST_NOISE_XX;

    memcpy(prologue, prologue_text, sizeof(prologue_text) - 1);
    prologue[sizeof(prologue_text) - 1] = (uint8_t)c->pattern;
    return st_noise_handshake_new(&c->hs, p, c->initiator, c->spriv,
                                  c->initiator && p == ST_NOISE_IK ? c->rs : NULL, prologue,
                                  sizeof(prologue)) == SOTTO_OK
               ? SD_CHAN_OK
               : SD_CHAN_ERR;
}

int sd_chan_accept(struct sd_chan **c, const uint8_t spriv[32])
{
    *c = calloc(1, sizeof(**c));
    if (*c == NULL) {
        return SD_CHAN_ERR;
    }
    memcpy((*c)->spriv, spriv, 32);
    return SD_CHAN_OK;
}

int sd_chan_connect(struct sd_chan **c, int pattern, const uint8_t spriv[32], const uint8_t rs[32])
{
    if ((pattern != SD_CHAN_XX && pattern != SD_CHAN_IK) || (pattern == SD_CHAN_IK && rs == NULL) ||
        sd_chan_accept(c, spriv) != SD_CHAN_OK) {
        return SD_CHAN_ERR;
    }
    (*c)->initiator = 1;
    (*c)->pattern = pattern;
    if (rs != NULL) {
        memcpy((*c)->rs, rs, 32);
        (*c)->have_rs = 1;
    }
    if (start(*c) != SD_CHAN_OK) {
        sd_chan_free(*c);
        *c = NULL;
        return SD_CHAN_ERR;
    }
    return SD_CHAN_OK;
}

/* Writes our next handshake message (after an optional prefix byte). */
static int write_msg(struct sd_chan *c, uint8_t *out, size_t *outlen, int prefix)
{
    size_t n = 0, off = prefix ? 1 : 0;

    if (prefix) {
        out[0] = (uint8_t)c->pattern;
    }
    if (st_noise_write_message(c->hs, out + off, SD_FRAME_MAX - off, &n, NULL, 0) != SOTTO_OK) {
        return SD_CHAN_ERR;
    }
    *outlen = n + off;
    return SD_CHAN_OK;
}

static int read_msg(struct sd_chan *c, const uint8_t *in, size_t inlen)
{
    uint8_t payload[ST_NOISE_HANDSHAKE_OVERHEAD_MAX];
    size_t plen = 0;

    /* payloads must be empty; a non-empty one fails on the small buffer */
    return st_noise_read_message(c->hs, payload, sizeof(payload), &plen, in, inlen) == SOTTO_OK &&
                   plen == 0
               ? SD_CHAN_OK
               : SD_CHAN_ERR;
}

/* Once all messages are exchanged: check a pinned key, split. */
static int finish(struct sd_chan *c, int *done)
{
    uint8_t rs[32];

    if (!st_noise_handshake_done(c->hs)) {
        return SD_CHAN_OK;
    }
    if (st_noise_remote_static(c->hs, rs) != SOTTO_OK ||
        (c->initiator && c->have_rs && !st_ct_equal(rs, c->rs, 32))) {
        return SD_CHAN_ERR;
    }
    memcpy(c->rs, rs, 32);
    if (st_noise_split(c->hs, &c->t) != SOTTO_OK) {
        return SD_CHAN_ERR;
    }
    st_wipe(c->spriv, sizeof(c->spriv));
    *done = 1;
    return SD_CHAN_OK;
}

static int responder_step(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in,
                          size_t inlen)
{
    if (c->hs == NULL) {
        if (inlen < 2 || (in[0] != SD_CHAN_XX && in[0] != SD_CHAN_IK)) {
            return SD_CHAN_ERR;
        }
        c->pattern = in[0];
        if (start(c) != SD_CHAN_OK) {
            return SD_CHAN_ERR;
        }
        in++;
        inlen--;
    }
    if (read_msg(c, in, inlen) != SD_CHAN_OK) {
        return SD_CHAN_ERR;
    }
    if (st_noise_handshake_state(c->hs) == ST_NOISE_WRITE) {
        return write_msg(c, out, outlen, 0);
    }
    return SD_CHAN_OK;
}

static int initiator_step(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in,
                          size_t inlen)
{
    if (in == NULL) {
        return write_msg(c, out, outlen, 1);
    }
    if (read_msg(c, in, inlen) != SD_CHAN_OK) {
        return SD_CHAN_ERR;
    }
    if (st_noise_handshake_state(c->hs) == ST_NOISE_WRITE) {
        uint8_t rs[32];
        /* XX: refuse a server that is not the pinned one before saying more */
        if (c->have_rs &&
            (st_noise_remote_static(c->hs, rs) != SOTTO_OK || !st_ct_equal(rs, c->rs, 32))) {
            return SD_CHAN_ERR;
        }
        return write_msg(c, out, outlen, 0);
    }
    return SD_CHAN_OK;
}

int sd_chan_step(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in, size_t inlen,
                 int *done)
{
    int rc;

    *outlen = 0;
    *done = 0;
    if (c->t != NULL || (!c->initiator && in == NULL)) {
        return SD_CHAN_ERR;
    }
    rc = c->initiator ? initiator_step(c, out, outlen, in, inlen)
                      : responder_step(c, out, outlen, in, inlen);
    if (rc != SD_CHAN_OK) {
        return rc;
    }
    return finish(c, done);
}

void sd_chan_remote(const struct sd_chan *c, uint8_t rs[32])
{
    memcpy(rs, c->rs, 32);
}

int sd_chan_encrypt(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in, size_t len)
{
    *outlen = 0;
    if (c->t == NULL) {
        return SD_CHAN_ERR;
    }
    return st_noise_encrypt(c->t, out, len + SD_NOISE_TAG, outlen, in, len) == SOTTO_OK
               ? SD_CHAN_OK
               : SD_CHAN_ERR;
}

int sd_chan_decrypt(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in, size_t len)
{
    *outlen = 0;
    if (c->t == NULL || len < SD_NOISE_TAG) {
        return SD_CHAN_ERR;
    }
    return st_noise_decrypt(c->t, out, len - SD_NOISE_TAG, outlen, in, len) == SOTTO_OK
               ? SD_CHAN_OK
               : SD_CHAN_ERR;
}

void sd_chan_free(struct sd_chan *c)
{
    if (c == NULL) {
        return;
    }
    st_noise_handshake_free(c->hs);
    st_noise_transport_free(c->t);
    st_wipe(c, sizeof(*c));
    free(c);
}
