/*
 * Sending the outbox: one Send per message with an envelope for every
 * device on the recipient's signed list, the message id as the envelope
 * guid (so a resend after a crash is deduplicated by the recipient). On the
 * server's mismatched/stale-devices refusal the list and keys are fetched
 * again and the send retried.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/account.h"
#include "client/attach.h"
#include "client/config.h"
#include "client/group.h"
#include "client/sstore.h"
#include "crypto/crypto.h"
#include "sotto/session.h"
#include "sync_internal.h"

enum { SEND_TRIES = 3 };

int64_t sc_sync_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A DeviceBundle as libsotto's bundle; the identity key must be the one on
 * the signed list (listed), else the server is lying about this device. */
static int to_bundle(struct sotto_prekey_bundle *b, const Sotto__Server__DeviceBundle *d,
                     const uint8_t listed[SC_IDKEY_BYTES])
{
    memset(b, 0, sizeof *b);
    if (d->identity_key.len != SC_IDKEY_BYTES ||
        memcmp(d->identity_key.data, listed, SC_IDKEY_BYTES) != 0)
        return SOTTO_ERR_UNTRUSTED_IDENTITY;
    if (d->signed_prekey == NULL || d->signed_prekey->public_key.len != 33 ||
        d->signed_prekey->signature.len != 64)
        return SOTTO_ERR_INVALID_MESSAGE;
    b->registration_id = d->registration_id;
    b->device_id = d->device_id;
    memcpy(b->identity_key, listed, SC_IDKEY_BYTES);
    b->signed_prekey_id = d->signed_prekey->key_id;
    memcpy(b->signed_prekey, d->signed_prekey->public_key.data, 33);
    memcpy(b->signed_prekey_signature, d->signed_prekey->signature.data, 64);
    if (d->one_time != NULL && d->one_time->public_key.len == 33) {
        b->has_prekey = 1;
        b->prekey_id = d->one_time->key_id;
        memcpy(b->prekey, d->one_time->public_key.data, 33);
    }
    if (d->kyber != NULL && d->kyber->public_key.len == SOTTO_KYBER_PUBLIC_BYTES &&
        d->kyber->signature.len == 64) {
        b->has_kyber = 1;
        b->kyber_prekey_id = d->kyber->key_id;
        memcpy(b->kyber_prekey, d->kyber->public_key.data, SOTTO_KYBER_PUBLIC_BYTES);
        memcpy(b->kyber_prekey_signature, d->kyber->signature.data, 64);
    }
    return SOTTO_OK;
}

/* Fetches peer's account and bundles; starts sessions where missing (all
 * of them when fresh is set). */
static int fetch_bundles(struct sc_sync *s, const struct sotto_store *ss, const char *peer,
                         int fresh)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__FetchBundle fb = SOTTO__SERVER__FETCH_BUNDLE__INIT;
    Sotto__Server__Response *rs = NULL;
    struct sc_device dev[SC_MAX_DEVICES];
    size_t n;
    int rc;

    fb.username = (char *)peer;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_FETCH_BUNDLE;
    rq.fetch_bundle = &fb;
    rc = sc_conn_request(s->conn, &rs, &rq, SC_SEND_TIMEOUT_MS);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_status_err(rs->status);
    if (rc == SOTTO_OK && SC_RS_BODY(rs, BUNDLE, bundle) == NULL)
        rc = SOTTO_ERR_INVALID_MESSAGE;
    if (rc == SOTTO_OK)
        rc = sc_sync_apply_account(s, rs->bundle->account, peer);
    if (rc == SOTTO_OK)
        rc = sc_store_devices_get(s->store, dev, SC_MAX_DEVICES, &n, peer);
    for (size_t i = 0; rc == SOTTO_OK && i < rs->bundle->n_devices; i++) {
        const Sotto__Server__DeviceBundle *d = rs->bundle->devices[i];
        struct sotto_address addr = {peer, d->device_id};
        struct sotto_prekey_bundle b;
        uint8_t *rec;
        size_t len;
        const uint8_t *listed = NULL;
        for (size_t j = 0; j < n && j < SC_MAX_DEVICES; j++)
            if (dev[j].id == d->device_id)
                listed = dev[j].identity_key;
        if (listed == NULL)
            continue; /* not on the signed list: never encrypt to it */
        if (!fresh && sc_store_session_get(s->store, &rec, &len, peer, d->device_id) == SOTTO_OK) {
            sc_free_secret(rec, len);
            continue;
        }
        rc = to_bundle(&b, d, listed);
        if (rc == SOTTO_OK)
            rc = sotto_session_process_bundle(ss, &addr, &b, (uint64_t)sc_sync_now_ms());
    }
    sc_conn_response_free(rs);
    return rc;
}

static void free_envelopes(Sotto__Server__OutEnvelope *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].content.data);
}

/* One attempt: encrypt to every listed device and Send. *rs on SOTTO_OK. */
static int try_send(struct sc_sync *s, const struct sotto_store *ss, const char *to,
                    const uint8_t *content, size_t clen, const uint8_t guid[16], int64_t ts,
                    const struct sotto_buf *skm, Sotto__Server__Response **rs)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Send snd = SOTTO__SERVER__SEND__INIT;
    Sotto__Server__OutEnvelope env[SC_MAX_DEVICES], *envp[SC_MAX_DEVICES];
    struct sc_device dev[SC_MAX_DEVICES];
    size_t n, ne = 0;
    int rc;

    *rs = NULL;
    rc = sc_store_devices_get(s->store, dev, SC_MAX_DEVICES, &n, to);
    if (rc != SOTTO_OK)
        return rc;
    if (n == 0 || n > SC_MAX_DEVICES)
        return SOTTO_ERR_NO_SESSION;
    for (size_t i = 0; i < n && rc == SOTTO_OK; i++) {
        struct sotto_address addr = {to, dev[i].id};
        struct sotto_buf ct = {NULL, 0};
        int type;
        if (strcmp(to, s->self) == 0 && dev[i].id == sc_conn_hello(s->conn)->device_id)
            continue;
        if (skm != NULL) {
            /* A group message: the same SenderKeyMessage for every device. */
            ct.data = malloc(skm->len);
            if (ct.data == NULL) {
                rc = SOTTO_ERR_NOMEM;
                break;
            }
            memcpy(ct.data, skm->data, skm->len);
            ct.len = skm->len;
            type = SC_ENVELOPE_SENDER_KEY;
        } else {
            rc = sotto_session_encrypt(&ct, &type, ss, &addr, content, clen,
                                       (uint64_t)sc_sync_now_ms());
        }
        if (rc != SOTTO_OK)
            break;
        sotto__server__out_envelope__init(&env[ne]);
        env[ne].device_id = dev[i].id;
        env[ne].registration_id = dev[i].registration_id;
        env[ne].type = (uint32_t)type;
        env[ne].content.data = ct.data;
        env[ne].content.len = ct.len;
        envp[ne] = &env[ne];
        ne++;
    }
    if (rc == SOTTO_OK && ne == 0)
        rc = SOTTO_ERR_NOT_FOUND; /* nobody to send to (our only device) */
    if (rc == SOTTO_OK) {
        snd.username = (char *)to;
        snd.guid.data = (uint8_t *)guid;
        snd.guid.len = 16;
        snd.envelopes = envp;
        snd.n_envelopes = ne;
        snd.timestamp = (uint64_t)(ts > 0 ? ts : sc_sync_now_ms());
        rq.body_case = SOTTO__SERVER__REQUEST__BODY_SEND;
        rq.send = &snd;
        rc = sc_conn_request(s->conn, rs, &rq, SC_SEND_TIMEOUT_MS);
    }
    free_envelopes(env, ne);
    return rc;
}

/* Drops sessions of the devices the server says are stale or extra. */
static void forget_devices(struct sc_sync *s, const char *peer,
                           const Sotto__Server__DeviceMismatch *m)
{
    if (m == NULL)
        return;
    /* A failed delete only costs one more refusal and retry. */
    for (size_t i = 0; i < m->n_stale; i++)
        if (sc_store_session_delete(s->store, peer, m->stale[i]) != SOTTO_OK)
            break;
    for (size_t i = 0; i < m->n_extra; i++)
        if (sc_store_session_delete(s->store, peer, m->extra[i]) != SOTTO_OK)
            break;
}

/* Sends content to every device of `to` (retrying after the server's
 * device-mismatch refusal with fresh keys); SOTTO_OK when the server took it. */
static int send_to(struct sc_sync *s, const struct sotto_store *ss, const char *to,
                   const uint8_t *content, size_t clen, const uint8_t guid[16], int64_t ts,
                   const struct sotto_buf *skm)
{
    int rc = SOTTO_ERR_NO_SESSION, fetch = 0;
    for (int attempt = 0; attempt < SEND_TRIES; attempt++) {
        Sotto__Server__Response *rs = NULL;
        if (fetch) {
            rc = fetch_bundles(s, ss, to, 0);
            if (rc != SOTTO_OK)
                break;
        }
        rc = try_send(s, ss, to, content, clen, guid, ts, skm, &rs);
        if (rc == SOTTO_ERR_NO_SESSION || (rc == SOTTO_ERR_UNTRUSTED_IDENTITY && !fetch)) {
            fetch = 1; /* no list or sessions yet, or the list moved on */
            continue;
        }
        if (rc != SOTTO_OK)
            break;
        if (rs->status == SOTTO__SERVER__STATUS__STATUS_MISMATCHED_DEVICES ||
            rs->status == SOTTO__SERVER__STATUS__STATUS_STALE_DEVICES) {
            forget_devices(s, to, SC_RS_BODY(rs, MISMATCH, mismatch));
            fetch = 1;
            sc_conn_response_free(rs);
            rc = SOTTO_ERR_REFUSED;
            continue;
        }
        rc = sc_status_err(rs->status);
        sc_conn_response_free(rs);
        break;
    }
    return rc;
}

int sc_sync_send_content(struct sc_sync *s, const char *to, const uint8_t *content, size_t len)
{
    struct sotto_store ss;
    struct sc_sstore x;
    uint8_t guid[16];
    int rc;
    st_random_bytes(guid, sizeof guid);
    sc_sstore_init(&ss, &x, s->store, s->self);
    rc = send_to(s, &ss, to, content, len, guid, 0, NULL);
    sc_sstore_clear(&x);
    return rc;
}

int sc_sync_send_skm(struct sc_sync *s, const char *to, const uint8_t *skm, size_t len,
                     const uint8_t guid[16], int64_t ts)
{
    struct sotto_store ss;
    struct sc_sstore x;
    struct sotto_buf b = {(uint8_t *)skm, len};
    int rc;
    sc_sstore_init(&ss, &x, s->store, s->self);
    rc = send_to(s, &ss, to, NULL, 0, guid, ts, &b);
    sc_sstore_clear(&x);
    return rc;
}

/* 1 when our account has devices besides this one. */
static int have_other_devices(struct sc_sync *s)
{
    struct sc_device d[SC_MAX_DEVICES];
    size_t n;
    return sc_store_devices_get(s->store, d, SC_MAX_DEVICES, &n, s->self) == SOTTO_OK && n >= 2;
}

int sc_sync_send_own(struct sc_sync *s, const uint8_t *content, size_t len)
{
    return have_other_devices(s) ? sc_sync_send_content(s, s->self, content, len) : SOTTO_OK;
}

/* Tells our other devices what we sent to `to` under message id mid, so
 * their histories match ours. Best effort: a failure is journalled, the
 * send stands. */
static void send_transcript(struct sc_sync *s, const struct sotto_store *ss, const char *to,
                            const char *mid, const uint8_t *inner, size_t inner_len, int64_t ts)
{
    uint8_t guid[16], *content = NULL;
    size_t clen = 0;
    int rc;
    if (!have_other_devices(s))
        return;
    rc = sc_content_transcript(&content, &clen, to, mid, inner, inner_len);
    st_random_bytes(guid, sizeof guid);
    if (rc == SOTTO_OK)
        rc = send_to(s, ss, s->self, content, clen, guid, ts, NULL);
    sc_free_secret(content, clen);
    if (rc != SOTTO_OK)
        (void)sc_sync_event_kv(s, "error", s->self, "error", "transcript_not_sent");
}

void sc_sync_transcript(struct sc_sync *s, const char *dest, const char *mid, const uint8_t *inner,
                        size_t inner_len, int64_t ts)
{
    struct sotto_store ss;
    struct sc_sstore x;
    sc_sstore_init(&ss, &x, s->store, s->self);
    send_transcript(s, &ss, dest, mid, inner, inner_len, ts);
    sc_sstore_clear(&x);
}

/* Sends one item; SOTTO_OK when the server took it. */
static int send_item(struct sc_sync *s, const struct sc_outbox_item *it)
{
    struct sotto_store ss;
    struct sc_sstore x;
    uint8_t guid[16], *content = NULL;
    size_t clen = 0;
    int rc = sc_mid_to_bytes(guid, it->mid);

    if (it->gid[0] != 0)
        return sc_sync_send_group(s, it);
    if (rc == SOTTO_OK)
        rc = sc_content_for_message(&content, &clen, it->kind, it->body, it->body_len, it->target);
    if (rc != SOTTO_OK)
        return rc == SOTTO_ERR_NOMEM ? rc : SOTTO_ERR_INVALID_MESSAGE;
    sc_sstore_init(&ss, &x, s->store, s->self);
    rc = send_to(s, &ss, it->peer, content, clen, guid, it->ts, NULL);
    if (rc == SOTTO_OK && strcmp(it->peer, s->self) != 0)
        send_transcript(s, &ss, it->peer, it->mid, content, clen, it->ts);
    sc_free_secret(content, clen);
    sc_sstore_clear(&x);
    return rc;
}

struct history_ctx {
    struct sc_sync *s;
    uint8_t *buf; /* content: kind, be32 device, be16 count, items */
    size_t len, cap;
    size_t count, total;
    uint32_t device;
    int rc;
};

static int history_flush(struct history_ctx *h)
{
    int rc;
    if (h->count == 0)
        return SOTTO_OK;
    h->buf[0] = SC_CONTENT_HISTORY;
    h->buf[1] = (uint8_t)(h->device >> 24);
    h->buf[2] = (uint8_t)(h->device >> 16);
    h->buf[3] = (uint8_t)(h->device >> 8);
    h->buf[4] = (uint8_t)h->device;
    h->buf[5] = (uint8_t)(h->count >> 8);
    h->buf[6] = (uint8_t)h->count;
    rc = sc_sync_send_content(h->s, h->s->self, h->buf, 7 + h->len);
    if (rc == SOTTO_OK)
        h->total += h->count;
    st_wipe(h->buf, 7 + h->len);
    h->len = 0;
    h->count = 0;
    return rc;
}

static int history_cb(void *ctx, const struct sc_message *m)
{
    struct history_ctx *h = ctx;
    int rc = sc_history_append(h->buf + 7, h->cap, &h->len, m);
    if (rc == SOTTO_ERR_TOO_LARGE && h->count > 0) {
        rc = history_flush(h);
        if (rc == SOTTO_OK)
            rc = sc_history_append(h->buf + 7, h->cap, &h->len, m);
    }
    if (rc == SOTTO_ERR_TOO_LARGE)
        rc = SOTTO_OK; /* one message larger than a batch: left out */
    if (rc == SOTTO_OK && ++h->count == 0xffff)
        rc = history_flush(h);
    if (rc == SOTTO_ERR_NOT_FOUND || rc == SOTTO_ERR_INVALID_ARGUMENT)
        rc = SOTTO_OK; /* not transferred (queued, failed) or unreadable: skip */
    h->rc = rc;
    return rc != SOTTO_OK;
}

int sc_sync_send_history(struct sc_sync *s, uint32_t device, size_t limit, size_t *sent)
{
    struct history_ctx h = {s, NULL, 0, SC_HISTORY_BATCH, 0, 0, device, SOTTO_OK};
    struct sc_device d[SC_MAX_DEVICES];
    size_t n = 0;
    int rc;
    *sent = 0;
    /* Every device of ours gets the batch and sottod takes at most 1 MiB
     * per request: smaller batches for accounts with many devices. */
    rc = sc_store_devices_get(s->store, d, SC_MAX_DEVICES, &n, s->self);
    if (rc != SOTTO_OK)
        return rc;
    if (n > 2 && SC_HISTORY_REQUEST / (n - 1) < h.cap)
        h.cap = SC_HISTORY_REQUEST / (n - 1) > SC_HISTORY_BATCH_MIN ? SC_HISTORY_REQUEST / (n - 1)
                                                                    : SC_HISTORY_BATCH_MIN;
    h.buf = malloc(7 + SC_HISTORY_BATCH);
    if (h.buf == NULL)
        return SOTTO_ERR_NOMEM;
    rc = sc_store_message_list(s->store, NULL, limit, history_cb, &h);
    if (h.rc != SOTTO_OK)
        rc = h.rc;
    if (rc == SOTTO_OK)
        rc = history_flush(&h);
    st_wipe(h.buf, 7 + SC_HISTORY_BATCH);
    free(h.buf);
    *sent = h.total;
    return rc;
}

/* trust_new_identities never: nothing at all goes to a key not verified. */
static int allowed(struct sc_sync *s, const char *peer)
{
    struct sc_contact c;
    if (s->trust_mode != SC_TRUST_MODE_NEVER || strcmp(peer, s->self) == 0)
        return SOTTO_OK;
    if (sc_store_contact_get(s->store, &c, peer) != SOTTO_OK || c.trust != SC_TRUST_VERIFIED)
        return SOTTO_ERR_UNTRUSTED_IDENTITY;
    return SOTTO_OK;
}

int sc_sync_send_typing(struct sc_sync *s, const char *peer, int on)
{
    uint8_t content[2] = {SC_CONTENT_TYPING, on ? 1 : 0};
    int rc = allowed(s, peer);
    return rc == SOTTO_OK ? sc_sync_send_content(s, peer, content, sizeof content) : rc;
}

int sc_sync_send_timer(struct sc_sync *s, const char *peer, uint32_t seconds)
{
    uint8_t content[5] = {SC_CONTENT_TIMER, (uint8_t)(seconds >> 24), (uint8_t)(seconds >> 16),
                          (uint8_t)(seconds >> 8), (uint8_t)seconds};
    struct sc_contact c;
    int rc;
    if (seconds > SC_TIMER_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = allowed(s, peer);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_store_contact_get(s->store, &c, peer);
    if (rc == SOTTO_ERR_NOT_FOUND) {
        memset(&c, 0, sizeof c);
        snprintf(c.name, sizeof c.name, "%s", peer);
        rc = SOTTO_OK;
    }
    if (rc != SOTTO_OK)
        return rc;
    c.timer_s = seconds;
    rc = sc_store_contact_put(s->store, &c);
    if (rc == SOTTO_OK)
        rc = sc_sync_send_content(s, peer, content, sizeof content);
    if (rc == SOTTO_OK && strcmp(peer, s->self) != 0 && have_other_devices(s)) {
        struct sotto_store ss;
        struct sc_sstore x;
        char mid[SC_MID_LEN + 1];
        sc_new_mid(mid);
        sc_sstore_init(&ss, &x, s->store, s->self);
        send_transcript(s, &ss, peer, mid, content, sizeof content, 0);
        sc_sstore_clear(&x);
    }
    return rc;
}

int sc_sync_flush(struct sc_sync *s, int64_t now, size_t *sent)
{
    struct sc_outbox_item it;
    int rc, hist = 0;
    *sent = 0;
    rc = sc_sync_pending_history(s, &hist);
    if (rc != SOTTO_OK)
        return rc;
    while ((rc = sc_store_outbox_next(s->store, &it, now)) == SOTTO_OK) {
        struct sc_contact ct;
        int sr = SOTTO_OK;
        if (s->trust_mode == SC_TRUST_MODE_NEVER && strcmp(it.peer, s->self) != 0 &&
            (sc_store_contact_get(s->store, &ct, it.peer) != SOTTO_OK ||
             ct.trust != SC_TRUST_VERIFIED))
            sr = SOTTO_ERR_UNTRUSTED_IDENTITY; /* never send to a key not verified */
        if (sr == SOTTO_OK)
            sr = send_item(s, &it);
        if (sr == SOTTO_OK) {
            rc = sc_store_outbox_done(s->store, it.mid);
            if (rc == SOTTO_OK) {
                (*sent)++;
                rc = sc_sync_event_kv(s, "status", it.peer, "id", it.mid);
            }
        } else if (sr == SOTTO_ERR_UNTRUSTED_IDENTITY) {
            rc = sc_store_outbox_hold(s->store, it.peer);
            if (rc == SOTTO_OK)
                rc = sc_sync_event_kv(s, "held", it.peer, "id", it.mid);
        } else if (sr == SOTTO_ERR_NOT_GROUP_MEMBER) {
            /* We left or were removed: nothing will ever send it. Not a
             * hold: that would stop every group message (all are "to" us). */
            rc = sc_store_outbox_done(s->store, it.mid);
            if (rc == SOTTO_OK)
                rc = sc_store_message_status(s->store, it.mid, SC_MSG_FAILED);
            if (rc == SOTTO_OK)
                rc = sc_sync_event_kv(s, "error", it.peer, "error", "not_group_member");
        } else if (sr == SOTTO_ERR_NOT_FOUND) {
            /* No such account: retrying cannot help; keep it, but held. */
            rc = sc_store_outbox_hold(s->store, it.peer);
            if (rc == SOTTO_OK)
                rc = sc_store_message_status(s->store, it.mid, SC_MSG_FAILED);
            if (rc == SOTTO_OK)
                rc = sc_sync_event_kv(s, "error", it.peer, "error", "no_such_account");
        } else {
            rc = sc_store_outbox_retry(s->store, it.mid, now, sotto_err_name(sr));
            if (rc == SOTTO_OK && (sr == SOTTO_ERR_UNREACHABLE || sr == SOTTO_ERR_RATE_LIMITED))
                rc = sr;
        }
        sc_outbox_item_clear(&it);
        if (rc != SOTTO_OK)
            return rc;
    }
    return rc == SOTTO_ERR_NOT_FOUND ? SOTTO_OK : rc;
}
