/*
 * Hello (protocol version), Register, SetDevices, GetAccount
 * (docs/server-api.md). Registration binds a username, an account key and a
 * signed device list that must list the registering connection's Noise key.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "handlers.h"
#include "kt.h"
#include "sdlimits.h"
#include "log.h"

#define SD_STATUS(x) SOTTO__SERVER__STATUS__STATUS_##x

static void *dup_arena(struct sd_req *r, const void *p, size_t n)
{
    void *d = sd_req_alloc(r, n + 1);
    if (d != NULL && n > 0) {
        memcpy(d, p, n);
    }
    return d;
}

Sotto__Server__AccountInfo *sd_account_info(struct sd_req *r, const struct sd_account *a)
{
    Sotto__Server__AccountInfo *ai = sd_req_alloc(r, sizeof(*ai));
    Sotto__Server__SignedDeviceList *sdl = sd_req_alloc(r, sizeof(*sdl));

    if (ai == NULL || sdl == NULL) {
        return NULL;
    }
    sotto__server__account_info__init(ai);
    sotto__server__signed_device_list__init(sdl);
    ai->username = dup_arena(r, a->username, strlen(a->username));
    ai->account_key.data = dup_arena(r, a->account_key, 33);
    ai->account_key.len = 33;
    sdl->device_list.data = dup_arena(r, a->devlist.p, a->devlist.len);
    sdl->device_list.len = a->devlist.len;
    sdl->signature.data = dup_arena(r, a->devlist_sig.p, a->devlist_sig.len);
    sdl->signature.len = a->devlist_sig.len;
    ai->devices = sdl;
    ai->log_index = a->log_index;
    ai->log_hash.data = dup_arena(r, a->log_hash, 32);
    ai->log_hash.len = 32;
    if (sd_kt_fill(r, ai, a->id) != 0) {
        return NULL;
    }
    if (ai->username == NULL || ai->account_key.data == NULL || sdl->device_list.data == NULL ||
        sdl->signature.data == NULL || ai->log_hash.data == NULL) {
        return NULL;
    }
    return ai;
}

/* Puts the stored account into the response. */
static int reply_account(struct sd_req *r, int64_t account_id)
{
    struct sd_store *st = r->c->srv->store;
    struct sd_account a;

    if (st->ops->account_by_id(st, &a, account_id) != SD_ST_OK) {
        r->c->srv->m.store_errors_total++;
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    r->rs->account = sd_account_info(r, &a);
    sd_account_free(&a);
    if (r->rs->account == NULL) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_ACCOUNT;
    return SD_H_REPLY;
}

int sd_h_hello(struct sd_req *r)
{
    const Sotto__Server__Hello *h = r->rq->hello;
    Sotto__Server__HelloOk *ok = sd_req_alloc(r, sizeof(*ok));
    struct sd_conn *c = r->c;
    char *vmsg = sd_req_alloc(r, 160);

    if (h == NULL || ok == NULL || vmsg == NULL || c->hello_done) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST), "Hello must be sent once, first");
    }
    if (h->min_version > SD_PROTO_VERSION || h->max_version < SD_PROTO_VERSION) {
        snprintf(vmsg, 160,
                 "this server speaks protocol version %d, the client %u..%u; update the %s",
                 SD_PROTO_VERSION, h->min_version, h->max_version,
                 h->min_version > SD_PROTO_VERSION ? "server" : "client");
        sd_req_fail(r, SD_STATUS(VERSION), vmsg);
        return SD_H_CLOSE;
    }
    sotto__server__hello_ok__init(ok);
    ok->version = SD_PROTO_VERSION;
    ok->server = "sottod/0.1.0";
    c->hello_done = 1;
    if (c->account_id == 0) {
        sd_conn_rearm(c); /* from handshake_timeout to link_timeout */
    } else {
        struct sd_account a;
        if (c->srv->store->ops->account_by_id(c->srv->store, &a, c->account_id) == SD_ST_OK) {
            sd_conn_set_device(c, c->account_id, c->device_id, a.username);
            sd_account_free(&a);
        }
        ok->registered = 1;
        ok->username = c->username;
        ok->device_id = c->device_id;
    }
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_HELLO;
    r->rs->hello = ok;
    return SD_H_REPLY;
}

/*
 * The leaves a registration appends (ACCOUNT_CREATE, then the first
 * DL_UPDATE), both signed by the account key; 0, or -1 if a field is
 * missing or a signature does not verify.
 */
static int register_leaves(struct sd_kt_batch *b, const Sotto__Server__Register *g,
                           const struct sd_devlist *dl)
{
    memset(b, 0, sizeof(*b));
    if (g->kt_uuid.len != SOTTO_KT_UUID_BYTES || g->kt_create_sig.len != SOTTO_KT_SIG_BYTES ||
        g->kt_dl_sig.len != SOTTO_KT_SIG_BYTES) {
        return -1;
    }
    sotto_kt_leaf_create(&b->leaf[0], g->kt_uuid.data, g->account_key.data);
    memcpy(b->leaf[0].signature, g->kt_create_sig.data, SOTTO_KT_SIG_BYTES);
    if (sotto_kt_leaf_dl_update(&b->leaf[1], g->kt_uuid.data, g->account_key.data, dl->version,
                                g->devices->device_list.data, g->devices->device_list.len,
                                g->devices->signature.data) != SOTTO_OK) {
        return -1;
    }
    memcpy(b->leaf[1].signature, g->kt_dl_sig.data, SOTTO_KT_SIG_BYTES);
    b->n = 2;
    return sotto_kt_leaf_verify(&b->leaf[0]) == SOTTO_OK &&
                   sotto_kt_leaf_verify(&b->leaf[1]) == SOTTO_OK
               ? 0
               : -1;
}

/* After a committed change: the log grows and a new checkpoint is signed. */
static void kt_grown(struct sd_server *srv, const struct sd_kt_batch *b)
{
    if (sd_kt_appended(srv->kt, srv->store, b) != 0) {
        srv->m.store_errors_total++;
        sd_log(SD_LOG_ERROR, "kt: cannot extend the log after a commit; restart sottod",
               "index=%llu", (unsigned long long)b->first_index);
    }
}

/* Index of the connection's own key in the list, or -1. */
static int own_device(const struct sd_devlist *dl, const uint8_t key[33])
{
    for (size_t i = 0; i < dl->n; i++) {
        if (memcmp(dl->devs[i].identity_key, key, 33) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static int register_checks(struct sd_req *r, char key[40], struct sd_devlist *dl)
{
    const Sotto__Server__Register *g = r->rq->register_;
    struct sd_conn *c = r->c;
    uint8_t pub[32];
    uint32_t retry = 0;
    const char *msg;
    int st;

    if (g == NULL || g->username == NULL || g->account_key.len != 33 ||
        st_pubkey_decode(pub, g->account_key.data, 33) != SOTTO_OK) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST), "Register needs username and a 33-byte key");
    }
    if (c->account_id != 0) {
        return sd_req_fail(r, SD_STATUS(FORBIDDEN), "this device is already registered");
    }
    if (!sd_rl_take(c->srv->rl, SD_RL_REGISTER, c->addr, 1, sd_now_ms(), &retry)) {
        c->srv->m.rate_limited_total++;
        r->rs->retry_after_ms = retry;
        return sd_req_fail(r, SD_STATUS(RATE_LIMITED), "too many registrations; wait and retry");
    }
    if (sd_username_key(key, g->username) != 0) {
        return sd_req_fail(r, SD_STATUS(INVALID_USERNAME),
                           "usernames are 3-32 characters: a letter, then letters, digits, _ . -");
    }
    st = sd_devlist_verify(dl, &msg, g->devices, key, g->account_key.data);
    if (st != SD_STATUS(OK)) {
        return sd_req_fail(r, (Sotto__Server__Status)st, msg);
    }
    if (own_device(dl, c->remote_key) < 0) {
        return sd_req_fail(r, SD_STATUS(FORBIDDEN),
                           "the device list must include this connection's device key");
    }
    return -1;
}

int sd_h_register(struct sd_req *r)
{
    const Sotto__Server__Register *g = r->rq->register_;
    struct sd_conn *c = r->c;
    struct sd_store *st = c->srv->store;
    struct sd_devlist dl;
    struct sd_log_entry log;
    struct sd_account existing;
    struct sd_blob list, sig;
    struct sd_kt_batch kt;
    char key[40];
    int64_t id;
    int rc;

    rc = register_checks(r, key, &dl);
    if (rc >= 0) {
        return rc;
    }
    if (register_leaves(&kt, g, &dl) != 0) {
        return sd_req_fail(r, SD_STATUS(BAD_SIGNATURE),
                           "Register needs kt_uuid and the account key's signatures over the "
                           "transparency log leaves (update the client)");
    }
    if (st->ops->account_get(st, &existing, key) == SD_ST_OK) {
        sd_account_free(&existing);
        return sd_req_fail(r, SD_STATUS(USERNAME_TAKEN), "that username is taken; pick another");
    }
    list = (struct sd_blob){g->devices->device_list.data, g->devices->device_list.len};
    sig = (struct sd_blob){g->devices->signature.data, g->devices->signature.len};
    rc = st->ops->account_create(st, &id, g->username, key, g->account_key.data, &list, &sig,
                                 dl.version, dl.devs, dl.n, sd_now_ms(), &log, &kt);
    if (rc == SD_ST_CONFLICT) {
        return sd_req_fail(r, SD_STATUS(USERNAME_TAKEN),
                           "username taken or a listed device key is already registered");
    }
    if (rc != SD_ST_OK) {
        c->srv->m.store_errors_total++;
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    kt_grown(c->srv, &kt);
    c->srv->m.registrations_total++;
    sd_conn_set_device(c, id, dl.devs[own_device(&dl, c->remote_key)].device_id, key);
    snprintf(c->username, sizeof(c->username), "%s", g->username);
    sd_log(SD_LOG_INFO, "account registered",
           "username=%s account_id=%lld log_index=%llu kt_index=%llu", c->username, (long long)id,
           (unsigned long long)log.index, (unsigned long long)kt.first_index);
    return reply_account(r, id);
}

/* After a device-list change: close connections of removed devices and
 * promote waiting connections whose key was just added. */
static void apply_devices(struct sd_server *srv, int64_t account_id, const char *username,
                          const struct sd_devlist *dl)
{
    struct sd_conn *c, *next;
    int i;

    for (c = srv->conns; c != NULL; c = next) {
        next = c->next;
        if (c->state != SD_CONN_OPEN) {
            continue;
        }
        i = own_device(dl, c->remote_key);
        if (c->account_id == account_id && (i < 0 || dl->devs[i].device_id != c->device_id)) {
            sd_conn_close(c, "device_removed");
        } else if (c->account_id == 0 && i >= 0) {
            sd_conn_set_device(c, account_id, dl->devs[i].device_id, username);
            sd_conn_pump(c);
        }
    }
}

/* The DL_UPDATE leaf of a SetDevices, under the account's log uuid. */
static int set_devices_leaf(struct sd_req *r, struct sd_kt_batch *b, const struct sd_devlist *dl,
                            const uint8_t account_key[33], const char **msg)
{
    const Sotto__Server__SetDevices *sd = r->rq->set_devices;
    struct sotto_kt_leaf last;

    memset(b, 0, sizeof(*b));
    if (sd_kt_account_leaf(r->c->srv->store, r->c->account_id, &last) != SD_ST_OK) {
        *msg = "this account has no transparency log entry (registered before the log existed)";
        return SD_STATUS(FORBIDDEN);
    }
    *msg = "SetDevices needs the account key's signature over the DL_UPDATE log leaf";
    if (sd->kt_dl_sig.len != SOTTO_KT_SIG_BYTES ||
        sotto_kt_leaf_dl_update(&b->leaf[0], last.account_uuid, account_key, dl->version,
                                sd->devices->device_list.data, sd->devices->device_list.len,
                                sd->devices->signature.data) != SOTTO_OK) {
        return SD_STATUS(BAD_SIGNATURE);
    }
    memcpy(b->leaf[0].signature, sd->kt_dl_sig.data, SOTTO_KT_SIG_BYTES);
    b->n = 1;
    if (sotto_kt_leaf_verify(&b->leaf[0]) != SOTTO_OK) {
        return SD_STATUS(BAD_SIGNATURE);
    }
    *msg = NULL;
    return SD_STATUS(OK);
}

int sd_h_set_devices(struct sd_req *r)
{
    const Sotto__Server__SetDevices *sd = r->rq->set_devices;
    struct sd_conn *c = r->c;
    struct sd_store *st = c->srv->store;
    struct sd_account a;
    struct sd_devlist dl;
    struct sd_log_entry log;
    struct sd_blob list, sig;
    struct sd_kt_batch kt;
    const char *msg;
    char key[40];
    int rc;

    if (sd == NULL || sd->devices == NULL) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST), "SetDevices needs a signed device list");
    }
    if (st->ops->account_by_id(st, &a, c->account_id) != SD_ST_OK) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    sd_username_key(key, a.username);
    rc = sd_devlist_verify(&dl, &msg, sd->devices, key, a.account_key);
    if (rc == SD_STATUS(OK)) {
        rc = set_devices_leaf(r, &kt, &dl, a.account_key, &msg);
    }
    sd_account_free(&a);
    if (rc != SD_STATUS(OK)) {
        return sd_req_fail(r, (Sotto__Server__Status)rc, msg);
    }
    list = (struct sd_blob){sd->devices->device_list.data, sd->devices->device_list.len};
    sig = (struct sd_blob){sd->devices->signature.data, sd->devices->signature.len};
    rc = st->ops->devices_set(st, c->account_id, &list, &sig, dl.version, dl.devs, dl.n,
                              sd_now_ms(), &log, &kt);
    if (rc == SD_ST_STALE) {
        return sd_req_fail(
            r, SD_STATUS(STALE_VERSION),
            "device list version is not newer than the stored one (stale or replay)");
    }
    if (rc == SD_ST_CONFLICT) {
        return sd_req_fail(r, SD_STATUS(FORBIDDEN),
                           "a listed device key belongs to another account");
    }
    if (rc != SD_ST_OK) {
        c->srv->m.store_errors_total++;
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    kt_grown(c->srv, &kt);
    c->srv->m.device_list_changes_total++;
    sd_log(SD_LOG_INFO, "device list changed",
           "username=%s version=%llu devices=%zu log_index=%llu", c->username,
           (unsigned long long)dl.version, dl.n, (unsigned long long)log.index);
    rc = reply_account(r, c->account_id);
    apply_devices(c->srv, c->account_id, c->username, &dl);
    return rc;
}

int sd_h_get_account(struct sd_req *r)
{
    const Sotto__Server__GetAccount *g = r->rq->get_account;
    struct sd_store *st = r->c->srv->store;
    struct sd_account a;
    char key[40];
    int rc;

    if (g == NULL || g->username == NULL || sd_username_key(key, g->username) != 0) {
        return sd_req_fail(r, SD_STATUS(NOT_FOUND), "no such user");
    }
    rc = st->ops->account_get(st, &a, key);
    if (rc == SD_ST_NOT_FOUND) {
        return sd_req_fail(r, SD_STATUS(NOT_FOUND), "no such user");
    }
    if (rc != SD_ST_OK) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    r->rs->account = sd_account_info(r, &a);
    sd_account_free(&a);
    if (r->rs->account == NULL) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_ACCOUNT;
    return SD_H_REPLY;
}
