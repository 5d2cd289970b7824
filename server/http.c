/*
 * The local operations port: GET /metrics (Prometheus text format 0.0.4)
 * and GET /healthz. One request per connection, 4 KiB of request at most,
 * 5 s to send it. Bind it to loopback (the default); it has no auth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt.h"
#include "log.h"
#include "server.h"

enum { HTTP_REQ_MAX = 4096, HTTP_TIMEOUT_MS = 5000, METRICS_MAX = 8192 };

struct http_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_write_t wr;
    struct sd_server *srv;
    int handles;
    int closing;
    size_t len;
    char req[HTTP_REQ_MAX];
    char *resp;
};

static void on_closed(uv_handle_t *h)
{
    struct http_conn *hc = h->data;
    if (--hc->handles == 0) {
        free(hc->resp);
        free(hc);
    }
}

static void http_close(struct http_conn *hc)
{
    if (hc->closing) {
        return;
    }
    hc->closing = 1;
    uv_close((uv_handle_t *)&hc->timer, on_closed);
    uv_close((uv_handle_t *)&hc->tcp, on_closed);
}

static size_t metrics_text(struct sd_server *srv, char *out, size_t cap)
{
    uint64_t accounts = 0, devices = 0, queued = 0;
    size_t o = 0;

    srv->store->ops->stats(srv->store, &accounts, &devices, &queued);
#define SD_METRIC_TEXT(name, help)                                                                 \
    o += (size_t)snprintf(out + o, cap - o,                                                        \
                          "# HELP sotto_" #name " " help "\n"                                      \
                          "# TYPE sotto_" #name " counter\nsotto_" #name " %llu\n",                \
                          (unsigned long long)srv->m.name);                                        \
    if (o >= cap) {                                                                                \
        return cap - 1;                                                                            \
    }
    SD_METRICS(SD_METRIC_TEXT)
#undef SD_METRIC_TEXT
    o += (size_t)snprintf(out + o, cap - o,
                          "# HELP sotto_connections_open open client connections\n"
                          "# TYPE sotto_connections_open gauge\nsotto_connections_open %llu\n"
                          "# TYPE sotto_accounts gauge\nsotto_accounts %llu\n"
                          "# TYPE sotto_devices gauge\nsotto_devices %llu\n"
                          "# TYPE sotto_envelopes_queued gauge\nsotto_envelopes_queued %llu\n"
                          "# HELP sotto_kt_log_size leaves in the key-transparency log\n"
                          "# TYPE sotto_kt_log_size gauge\nsotto_kt_log_size %llu\n",
                          (unsigned long long)srv->m.connections_open, (unsigned long long)accounts,
                          (unsigned long long)devices, (unsigned long long)queued,
                          (unsigned long long)sd_kt_size(srv->kt));
    return o < cap ? o : cap - 1;
}

static void on_written(uv_write_t *w, int status)
{
    (void)status;
    http_close(w->data);
}

static void respond(struct http_conn *hc)
{
    char body[METRICS_MAX];
    const char *status = "200 OK", *type = "text/plain; charset=utf-8";
    size_t blen, cap = METRICS_MAX + 256;
    uv_buf_t b;

    if (strncmp(hc->req, "GET /metrics ", 13) == 0) {
        blen = metrics_text(hc->srv, body, sizeof(body));
        type = "text/plain; version=0.0.4";
    } else if (strncmp(hc->req, "GET /healthz ", 13) == 0) {
        status = hc->srv->draining ? "503 Service Unavailable" : "200 OK";
        blen = (size_t)snprintf(body, sizeof(body), "%s\n", hc->srv->draining ? "draining" : "ok");
    } else {
        status = "404 Not Found";
        blen = (size_t)snprintf(body, sizeof(body), "only GET /metrics and GET /healthz\n");
    }
    hc->resp = malloc(cap);
    if (hc->resp == NULL) {
        http_close(hc);
        return;
    }
    b.len = (size_t)snprintf(hc->resp, cap,
                             "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                             "Connection: close\r\n\r\n%.*s",
                             status, type, blen, (int)blen, body);
    b.base = hc->resp;
    hc->wr.data = hc;
    uv_read_stop((uv_stream_t *)&hc->tcp);
    if (uv_write(&hc->wr, (uv_stream_t *)&hc->tcp, &b, 1, on_written) != 0) {
        http_close(hc);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct http_conn *hc = h->data;
    (void)suggested;
    *buf = uv_buf_init(hc->req + hc->len, (unsigned int)(HTTP_REQ_MAX - 1 - hc->len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct http_conn *hc = s->data;
    (void)buf;
    if (n < 0) {
        http_close(hc);
        return;
    }
    hc->len += (size_t)n;
    hc->req[hc->len] = '\0';
    if (strstr(hc->req, "\r\n\r\n") != NULL || strstr(hc->req, "\n\n") != NULL) {
        respond(hc);
    } else if (hc->len >= HTTP_REQ_MAX - 1) {
        http_close(hc);
    }
}

static void on_timeout(uv_timer_t *t)
{
    http_close(t->data);
}

static void on_connection(uv_stream_t *l, int status)
{
    struct sd_server *srv = l->data;
    struct http_conn *hc;

    if (status < 0 || (hc = calloc(1, sizeof(*hc))) == NULL) {
        return;
    }
    hc->srv = srv;
    hc->tcp.data = hc;
    hc->timer.data = hc;
    uv_tcp_init(srv->loop, &hc->tcp);
    uv_timer_init(srv->loop, &hc->timer);
    hc->handles = 2;
    if (uv_accept(l, (uv_stream_t *)&hc->tcp) != 0) {
        http_close(hc);
        return;
    }
    uv_timer_start(&hc->timer, on_timeout, HTTP_TIMEOUT_MS, 0);
    uv_read_start((uv_stream_t *)&hc->tcp, on_alloc, on_read);
}

int sd_http_start(struct sd_server *srv)
{
    struct sockaddr_storage addr;
    int rc;

    if (!srv->cfg->http_enabled) {
        return 0;
    }
    if (uv_ip4_addr(srv->cfg->http_listen, srv->cfg->http_port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(srv->cfg->http_listen, srv->cfg->http_port, (struct sockaddr_in6 *)&addr) !=
            0) {
        return UV_EINVAL;
    }
    uv_tcp_init(srv->loop, &srv->http);
    srv->http.data = srv;
    srv->http_open = 1;
    rc = uv_tcp_bind(&srv->http, (struct sockaddr *)&addr, 0);
    if (rc == 0) {
        rc = uv_listen((uv_stream_t *)&srv->http, 64, on_connection);
    }
    return rc;
}
