/*
 * Send and Ack (docs/server-api.md, "Messages"). A send to an account must
 * carry exactly one envelope per device on the recipient's list (minus the
 * sending device when writing to one's own account) with matching
 * registration ids; otherwise the whole send is refused with the lists of
 * missing, extra and stale devices. Accepted sends and acks are queued for
 * the group commit (commit.c) and answered after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commit.h"
#include "handlers.h"
#include "sdlimits.h"

#define SD_STATUS(x) SOTTO__SERVER__STATUS__STATUS_##x

struct expect {
    struct sd_device devs[SD_DEVICES_MAX];
    size_t n;
};

static const Sotto__Server__OutEnvelope *find_env(const Sotto__Server__Send *s, uint32_t id)
{
    for (size_t i = 0; i < s->n_envelopes; i++) {
        if (s->envelopes[i]->device_id == id) {
            return s->envelopes[i];
        }
    }
    return NULL;
}

static int expected_has(const struct expect *e, uint32_t id)
{
    for (size_t i = 0; i < e->n; i++) {
        if (e->devs[i].device_id == id) {
            return 1;
        }
    }
    return 0;
}

/* -1 if the envelopes match the device set, else fills a DeviceMismatch and
 * returns SD_H_REPLY. */
static int compare(struct sd_req *r, const Sotto__Server__Send *s, const struct expect *e)
{
    Sotto__Server__DeviceMismatch *m = sd_req_alloc(r, sizeof(*m));
    uint32_t *miss = sd_req_alloc(r, sizeof(uint32_t) * SD_DEVICES_MAX);
    uint32_t *extra = sd_req_alloc(r, sizeof(uint32_t) * SD_DEVICES_MAX);
    uint32_t *stale = sd_req_alloc(r, sizeof(uint32_t) * SD_DEVICES_MAX);

    if (m == NULL || miss == NULL || extra == NULL || stale == NULL) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    sotto__server__device_mismatch__init(m);
    m->missing = miss;
    m->extra = extra;
    m->stale = stale;
    for (size_t i = 0; i < e->n; i++) {
        const Sotto__Server__OutEnvelope *o = find_env(s, e->devs[i].device_id);
        if (o == NULL) {
            miss[m->n_missing++] = e->devs[i].device_id;
        } else if (o->registration_id != e->devs[i].registration_id) {
            stale[m->n_stale++] = e->devs[i].device_id;
        }
    }
    for (size_t i = 0; i < s->n_envelopes; i++) {
        if (!expected_has(e, s->envelopes[i]->device_id)) {
            extra[m->n_extra++] = s->envelopes[i]->device_id;
        }
    }
    if (m->n_missing + m->n_extra + m->n_stale == 0) {
        return -1;
    }
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_MISMATCH;
    r->rs->mismatch = m;
    if (m->n_missing + m->n_extra > 0) {
        return sd_req_fail(r, SD_STATUS(MISMATCHED_DEVICES),
                           "the recipient's devices changed: fetch their account and keys again");
    }
    return sd_req_fail(r, SD_STATUS(STALE_DEVICES),
                       "some recipient devices were re-registered: fetch their keys again");
}

static struct sd_pending *make_pending(struct sd_req *r, const Sotto__Server__Send *s,
                                       int64_t account_id)
{
    struct sd_pending *p = calloc(1, sizeof(*p));
    uint64_t now = sd_now_ms();

    if (p == NULL || (p->envs = calloc(s->n_envelopes, sizeof(*p->envs))) == NULL) {
        free(p);
        return NULL;
    }
    p->conn = r->c;
    p->req_id = r->rq->id;
    p->kind = SD_PENDING_SEND;
    p->account_id = account_id;
    p->n = s->n_envelopes;
    for (size_t i = 0; i < p->n; i++) {
        struct sd_envelope *e = &p->envs[i];
        e->account_id = account_id;
        e->device_id = s->envelopes[i]->device_id;
        memcpy(e->guid, s->guid.data, SD_GUID_BYTES);
        e->source_account = r->c->account_id;
        e->source_device = r->c->device_id;
        memcpy(e->source, r->c->username, sizeof(e->source));
        e->type = s->envelopes[i]->type;
        e->timestamp = s->timestamp;
        e->server_ts = now;
        e->expires = now + (uint64_t)r->c->srv->cfg->message_ttl_s * 1000;
        if (sd_blob_set(&e->content, s->envelopes[i]->content.data, s->envelopes[i]->content.len) !=
            0) {
            sd_pending_free(p);
            return NULL;
        }
    }
    return p;
}

static int load_expected(struct sd_req *r, struct expect *e, int64_t *account_id,
                         const char *username)
{
    struct sd_store *st = r->c->srv->store;
    struct sd_device all[SD_DEVICES_MAX];
    struct sd_account a;
    size_t n = 0;
    char key[40];

    if (sd_username_key(key, username) != 0 || st->ops->account_get(st, &a, key) != SD_ST_OK) {
        return sd_req_fail(r, SD_STATUS(NOT_FOUND), "no such user");
    }
    *account_id = a.id;
    sd_account_free(&a);
    if (st->ops->devices_get(st, all, SD_DEVICES_MAX, &n, *account_id) != SD_ST_OK) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    e->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (*account_id == r->c->account_id && all[i].device_id == r->c->device_id) {
            continue; /* the sender's own device gets no copy */
        }
        e->devs[e->n++] = all[i];
    }
    return -1;
}

int sd_h_send(struct sd_req *r)
{
    const Sotto__Server__Send *s = r->rq->send;
    struct sd_server *srv = r->c->srv;
    struct sd_pending *p;
    struct expect e = {.n = 0};
    int64_t account_id = 0;
    uint32_t retry;
    char rlkey[24];
    int rc;

    if (s == NULL || sd_validate_send(s) != 0) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST),
                           "Send needs a username, a 16-byte guid and 1-16 envelopes for distinct "
                           "devices with 1..262144 bytes of content each");
    }
    snprintf(rlkey, sizeof(rlkey), "%lld", (long long)r->c->account_id);
    if (!sd_rl_take(srv->rl, SD_RL_SEND, rlkey, (double)s->n_envelopes, sd_now_ms(), &retry)) {
        srv->m.rate_limited_total++;
        r->rs->retry_after_ms = retry;
        return sd_req_fail(r, SD_STATUS(RATE_LIMITED), "sending too fast; wait and retry");
    }
    rc = load_expected(r, &e, &account_id, s->username);
    if (rc >= 0) {
        return rc;
    }
    rc = compare(r, s, &e);
    if (rc >= 0) {
        return rc;
    }
    p = make_pending(r, s, account_id);
    if (p == NULL) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    sd_pending_enqueue(srv, p);
    return SD_H_DEFERRED;
}

int sd_h_ack(struct sd_req *r)
{
    const Sotto__Server__Ack *a = r->rq->ack;
    struct sd_pending *p;

    if (sd_validate_ack(a) != 0) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST), "Ack carries 1..1000 guids of 16 bytes");
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL || (p->guids = calloc(a->n_guids, 16)) == NULL) {
        free(p);
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    p->conn = r->c;
    p->req_id = r->rq->id;
    p->kind = SD_PENDING_ACK;
    p->account_id = r->c->account_id;
    p->device_id = r->c->device_id;
    p->n = a->n_guids;
    for (size_t i = 0; i < p->n; i++) {
        memcpy(p->guids[i], a->guids[i].data, 16);
    }
    sd_pending_enqueue(r->c->srv, p);
    return SD_H_DEFERRED;
}
