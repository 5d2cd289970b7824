/* Length framing and fragment reassembly (frame.h). */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

void sd_framer_init(struct sd_framer *f)
{
    memset(f, 0, sizeof(*f));
}

void sd_framer_free(struct sd_framer *f)
{
    free(f->buf);
    sd_framer_init(f);
}

/* Room for a body of f->need bytes. */
static int reserve(struct sd_framer *f)
{
    uint8_t *nb;

    if (f->cap >= f->need) {
        return 0;
    }
    nb = realloc(f->buf, f->need);
    if (nb == NULL) {
        return -1;
    }
    f->buf = nb;
    f->cap = f->need;
    return 0;
}

int sd_framer_feed(struct sd_framer *f, const uint8_t **p, size_t *len, const uint8_t **frame,
                   size_t *flen)
{
    size_t take;

    *frame = NULL;
    *flen = 0;
    if (f->release) {
        free(f->buf);
        f->buf = NULL;
        f->cap = 0;
        f->release = 0;
    }
    while (f->hdr_have < 2) {
        if (*len == 0) {
            return SD_FRAME_MORE;
        }
        f->hdr[f->hdr_have++] = **p;
        (*p)++;
        (*len)--;
        if (f->hdr_have == 2) {
            f->need = (size_t)f->hdr[0] << 8 | f->hdr[1];
            f->have = 0;
            if (f->need == 0) {
                return SD_FRAME_EMPTY; /* a Noise message is never empty */
            }
            if (reserve(f) != 0) {
                return SD_FRAME_NOMEM;
            }
        }
    }
    take = f->need - f->have;
    if (take > *len) {
        take = *len;
    }
    memcpy(f->buf + f->have, *p, take);
    f->have += take;
    *p += take;
    *len -= take;
    if (f->have < f->need) {
        return SD_FRAME_MORE;
    }
    *frame = f->buf;
    *flen = f->need;
    f->hdr_have = 0;
    f->release = f->cap > SD_FRAMER_KEEP;
    return SD_FRAME_DONE;
}

void sd_reasm_init(struct sd_reasm *r, size_t max)
{
    r->buf = NULL;
    r->len = 0;
    r->cap = 0;
    r->max = max;
}

void sd_reasm_free(struct sd_reasm *r)
{
    free(r->buf);
    sd_reasm_init(r, r->max);
}

void sd_reasm_reset(struct sd_reasm *r)
{
    r->len = 0;
    /* give back large buffers between messages */
    if (r->cap > 2 * SD_FRAME_MAX) {
        free(r->buf);
        r->buf = NULL;
        r->cap = 0;
    }
}

int sd_reasm_add(struct sd_reasm *r, const uint8_t *frag, size_t len)
{
    size_t body, want;
    uint8_t *nb;

    if (len < 1 || frag[0] > 1) {
        return SD_FRAME_BAD_FLAG;
    }
    body = len - 1;
    /* checked before growing: the limit bounds every allocation */
    if (body > r->max || r->len > r->max - body) {
        return SD_FRAME_TOO_BIG;
    }
    if (r->len + body > r->cap) {
        want = r->cap ? r->cap : 1024;
        while (want < r->len + body) {
            want *= 2;
        }
        nb = realloc(r->buf, want);
        if (nb == NULL) {
            return SD_FRAME_TOO_BIG;
        }
        r->buf = nb;
        r->cap = want;
    }
    if (body > 0) {
        memcpy(r->buf + r->len, frag + 1, body);
    }
    r->len += body;
    return frag[0] == 0 ? SD_FRAME_DONE : SD_FRAME_MORE;
}

void sd_frame_header(uint8_t hdr[2], size_t len)
{
    hdr[0] = (uint8_t)(len >> 8);
    hdr[1] = (uint8_t)len;
}
