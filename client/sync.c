/* Registration, prekeys, accounts and the event journal (see sync.h). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/account.h"
#include "client/devlist.h"
#include "client/sync.h"
#include "crypto/crypto.h"
#include "sotto/session.h"
#include "sync_internal.h"

int sc_sync_init(struct sc_sync *s, struct sc_conn *conn, struct sc_store *st,
                 sc_event_fn *on_event, void *ctx)
{
    struct sc_account a;
    int rc;
    memset(s, 0, sizeof *s);
    s->conn = conn;
    s->store = st;
    s->on_event = on_event;
    s->ctx = ctx;
    rc = sc_account_load(st, &a);
    if (rc == SOTTO_OK)
        memcpy(s->self, a.name, sizeof s->self);
    return rc;
}

int sc_sync_event(struct sc_sync *s, const char *kind, const char *json)
{
    int64_t seq;
    int rc = sc_store_journal_append(s->store, &seq, kind, json);
    if (rc == SOTTO_OK && s->on_event != NULL)
        s->on_event(s->ctx, seq, kind, json);
    return rc;
}

const char *sc_msg_status_name(int status)
{
    switch (status) {
    case SC_MSG_QUEUED:
        return "queued";
    case SC_MSG_SENT:
        return "sent";
    case SC_MSG_DELIVERED:
        return "delivered";
    case SC_MSG_READ:
        return "read";
    case SC_MSG_FAILED:
        return "held";
    case SC_MSG_RECEIVED:
        return "received";
    default:
        return "unknown";
    }
}

char *sc_message_json_text(const struct sc_message *m)
{
    cJSON *o = cJSON_CreateObject();
    char *text = malloc(m->body_len + 1), *out;
    if (o == NULL || text == NULL) {
        cJSON_Delete(o);
        free(text);
        return NULL;
    }
    memcpy(text, m->body, m->body_len);
    text[m->body_len] = 0;
    cJSON_AddStringToObject(o, "id", m->mid);
    cJSON_AddStringToObject(o, "peer", m->peer);
    cJSON_AddStringToObject(o, "direction", m->outgoing ? "out" : "in");
    cJSON_AddNumberToObject(o, "device", m->device);
    cJSON_AddNumberToObject(o, "ts", (double)m->ts);
    cJSON_AddStringToObject(o, "status", sc_msg_status_name(m->status));
    cJSON_AddStringToObject(o, "text", text);
    free(text);
    out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return out;
}

/* {"peer":..., "...":...} with string fields, for small events. */
int sc_sync_event_kv(struct sc_sync *s, const char *kind, const char *peer, const char *k2,
                     const char *v2)
{
    cJSON *o = cJSON_CreateObject();
    char *js;
    int rc;
    cJSON_AddStringToObject(o, "peer", peer);
    if (k2 != NULL)
        cJSON_AddStringToObject(o, k2, v2);
    js = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (js == NULL)
        return SOTTO_ERR_NOMEM;
    rc = sc_sync_event(s, kind, js);
    free(js);
    return rc;
}

/* ---- accounts ---- */

int sc_sync_apply_account(struct sc_sync *s, const Sotto__Server__AccountInfo *ai, const char *name)
{
    struct sc_devlist dl;
    struct sc_device old[SC_MAX_DEVICES];
    struct sc_contact c;
    size_t nold = 0;
    int rc, changed = 0;

    if (ai == NULL || ai->account_key.len != SC_IDKEY_BYTES)
        return SOTTO_ERR_INVALID_MESSAGE;
    rc = sc_devlist_verify(&dl, ai->devices, name, ai->account_key.data);
    if (rc != SOTTO_OK)
        return rc;
    if (strcmp(name, s->self) != 0) {
        rc = sc_store_contact_observe_key(s->store, &changed, name, ai->account_key.data,
                                          sc_sync_now_ms());
        if (rc != SOTTO_OK)
            return rc;
    }
    rc = sc_store_devices_get(s->store, old, SC_MAX_DEVICES, &nold, name);
    if (rc != SOTTO_OK)
        return rc;
    /* A device that left the list, or came back with another key, loses
     * its session: nothing more is encrypted to the old key. */
    for (size_t i = 0; i < nold && i < SC_MAX_DEVICES; i++) {
        int keep = 0;
        for (size_t j = 0; j < dl.n; j++)
            keep |= dl.dev[j].id == old[i].id &&
                    memcmp(dl.dev[j].identity_key, old[i].identity_key, SC_IDKEY_BYTES) == 0;
        if ((!keep || changed) &&
            (rc = sc_store_session_delete(s->store, name, old[i].id)) != SOTTO_OK)
            return rc;
    }
    rc = sc_store_devices_set(s->store, name, dl.dev, dl.n);
    if (rc != SOTTO_OK)
        return rc;
    if (changed) {
        rc = sc_store_contact_get(s->store, &c, name);
        if (rc != SOTTO_OK)
            return rc;
        if (c.trust == SC_TRUST_CHANGED && (rc = sc_store_outbox_hold(s->store, name)) != SOTTO_OK)
            return rc;
        rc = sc_sync_event_kv(s, "key_change", name, "trust",
                              c.trust == SC_TRUST_CHANGED ? "changed" : "unverified");
        if (rc != SOTTO_OK)
            return rc;
    }
    if (strcmp(name, s->self) != 0) {
        rc = sc_store_contact_get(s->store, &c, name);
        if (rc == SOTTO_OK && c.trust == SC_TRUST_CHANGED)
            return SOTTO_ERR_UNTRUSTED_IDENTITY;
    }
    return rc;
}

int sc_sync_fetch_account(struct sc_sync *s, const char *name)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__GetAccount g = SOTTO__SERVER__GET_ACCOUNT__INIT;
    Sotto__Server__Response *rs;
    int rc;
    g.username = (char *)name;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_GET_ACCOUNT;
    rq.get_account = &g;
    rc = sc_conn_request(s->conn, &rs, &rq, SC_SEND_TIMEOUT_MS);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_status_err(rs->status);
    if (rc == SOTTO_OK)
        rc = sc_sync_apply_account(s, rs->account, name);
    sc_conn_response_free(rs);
    return rc;
}

/* ---- registration and prekeys ---- */

static int upload_keys(struct sc_sync *s)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__UploadKeys u = SOTTO__SERVER__UPLOAD_KEYS__INIT;
    Sotto__Server__SignedPreKey spk = SOTTO__SERVER__SIGNED_PRE_KEY__INIT;
    Sotto__Server__OneTimePreKey otk[SC_PREKEY_BATCH], *otkp[SC_PREKEY_BATCH];
    uint8_t pubs[SC_PREKEY_BATCH][SOTTO_PUBLIC_KEY_BYTES], spub[SOTTO_PUBLIC_KEY_BYTES];
    uint8_t sig[SOTTO_SIGNATURE_BYTES], priv[32];
    Sotto__Server__Response *rs = NULL;
    struct sotto_buf rec = {NULL, 0};
    uint32_t id;
    int rc;

    rc = sc_account_device_private(s->store, priv);
    if (rc != SOTTO_OK)
        return rc;
    rc = sotto_signed_prekey_generate(&rec, 1, priv, (uint64_t)sc_sync_now_ms());
    st_wipe(priv, sizeof priv);
    if (rc == SOTTO_OK)
        rc = sotto_signed_prekey_public(&id, spub, sig, rec.data, rec.len);
    if (rc == SOTTO_OK)
        rc = sc_store_prekey_put(s->store, "signed", 1, rec.data, rec.len);
    sotto_buf_free(&rec);
    for (uint32_t i = 0; rc == SOTTO_OK && i < SC_PREKEY_BATCH; i++) {
        rc = sotto_prekey_generate(&rec, i + 1);
        if (rc == SOTTO_OK)
            rc = sotto_prekey_public(&id, pubs[i], rec.data, rec.len);
        if (rc == SOTTO_OK)
            rc = sc_store_prekey_put(s->store, "prekey", i + 1, rec.data, rec.len);
        sotto_buf_free(&rec);
        sotto__server__one_time_pre_key__init(&otk[i]);
        otk[i].key_id = i + 1;
        otk[i].public_key.data = pubs[i];
        otk[i].public_key.len = SOTTO_PUBLIC_KEY_BYTES;
        otkp[i] = &otk[i];
    }
    if (rc != SOTTO_OK)
        return rc;
    spk.key_id = 1;
    spk.public_key.data = spub;
    spk.public_key.len = sizeof spub;
    spk.signature.data = sig;
    spk.signature.len = sizeof sig;
    u.signed_prekey = &spk;
    u.one_time = otkp;
    u.n_one_time = SC_PREKEY_BATCH;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_UPLOAD_KEYS;
    rq.upload_keys = &u;
    rc = sc_conn_request(s->conn, &rs, &rq, SC_SEND_TIMEOUT_MS);
    if (rc == SOTTO_OK)
        rc = sc_status_err(rs->status);
    sc_conn_response_free(rs);
    return rc;
}

static int send_register(struct sc_sync *s, const struct sc_account *a, char *msg, size_t cap)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Register r = SOTTO__SERVER__REGISTER__INIT;
    Sotto__Server__SignedDeviceList sdl;
    Sotto__Server__Response *rs = NULL;
    struct sc_devlist dl;
    uint8_t priv[32];
    int rc;

    memset(&dl, 0, sizeof dl);
    snprintf(dl.username, sizeof dl.username, "%s", a->name);
    memcpy(dl.account_key, a->account_pub, SC_IDKEY_BYTES);
    dl.version = 1;
    dl.n = 1;
    dl.dev[0].id = 1;
    dl.dev[0].registration_id = a->registration_id;
    memcpy(dl.dev[0].identity_key, a->device_pub, SC_IDKEY_BYTES);
    rc = sc_account_account_private(s->store, priv);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_devlist_sign(&sdl, &dl, priv);
    st_wipe(priv, sizeof priv);
    if (rc != SOTTO_OK)
        return rc;
    r.username = (char *)a->name;
    r.account_key.data = (uint8_t *)a->account_pub;
    r.account_key.len = SC_IDKEY_BYTES;
    r.devices = &sdl;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_REGISTER;
    rq.register_ = &r;
    rc = sc_conn_request(s->conn, &rs, &rq, SC_SEND_TIMEOUT_MS);
    if (rc == SOTTO_OK) {
        rc = sc_status_err(rs->status);
        if (rs->message != NULL)
            snprintf(msg, cap, "%s", rs->message);
    }
    sc_conn_response_free(rs);
    sc_devlist_signed_free(&sdl);
    if (rc == SOTTO_OK)
        rc = sc_store_devices_set(s->store, a->name, dl.dev, dl.n);
    return rc;
}

int sc_sync_register(struct sc_sync *s, char *msg, size_t cap)
{
    const struct sc_hello *h = sc_conn_hello(s->conn);
    struct sc_account a;
    int rc = sc_account_load(s->store, &a);
    msg[0] = 0;
    if (rc != SOTTO_OK)
        return rc;
    if (!h->registered) {
        if (!a.primary) {
            snprintf(msg, cap, "this device is not on the account's device list yet");
            return SOTTO_ERR_INVALID_STATE;
        }
        rc = send_register(s, &a, msg, cap);
        if (rc != SOTTO_OK)
            return rc;
    }
    rc = upload_keys(s);
    if (rc == SOTTO_OK)
        rc = sc_account_set_registered(s->store, h->registered ? h->device_id : 1);
    return rc;
}
