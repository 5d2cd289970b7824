/*
 * sottod's shared state: one libuv loop, its listeners, the store, the
 * connections, the group-commit queue and the metrics. Owned by main.c;
 * every other file receives it through a connection or a handle's data.
 */
#ifndef SD_SERVER_H
#define SD_SERVER_H

#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "ratelimit.h"
#include "store/store.h"

struct sd_conn;
struct sd_pending;
struct sd_blobs;
struct sd_attach;
struct sd_kt;

enum { SD_INDEX_BUCKETS = 4096 };

#define SD_METRICS(X)                                                                              \
    X(connections_total, "TCP connections accepted")                                               \
    X(connections_refused_total, "connections refused (limits, draining)")                         \
    X(handshakes_failed_total, "Noise handshakes that failed or timed out")                        \
    X(requests_total, "requests handled")                                                          \
    X(request_errors_total, "requests answered with a non-OK status")                              \
    X(bad_frames_total, "malformed, oversized or undecryptable frames")                            \
    X(rate_limited_total, "requests refused by a rate limit")                                      \
    X(registrations_total, "accounts registered")                                                  \
    X(device_list_changes_total, "device lists replaced")                                          \
    X(bundles_total, "device bundles handed out")                                                  \
    X(sends_total, "sends accepted and durably stored")                                            \
    X(envelopes_stored_total, "envelopes stored")                                                  \
    X(envelopes_pushed_total, "envelopes pushed to devices")                                       \
    X(envelopes_acked_total, "envelopes acked and deleted")                                        \
    X(envelopes_expired_total, "envelopes deleted by expiry")                                      \
    X(commit_batches_total, "group-commit transactions")                                           \
    X(store_errors_total, "store failures")                                                        \
    X(attachments_stored_total, "attachments uploaded and stored")                                 \
    X(attachments_expired_total, "attachments and unfinished uploads deleted by expiry")

struct sd_metrics {
#define SD_METRIC_FIELD(name, help) uint64_t name;
    SD_METRICS(SD_METRIC_FIELD)
#undef SD_METRIC_FIELD
    uint64_t connections_open;
};

struct sd_server {
    uv_loop_t *loop;
    const struct sd_config *cfg;
    struct sd_store *store;
    struct sd_ratelimit *rl;
    struct sd_blobs *blobs;   /* attachment bytes, blob.h */
    struct sd_attach *attach; /* unfinished uploads, handlers_attach.c */
    struct sd_kt *kt;         /* transparency log, kt.c */
    uv_timer_t kt_timer;      /* checkpoint heartbeat */
    uv_tcp_t listener;
    uv_tcp_t http;
    int http_open;
    uv_check_t commit_check;
    uv_timer_t expiry_timer;
    uv_timer_t drain_timer;
    uv_signal_t sigterm;
    uv_signal_t sigint;
    uint8_t spriv[32];
    uint8_t spub[32];
    struct sd_conn *conns;                   /* doubly linked */
    struct sd_conn *index[SD_INDEX_BUCKETS]; /* registered devices, connindex.c */
    struct sd_pending *pending_head;
    struct sd_pending *pending_tail;
    struct sd_metrics m;
    int draining;
    uint64_t next_conn_id;
    uint64_t drain_deadline;
    int port; /* bound ports (the config may say 0) */
    int http_port;
    char read_buf[65536]; /* libuv reads land here, then go through the framer */
};

/* Milliseconds of wall clock (envelope timestamps, expiry). */
uint64_t sd_now_ms(void);

/* server.c: listeners, signals, shutdown */
int sd_server_start(struct sd_server *srv);
void sd_server_drain(struct sd_server *srv);

/* http.c */
int sd_http_start(struct sd_server *srv);

/* commit.c: group commit of sends and acks, run once per loop iteration */
int sd_commit_start(struct sd_server *srv);
void sd_commit_forget_conn(struct sd_server *srv, struct sd_conn *c);

#endif
