/*
 * Prekeys: UploadKeys, FetchBundle, KeyStatus (docs/server-api.md). Keys are
 * opaque bytes to the server beyond size checks. A bundle fetch takes one
 * one-time EC key and one one-time Kyber key (else the last-resort one) per
 * device in one store transaction, so no key is handed out twice.
 */
#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "sdlimits.h"
#include "log.h"

#define SD_STATUS(x) SOTTO__SERVER__STATUS__STATUS_##x

static void to_prekey(struct sd_prekey *out, const Sotto__Server__SignedPreKey *k)
{
    out->key_id = k->key_id;
    out->pub = (struct sd_blob){k->public_key.data, k->public_key.len};
    out->sig = (struct sd_blob){k->signature.data, k->signature.len};
}

int sd_h_upload_keys(struct sd_req *r)
{
    const Sotto__Server__UploadKeys *u = r->rq->upload_keys;
    struct sd_store *st = r->c->srv->store;
    struct sd_prekey spk, lr, *ot, *ky;
    struct sd_keys_upload up = {0};
    int rc;

    if (u == NULL || sd_validate_upload(u) != 0) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST),
                           "bad key upload: EC keys are 33 bytes, signatures 64, at most 200 "
                           "keys per batch, Kyber keys 800..1569 bytes");
    }
    ot = sd_req_alloc(r, (u->n_one_time + 1) * sizeof(*ot));
    ky = sd_req_alloc(r, (u->n_kyber + 1) * sizeof(*ky));
    if (ot == NULL || ky == NULL) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    if (u->signed_prekey != NULL) {
        to_prekey(&spk, u->signed_prekey);
        up.signed_prekey = &spk;
    }
    if (u->kyber_last_resort != NULL) {
        to_prekey(&lr, u->kyber_last_resort);
        up.last_resort = &lr;
    }
    for (size_t i = 0; i < u->n_one_time; i++) {
        ot[i].key_id = u->one_time[i]->key_id;
        ot[i].pub =
            (struct sd_blob){u->one_time[i]->public_key.data, u->one_time[i]->public_key.len};
    }
    for (size_t i = 0; i < u->n_kyber; i++) {
        to_prekey(&ky[i], u->kyber[i]);
    }
    up.one_time = ot;
    up.n_one_time = u->n_one_time;
    up.kyber = ky;
    up.n_kyber = u->n_kyber;
    rc = st->ops->keys_put(st, r->c->account_id, r->c->device_id, &up);
    if (rc == SD_ST_FULL) {
        return sd_req_fail(r, SD_STATUS(TOO_LARGE),
                           "the server holds at most 1000 one-time keys "
                           "of each kind per device");
    }
    if (rc != SD_ST_OK) {
        r->c->srv->m.store_errors_total++;
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    return sd_h_key_status(r);
}

int sd_h_key_status(struct sd_req *r)
{
    struct sd_store *st = r->c->srv->store;
    Sotto__Server__KeyCounts *kc = sd_req_alloc(r, sizeof(*kc));
    struct sd_key_counts n;

    if (kc == NULL || st->ops->keys_count(st, &n, r->c->account_id, r->c->device_id) != SD_ST_OK) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    sotto__server__key_counts__init(kc);
    kc->one_time = n.one_time;
    kc->kyber = n.kyber;
    kc->has_signed = n.has_signed;
    kc->has_last_resort = n.has_last_resort;
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_KEY_COUNTS;
    r->rs->key_counts = kc;
    return SD_H_REPLY;
}

static void push_keys_low(struct sd_server *srv, int64_t account_id, const struct sd_bundle *b)
{
    Sotto__Server__Frame f = SOTTO__SERVER__FRAME__INIT;
    Sotto__Server__Push push = SOTTO__SERVER__PUSH__INIT;
    Sotto__Server__KeysLow kl = SOTTO__SERVER__KEYS_LOW__INIT;
    struct sd_conn *c, *next;

    kl.one_time = b->left.one_time;
    kl.kyber = b->left.kyber;
    push.body_case = SOTTO__SERVER__PUSH__BODY_KEYS_LOW;
    push.keys_low = &kl;
    f.kind_case = SOTTO__SERVER__FRAME__KIND_PUSH;
    f.push = &push;
    for (c = srv->conns; c != NULL; c = next) {
        next = c->next;
        if (c->account_id == account_id && c->device_id == b->dev.device_id && c->hello_done) {
            sd_conn_send(c, &f);
        }
    }
}

static Sotto__Server__SignedPreKey *arena_signed(struct sd_req *r, const struct sd_prekey *k)
{
    Sotto__Server__SignedPreKey *p = sd_req_alloc(r, sizeof(*p));
    uint8_t *pub = sd_req_alloc(r, k->pub.len + 1), *sig = sd_req_alloc(r, k->sig.len + 1);

    if (p == NULL || pub == NULL || sig == NULL) {
        return NULL;
    }
    sotto__server__signed_pre_key__init(p);
    p->key_id = k->key_id;
    if (k->pub.len > 0) {
        memcpy(pub, k->pub.p, k->pub.len);
    }
    if (k->sig.len > 0) {
        memcpy(sig, k->sig.p, k->sig.len);
    }
    p->public_key = (ProtobufCBinaryData){k->pub.len, pub};
    p->signature = (ProtobufCBinaryData){k->sig.len, sig};
    return p;
}

static Sotto__Server__DeviceBundle *arena_bundle(struct sd_req *r, const struct sd_bundle *b)
{
    Sotto__Server__DeviceBundle *d = sd_req_alloc(r, sizeof(*d));
    uint8_t *ik = sd_req_alloc(r, 33);

    if (d == NULL || ik == NULL) {
        return NULL;
    }
    sotto__server__device_bundle__init(d);
    d->device_id = b->dev.device_id;
    d->registration_id = b->dev.registration_id;
    memcpy(ik, b->dev.identity_key, 33);
    d->identity_key = (ProtobufCBinaryData){33, ik};
    d->signed_prekey = b->has_signed ? arena_signed(r, &b->signed_prekey) : NULL;
    d->kyber = b->has_kyber ? arena_signed(r, &b->kyber) : NULL;
    d->kyber_last_resort = b->kyber_last_resort;
    if (b->has_one_time) {
        Sotto__Server__SignedPreKey *k = arena_signed(r, &b->one_time);
        d->one_time = sd_req_alloc(r, sizeof(*d->one_time));
        if (k == NULL || d->one_time == NULL) {
            return NULL;
        }
        sotto__server__one_time_pre_key__init(d->one_time);
        d->one_time->key_id = k->key_id;
        d->one_time->public_key = k->public_key;
    }
    return d;
}

/* Fetches the selected devices' bundles into the response. */
static int take_bundles(struct sd_req *r, Sotto__Server__Bundle *out, int64_t account_id,
                        const struct sd_device *devs, size_t n, uint32_t want)
{
    struct sd_server *srv = r->c->srv;
    struct sd_bundle b;

    out->devices = sd_req_alloc(r, (n + 1) * sizeof(*out->devices));
    if (out->devices == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (want != 0 && devs[i].device_id != want) {
            continue;
        }
        if (srv->store->ops->bundle_take(srv->store, &b, account_id, &devs[i]) != SD_ST_OK) {
            srv->m.store_errors_total++;
            return -1;
        }
        out->devices[out->n_devices] = arena_bundle(r, &b);
        if (b.left.one_time < SD_PREKEY_LOW || b.left.kyber < SD_PREKEY_LOW) {
            push_keys_low(srv, account_id, &b);
        }
        sd_bundle_free(&b);
        if (out->devices[out->n_devices] == NULL) {
            return -1;
        }
        out->n_devices++;
        srv->m.bundles_total++;
    }
    return 0;
}

int sd_h_fetch_bundle(struct sd_req *r)
{
    const Sotto__Server__FetchBundle *fb = r->rq->fetch_bundle;
    struct sd_server *srv = r->c->srv;
    Sotto__Server__Bundle *bundle = sd_req_alloc(r, sizeof(*bundle));
    struct sd_device devs[SD_DEVICES_MAX];
    struct sd_account a;
    size_t n = 0;
    uint32_t retry;
    char key[40], rlkey[24];

    if (fb == NULL || fb->username == NULL || bundle == NULL ||
        sd_username_key(key, fb->username) != 0) {
        return sd_req_fail(r, SD_STATUS(NOT_FOUND), "no such user");
    }
    snprintf(rlkey, sizeof(rlkey), "%lld", (long long)r->c->account_id);
    if (!sd_rl_take(srv->rl, SD_RL_BUNDLE, rlkey, 1, sd_now_ms(), &retry)) {
        srv->m.rate_limited_total++;
        r->rs->retry_after_ms = retry;
        return sd_req_fail(r, SD_STATUS(RATE_LIMITED), "too many key fetches; wait and retry");
    }
    if (srv->store->ops->account_get(srv->store, &a, key) != SD_ST_OK) {
        return sd_req_fail(r, SD_STATUS(NOT_FOUND), "no such user");
    }
    sotto__server__bundle__init(bundle);
    bundle->account = sd_account_info(r, &a);
    if (bundle->account == NULL ||
        srv->store->ops->devices_get(srv->store, devs, SD_DEVICES_MAX, &n, a.id) != SD_ST_OK ||
        take_bundles(r, bundle, a.id, devs, n, fb->device_id) != 0) {
        sd_account_free(&a);
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    sd_account_free(&a);
    if (fb->device_id != 0 && bundle->n_devices == 0) {
        return sd_req_fail(r, SD_STATUS(NOT_FOUND), "that user has no such device");
    }
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_BUNDLE;
    r->rs->bundle = bundle;
    return SD_H_REPLY;
}
