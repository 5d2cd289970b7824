/*
 * Wire framing (docs/server-api.md, "Framing"):
 *   TCP stream  = frames, each a 2-byte big-endian length (1..65535) + bytes
 *   after Noise = each decrypted frame is 1 flag byte + fragment; flag 0x01
 *                 says more fragments follow, 0x00 ends the message.
 * Both readers are pure and bounded: no allocation beyond the caller's max.
 */
#ifndef SD_FRAME_H
#define SD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "sdlimits.h"

enum sd_frame_status {
    SD_FRAME_MORE = 0,     /* need more bytes */
    SD_FRAME_DONE = 1,     /* a frame / message is complete */
    SD_FRAME_EMPTY = -1,   /* zero-length frame */
    SD_FRAME_TOO_BIG = -2, /* message would exceed its limit */
    SD_FRAME_BAD_FLAG = -3,
    SD_FRAME_NOMEM = -4,
};

/* The body buffer grows to the declared frame length when a header arrives
 * and is given back when a frame > SD_FRAMER_KEEP completes, so an idle
 * connection holds at most SD_FRAMER_KEEP bytes. */
enum { SD_FRAMER_KEEP = 4096 };

struct sd_framer {
    uint8_t hdr[2];
    size_t hdr_have;
    size_t need; /* body length once the header is in */
    size_t have;
    size_t cap;
    uint8_t *buf;
    int release; /* free buf on the next call (the last frame was large) */
};

void sd_framer_init(struct sd_framer *f);
void sd_framer_free(struct sd_framer *f);
/*
 * Consumes bytes from *p (advancing *p and *len) until one frame is complete
 * (SD_FRAME_DONE: *frame and *flen point into f, valid until the next call),
 * the input runs out (SD_FRAME_MORE) or the stream is bad (< 0).
 */
int sd_framer_feed(struct sd_framer *f, const uint8_t **p, size_t *len, const uint8_t **frame,
                   size_t *flen);

struct sd_reasm {
    uint8_t *buf;
    size_t len;
    size_t cap;
    size_t max; /* largest message accepted; may be changed between messages */
};

void sd_reasm_init(struct sd_reasm *r, size_t max);
void sd_reasm_free(struct sd_reasm *r);
/* Adds one decrypted fragment. SD_FRAME_DONE: r->buf/r->len is a message;
 * call sd_reasm_reset after using it. */
int sd_reasm_add(struct sd_reasm *r, const uint8_t *frag, size_t len);
void sd_reasm_reset(struct sd_reasm *r);

/* Writes the 2-byte length header. */
void sd_frame_header(uint8_t hdr[2], size_t len);

#endif
