/*
 * Delivery to connected devices: queued envelopes are pushed in seq order
 * while the connection's in-flight window (SD_PUSH_WINDOW unacked) has room
 * and its write queue is not backed up. Envelopes stay stored until the
 * device acks them (handlers_msg.c), so a dropped connection loses nothing:
 * the next connection starts again from the oldest unacked envelope.
 */
#include <string.h>

#include "conn.h"
#include "sdlimits.h"
#include "log.h"

struct pump_ctx {
    struct sd_conn *c;
    uint32_t n;
};

static int push_one(void *arg, const struct sd_envelope *e)
{
    struct pump_ctx *p = arg;
    Sotto__Server__Frame f = SOTTO__SERVER__FRAME__INIT;
    Sotto__Server__Push push = SOTTO__SERVER__PUSH__INIT;
    Sotto__Server__Envelope env = SOTTO__SERVER__ENVELOPE__INIT;

    env.guid.data = (uint8_t *)e->guid;
    env.guid.len = sizeof(e->guid);
    env.source = (char *)e->source;
    env.source_device = e->source_device;
    env.type = e->type;
    env.content.data = e->content.p;
    env.content.len = e->content.len;
    env.server_timestamp = e->server_ts;
    env.timestamp = e->timestamp;
    push.body_case = SOTTO__SERVER__PUSH__BODY_ENVELOPE;
    push.envelope = &env;
    f.kind_case = SOTTO__SERVER__FRAME__KIND_PUSH;
    f.push = &push;
    if (sd_conn_send(p->c, &f) != 0) {
        return 1;
    }
    p->c->pushed_seq = e->seq;
    p->c->inflight++;
    p->c->srv->m.envelopes_pushed_total++;
    p->n++;
    return 0;
}

static void send_queue_empty(struct sd_conn *c)
{
    Sotto__Server__Frame f = SOTTO__SERVER__FRAME__INIT;
    Sotto__Server__Push push = SOTTO__SERVER__PUSH__INIT;
    Sotto__Server__QueueEmpty qe = SOTTO__SERVER__QUEUE_EMPTY__INIT;

    push.body_case = SOTTO__SERVER__PUSH__BODY_QUEUE_EMPTY;
    push.queue_empty = &qe;
    f.kind_case = SOTTO__SERVER__FRAME__KIND_PUSH;
    f.push = &push;
    if (sd_conn_send(c, &f) == 0) {
        c->empty_sent = 1;
    }
}

void sd_conn_pump(struct sd_conn *c)
{
    struct sd_store *st = c->srv->store;
    struct pump_ctx p = {.c = c, .n = 0};
    uint32_t room;

    if (c->state != SD_CONN_OPEN || c->account_id == 0 || !c->hello_done) {
        return;
    }
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) >= (1u << 20)) {
        c->want_pump = 1; /* on_write resumes once the socket drains */
        return;
    }
    if (c->inflight >= SD_PUSH_WINDOW) {
        return; /* acks reopen the window */
    }
    room = SD_PUSH_WINDOW - c->inflight;
    if (st->ops->envelopes_after(st, c->account_id, c->device_id, c->pushed_seq, room, sd_now_ms(),
                                 push_one, &p) != SD_ST_OK) {
        c->srv->m.store_errors_total++;
        return;
    }
    if (c->state != SD_CONN_OPEN) {
        return;
    }
    if (p.n > 0) {
        c->empty_sent = 0;
    }
    if (p.n < room && !c->empty_sent) {
        send_queue_empty(c);
    }
}

void sd_conn_wake(struct sd_server *srv, int64_t account_id, uint32_t device_id)
{
    struct sd_conn *c, *next;

    /* linear in the number of connections; an index comes with scale-out */
    for (c = srv->conns; c != NULL; c = next) {
        next = c->next;
        if (c->account_id == account_id && (device_id == 0 || c->device_id == device_id)) {
            sd_conn_pump(c);
        }
    }
}
