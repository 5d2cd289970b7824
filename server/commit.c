/* Group commit of sends and acks (commit.h). */
#include "commit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "log.h"

#define SD_STATUS(x) SOTTO__SERVER__STATUS__STATUS_##x

void sd_pending_free(struct sd_pending *p)
{
    for (size_t i = 0; p->envs != NULL && i < p->n; i++) {
        free(p->envs[i].content.p);
    }
    free(p->envs);
    free(p->guids);
    free(p);
}

void sd_pending_enqueue(struct sd_server *srv, struct sd_pending *p)
{
    p->next = NULL;
    if (srv->pending_tail != NULL) {
        srv->pending_tail->next = p;
    } else {
        srv->pending_head = p;
    }
    srv->pending_tail = p;
}

void sd_commit_forget_conn(struct sd_server *srv, struct sd_conn *c)
{
    for (struct sd_pending *p = srv->pending_head; p != NULL; p = p->next) {
        if (p->conn == c) {
            p->conn = NULL; /* still written; nobody to answer */
        }
    }
}

static void apply(struct sd_server *srv, struct sd_pending *p)
{
    struct sd_store *st = srv->store;
    uint64_t tomb = sd_now_ms() + (uint64_t)srv->cfg->dedupe_window_s * 1000;

    if (p->kind == SD_PENDING_SEND) {
        p->status = st->ops->envelopes_put(st, p->envs, p->n, srv->cfg->queue_cap);
        return;
    }
    p->status = SD_ST_OK;
    for (size_t i = 0; i < p->n && p->status == SD_ST_OK; i++) {
        int rc = st->ops->envelope_delete(st, p->account_id, p->device_id, p->guids[i], tomb);
        p->status = rc == SD_ST_NOT_FOUND ? SD_ST_OK : rc;
    }
}

static void answer(struct sd_server *srv, struct sd_pending *p)
{
    Sotto__Server__Response rs = SOTTO__SERVER__RESPONSE__INIT;
    Sotto__Server__SendOk ok = SOTTO__SERVER__SEND_OK__INIT;
    char msg[160];

    rs.id = p->req_id;
    if (p->status == SD_ST_FULL) {
        rs.status = SD_STATUS(QUEUE_FULL);
        snprintf(msg, sizeof(msg),
                 "a recipient device has %u undelivered messages, the most the "
                 "server keeps; try again later",
                 srv->cfg->queue_cap);
        rs.message = msg;
    } else if (p->status != SD_ST_OK) {
        rs.status = SD_STATUS(INTERNAL);
        rs.message = "server storage failure; the request was not applied, retry it";
    } else if (p->kind == SD_PENDING_SEND) {
        ok.server_timestamp = p->n > 0 ? p->envs[0].server_ts : 0;
        rs.body_case = SOTTO__SERVER__RESPONSE__BODY_SEND;
        rs.send = &ok;
    }
    if (p->conn != NULL) {
        sd_conn_respond(p->conn, &rs);
    }
}

static void after(struct sd_server *srv, struct sd_pending *p)
{
    if (p->status != SD_ST_OK) {
        return;
    }
    if (p->kind == SD_PENDING_SEND) {
        srv->m.sends_total++;
        for (size_t i = 0; i < p->n; i++) {
            if (p->envs[i].seq != 0) {
                srv->m.envelopes_stored_total++;
                sd_conn_wake(srv, p->envs[i].account_id, p->envs[i].device_id);
            }
        }
        return;
    }
    srv->m.envelopes_acked_total += p->n;
    if (p->conn != NULL) {
        p->conn->inflight = p->conn->inflight > p->n ? p->conn->inflight - (uint32_t)p->n : 0;
        sd_conn_pump(p->conn);
    }
}

void sd_commit_flush(struct sd_server *srv)
{
    struct sd_store *st = srv->store;
    struct sd_pending *p, *next, *head = srv->pending_head;
    int rc;

    if (head == NULL) {
        return;
    }
    srv->pending_head = srv->pending_tail = NULL;
    rc = st->ops->batch_begin(st);
    for (p = head; rc == SD_ST_OK && p != NULL; p = p->next) {
        apply(srv, p);
    }
    if (rc == SD_ST_OK) {
        rc = st->ops->batch_commit(st);
    }
    srv->m.commit_batches_total++;
    if (rc != SD_ST_OK) {
        srv->m.store_errors_total++;
        sd_log(SD_LOG_ERROR, "group commit failed", "requests=batch");
    }
    for (p = head; p != NULL; p = next) {
        next = p->next;
        if (rc != SD_ST_OK) {
            p->status = SD_ST_ERROR;
        }
        answer(srv, p);
        after(srv, p);
        sd_pending_free(p);
    }
}

static void on_check(uv_check_t *h)
{
    sd_commit_flush(h->data);
}

int sd_commit_start(struct sd_server *srv)
{
    srv->commit_check.data = srv;
    if (uv_check_init(srv->loop, &srv->commit_check) != 0) {
        return -1;
    }
    return uv_check_start(&srv->commit_check, on_check);
}
