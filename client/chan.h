/* Private to client/: the Noise channel under sc_conn (chan.c). */
#ifndef SC_CHAN_H
#define SC_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum {
    SC_CHAN_IK = 2,                      /* pattern byte of the first frame */
    SC_FRAME_MAX = 65535,                /* 2-byte length prefix */
    SC_FRAG_MAX = SC_FRAME_MAX - 16 - 1, /* plaintext per fragment */
    SC_MSG_MAX = 2 * 1024 * 1024,        /* largest reassembled message */
};

struct st_noise_transport;

struct sc_chan {
    int fd;
    struct st_noise_transport *t;
    uint8_t frame[SC_FRAME_MAX];
    uint8_t plain[SC_FRAME_MAX];
    uint8_t *msg;
    size_t msg_len, msg_cap;
};

/* The parsing half of the channel, free of sockets and keys so tests and
 * tests/fuzz/fuzz_client_chan.c can drive it. */
enum { SC_CHAN_MORE = 1 };
/* Length of the frame announced by the 2-byte big-endian header hdr.
 * A zero length: SOTTO_ERR_INVALID_MESSAGE. */
SOTTO_MUST_CHECK int sc_chan_frame_len(size_t *len, const uint8_t hdr[2]);
/* Appends one decrypted fragment (flag byte: 0 last, 1 more; then data) to
 * the message being reassembled in *msg (*len bytes used, *cap allocated;
 * grown with realloc, the caller frees *msg). Returns SOTTO_OK when the
 * message is complete, SC_CHAN_MORE when fragments follow;
 * SOTTO_ERR_INVALID_MESSAGE for an empty fragment or another flag,
 * SOTTO_ERR_TOO_LARGE past SC_MSG_MAX, SOTTO_ERR_NOMEM. */
SOTTO_MUST_CHECK int sc_chan_reasm(uint8_t **msg, size_t *len, size_t *cap, const uint8_t *frag,
                                   size_t flen);

int64_t sc_mono_ms(void);
/* Deadlines are sc_mono_ms() values. */
int sc_chan_open(struct sc_chan **out, const char *host, const char *port,
                 const uint8_t device_priv[32], const uint8_t server_key[32], int64_t deadline);
void sc_chan_close(struct sc_chan *ch);
int sc_chan_send(struct sc_chan *ch, const uint8_t *msg, size_t len, int64_t deadline);
/* *msg stays valid until the next call. */
int sc_chan_recv(struct sc_chan *ch, const uint8_t **msg, size_t *len, int64_t deadline);
/* 1 if bytes are waiting within timeout_ms. */
int sc_chan_readable(struct sc_chan *ch, int timeout_ms);

#endif
