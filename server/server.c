/*
 * Listener, signals, periodic expiry and graceful shutdown. SIGTERM/SIGINT:
 * stop accepting, commit what is queued, let connections flush their last
 * responses (up to drain_timeout_ms), close everything; the loop then ends.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commit.h"
#include "conn.h"
#include "handlers.h"
#include "keyfile.h"
#include "kt.h"
#include "log.h"

enum { EXPIRY_INTERVAL_MS = 60000, DRAIN_POLL_MS = 20 };

uint64_t sd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void on_connection(uv_stream_t *l, int status)
{
    struct sd_server *srv = l->data;
    if (status < 0) {
        sd_log(SD_LOG_WARN, "accept failed", "err=%s", uv_err_name(status));
        return;
    }
    sd_conn_accept(srv, l);
}

/* A fresh checkpoint at least every minute, even when nothing changed
 * (spec 2.1 "Sequencing"), so watchers can tell an idle log from a stalled one. */
static void on_kt_heartbeat(uv_timer_t *t)
{
    struct sd_server *srv = t->data;
    if (sd_kt_heartbeat(srv->kt, srv->store) != 0) {
        srv->m.store_errors_total++;
    }
}

static void on_expiry(uv_timer_t *t)
{
    struct sd_server *srv = t->data;
    uint64_t n = 0;

    sd_attach_expire(srv, sd_now_ms());
    if (srv->store->ops->expire(srv->store, sd_now_ms(), &n) != SD_ST_OK) {
        srv->m.store_errors_total++;
        return;
    }
    srv->m.envelopes_expired_total += n;
    if (n > 0) {
        sd_log(SD_LOG_INFO, "envelopes expired", "count=%llu", (unsigned long long)n);
    }
}

static void close_all(struct sd_server *srv)
{
    while (srv->conns != NULL) {
        sd_conn_close(srv->conns, "shutdown");
    }
    uv_close((uv_handle_t *)&srv->commit_check, NULL);
    uv_close((uv_handle_t *)&srv->expiry_timer, NULL);
    uv_close((uv_handle_t *)&srv->kt_timer, NULL);
    uv_close((uv_handle_t *)&srv->drain_timer, NULL);
    uv_close((uv_handle_t *)&srv->sigterm, NULL);
    uv_close((uv_handle_t *)&srv->sigint, NULL);
}

static void on_drain_poll(uv_timer_t *t)
{
    struct sd_server *srv = t->data;
    struct sd_conn *c, *next;
    for (c = srv->conns; c != NULL; c = next) {
        next = c->next;
        if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) == 0) {
            sd_conn_close(c, "shutdown");
        }
    }
    if (srv->conns == NULL || uv_now(srv->loop) >= srv->drain_deadline) {
        sd_log(SD_LOG_INFO, "drained", "remaining_connections=%llu",
               (unsigned long long)srv->m.connections_open);
        close_all(srv);
    }
}

void sd_server_drain(struct sd_server *srv)
{
    if (srv->draining) {
        return;
    }
    srv->draining = 1;
    sd_log(SD_LOG_INFO, "shutting down", "connections=%llu",
           (unsigned long long)srv->m.connections_open);
    uv_close((uv_handle_t *)&srv->listener, NULL);
    if (srv->http_open) {
        uv_close((uv_handle_t *)&srv->http, NULL);
    }
    sd_commit_flush(srv);
    srv->drain_deadline = uv_now(srv->loop) + srv->cfg->drain_timeout_ms;
    uv_timer_start(&srv->drain_timer, on_drain_poll, 0, DRAIN_POLL_MS);
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)signum;
    sd_server_drain(s->data);
}

static int bound_port(uv_tcp_t *t)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getsockname(t, (struct sockaddr *)&ss, &len) != 0) {
        return -1;
    }
    return ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                    : ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Writes "port=... http_port=... key=... fingerprint=..." atomically. */
static int write_ready(struct sd_server *srv, int port, int http_port)
{
    char tmp[700], hex[65], fp[48], lk[2 * SOTTO_KT_KEY_BYTES + 1];
    FILE *f;

    if (srv->cfg->ready_file[0] == '\0') {
        return 0;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", srv->cfg->ready_file);
    f = fopen(tmp, "w");
    if (f == NULL) {
        return -1;
    }
    sd_hex(hex, srv->spub, 32);
    sd_fingerprint(fp, srv->spub);
    sd_hex(lk, sd_kt_public(srv->kt), SOTTO_KT_KEY_BYTES);
    fprintf(f, "port=%d\nhttp_port=%d\nkey=%s\nfingerprint=%s\nlog_key=%s\n", port, http_port, hex,
            fp, lk);
    if (fclose(f) != 0) {
        return -1;
    }
    return rename(tmp, srv->cfg->ready_file);
}

static int listen_main(struct sd_server *srv)
{
    struct sockaddr_storage addr;
    int rc;

    if (uv_ip4_addr(srv->cfg->listen, srv->cfg->port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(srv->cfg->listen, srv->cfg->port, (struct sockaddr_in6 *)&addr) != 0) {
        return UV_EINVAL;
    }
    uv_tcp_init(srv->loop, &srv->listener);
    srv->listener.data = srv;
    rc = uv_tcp_bind(&srv->listener, (struct sockaddr *)&addr, 0);
    if (rc == 0) {
        rc = uv_listen((uv_stream_t *)&srv->listener, 511, on_connection);
    }
    return rc;
}

int sd_server_start(struct sd_server *srv)
{
    int rc = listen_main(srv);

    if (rc != 0) {
        sd_log(SD_LOG_ERROR, "cannot listen", "addr=%s port=%d err=%s", srv->cfg->listen,
               srv->cfg->port, uv_strerror(rc));
        return -1;
    }
    rc = sd_http_start(srv);
    if (rc != 0) {
        sd_log(SD_LOG_ERROR, "cannot listen (http)", "addr=%s port=%d err=%s",
               srv->cfg->http_listen, srv->cfg->http_port, uv_strerror(rc));
        return -1;
    }
    if (sd_commit_start(srv) != 0) {
        return -1;
    }
    srv->expiry_timer.data = srv;
    srv->drain_timer.data = srv;
    srv->sigterm.data = srv;
    srv->sigint.data = srv;
    uv_timer_init(srv->loop, &srv->expiry_timer);
    uv_timer_init(srv->loop, &srv->drain_timer);
    uv_timer_start(&srv->expiry_timer, on_expiry, 1000, EXPIRY_INTERVAL_MS);
    srv->kt_timer.data = srv;
    uv_timer_init(srv->loop, &srv->kt_timer);
    uv_timer_start(&srv->kt_timer, on_kt_heartbeat, SD_KT_HEARTBEAT_MS, SD_KT_HEARTBEAT_MS);
    uv_signal_init(srv->loop, &srv->sigterm);
    uv_signal_init(srv->loop, &srv->sigint);
    uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
    uv_signal_start(&srv->sigint, on_signal, SIGINT);
    srv->port = bound_port(&srv->listener);
    srv->http_port = srv->http_open ? bound_port(&srv->http) : 0;
    if (write_ready(srv, srv->port, srv->http_port) != 0) {
        sd_log(SD_LOG_ERROR, "cannot write ready file", "path=\"%s\"", srv->cfg->ready_file);
        return -1;
    }
    return 0;
}
