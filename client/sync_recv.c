/*
 * Receiving: each pushed envelope is checked (sender device on the sender's
 * signed list, sender not blocked, not a duplicate), decrypted, and stored
 * with its journal event in one transaction; only then is it acked, so a
 * crash at any point either redelivers it (and the duplicate is dropped by
 * its guid) or has it stored.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/account.h"
#include "client/attach.h"
#include "crypto/crypto.h"
#include "client/sstore.h"
#include "sotto/session.h"
#include "sync_internal.h"

static int ack(struct sc_sync *s, const ProtobufCBinaryData *guid)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Ack a = SOTTO__SERVER__ACK__INIT;
    Sotto__Server__Response *rs = NULL;
    ProtobufCBinaryData g = *guid;
    int rc;
    a.guids = &g;
    a.n_guids = 1;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ACK;
    rq.ack = &a;
    rc = sc_conn_request(s->conn, &rs, &rq, SC_SEND_TIMEOUT_MS);
    if (rc == SOTTO_OK)
        rc = sc_status_err(rs->status);
    sc_conn_response_free(rs);
    return rc;
}

static int device_listed(struct sc_sync *s, const char *peer, uint32_t device)
{
    struct sc_device d[SC_MAX_DEVICES];
    size_t n;
    if (sc_store_devices_get(s->store, d, SC_MAX_DEVICES, &n, peer) != SOTTO_OK)
        return 0;
    for (size_t i = 0; i < n && i < SC_MAX_DEVICES; i++)
        if (d[i].id == device)
            return 1;
    return 0;
}

static int hex16(uint8_t out[16], const char *hex)
{
    for (int i = 0; i < 16; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return SOTTO_ERR_INVALID_ARGUMENT;
        out[i] = (uint8_t)v;
    }
    return SOTTO_OK;
}

static int send_receipt(struct sc_sync *s, const char *peer, int type, const uint8_t *guids,
                        size_t n)
{
    uint8_t content[2 + 16 * SC_RECEIPT_MAX];
    if (n == 0 || n > SC_RECEIPT_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    content[0] = SC_CONTENT_RECEIPT;
    content[1] = (uint8_t)type;
    memcpy(content + 2, guids, 16 * n);
    return sc_sync_send_content(s, peer, content, 2 + 16 * n);
}

int sc_sync_send_read(struct sc_sync *s, const char *peer, const char (*mids)[SC_MID_LEN + 1],
                      size_t n)
{
    uint8_t guids[16 * SC_RECEIPT_MAX];
    int rc = SOTTO_OK;
    if (n > SC_RECEIPT_MAX)
        n = SC_RECEIPT_MAX;
    for (size_t i = 0; i < n && rc == SOTTO_OK; i++)
        rc = hex16(guids + 16 * i, mids[i]);
    if (rc == SOTTO_OK && n > 0)
        rc = send_receipt(s, peer, SC_RECEIPT_READ, guids, n);
    return rc;
}

/* A receipt from peer: raises the status of our messages to peer it names
 * (never lowers it: a late "delivered" after "read" changes nothing). */
static int apply_receipt(struct sc_sync *s, const char *peer, const struct sotto_buf *pt)
{
    int status;
    size_t n;
    if (pt->len < 2 || (pt->len - 2) % 16 != 0)
        return SOTTO_ERR_INVALID_MESSAGE;
    status = pt->data[1] == SC_RECEIPT_READ ? SC_MSG_READ : SC_MSG_DELIVERED;
    n = (pt->len - 2) / 16;
    for (size_t i = 0; i < n && i < SC_RECEIPT_MAX; i++) {
        struct sc_message m;
        char mid[SC_MID_LEN + 1];
        for (int k = 0; k < 16; k++)
            snprintf(mid + 2 * k, 3, "%02x", pt->data[2 + 16 * i + (size_t)k]);
        if (sc_store_message_get(s->store, &m, mid) != SOTTO_OK)
            continue;
        if (m.outgoing && strcmp(m.peer, peer) == 0 && m.status < status &&
            m.status != SC_MSG_FAILED) {
            if (sc_store_message_status(s->store, mid, status) == SOTTO_OK)
                (void)sc_sync_event_kv(s, "status", peer, "id", mid);
        }
        sc_message_clear(&m);
    }
    return SOTTO_OK;
}

/* Fills m (peer, direction, status, body pointing into pt) from decrypted
 * content. A transcript is accepted only from our own account. */
static int parse_content(struct sc_message *m, const struct sotto_buf *pt, const char *self,
                         const char *peer)
{
    memset(m, 0, sizeof *m);
    if (pt->len >= 1 && pt->data[0] == SC_CONTENT_TEXT) {
        snprintf(m->peer, sizeof m->peer, "%s", peer);
        m->status = SC_MSG_RECEIVED;
        m->body = pt->data + 1;
        m->body_len = pt->len - 1;
        return SOTTO_OK;
    }
    if (pt->len > 17 && pt->len <= 17 + SC_EMOJI_MAX && pt->data[0] == SC_CONTENT_REACTION) {
        snprintf(m->peer, sizeof m->peer, "%s", peer);
        m->status = SC_MSG_RECEIVED;
        m->kind = SC_KIND_REACTION;
        for (int k = 0; k < 16; k++)
            snprintf(m->target + 2 * k, 3, "%02x", pt->data[1 + k]);
        m->body = pt->data + 17;
        m->body_len = pt->len - 17;
        return SOTTO_OK;
    }
    if (pt->len > 1 && pt->data[0] == SC_CONTENT_ATTACHMENT) {
        snprintf(m->peer, sizeof m->peer, "%s", peer);
        m->status = SC_MSG_RECEIVED;
        m->kind = SC_KIND_ATTACHMENT;
        m->body = pt->data + 1;
        m->body_len = pt->len - 1;
        return SOTTO_OK;
    }
    if (pt->len >= 2 && pt->data[0] == SC_CONTENT_TRANSCRIPT && strcmp(peer, self) == 0) {
        size_t nl = pt->data[1];
        if (nl == 0 || nl > SC_NAME_MAX || 2 + nl > pt->len)
            return SOTTO_ERR_INVALID_MESSAGE;
        memcpy(m->peer, pt->data + 2, nl);
        m->peer[nl] = 0;
        if (!sc_name_valid(m->peer))
            return SOTTO_ERR_INVALID_MESSAGE;
        m->outgoing = 1;
        m->status = SC_MSG_SENT;
        m->body = pt->data + 2 + nl;
        m->body_len = pt->len - 2 - nl;
        return SOTTO_OK;
    }
    return SOTTO_ERR_INVALID_MESSAGE;
}

/* Typing (not stored) and timer changes (applied to the contact). */
static int apply_control(struct sc_sync *s, const char *peer, const struct sotto_buf *pt)
{
    char js[160];
    if (pt->data[0] == SC_CONTENT_TYPING && pt->len == 2) {
        snprintf(js, sizeof js, "{\"peer\":\"%s\",\"typing\":%s}", peer,
                 pt->data[1] ? "true" : "false");
        if (s->on_event != NULL)
            s->on_event(s->ctx, 0, "typing", js);
        return SOTTO_OK;
    }
    if (pt->data[0] == SC_CONTENT_TIMER && pt->len == 5) {
        struct sc_contact c;
        uint32_t sec = (uint32_t)pt->data[1] << 24 | (uint32_t)pt->data[2] << 16 |
                       (uint32_t)pt->data[3] << 8 | pt->data[4];
        int rc;
        if (sec > SC_TIMER_MAX)
            return SOTTO_ERR_INVALID_MESSAGE;
        rc = sc_store_contact_get(s->store, &c, peer);
        if (rc == SOTTO_ERR_NOT_FOUND) {
            memset(&c, 0, sizeof c);
            snprintf(c.name, sizeof c.name, "%s", peer);
            rc = SOTTO_OK;
        }
        c.timer_s = sec;
        if (rc == SOTTO_OK)
            rc = sc_store_contact_put(s->store, &c);
        snprintf(js, sizeof js, "{\"peer\":\"%s\",\"timer\":%u}", peer, (unsigned)sec);
        return rc == SOTTO_OK ? sc_sync_event(s, "timer", js) : rc;
    }
    return SOTTO_ERR_INVALID_MESSAGE;
}

/* An attachment's descriptor in m->body: downloads, verifies, decrypts and
 * saves it (when s->attach_dir is set), then points m->body at the stored
 * form (descriptor + local path, *body malloc'd). A download that fails
 * leaves the path empty and the message is kept (journalled error). */
static int fetch_attachment(struct sc_sync *s, struct sc_message *m, uint8_t **body,
                            size_t *body_len, const char *mid)
{
    struct sc_attach *a = malloc(sizeof *a);
    int rc;
    if (a == NULL)
        return SOTTO_ERR_NOMEM;
    rc = sc_attach_decode(a, m->body, m->body_len, 0);
    if (rc == SOTTO_OK && s->attach_dir != NULL && s->conn != NULL) {
        int frc = sc_attach_fetch(s->conn, a, s->attach_dir, mid);
        if (frc != SOTTO_OK) {
            char js[256];
            snprintf(js, sizeof js,
                     "{\"peer\":\"%s\",\"id\":\"%s\",\"error\":\"attachment not saved: %s\"}",
                     m->peer, mid, sotto_strerror(frc));
            if (sc_sync_event(s, "error", js) != SOTTO_OK)
                rc = SOTTO_ERR_STORE;
        }
    }
    if (rc == SOTTO_OK)
        rc = sc_attach_encode(body, body_len, a, 1);
    if (rc == SOTTO_OK) {
        m->body = *body;
        m->body_len = *body_len;
    }
    st_wipe(a, sizeof *a);
    free(a);
    return rc;
}

/* Decrypts and stores e (one transaction). *stored = 1 for a new message. */
static int store_envelope(struct sc_sync *s, const Sotto__Server__Envelope *e, const char *peer,
                          const char *mid, int *stored)
{
    struct sotto_address addr = {peer, e->source_device};
    struct sotto_store ss;
    struct sc_sstore x;
    struct sotto_buf pt = {NULL, 0};
    struct sc_message m;
    struct sc_contact c;
    char *js = NULL;
    uint8_t *abody = NULL;
    size_t abody_len = 0;
    int64_t seq = 0;
    int rc;

    *stored = 0;
    sc_sstore_init(&ss, &x, s->store, s->self);
    rc = sc_store_begin(s->store);
    if (rc != SOTTO_OK)
        return rc;
    rc = sotto_session_decrypt(&pt, &ss, &addr, (int)e->type, e->content.data, e->content.len);
    if (rc == SOTTO_OK && pt.len >= 1 &&
        (pt.data[0] == SC_CONTENT_RECEIPT || pt.data[0] == SC_CONTENT_TYPING ||
         pt.data[0] == SC_CONTENT_TIMER)) {
        rc = pt.data[0] == SC_CONTENT_RECEIPT ? apply_receipt(s, peer, &pt)
                                              : apply_control(s, peer, &pt);
        if (rc == SOTTO_OK)
            rc = sc_store_commit(s->store);
        if (rc != SOTTO_OK)
            sc_store_rollback(s->store);
        sotto_buf_free(&pt);
        sc_sstore_clear(&x);
        return rc;
    }
    if (rc == SOTTO_OK)
        rc = parse_content(&m, &pt, s->self, peer);
    if (rc == SOTTO_OK && m.kind == SC_KIND_ATTACHMENT)
        rc = fetch_attachment(s, &m, &abody, &abody_len, mid);
    if (rc == SOTTO_OK) {
        memcpy(m.mid, mid, sizeof m.mid);
        m.device = e->source_device;
        m.ts = e->timestamp ? (int64_t)e->timestamp : (int64_t)e->server_timestamp;
        if (sc_store_contact_get(s->store, &c, m.peer) == SOTTO_OK && c.timer_s > 0)
            m.expires_at = m.ts + (int64_t)c.timer_s * 1000; /* disappearing */
        rc = sc_store_message_add(s->store, &m);
    }
    if (rc == SOTTO_OK) {
        js = sc_message_json_text(&m);
        rc = js == NULL ? SOTTO_ERR_NOMEM : SOTTO_OK;
    }
    if (rc == SOTTO_OK)
        rc = sc_store_journal_append(s->store, &seq, "message", js);
    if (rc == SOTTO_OK)
        rc = sc_store_commit(s->store);
    if (rc != SOTTO_OK) {
        sc_store_rollback(s->store);
    } else {
        *stored = m.outgoing ? 2 : 1; /* 2: a transcript, no receipt */
        if (s->on_event != NULL)
            s->on_event(s->ctx, seq, "message", js);
    }
    free(js);
    if (abody != NULL)
        sc_free_secret(abody, abody_len);
    sotto_buf_free(&pt);
    sc_sstore_clear(&x);
    return rc;
}

static int handle_envelope(struct sc_sync *s, const Sotto__Server__Envelope *e, int *stored)
{
    char peer[SC_NAME_MAX + 1], mid[SC_MID_LEN + 1];
    struct sc_message old;
    struct sc_contact c;
    int rc;

    *stored = 0;
    if (e->guid.len != 16 || e->source == NULL || strlen(e->source) > SC_NAME_MAX)
        return ack(s, &e->guid);
    for (size_t i = 0; i <= strlen(e->source); i++)
        peer[i] = (char)tolower((unsigned char)e->source[i]);
    for (int i = 0; i < 16; i++)
        snprintf(mid + 2 * i, 3, "%02x", e->guid.data[i]);
    if (!sc_name_valid(peer))
        return ack(s, &e->guid);
    if (sc_store_message_get(s->store, &old, mid) == SOTTO_OK) {
        sc_message_clear(&old);
        return ack(s, &e->guid); /* already stored: a redelivery */
    }
    if (sc_store_contact_get(s->store, &c, peer) == SOTTO_OK && c.blocked)
        return ack(s, &e->guid);
    if (!device_listed(s, peer, e->source_device)) {
        rc = sc_sync_fetch_account(s, peer);
        if (rc != SOTTO_OK && rc != SOTTO_ERR_UNTRUSTED_IDENTITY)
            return rc == SOTTO_ERR_UNREACHABLE ? rc : ack(s, &e->guid);
    }
    if (!device_listed(s, peer, e->source_device)) {
        /* A device the account key never signed: a ghost. Refuse it. */
        rc = sc_sync_event_kv(s, "error", peer, "error", "unlisted_device");
        return rc == SOTTO_OK ? ack(s, &e->guid) : rc;
    }
    rc = store_envelope(s, e, peer, mid, stored);
    if (rc == SOTTO_ERR_STORE || rc == SOTTO_ERR_NOMEM)
        return rc; /* keep it on the server: retry next time */
    if (rc != SOTTO_OK)
        (void)sc_sync_event_kv(s, "error", peer, "error", sotto_err_name(rc));
    rc = ack(s, &e->guid);
    /* A delivery receipt, best effort: the message is stored either way. */
    if (rc == SOTTO_OK && *stored == 1 &&
        send_receipt(s, peer, SC_RECEIPT_DELIVERED, e->guid.data, 1) != SOTTO_OK)
        (void)sc_sync_event_kv(s, "error", peer, "error", "receipt_not_sent");
    if (*stored == 2)
        *stored = 1;
    return rc;
}

int sc_sync_receive(struct sc_sync *s, int timeout_ms, size_t max, size_t *n, int until_empty)
{
    int64_t deadline = sc_sync_now_ms() + timeout_ms;
    *n = 0;
    for (;;) {
        Sotto__Server__Push *p = NULL;
        int64_t left = deadline - sc_sync_now_ms();
        int rc, stored = 0;
        if (timeout_ms >= 0 && left < 0)
            left = 0;
        rc = sc_conn_next_push(s->conn, &p, timeout_ms < 0 ? 60000 : (int)left);
        if (rc == SOTTO_ERR_NOT_FOUND) {
            if (timeout_ms < 0)
                continue;
            return SOTTO_OK;
        }
        if (rc != SOTTO_OK)
            return rc;
        if (p->body_case == SOTTO__SERVER__PUSH__BODY_ENVELOPE) {
            rc = handle_envelope(s, p->envelope, &stored);
            *n += (size_t)stored;
        }
        /* KeysLow also counts one-time Kyber keys; we publish only a
         * last-resort Kyber key (never used up), so top up on EC keys. */
        if (p->body_case == SOTTO__SERVER__PUSH__BODY_KEYS_LOW && p->keys_low != NULL &&
            p->keys_low->one_time < SC_PREKEY_LOW && sc_sync_top_up(s) != SOTTO_OK)
            (void)sc_sync_event_kv(s, "error", s->self, "error", "prekey_top_up_failed");
        if (p->body_case == SOTTO__SERVER__PUSH__BODY_QUEUE_EMPTY && until_empty) {
            sc_conn_push_free(p);
            return SOTTO_OK;
        }
        sc_conn_push_free(p);
        if (rc != SOTTO_OK)
            return rc;
        if (max > 0 && *n >= max)
            return SOTTO_OK;
    }
}
