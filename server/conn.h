/*
 * One client connection: TCP -> length framing -> Noise -> fragments ->
 * protobuf Frames. States: HANDSHAKE (only Noise handshake frames, short
 * timeout, small limits), OPEN (requests; Hello first), CLOSING.
 */
#ifndef SD_CONN_H
#define SD_CONN_H

#include <stdint.h>
#include <uv.h>

#include "chan.h"
#include "frame.h"
#include "server.h"
#include "server.pb-c.h"

enum sd_conn_state { SD_CONN_HANDSHAKE, SD_CONN_OPEN, SD_CONN_CLOSING };

struct sd_conn {
    struct sd_server *srv;
    uv_tcp_t tcp;
    uv_timer_t timer;
    struct sd_conn *prev;
    struct sd_conn *next;
    struct sd_conn *idx_next; /* bucket chain of srv->index */
    int indexed;
    int state;
    int handles_open;
    struct sd_chan *chan;
    struct sd_reasm reasm;
    char addr[64];
    uint8_t remote_key[33]; /* 0x05 || Noise static key */
    int64_t account_id;     /* 0 until the key is a registered device */
    uint32_t device_id;
    char username[40];
    int hello_done;
    int64_t pushed_seq; /* newest envelope seq pushed on this connection */
    uint32_t inflight;  /* pushed, not yet acked */
    int empty_sent;
    int want_pump;
    uint64_t last_rx_ms;
    uint64_t started_ms;
    uint64_t id;
    struct sd_framer framer;
};

/* Called by the listener for each new connection. */
void sd_conn_accept(struct sd_server *srv, uv_stream_t *listener);
/* Starts closing; safe to call twice. reason is a short logfmt-safe word. */
void sd_conn_close(struct sd_conn *c, const char *reason);
/* As sd_conn_close, but queued writes (a last error response) go out first. */
void sd_conn_close_flush(struct sd_conn *c, const char *reason);
/* Encrypts and queues a Frame. Returns 0, or -1 (connection is closing). */
int sd_conn_send(struct sd_conn *c, const Sotto__Server__Frame *f);
int sd_conn_respond(struct sd_conn *c, Sotto__Server__Response *rs);
/* Pushes queued envelopes while the in-flight window has room. */
void sd_conn_pump(struct sd_conn *c);
/* Re-evaluates the connection's timeout after its state changed. */
void sd_conn_rearm(struct sd_conn *c);
/* Marks the connection as the registered device (account, device). */
void sd_conn_set_device(struct sd_conn *c, int64_t account_id, uint32_t device_id,
                        const char *username);
/* Pumps every open connection of (account, device). */
void sd_conn_wake(struct sd_server *srv, int64_t account_id, uint32_t device_id);

/* connindex.c: connections by (account, device) */
void sd_index_add(struct sd_server *srv, struct sd_conn *c);
void sd_index_remove(struct sd_server *srv, struct sd_conn *c);
/* First / next open connection of exactly (account, device); NULL at the end. */
struct sd_conn *sd_index_first(struct sd_server *srv, int64_t account_id, uint32_t device_id);
struct sd_conn *sd_index_next(struct sd_conn *c);

/* dispatch.c: one complete decrypted message from an OPEN connection. */
void sd_dispatch(struct sd_conn *c, const uint8_t *msg, size_t len);

#endif
