/* Registration, prekeys, accounts and the event journal (see sync.h). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/account.h"
#include "client/config.h"
#include "client/devlist.h"
#include "client/kt_check.h"
#include "client/attach.h"
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

void sc_attach_json(cJSON *o, const struct sc_message *m)
{
    struct sc_attach *a = malloc(sizeof *a);
    if (a != NULL && sc_attach_decode(a, m->body, m->body_len, 1) == SOTTO_OK) {
        cJSON_AddStringToObject(o, "text", a->caption);
        cJSON_AddStringToObject(o, "type", "attachment");
        cJSON_AddStringToObject(o, "name", a->name);
        cJSON_AddNumberToObject(o, "size", (double)a->size);
        cJSON_AddStringToObject(o, "path", a->path);
    } else {
        cJSON_AddStringToObject(o, "text", "");
        cJSON_AddStringToObject(o, "type", "attachment");
    }
    if (a != NULL) {
        st_wipe(a, sizeof *a);
        free(a);
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
    if (m->kind == SC_KIND_ATTACHMENT)
        sc_attach_json(o, m);
    else
        cJSON_AddStringToObject(o, "text", text);
    if (m->kind == SC_KIND_REACTION) {
        cJSON_AddStringToObject(o, "type", "reaction");
        cJSON_AddStringToObject(o, "target", m->target);
    }
    if (m->expires_at > 0)
        cJSON_AddNumberToObject(o, "expires_at", (double)m->expires_at);
    if (m->gid[0] != 0)
        cJSON_AddStringToObject(o, "group", m->gid);
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

/* Our own account key as the server lists it: a linked device learns it
 * here once; afterwards (and always on the primary) it must not change. */
static int own_account_key(struct sc_sync *s, const uint8_t key[SC_IDKEY_BYTES])
{
    struct sc_account a;
    int rc = sc_account_load(s->store, &a);
    if (rc != SOTTO_OK)
        return rc;
    if (a.account_pub[0] == 0)
        return sc_store_secret_put(s->store, "account_pub", key, SC_IDKEY_BYTES);
    if (memcmp(a.account_pub, key, SC_IDKEY_BYTES) != 0) {
        (void)sc_sync_event_kv(s, "error", s->self, "error", "own_account_key_changed");
        return SOTTO_ERR_UNTRUSTED_IDENTITY;
    }
    return SOTTO_OK;
}

/* Devices that joined (or left) a list we knew before are announced: each
 * was signed in by the account key, but the user should know that one
 * more machine now reads the conversation. Not on first contact, nor with
 * a changed account key (that has its own, louder event). */
static int announce_devices(struct sc_sync *s, const char *name, const struct sc_device *old,
                            size_t nold, const struct sc_devlist *dl, int changed)
{
    char js[160];
    int rc = SOTTO_OK;
    if (nold == 0 || changed)
        return SOTTO_OK;
    for (size_t j = 0; rc == SOTTO_OK && j < dl->n; j++) {
        int known = 0;
        for (size_t i = 0; i < nold && i < SC_MAX_DEVICES; i++)
            known |= old[i].id == dl->dev[j].id;
        if (known)
            continue;
        snprintf(js, sizeof js, "{\"peer\":\"%s\",\"device\":%u,\"added\":true}", name,
                 (unsigned)dl->dev[j].id);
        rc = sc_sync_event(s, "device_change", js);
    }
    for (size_t i = 0; rc == SOTTO_OK && i < nold && i < SC_MAX_DEVICES; i++) {
        int kept = 0;
        for (size_t j = 0; j < dl->n; j++)
            kept |= old[i].id == dl->dev[j].id;
        if (kept)
            continue;
        snprintf(js, sizeof js, "{\"peer\":\"%s\",\"device\":%u,\"added\":false}", name,
                 (unsigned)old[i].id);
        rc = sc_sync_event(s, "device_change", js);
    }
    return rc;
}

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
    if (rc != SOTTO_OK) {
        int jr = sc_sync_event_kv(s, "error", name, "error", "dl_signature_invalid");
        return jr == SOTTO_OK ? rc : jr;
    }
    /* Only a list the transparency log shows is ever used. */
    rc = sc_kt_check_account(s, ai, name, dl.version);
    if (rc != SOTTO_OK)
        return rc;
    if (strcmp(name, s->self) != 0) {
        rc = sc_store_contact_observe_key(s->store, &changed, name, ai->account_key.data,
                                          sc_sync_now_ms());
        if (rc != SOTTO_OK)
            return rc;
    } else {
        rc = own_account_key(s, ai->account_key.data);
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
    rc = announce_devices(s, name, old, nold, &dl, changed);
    if (rc != SOTTO_OK)
        return rc;
    if (changed) {
        rc = sc_store_contact_get(s->store, &c, name);
        if (rc != SOTTO_OK)
            return rc;
        if (c.trust == SC_TRUST_CHANGED && s->trust_mode == SC_TRUST_MODE_ALWAYS) {
            c.trust = SC_TRUST_UNVERIFIED; /* accepted, but no longer verified */
            rc = sc_store_contact_put(s->store, &c);
            if (rc != SOTTO_OK)
                return rc;
        }
        if (c.trust == SC_TRUST_CHANGED && (rc = sc_store_outbox_hold(s->store, name)) != SOTTO_OK)
            return rc;
        rc = sc_sync_event_kv(s, "key_change", name, "trust",
                              c.trust == SC_TRUST_CHANGED ? "changed" : "unverified");
        if (rc != SOTTO_OK)
            return rc;
    }
    if (strcmp(name, s->self) != 0) {
        rc = sc_store_contact_get(s->store, &c, name);
        if (rc == SOTTO_OK &&
            (c.trust == SC_TRUST_CHANGED ||
             (s->trust_mode == SC_TRUST_MODE_NEVER && c.trust != SC_TRUST_VERIFIED)))
            return SOTTO_ERR_UNTRUSTED_IDENTITY;
    }
    return rc;
}

int sc_sync_lookup(struct sc_sync *s, const char *name)
{
    return sc_sync_fetch_account(s, name);
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
        rc = sc_sync_apply_account(s, SC_RS_BODY(rs, ACCOUNT, account), name);
    sc_conn_response_free(rs);
    return rc;
}

/* ---- registration and prekeys ---- */

static int put_version(struct sc_store *st, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    return sc_store_secret_put(st, "devlist_version", b, 8);
}

static int get_version(struct sc_store *st, uint64_t *v)
{
    uint8_t *b;
    size_t n;
    int rc = sc_store_secret_get(st, &b, &n, "devlist_version");
    *v = 0;
    if (rc == SOTTO_ERR_NOT_FOUND)
        return SOTTO_OK;
    if (rc != SOTTO_OK)
        return rc;
    for (size_t i = 0; i < 8 && n == 8; i++)
        *v = *v << 8 | b[i];
    sc_free_secret(b, n);
    return SOTTO_OK;
}

/* The account key's signatures over the log leaves: a Register's
 * (uuid and create_sig too) or a SetDevices' (uuid NULL). */
struct kt_sigs {
    uint8_t uuid[16];
    uint8_t create_sig[64];
    uint8_t dl_sig[64];
};

/* Signs dl with the account key (wiped after use) into sdl, and the log
 * leaves that announce it into kt. */
static int sign_devlist(struct sc_sync *s, Sotto__Server__SignedDeviceList *sdl,
                        const struct sc_devlist *dl, struct kt_sigs *kt, int reg)
{
    uint8_t priv[32];
    int rc = sc_account_account_private(s->store, priv);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_devlist_sign(sdl, dl, priv);
    if (rc == SOTTO_OK && reg)
        rc = sc_kt_sign_register(s->store, kt->uuid, kt->create_sig, kt->dl_sig, dl->account_key,
                                 dl->version, sdl, priv);
    else if (rc == SOTTO_OK)
        rc = sc_kt_sign_update(s->store, kt->dl_sig, dl->account_key, dl->version, sdl, priv);
    st_wipe(priv, sizeof priv);
    if (rc != SOTTO_OK)
        sc_devlist_signed_free(sdl);
    return rc;
}

/* Sends rq (Register or SetDevices of our list at version) and maps the
 * answer's status; the server's message goes to msg. When the server took
 * it, *published says whether the answer proves the list is in the
 * transparency log as the newest entry of our account (kt_check.h). */
static int request_with_message(struct sc_sync *s, Sotto__Server__Request *rq, char *msg,
                                size_t cap, uint64_t version, int *published)
{
    Sotto__Server__Response *rs = NULL;
    int rc = sc_conn_request(s->conn, &rs, rq, SC_SEND_TIMEOUT_MS);
    *published = SOTTO_ERR_KT_BAD_PROOF;
    if (rc == SOTTO_OK) {
        rc = sc_status_err(rs->status);
        if (rs->message != NULL)
            snprintf(msg, cap, "%s", rs->message);
    }
    if (rc == SOTTO_OK)
        *published = sc_kt_check_account(s, SC_RS_BODY(rs, ACCOUNT, account), s->self, version);
    sc_conn_response_free(rs);
    return rc;
}

int sc_sync_set_devices(struct sc_sync *s, const struct sc_device *dev, size_t n, char *msg,
                        size_t cap)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__SetDevices sd = SOTTO__SERVER__SET_DEVICES__INIT;
    Sotto__Server__SignedDeviceList sdl;
    struct sc_devlist dl;
    struct sc_account a;
    struct kt_sigs kt;
    int rc, published;

    msg[0] = 0;
    if (n == 0 || n > SC_MAX_DEVICES)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = sc_account_load(s->store, &a);
    if (rc != SOTTO_OK)
        return rc;
    if (!a.primary)
        return SOTTO_ERR_INVALID_STATE;
    memset(&dl, 0, sizeof dl);
    snprintf(dl.username, sizeof dl.username, "%s", a.name);
    memcpy(dl.account_key, a.account_pub, SC_IDKEY_BYTES);
    rc = get_version(s->store, &dl.version);
    if (rc != SOTTO_OK)
        return rc;
    dl.version++;
    memcpy(dl.dev, dev, n * sizeof *dev);
    dl.n = n;
    rc = sign_devlist(s, &sdl, &dl, &kt, 0);
    if (rc != SOTTO_OK)
        return rc;
    sd.devices = &sdl;
    sd.kt_dl_sig.data = kt.dl_sig;
    sd.kt_dl_sig.len = sizeof kt.dl_sig;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_SET_DEVICES;
    rq.set_devices = &sd;
    rc = request_with_message(s, &rq, msg, cap, dl.version, &published);
    sc_devlist_signed_free(&sdl);
    /* The server took the list: keep it, even if the log does not show it. */
    if (rc == SOTTO_OK)
        rc = put_version(s->store, dl.version);
    if (rc == SOTTO_OK)
        rc = sc_store_devices_set(s->store, a.name, dl.dev, dl.n);
    return rc == SOTTO_OK ? published : rc;
}

/* Next one-time prekey id, kept so top-ups never reuse an id. */
static int next_prekey_id(struct sc_store *st, uint32_t *id, uint32_t take)
{
    uint8_t *b, nb[4];
    size_t n;
    int rc = sc_store_secret_get(st, &b, &n, "prekey_next_id");
    *id = 1;
    if (rc == SOTTO_OK && n == 4)
        *id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    if (rc == SOTTO_OK)
        sc_free_secret(b, n);
    else if (rc != SOTTO_ERR_NOT_FOUND)
        return rc;
    /* Ids stay below 2^24 as libsignal's do; wrap long before. */
    if (*id == 0 || *id + take > 0xFFFFFF)
        *id = 1;
    for (int i = 0; i < 4; i++)
        nb[i] = (uint8_t)((*id + take) >> (24 - 8 * i));
    return sc_store_secret_put(st, "prekey_next_id", nb, 4);
}

static int make_signed(struct sc_sync *s, Sotto__Server__SignedPreKey *spk,
                       uint8_t spub[SOTTO_PUBLIC_KEY_BYTES], uint8_t sig[SOTTO_SIGNATURE_BYTES])
{
    struct sotto_buf rec = {NULL, 0};
    uint8_t priv[32];
    uint32_t id;
    int rc = sc_account_device_private(s->store, priv);
    if (rc != SOTTO_OK)
        return rc;
    rc = sotto_signed_prekey_generate(&rec, 1, priv, (uint64_t)sc_sync_now_ms());
    st_wipe(priv, sizeof priv);
    if (rc == SOTTO_OK)
        rc = sotto_signed_prekey_public(&id, spub, sig, rec.data, rec.len);
    if (rc == SOTTO_OK)
        rc = sc_store_prekey_put(s->store, "signed", 1, rec.data, rec.len);
    sotto_buf_free(&rec);
    spk->key_id = 1;
    spk->public_key.data = spub;
    spk->public_key.len = SOTTO_PUBLIC_KEY_BYTES;
    spk->signature.data = sig;
    spk->signature.len = SOTTO_SIGNATURE_BYTES;
    return rc;
}

/* A last-resort Kyber1024 prekey (id 1), so that peers set up PQXDH (v4)
 * sessions with us. It is kept after use; one-time Kyber keys are not
 * published yet. */
static int make_kyber(struct sc_sync *s, Sotto__Server__SignedPreKey *kpk,
                      uint8_t kpub[SOTTO_KYBER_PUBLIC_BYTES], uint8_t sig[SOTTO_SIGNATURE_BYTES])
{
    struct sotto_buf rec = {NULL, 0};
    uint8_t priv[32];
    uint32_t id;
    int last_resort = 0;
    int rc = sc_account_device_private(s->store, priv);
    if (rc != SOTTO_OK)
        return rc;
    rc = sotto_kyber_prekey_generate(&rec, 1, priv, (uint64_t)sc_sync_now_ms(), 1);
    st_wipe(priv, sizeof priv);
    if (rc == SOTTO_OK)
        rc = sotto_kyber_prekey_public(&id, kpub, sig, &last_resort, rec.data, rec.len);
    if (rc == SOTTO_OK)
        rc = sc_store_prekey_put(s->store, "kyber", 1, rec.data, rec.len);
    sotto_buf_free(&rec);
    kpk->key_id = 1;
    kpk->public_key.data = kpub;
    kpk->public_key.len = SOTTO_KYBER_PUBLIC_BYTES;
    kpk->signature.data = sig;
    kpk->signature.len = SOTTO_SIGNATURE_BYTES;
    return rc;
}

/* Uploads SC_PREKEY_BATCH new one-time prekeys, and a signed prekey and a
 * last-resort Kyber prekey when with_signed (first upload). */
static int upload_keys(struct sc_sync *s, int with_signed)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__UploadKeys u = SOTTO__SERVER__UPLOAD_KEYS__INIT;
    Sotto__Server__SignedPreKey spk = SOTTO__SERVER__SIGNED_PRE_KEY__INIT;
    Sotto__Server__OneTimePreKey otk[SC_PREKEY_BATCH], *otkp[SC_PREKEY_BATCH];
    uint8_t pubs[SC_PREKEY_BATCH][SOTTO_PUBLIC_KEY_BYTES], spub[SOTTO_PUBLIC_KEY_BYTES];
    uint8_t sig[SOTTO_SIGNATURE_BYTES], ksig[SOTTO_SIGNATURE_BYTES];
    uint8_t kpub[SOTTO_KYBER_PUBLIC_BYTES];
    Sotto__Server__SignedPreKey kpk = SOTTO__SERVER__SIGNED_PRE_KEY__INIT;
    Sotto__Server__Response *rs = NULL;
    struct sotto_buf rec = {NULL, 0};
    uint32_t id, first;
    int rc = SOTTO_OK;

    if (with_signed) {
        rc = make_signed(s, &spk, spub, sig);
        u.signed_prekey = &spk;
        if (rc == SOTTO_OK)
            rc = make_kyber(s, &kpk, kpub, ksig);
        u.kyber_last_resort = &kpk;
    }
    if (rc == SOTTO_OK)
        rc = next_prekey_id(s->store, &first, SC_PREKEY_BATCH);
    for (uint32_t i = 0; rc == SOTTO_OK && i < SC_PREKEY_BATCH; i++) {
        rc = sotto_prekey_generate(&rec, first + i);
        if (rc == SOTTO_OK)
            rc = sotto_prekey_public(&id, pubs[i], rec.data, rec.len);
        if (rc == SOTTO_OK)
            rc = sc_store_prekey_put(s->store, "prekey", first + i, rec.data, rec.len);
        sotto_buf_free(&rec);
        sotto__server__one_time_pre_key__init(&otk[i]);
        otk[i].key_id = first + i;
        otk[i].public_key.data = pubs[i];
        otk[i].public_key.len = SOTTO_PUBLIC_KEY_BYTES;
        otkp[i] = &otk[i];
    }
    if (rc != SOTTO_OK)
        return rc;
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

int sc_sync_top_up(struct sc_sync *s)
{
    return upload_keys(s, 0);
}

static int send_register(struct sc_sync *s, const struct sc_account *a, char *msg, size_t cap)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Register r = SOTTO__SERVER__REGISTER__INIT;
    Sotto__Server__SignedDeviceList sdl;
    struct sc_devlist dl;
    struct kt_sigs kt;
    int rc, published;

    memset(&dl, 0, sizeof dl);
    snprintf(dl.username, sizeof dl.username, "%s", a->name);
    memcpy(dl.account_key, a->account_pub, SC_IDKEY_BYTES);
    dl.version = 1;
    dl.n = 1;
    dl.dev[0].id = 1;
    dl.dev[0].registration_id = a->registration_id;
    memcpy(dl.dev[0].identity_key, a->device_pub, SC_IDKEY_BYTES);
    rc = sign_devlist(s, &sdl, &dl, &kt, 1);
    if (rc != SOTTO_OK)
        return rc;
    r.kt_uuid.data = kt.uuid;
    r.kt_uuid.len = sizeof kt.uuid;
    r.kt_create_sig.data = kt.create_sig;
    r.kt_create_sig.len = sizeof kt.create_sig;
    r.kt_dl_sig.data = kt.dl_sig;
    r.kt_dl_sig.len = sizeof kt.dl_sig;
    r.username = (char *)a->name;
    r.account_key.data = (uint8_t *)a->account_pub;
    r.account_key.len = SC_IDKEY_BYTES;
    r.devices = &sdl;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_REGISTER;
    rq.register_ = &r;
    rc = request_with_message(s, &rq, msg, cap, dl.version, &published);
    sc_devlist_signed_free(&sdl);
    if (rc == SOTTO_OK)
        rc = sc_store_devices_set(s->store, a->name, dl.dev, dl.n);
    if (rc == SOTTO_OK)
        rc = put_version(s->store, 1);
    return rc == SOTTO_OK ? published : rc;
}

int sc_sync_prepare(struct sc_sync *s)
{
    const struct sc_hello *h = sc_conn_hello(s->conn);
    struct sc_account a;
    int rc = sc_account_load(s->store, &a);
    if (rc != SOTTO_OK)
        return rc;
    /* We registered, but the server no longer knows our key: the device
     * was removed from the account's list. */
    if (a.registered && !h->registered)
        return SOTTO_ERR_REFUSED;
    /* Owner monitoring, light: on every session the primary checks that
     * its account's newest log entry is one it made (kt_check.h). */
    if (a.registered && a.primary)
        return sc_sync_fetch_account(s, s->self);
    if (a.registered)
        return SOTTO_OK;
    if (!h->registered)
        return a.primary ? SOTTO_ERR_INVALID_STATE : SOTTO_ERR_NOT_FOUND;
    /* The primary put our key on the signed list: upload our prekeys and
     * learn the account key and the other devices. */
    rc = upload_keys(s, 1);
    if (rc == SOTTO_OK)
        rc = sc_account_set_registered(s->store, h->device_id);
    if (rc == SOTTO_OK)
        rc = sc_sync_fetch_account(s, s->self);
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
    rc = upload_keys(s, 1);
    if (rc == SOTTO_OK)
        rc = sc_account_set_registered(s->store, h->registered ? h->device_id : 1);
    return rc;
}
