/* Server settings and the connection (see conn.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn.h"
#include "client/hex.h"
#include "crypto/crypto.h"

static int parse_hostport(struct sc_server *srv, const char *hp)
{
    const char *colon = strrchr(hp, ':');
    size_t hl;
    if (colon == NULL || colon == hp || strlen(colon + 1) == 0 || strlen(colon + 1) > 5)
        return SOTTO_ERR_INVALID_ARGUMENT;
    hl = (size_t)(colon - hp);
    if (hl >= sizeof srv->host)
        return SOTTO_ERR_TOO_LARGE;
    memcpy(srv->host, hp, hl);
    srv->host[hl] = 0;
    snprintf(srv->port, sizeof srv->port, "%s", colon + 1);
    return SOTTO_OK;
}

static int parse_key(uint8_t key[SC_SERVER_KEY_BYTES], const char *hex)
{
    return sc_hex_decode(key, SC_SERVER_KEY_BYTES, hex, strlen(hex)) == SOTTO_OK
               ? SOTTO_OK
               : SOTTO_ERR_INVALID_KEY;
}

int sc_conn_settings_save(struct sc_store *s, const char *server, const char *key_hex)
{
    struct sc_server srv;
    int rc;
    if (server != NULL && server[0]) {
        rc = parse_hostport(&srv, server);
        if (rc != SOTTO_OK)
            return rc;
        rc = sc_store_secret_put(s, "server", (const uint8_t *)server, strlen(server));
        if (rc != SOTTO_OK)
            return rc;
    }
    if (key_hex != NULL && key_hex[0]) {
        rc = parse_key(srv.key, key_hex);
        if (rc != SOTTO_OK)
            return rc;
        rc = sc_store_secret_put(s, "server_key", srv.key, SC_SERVER_KEY_BYTES);
        if (rc != SOTTO_OK)
            return rc;
    }
    return SOTTO_OK;
}

int sc_conn_settings(struct sc_server *srv, struct sc_store *s, const char *server,
                     const char *key_hex)
{
    uint8_t *v = NULL;
    size_t n;
    int rc;

    memset(srv, 0, sizeof *srv);
    if (server != NULL && server[0]) {
        rc = parse_hostport(srv, server);
    } else {
        rc = sc_store_secret_get(s, &v, &n, "server");
        if (rc == SOTTO_OK)
            rc = parse_hostport(srv, (const char *)v);
        sc_free_secret(v, n);
    }
    if (rc != SOTTO_OK)
        return rc;
    if (key_hex != NULL && key_hex[0]) {
        rc = parse_key(srv->key, key_hex);
    } else {
        rc = sc_store_secret_get(s, &v, &n, "server_key");
        if (rc == SOTTO_OK && n == SC_SERVER_KEY_BYTES)
            memcpy(srv->key, v, n);
        else if (rc == SOTTO_OK)
            rc = SOTTO_ERR_INVALID_KEY;
        sc_free_secret(v, n);
    }
    if (rc == SOTTO_ERR_NOT_FOUND)
        return SOTTO_OK; /* no pinned key: sc_conn_open refuses later */
    srv->has_key = rc == SOTTO_OK;
    return rc;
}

/* ---- the connection ---- */

#include "chan.h"
#include "client/account.h"
#include "server.pb-c.h"

enum { PUSH_QUEUE_MAX = 256, PROTO_VERSION = 1 };

struct sc_conn {
    struct sc_store *store;
    struct sc_chan *chan;
    struct sc_hello hello;
    uint64_t next_id;
    Sotto__Server__Push *pushes[PUSH_QUEUE_MAX];
    size_t npush;
};

int sc_status_err(int status)
{
    switch (status) {
    case SOTTO__SERVER__STATUS__STATUS_OK:
        return SOTTO_OK;
    case SOTTO__SERVER__STATUS__STATUS_RATE_LIMITED:
        return SOTTO_ERR_RATE_LIMITED;
    case SOTTO__SERVER__STATUS__STATUS_NOT_FOUND:
        return SOTTO_ERR_NOT_FOUND;
    case SOTTO__SERVER__STATUS__STATUS_VERSION:
        return SOTTO_ERR_INVALID_VERSION;
    case SOTTO__SERVER__STATUS__STATUS_UNAVAILABLE:
    case SOTTO__SERVER__STATUS__STATUS_INTERNAL:
        return SOTTO_ERR_UNREACHABLE;
    default:
        return SOTTO_ERR_REFUSED;
    }
}

static int send_request(struct sc_conn *c, Sotto__Server__Request *rq, int64_t deadline)
{
    Sotto__Server__Frame f = SOTTO__SERVER__FRAME__INIT;
    uint8_t *buf;
    size_t len;
    int rc;
    f.kind_case = SOTTO__SERVER__FRAME__KIND_REQUEST;
    f.request = rq;
    len = sotto__server__frame__get_packed_size(&f);
    buf = malloc(len ? len : 1);
    if (buf == NULL)
        return SOTTO_ERR_NOMEM;
    sotto__server__frame__pack(&f, buf);
    rc = sc_chan_send(c->chan, buf, len, deadline);
    free(buf);
    return rc;
}

/* Reads one frame; a push is queued, a response returned in *rs. */
static int read_one(struct sc_conn *c, Sotto__Server__Response **rs, int64_t deadline)
{
    const uint8_t *msg;
    size_t len;
    Sotto__Server__Frame *f;
    int rc = sc_chan_recv(c->chan, &msg, &len, deadline);
    *rs = NULL;
    if (rc != SOTTO_OK)
        return rc;
    f = sotto__server__frame__unpack(NULL, len, msg);
    if (f == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (f->kind_case == SOTTO__SERVER__FRAME__KIND_RESPONSE) {
        *rs = f->response;
        f->response = NULL;
        f->kind_case = SOTTO__SERVER__FRAME__KIND__NOT_SET;
    } else if (f->kind_case == SOTTO__SERVER__FRAME__KIND_PUSH) {
        if (c->npush == PUSH_QUEUE_MAX) {
            sotto__server__frame__free_unpacked(f, NULL);
            return SOTTO_ERR_TOO_LARGE;
        }
        c->pushes[c->npush++] = f->push;
        f->push = NULL;
        f->kind_case = SOTTO__SERVER__FRAME__KIND__NOT_SET;
    }
    sotto__server__frame__free_unpacked(f, NULL);
    return SOTTO_OK;
}

int sc_conn_request(struct sc_conn *c, Sotto__Server__Response **rs, Sotto__Server__Request *rq,
                    int timeout_ms)
{
    int64_t deadline = sc_mono_ms() + timeout_ms;
    int rc;
    *rs = NULL;
    rq->id = ++c->next_id;
    rc = send_request(c, rq, deadline);
    while (rc == SOTTO_OK) {
        Sotto__Server__Response *r;
        rc = read_one(c, &r, deadline);
        if (rc != SOTTO_OK)
            break;
        if (r == NULL)
            continue;
        if (r->id == rq->id) {
            *rs = r;
            return SOTTO_OK;
        }
        sc_conn_response_free(r); /* a late answer to an earlier request */
    }
    return rc;
}

void sc_conn_response_free(Sotto__Server__Response *rs)
{
    if (rs != NULL)
        sotto__server__response__free_unpacked(rs, NULL);
}

int sc_conn_next_push(struct sc_conn *c, Sotto__Server__Push **p, int timeout_ms)
{
    int64_t deadline = sc_mono_ms() + timeout_ms;
    *p = NULL;
    while (c->npush == 0) {
        Sotto__Server__Response *r;
        int rc;
        if (!sc_chan_readable(c->chan,
                              (int)(deadline - sc_mono_ms() > 0 ? deadline - sc_mono_ms() : 0)))
            return SOTTO_ERR_NOT_FOUND;
        rc = read_one(c, &r, deadline + 5000);
        sc_conn_response_free(r);
        if (rc != SOTTO_OK)
            return rc;
    }
    *p = c->pushes[0];
    memmove(c->pushes, c->pushes + 1, (c->npush - 1) * sizeof c->pushes[0]);
    c->npush--;
    return SOTTO_OK;
}

void sc_conn_push_free(Sotto__Server__Push *p)
{
    if (p != NULL)
        sotto__server__push__free_unpacked(p, NULL);
}

static int say_hello(struct sc_conn *c, int timeout_ms)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Hello h = SOTTO__SERVER__HELLO__INIT;
    Sotto__Server__Response *rs;
    int rc;
    h.min_version = PROTO_VERSION;
    h.max_version = PROTO_VERSION;
    h.agent = "sotto/0.1.0";
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_HELLO;
    rq.hello = &h;
    rc = sc_conn_request(c, &rs, &rq, timeout_ms);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_status_err(rs->status);
    if (rc == SOTTO_OK && rs->body_case == SOTTO__SERVER__RESPONSE__BODY_HELLO) {
        c->hello.registered = rs->hello->registered;
        c->hello.device_id = rs->hello->device_id;
        if (rs->hello->username != NULL)
            snprintf(c->hello.username, sizeof c->hello.username, "%s", rs->hello->username);
    } else if (rc == SOTTO_OK) {
        rc = SOTTO_ERR_INVALID_MESSAGE;
    }
    sc_conn_response_free(rs);
    return rc;
}

int sc_conn_open(struct sc_conn **out, struct sc_store *s, const struct sc_server *srv,
                 int timeout_ms)
{
    uint8_t priv[32], rs[32];
    struct sc_conn *c;
    int rc;

    *out = NULL;
    if (!srv->has_key)
        return SOTTO_ERR_INVALID_KEY;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return SOTTO_ERR_NOMEM;
    c->store = s;
    memcpy(rs, srv->key, 32);
    rc = sc_account_device_private(s, priv);
    if (rc == SOTTO_OK)
        rc = sc_chan_open(&c->chan, srv->host, srv->port, priv, rs, sc_mono_ms() + timeout_ms);
    st_wipe(priv, sizeof priv);
    if (rc == SOTTO_OK)
        rc = say_hello(c, timeout_ms);
    if (rc != SOTTO_OK) {
        sc_conn_close(c);
        return rc;
    }
    *out = c;
    return SOTTO_OK;
}

const struct sc_hello *sc_conn_hello(const struct sc_conn *c)
{
    return &c->hello;
}

void sc_conn_close(struct sc_conn *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->npush; i++)
        sc_conn_push_free(c->pushes[i]);
    sc_chan_close(c->chan);
    free(c);
}

int sc_conn_fd(const struct sc_conn *c)
{
    return c->chan->fd;
}
