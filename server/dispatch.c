/*
 * Request routing: decode one Frame, check the connection may make this
 * request (Hello first, registered device for most), call the handler from
 * the table, send the response. Undecodable input from anyone is answered
 * with STATUS_BAD_REQUEST (id 0) and the connection is closed.
 */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "kt.h"
#include "log.h"

struct sd_arena_block {
    struct sd_arena_block *next;
    max_align_t data[];
};

enum { ARENA_MAX_BLOCKS = 4096 };

void *sd_req_alloc(struct sd_req *r, size_t n)
{
    struct sd_arena_block *b = calloc(1, sizeof(*b) + n);
    if (b == NULL) {
        return NULL;
    }
    b->next = r->arena;
    r->arena = b;
    return b->data;
}

static void arena_free(struct sd_req *r)
{
    while (r->arena != NULL) {
        struct sd_arena_block *n = r->arena->next;
        free(r->arena);
        r->arena = n;
    }
}

int sd_req_fail(struct sd_req *r, Sotto__Server__Status status, const char *msg)
{
    r->rs->status = status;
    r->rs->message = (char *)msg;
    return SD_H_REPLY;
}

static int h_ping(struct sd_req *r)
{
    (void)r;
    return SD_H_REPLY;
}

static const struct {
    sd_handler fn;
    int needs_device; /* only a registered device may call it */
} routes[] = {
    [SOTTO__SERVER__REQUEST__BODY_HELLO] = {sd_h_hello, 0},
    [SOTTO__SERVER__REQUEST__BODY_REGISTER] = {sd_h_register, 0},
    [SOTTO__SERVER__REQUEST__BODY_SET_DEVICES] = {sd_h_set_devices, 1},
    [SOTTO__SERVER__REQUEST__BODY_GET_ACCOUNT] = {sd_h_get_account, 1},
    [SOTTO__SERVER__REQUEST__BODY_UPLOAD_KEYS] = {sd_h_upload_keys, 1},
    [SOTTO__SERVER__REQUEST__BODY_FETCH_BUNDLE] = {sd_h_fetch_bundle, 1},
    [SOTTO__SERVER__REQUEST__BODY_SEND] = {sd_h_send, 1},
    [SOTTO__SERVER__REQUEST__BODY_ACK] = {sd_h_ack, 1},
    [SOTTO__SERVER__REQUEST__BODY_KEY_STATUS] = {sd_h_key_status, 1},
    [SOTTO__SERVER__REQUEST__BODY_PING] = {h_ping, 0},
    [SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_BEGIN] = {sd_h_attach_begin, 1},
    [SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_CHUNK] = {sd_h_attach_chunk, 1},
    [SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_FINISH] = {sd_h_attach_finish, 1},
    [SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_GET] = {sd_h_attach_get, 1},
    [SOTTO__SERVER__REQUEST__BODY_KT_CONSISTENCY] = {sd_h_kt_consistency, 1},
};

/* Which handler, or a refusal status in *st. */
static sd_handler route(struct sd_conn *c, const Sotto__Server__Request *rq, int *st,
                        const char **msg)
{
    size_t i = (size_t)rq->body_case;

    if (i >= sizeof(routes) / sizeof(routes[0]) || routes[i].fn == NULL) {
        *st = SOTTO__SERVER__STATUS__STATUS_BAD_REQUEST;
        *msg = "unknown request type; is the client newer than the server?";
        return NULL;
    }
    if (!c->hello_done && i != SOTTO__SERVER__REQUEST__BODY_HELLO) {
        *st = SOTTO__SERVER__STATUS__STATUS_HELLO_REQUIRED;
        *msg = "the first request must be Hello";
        return NULL;
    }
    if (c->srv->draining) {
        *st = SOTTO__SERVER__STATUS__STATUS_UNAVAILABLE;
        *msg = "server is shutting down; reconnect shortly";
        return NULL;
    }
    if (routes[i].needs_device && c->account_id == 0) {
        *st = SOTTO__SERVER__STATUS__STATUS_UNAUTHENTICATED;
        *msg = "this device key is not registered; register or link the device first";
        return NULL;
    }
    return routes[i].fn;
}

static void reply_bad(struct sd_conn *c, uint64_t id, const char *msg)
{
    Sotto__Server__Response rs = SOTTO__SERVER__RESPONSE__INIT;

    c->srv->m.bad_frames_total++;
    rs.id = id;
    rs.status = SOTTO__SERVER__STATUS__STATUS_BAD_REQUEST;
    rs.message = (char *)msg;
    sd_conn_respond(c, &rs);
    sd_conn_close_flush(c, "bad_request");
}

void sd_dispatch(struct sd_conn *c, const uint8_t *msg, size_t len)
{
    Sotto__Server__Frame *f = sotto__server__frame__unpack(NULL, len, msg);
    Sotto__Server__Response rs = SOTTO__SERVER__RESPONSE__INIT;
    struct sd_req r = {.c = c, .rs = &rs};
    sd_handler fn;
    int st = 0, res;
    const char *why = NULL;

    if (f == NULL || f->kind_case != SOTTO__SERVER__FRAME__KIND_REQUEST || f->request == NULL) {
        reply_bad(c, 0, f == NULL ? "frame does not decode" : "expected a request frame");
        goto out;
    }
    r.rq = f->request;
    rs.id = r.rq->id;
    fn = route(c, r.rq, &st, &why);
    if (fn == NULL) {
        sd_req_fail(&r, (Sotto__Server__Status)st, why);
        res = st == SOTTO__SERVER__STATUS__STATUS_HELLO_REQUIRED ? SD_H_CLOSE : SD_H_REPLY;
    } else {
        res = fn(&r);
    }
    if (res != SD_H_DEFERRED) {
        sd_conn_respond(c, &rs);
    }
    if (r.rq->body_case == SOTTO__SERVER__REQUEST__BODY_HELLO && res == SD_H_REPLY) {
        sd_keys_check_low(c); /* it may have missed the push while away */
        sd_conn_pump(c);      /* queued envelopes follow the Hello response */
    }
    if (res == SD_H_CLOSE) {
        sd_conn_close_flush(c, "protocol_error");
    }
    arena_free(&r);
out:
    if (f != NULL) {
        sotto__server__frame__free_unpacked(f, NULL);
    }
}
