/*
 * INSECURE development stand-in for chan.h, compiled only while
 * lib/transport/noise.h is absent from the tree (see CMakeLists.txt). It
 * exchanges static public keys in the clear and "encrypts" by appending 16
 * zero bytes, so the server can be exercised before the Noise code lands.
 * Never ship a build that uses it: sottod logs a loud warning at start.
 */
#include "chan.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sdlimits.h"

struct sd_chan {
    int initiator;
    int step;
    int pattern;
    uint8_t spub[32];
    uint8_t rs[32];
    int have_rs;
};

int sd_chan_accept(struct sd_chan **c, const uint8_t spriv[32])
{
    *c = calloc(1, sizeof(**c));
    if (*c == NULL || st_x25519_public((*c)->spub, spriv) != SOTTO_OK) {
        free(*c);
        *c = NULL;
        return SD_CHAN_ERR;
    }
    return SD_CHAN_OK;
}

int sd_chan_connect(struct sd_chan **c, int pattern, const uint8_t spriv[32], const uint8_t rs[32])
{
    if (sd_chan_accept(c, spriv) != SD_CHAN_OK) {
        return SD_CHAN_ERR;
    }
    (*c)->initiator = 1;
    (*c)->pattern = pattern;
    if (rs != NULL) {
        memcpy((*c)->rs, rs, 32);
        (*c)->have_rs = 1;
    }
    return SD_CHAN_OK;
}

static int init_step(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in,
                     size_t inlen, int *done)
{
    if (c->step == 0) {
        out[0] = (uint8_t)c->pattern;
        memcpy(out + 1, c->spub, 32);
        *outlen = 33;
        c->step = 1;
        return SD_CHAN_OK;
    }
    if (c->step != 1 || inlen != 32 || (c->have_rs && memcmp(in, c->rs, 32) != 0)) {
        return SD_CHAN_ERR;
    }
    memcpy(c->rs, in, 32);
    c->step = 2;
    *done = 1;
    return SD_CHAN_OK;
}

int sd_chan_step(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in, size_t inlen,
                 int *done)
{
    *outlen = 0;
    *done = 0;
    if (c->initiator) {
        return init_step(c, out, outlen, in, inlen, done);
    }
    if (c->step != 0 || inlen != 33 || (in[0] != SD_CHAN_XX && in[0] != SD_CHAN_IK)) {
        return SD_CHAN_ERR;
    }
    memcpy(c->rs, in + 1, 32);
    memcpy(out, c->spub, 32);
    *outlen = 32;
    c->step = 2;
    *done = 1;
    return SD_CHAN_OK;
}

void sd_chan_remote(const struct sd_chan *c, uint8_t rs[32])
{
    memcpy(rs, c->rs, 32);
}

int sd_chan_encrypt(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in, size_t len)
{
    (void)c;
    memmove(out, in, len);
    memset(out + len, 0, SD_NOISE_TAG);
    *outlen = len + SD_NOISE_TAG;
    return SD_CHAN_OK;
}

int sd_chan_decrypt(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in, size_t len)
{
    (void)c;
    *outlen = 0;
    if (len < SD_NOISE_TAG) {
        return SD_CHAN_ERR;
    }
    memmove(out, in, len - SD_NOISE_TAG);
    *outlen = len - SD_NOISE_TAG;
    return SD_CHAN_OK;
}

void sd_chan_free(struct sd_chan *c)
{
    if (c != NULL) {
        st_wipe(c, sizeof(*c));
        free(c);
    }
}
