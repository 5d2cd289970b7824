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
#include "client/group.h"
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
    uint8_t content[1 + 16 * SC_RECEIPT_MAX];
    int rc = SOTTO_OK;
    if (n > SC_RECEIPT_MAX)
        n = SC_RECEIPT_MAX;
    for (size_t i = 0; i < n && rc == SOTTO_OK; i++)
        rc = sc_mid_to_bytes(content + 1 + 16 * i, mids[i]);
    if (rc != SOTTO_OK || n == 0)
        return rc;
    rc = send_receipt(s, peer, SC_RECEIPT_READ, content + 1, n);
    /* Our other devices mark them read too (best effort). */
    content[0] = SC_CONTENT_READ_SYNC;
    if (rc == SOTTO_OK && sc_sync_send_own(s, content, 1 + 16 * n) != SOTTO_OK)
        (void)sc_sync_event_kv(s, "error", s->self, "error", "read_sync_not_sent");
    return rc;
}

/* A receipt from peer: raises the status of our messages to peer it names
 * (never lowers it: a late "delivered" after "read" changes nothing). */
static int apply_receipt(struct sc_sync *s, const char *peer, const struct sc_content *ct)
{
    int status = ct->receipt == SC_RECEIPT_READ ? SC_MSG_READ : SC_MSG_DELIVERED;
    for (size_t i = 0; i < ct->n_ids; i++) {
        struct sc_message m;
        char mid[SC_MID_LEN + 1];
        sc_mid_from_bytes(mid, ct->ids + 16 * i);
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

/* Another device of ours read these incoming messages. */
static int apply_read_sync(struct sc_sync *s, const struct sc_content *ct)
{
    for (size_t i = 0; i < ct->n_ids; i++) {
        struct sc_message m;
        char mid[SC_MID_LEN + 1];
        int rc = SOTTO_OK;
        sc_mid_from_bytes(mid, ct->ids + 16 * i);
        if (sc_store_message_get(s->store, &m, mid) != SOTTO_OK)
            continue;
        if (!m.outgoing && m.status == SC_MSG_RECEIVED) {
            rc = sc_store_message_status(s->store, mid, SC_MSG_READ);
            if (rc == SOTTO_OK)
                rc = sc_sync_event_kv(s, "read", m.peer, "id", mid);
        }
        sc_message_clear(&m);
        if (rc != SOTTO_OK)
            return rc;
    }
    return SOTTO_OK;
}

/* The conversation with peer gets a disappearing-message timer (from peer,
 * or from another device of ours that set it). */
static int apply_timer(struct sc_sync *s, const char *peer, uint32_t sec, int by_us)
{
    struct sc_contact c;
    char js[160];
    int rc = sc_store_contact_get(s->store, &c, peer);
    if (rc == SOTTO_ERR_NOT_FOUND) {
        memset(&c, 0, sizeof c);
        snprintf(c.name, sizeof c.name, "%s", peer);
        rc = SOTTO_OK;
    }
    c.timer_s = sec;
    if (rc == SOTTO_OK)
        rc = sc_store_contact_put(s->store, &c);
    snprintf(js, sizeof js, "{\"peer\":\"%s\",\"timer\":%u%s}", peer, (unsigned)sec,
             by_us ? ",\"by_us\":true" : "");
    return rc == SOTTO_OK ? sc_sync_event(s, "timer", js) : rc;
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

/* Stores m (attachments fetched first) and, when seq is not NULL,
 * journals it (*seq and *js for the caller's on_event after the commit;
 * js must then be set too). A message already stored (a
 * transcript or history item delivered twice) is SOTTO_ERR_DUPLICATE_MESSAGE. */
static int add_message(struct sc_sync *s, struct sc_message *m, int64_t *seq, char **js)
{
    struct sc_contact c;
    uint8_t *abody = NULL;
    size_t abody_len = 0;
    struct sc_message old;
    int rc = SOTTO_OK;

    if (js != NULL)
        *js = NULL;
    if (sc_store_message_get(s->store, &old, m->mid) == SOTTO_OK) {
        sc_message_clear(&old);
        return SOTTO_ERR_DUPLICATE_MESSAGE;
    }
    if (m->kind == SC_KIND_ATTACHMENT)
        rc = fetch_attachment(s, m, &abody, &abody_len, m->mid);
    if (rc == SOTTO_OK && m->expires_at == 0 && m->gid[0] == 0 &&
        sc_store_contact_get(s->store, &c, m->peer) == SOTTO_OK && c.timer_s > 0)
        m->expires_at = m->ts + (int64_t)c.timer_s * 1000; /* disappearing */
    if (rc == SOTTO_OK)
        rc = sc_store_message_add(s->store, m);
    if (rc == SOTTO_OK && seq != NULL) {
        *js = sc_message_json_text(m);
        rc = *js == NULL ? SOTTO_ERR_NOMEM : SOTTO_OK;
        if (rc == SOTTO_OK)
            rc = sc_store_journal_append(s->store, seq, "message", *js);
    }
    if (abody != NULL)
        sc_free_secret(abody, abody_len);
    m->body = NULL;
    m->body_len = 0;
    return rc;
}

/* Recent history another device of ours sent to this one (opt-in on that
 * device: `sotto device add --history`). One journal event for the batch. */
static int import_history(struct sc_sync *s, const struct sc_content *ct)
{
    const uint8_t *p = ct->items;
    size_t left = ct->items_len, added = 0;
    struct sc_history_item it;
    char js[128];
    int rc;

    while ((rc = sc_history_next(&it, &p, &left)) == SOTTO_OK) {
        struct sc_message m;
        sc_history_item_message(&m, &it);
        rc = add_message(s, &m, NULL, NULL);
        if (rc == SOTTO_ERR_DUPLICATE_MESSAGE)
            continue;
        if (rc != SOTTO_OK)
            return rc;
        added++;
    }
    if (rc != SOTTO_ERR_NOT_FOUND)
        return rc;
    snprintf(js, sizeof js, "{\"peer\":\"%s\",\"history\":%zu}", s->self, added);
    return sc_sync_event(s, "history", js);
}

/* Control content (receipts, typing, timers, syncs): applied, nothing
 * stored as a message. SOTTO_ERR_NOT_FOUND when ct is a message. */
static int apply_control(struct sc_sync *s, const char *peer, uint32_t device,
                         const struct sc_content *ct)
{
    int from_self = strcmp(peer, s->self) == 0;
    char js[160];
    switch (ct->kind) {
    case SC_CONTENT_RECEIPT:
        return apply_receipt(s, peer, ct);
    case SC_CONTENT_TYPING:
        snprintf(js, sizeof js, "{\"peer\":\"%s\",\"typing\":%s}", peer,
                 ct->typing ? "true" : "false");
        if (s->on_event != NULL)
            s->on_event(s->ctx, 0, "typing", js);
        return SOTTO_OK;
    case SC_CONTENT_TIMER:
        return apply_timer(s, peer, ct->timer_s, 0);
    case SC_CONTENT_READ_SYNC:
        return from_self ? apply_read_sync(s, ct) : SOTTO_ERR_INVALID_MESSAGE;
    case SC_CONTENT_HISTORY:
        if (!from_self)
            return SOTTO_ERR_INVALID_MESSAGE;
        if (ct->for_device != sc_conn_hello(s->conn)->device_id)
            return SOTTO_OK; /* meant for another device of ours */
        return import_history(s, ct);
    case SC_CONTENT_DEVICE_NAME:
        return from_self ? sc_sync_apply_device_name(s, ct) : SOTTO_ERR_INVALID_MESSAGE;
    case SC_CONTENT_GROUP_STATE:
        return sc_sync_apply_group_state(s, peer, ct);
    case SC_CONTENT_SENDER_KEY:
        return sc_sync_apply_sender_key(s, peer, device, ct);
    case SC_CONTENT_TRANSCRIPT:
        if (!from_self)
            return SOTTO_ERR_INVALID_MESSAGE;
        return ct->inner_kind == SC_CONTENT_TIMER ? apply_timer(s, ct->dest, ct->timer_s, 1)
                                                  : SOTTO_ERR_NOT_FOUND;
    default:
        return SOTTO_ERR_NOT_FOUND;
    }
}

/* The message a text, reaction, attachment or transcript content carries. */
static void message_from_content(struct sc_message *m, const struct sc_content *ct,
                                 const char *peer, const char *mid)
{
    memset(m, 0, sizeof *m);
    m->kind = ct->inner_kind == SC_CONTENT_REACTION     ? SC_KIND_REACTION
              : ct->inner_kind == SC_CONTENT_ATTACHMENT ? SC_KIND_ATTACHMENT
                                                        : SC_KIND_TEXT;
    if (m->kind == SC_KIND_REACTION)
        sc_mid_from_bytes(m->target, ct->target);
    m->body = (uint8_t *)ct->body;
    m->body_len = ct->body_len;
    if (ct->kind == SC_CONTENT_TRANSCRIPT) {
        /* What we sent from another device: its own id, so reactions and
         * receipts naming it find it here too. */
        snprintf(m->peer, sizeof m->peer, "%s", ct->dest);
        sc_mid_from_bytes(m->mid, ct->mid);
        m->outgoing = 1;
        m->status = SC_MSG_SENT;
        if (ct->has_gid)
            sc_mid_from_bytes(m->gid, ct->gid);
    } else if (ct->kind == SC_CONTENT_GROUP_MESSAGE) {
        /* Its own id, not the envelope's: a resend to a member's new
         * device goes under a new guid, the others drop it as a copy. */
        snprintf(m->peer, sizeof m->peer, "%s", peer);
        sc_mid_from_bytes(m->mid, ct->mid);
        m->status = SC_MSG_RECEIVED;
        sc_mid_from_bytes(m->gid, ct->gid);
    } else {
        snprintf(m->peer, sizeof m->peer, "%s", peer);
        memcpy(m->mid, mid, sizeof m->mid);
        m->status = SC_MSG_RECEIVED;
    }
}

/* Decrypts and stores e (one transaction). *stored = 1 for a new message,
 * 2 for a transcript (no delivery receipt). */
static int store_envelope(struct sc_sync *s, const Sotto__Server__Envelope *e, const char *peer,
                          const char *mid, int *stored)
{
    struct sotto_address addr = {peer, e->source_device};
    struct sotto_store ss;
    struct sc_sstore x;
    struct sotto_buf pt = {NULL, 0};
    struct sc_content ct;
    struct sc_message m;
    char *js = NULL;
    uint8_t *gpt = NULL;
    size_t gpt_len = 0;
    int64_t seq = 0;
    int rc;

    *stored = 0;
    sc_sstore_init(&ss, &x, s->store, s->self);
    rc = sc_store_begin(s->store);
    if (rc != SOTTO_OK)
        return rc;
    if (e->type == SC_ENVELOPE_SENDER_KEY) {
        /* A group message: checked against the group's members there. */
        rc = sc_sync_group_open(s, &gpt, &gpt_len, peer, e->source_device, e->content.data,
                                e->content.len);
        if (rc == SOTTO_OK)
            rc = sc_content_decode(&ct, gpt, gpt_len);
    } else {
        rc = sotto_session_decrypt(&pt, &ss, &addr, (int)e->type, e->content.data, e->content.len);
        if (rc == SOTTO_OK)
            rc = sc_content_decode(&ct, pt.data, pt.len);
        /* Group messages come only as sender-key messages. */
        if (rc == SOTTO_OK && ct.kind == SC_CONTENT_GROUP_MESSAGE)
            rc = SOTTO_ERR_INVALID_MESSAGE;
    }
    if (rc == SOTTO_OK)
        rc = apply_control(s, peer, e->source_device, &ct);
    if (rc == SOTTO_ERR_NOT_FOUND) {
        message_from_content(&m, &ct, peer, mid);
        m.device = e->source_device;
        m.ts = e->timestamp ? (int64_t)e->timestamp : (int64_t)e->server_timestamp;
        rc = add_message(s, &m, &seq, &js);
        if (rc == SOTTO_OK)
            *stored = m.outgoing || m.gid[0] != 0 ? 2 : 1; /* no receipts in groups yet */
        else if (rc == SOTTO_ERR_DUPLICATE_MESSAGE)
            rc = SOTTO_OK;
    }
    if (rc == SOTTO_OK)
        rc = sc_store_commit(s->store);
    if (rc != SOTTO_OK) {
        sc_store_rollback(s->store);
        *stored = 0;
    } else if (js != NULL && s->on_event != NULL) {
        s->on_event(s->ctx, seq, "message", js);
    }
    free(js);
    sotto_buf_free(&pt);
    if (gpt != NULL)
        sc_free_secret(gpt, e->content.len);
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
    /* A sender-key message we have no key for (its distribution message
     * never came, or came after it) is journalled and acked, not kept: see
     * docs/cli.md "Groups". */
    if (rc == SOTTO_ERR_NO_SESSION && e->type == SC_ENVELOPE_SENDER_KEY)
        (void)sc_sync_event_kv(s, "error", peer, "error", "unknown_sender_key");
    else if (rc != SOTTO_OK)
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
