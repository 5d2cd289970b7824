/*
 * Client connections (conn.h): accept, read -> framing -> Noise ->
 * reassembly -> dispatch, encrypted writes, timeouts, close.
 */
#include "conn.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sdlimits.h"
#include "log.h"

enum { WRITE_QUEUE_SOFT = 1 << 20, WRITE_QUEUE_HARD = 16 << 20, FLUSH_TIMEOUT_MS = 2000 };

struct wreq {
    uv_write_t req;
    struct sd_conn *c;
    size_t len;
    uint8_t data[];
};

static void on_handle_closed(uv_handle_t *h)
{
    struct sd_conn *c = h->data;
    if (--c->handles_open > 0) {
        return;
    }
    sd_chan_free(c->chan);
    sd_reasm_free(&c->reasm);
    sd_framer_free(&c->framer);
    free(c);
}

static void close_handles(struct sd_conn *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->tcp)) {
        uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    }
    if (!uv_is_closing((uv_handle_t *)&c->timer)) {
        uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    }
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    struct sd_conn *c = req->data;
    (void)status;
    free(req);
    close_handles(c);
}

/* A peer that does not read its last response is not waited for. */
static void on_flush_timeout(uv_timer_t *t)
{
    close_handles(t->data);
}

/* Takes the connection off the server; the caller closes the handles. */
static int detach(struct sd_conn *c, const char *reason)
{
    struct sd_server *srv = c->srv;

    if (c->state == SD_CONN_CLOSING) {
        return -1;
    }
    if (c->state == SD_CONN_HANDSHAKE) {
        srv->m.handshakes_failed_total++;
    }
    c->state = SD_CONN_CLOSING;
    sd_log(SD_LOG_INFO, "connection closed",
           "conn=%llu addr=%s reason=%s account_id=%lld "
           "device_id=%u",
           (unsigned long long)c->id, c->addr, reason, (long long)c->account_id, c->device_id);
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        srv->conns = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    srv->m.connections_open--;
    sd_index_remove(srv, c);
    sd_commit_forget_conn(srv, c);
    return 0;
}

void sd_conn_close(struct sd_conn *c, const char *reason)
{
    if (detach(c, reason) == 0) {
        close_handles(c);
    }
}

void sd_conn_close_flush(struct sd_conn *c, const char *reason)
{
    uv_shutdown_t *req;

    if (detach(c, reason) != 0) {
        return;
    }
    uv_read_stop((uv_stream_t *)&c->tcp);
    req = malloc(sizeof(*req));
    if (req == NULL) {
        close_handles(c);
        return;
    }
    req->data = c;
    if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
        free(req);
        close_handles(c);
        return;
    }
    uv_timer_start(&c->timer, on_flush_timeout, FLUSH_TIMEOUT_MS, 0);
}

static void on_write(uv_write_t *req, int status)
{
    struct wreq *w = (struct wreq *)req;
    struct sd_conn *c = w->c;

    free(w);
    if (status < 0) {
        return; /* the read side sees the error and closes */
    }
    if (c->state == SD_CONN_OPEN && c->want_pump &&
        uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) < WRITE_QUEUE_SOFT) {
        c->want_pump = 0;
        sd_conn_pump(c);
    }
}

static int write_raw(struct sd_conn *c, struct wreq *w)
{
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned int)w->len);

    w->c = c;
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > WRITE_QUEUE_HARD ||
        uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
        free(w);
        sd_conn_close(c, "write_failed");
        return -1;
    }
    return 0;
}

/* Splits msg into fragments, encrypts each into one length-prefixed frame. */
static int send_message(struct sd_conn *c, const uint8_t *msg, size_t len)
{
    size_t nfrag = len == 0 ? 1 : (len + SD_FRAG_MAX - 1) / SD_FRAG_MAX;
    size_t total = len + nfrag * (2 + 1 + SD_NOISE_TAG), off = 0, at = 0;
    struct wreq *w;
    uint8_t *pt;

    if (c->state == SD_CONN_CLOSING) {
        return -1;
    }
    w = malloc(sizeof(*w) + total);
    pt = malloc(SD_FRAG_MAX + 1);
    if (w == NULL || pt == NULL) {
        free(w);
        free(pt);
        sd_conn_close(c, "nomem");
        return -1;
    }
    for (size_t i = 0; i < nfrag; i++) {
        size_t n = len - off < SD_FRAG_MAX ? len - off : SD_FRAG_MAX, clen = 0;
        pt[0] = i + 1 < nfrag ? 1 : 0;
        memcpy(pt + 1, msg + off, n);
        if (sd_chan_encrypt(c->chan, w->data + at + 2, &clen, pt, n + 1) != SD_CHAN_OK) {
            free(w);
            free(pt);
            sd_conn_close(c, "encrypt_failed");
            return -1;
        }
        sd_frame_header(w->data + at, clen);
        at += 2 + clen;
        off += n;
    }
    free(pt);
    w->len = at;
    return write_raw(c, w);
}

int sd_conn_send(struct sd_conn *c, const Sotto__Server__Frame *f)
{
    size_t len = sotto__server__frame__get_packed_size(f);
    uint8_t *buf = malloc(len ? len : 1);
    int rc;

    if (buf == NULL) {
        sd_conn_close(c, "nomem");
        return -1;
    }
    sotto__server__frame__pack(f, buf);
    rc = send_message(c, buf, len);
    free(buf);
    return rc;
}

int sd_conn_respond(struct sd_conn *c, Sotto__Server__Response *rs)
{
    Sotto__Server__Frame f = SOTTO__SERVER__FRAME__INIT;

    f.kind_case = SOTTO__SERVER__FRAME__KIND_RESPONSE;
    f.response = rs;
    c->srv->m.requests_total++;
    if (rs->status != SOTTO__SERVER__STATUS__STATUS_OK) {
        c->srv->m.request_errors_total++;
    }
    return sd_conn_send(c, &f);
}

/* ---- handshake and reading ---- */

static void handshake_frame(struct sd_conn *c, const uint8_t *frame, size_t len)
{
    uint8_t out[SD_FRAME_MAX];
    uint8_t rs[32];
    size_t outlen = 0;
    int done = 0;
    struct wreq *w;

    if (sd_chan_step(c->chan, out, &outlen, frame, len, &done) != SD_CHAN_OK) {
        c->srv->m.bad_frames_total++;
        sd_conn_close(c, "handshake_failed");
        return;
    }
    if (outlen > 0) {
        w = malloc(sizeof(*w) + outlen + 2);
        if (w == NULL) {
            sd_conn_close(c, "nomem");
            return;
        }
        sd_frame_header(w->data, outlen);
        memcpy(w->data + 2, out, outlen);
        w->len = outlen + 2;
        if (write_raw(c, w) != 0) {
            return;
        }
    }
    if (!done) {
        return;
    }
    sd_chan_remote(c->chan, rs);
    st_pubkey_encode(c->remote_key, rs);
    c->state = SD_CONN_OPEN;
    if (c->srv->store->ops->device_by_key(c->srv->store, &c->account_id, &c->device_id,
                                          c->remote_key) == SD_ST_OK) {
        c->reasm.max = SD_MSG_MAX_AUTH;
    }
}

static void transport_frame(struct sd_conn *c, const uint8_t *frame, size_t len)
{
    uint8_t pt[SD_FRAME_MAX];
    size_t ptlen = 0;
    int rc;

    if (sd_chan_decrypt(c->chan, pt, &ptlen, frame, len) != SD_CHAN_OK) {
        c->srv->m.bad_frames_total++;
        sd_conn_close(c, "decrypt_failed");
        return;
    }
    rc = sd_reasm_add(&c->reasm, pt, ptlen);
    if (rc < 0) {
        c->srv->m.bad_frames_total++;
        sd_conn_close(c, rc == SD_FRAME_TOO_BIG ? "message_too_large" : "bad_fragment");
        return;
    }
    if (rc == SD_FRAME_DONE) {
        sd_dispatch(c, c->reasm.buf, c->reasm.len);
        if (c->state != SD_CONN_CLOSING) {
            sd_reasm_reset(&c->reasm);
        }
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct sd_conn *c = h->data;
    (void)suggested;
    *buf = uv_buf_init(c->srv->read_buf, sizeof(c->srv->read_buf));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct sd_conn *c = s->data;
    const uint8_t *p = (const uint8_t *)buf->base, *frame;
    size_t len = nread > 0 ? (size_t)nread : 0, flen;
    int rc;

    if (nread < 0) {
        sd_conn_close(c, nread == UV_EOF ? "eof" : "read_error");
        return;
    }
    c->last_rx_ms = uv_now(c->srv->loop);
    while (len > 0 && c->state != SD_CONN_CLOSING) {
        rc = sd_framer_feed(&c->framer, &p, &len, &frame, &flen);
        if (rc < 0) {
            c->srv->m.bad_frames_total++;
            sd_conn_close(c, "bad_frame");
            return;
        }
        if (rc == SD_FRAME_MORE) {
            break;
        }
        if (c->state == SD_CONN_HANDSHAKE) {
            handshake_frame(c, frame, flen);
        } else {
            transport_frame(c, frame, flen);
        }
    }
}

/* ---- timeouts ---- */

/* Unregistered peers get handshake_timeout in total, or link_timeout once
 * their Hello went through (a new device waiting to be added to its account's
 * list); devices get idle_timeout since their last byte (clients Ping). */
static void on_timer(uv_timer_t *t)
{
    struct sd_conn *c = t->data;
    const struct sd_config *cfg = c->srv->cfg;
    uint64_t now = uv_now(c->srv->loop), deadline;

    if (c->state == SD_CONN_CLOSING) {
        return;
    }
    if (c->account_id != 0) {
        deadline = c->last_rx_ms + cfg->idle_timeout_ms;
    } else {
        deadline =
            c->started_ms + (c->hello_done ? cfg->link_timeout_ms : cfg->handshake_timeout_ms);
    }
    if (now >= deadline) {
        sd_conn_close(c, c->account_id == 0 ? "handshake_timeout" : "idle_timeout");
        return;
    }
    uv_timer_start(&c->timer, on_timer, deadline - now, 0);
}

void sd_conn_rearm(struct sd_conn *c)
{
    on_timer(&c->timer);
}

void sd_conn_set_device(struct sd_conn *c, int64_t account_id, uint32_t device_id,
                        const char *username)
{
    sd_index_remove(c->srv, c);
    c->account_id = account_id;
    c->device_id = device_id;
    sd_index_add(c->srv, c);
    snprintf(c->username, sizeof(c->username), "%s", username);
    c->reasm.max = SD_MSG_MAX_AUTH;
    c->last_rx_ms = uv_now(c->srv->loop);
    uv_timer_start(&c->timer, on_timer, c->srv->cfg->idle_timeout_ms, 0);
}

static int admit(struct sd_server *srv, struct sd_conn *c)
{
    struct sockaddr_storage ss;
    int sl = sizeof(ss);
    uint32_t retry;

    c->addr[0] = '\0';
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&ss, c->addr, sizeof(c->addr));
        } else {
            uv_ip4_name((struct sockaddr_in *)&ss, c->addr, sizeof(c->addr));
        }
    }
    if (srv->draining || srv->m.connections_open >= srv->cfg->max_connections) {
        return -1;
    }
    if (!sd_rl_take(srv->rl, SD_RL_CONNECT, c->addr, 1, sd_now_ms(), &retry)) {
        srv->m.rate_limited_total++;
        return -1;
    }
    return 0;
}

void sd_conn_accept(struct sd_server *srv, uv_stream_t *listener)
{
    struct sd_conn *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        return;
    }
    c->srv = srv;
    c->id = ++srv->next_conn_id;
    c->tcp.data = c;
    c->timer.data = c;
    uv_tcp_init(srv->loop, &c->tcp);
    uv_timer_init(srv->loop, &c->timer);
    c->handles_open = 2;
    c->state = SD_CONN_CLOSING; /* not yet on the list */
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0 || admit(srv, c) != 0 ||
        sd_chan_accept(&c->chan, srv->spriv) != SD_CHAN_OK) {
        srv->m.connections_refused_total++;
        uv_close((uv_handle_t *)&c->timer, on_handle_closed);
        uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
        return;
    }
    c->state = SD_CONN_HANDSHAKE;
    sd_framer_init(&c->framer);
    sd_reasm_init(&c->reasm, SD_MSG_MAX_UNAUTH);
    c->next = srv->conns;
    if (srv->conns != NULL) {
        srv->conns->prev = c;
    }
    srv->conns = c;
    srv->m.connections_open++;
    srv->m.connections_total++;
    c->started_ms = uv_now(srv->loop);
    c->last_rx_ms = c->started_ms;
    uv_tcp_nodelay(&c->tcp, 1);
    uv_tcp_keepalive(&c->tcp, 1, 60);
    uv_timer_start(&c->timer, on_timer, srv->cfg->handshake_timeout_ms, 0);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    sd_log(SD_LOG_DEBUG, "connection accepted", "conn=%llu addr=%s", (unsigned long long)c->id,
           c->addr);
}
