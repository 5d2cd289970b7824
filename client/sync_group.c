/*
 * Group conversations over the client's sessions (docs/cli.md "Groups"):
 *
 *  - state changes (create, add, remove, leave) go as content kind 11 over
 *    the 1:1 sessions to every member before and after the change, and to
 *    our own other devices; a receiver takes a state only from a current
 *    member and only with a higher version (client/group.h);
 *  - before our first message, and after any membership change, our
 *    SenderKeyDistributionMessage goes to every member (kind 12); after a
 *    member left or was removed we first make a new sender key, so whoever
 *    left cannot read what follows;
 *  - a message is encrypted once with our sender key (kind 13 inside) and
 *    the same SenderKeyMessage is sent as envelope type 7 to every device
 *    of every other member (one Send per member account), and as a
 *    transcript to our own other devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "client/account.h"
#include "client/group.h"
#include "client/hex.h"
#include "crypto/crypto.h"
#include "sync_internal.h"

static uint32_t own_device(struct sc_sync *s)
{
    return sc_conn_hello(s->conn)->device_id;
}

/* Journals a "group" event for r (by: who changed it). */
static int group_event(struct sc_sync *s, const struct sc_group_rec *r, const char *by)
{
    cJSON *o = cJSON_CreateObject(), *mem = cJSON_AddArrayToObject(o, "members");
    char *js;
    int rc;
    cJSON_AddStringToObject(o, "group", r->hex);
    cJSON_AddStringToObject(o, "name", r->g.name);
    cJSON_AddNumberToObject(o, "version", r->g.version);
    for (size_t i = 0; i < r->g.n_members; i++)
        cJSON_AddItemToArray(mem, cJSON_CreateString(r->g.members[i]));
    cJSON_AddBoolToObject(o, "member", sc_group_has(&r->g, s->self));
    cJSON_AddStringToObject(o, "by", by);
    js = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (js == NULL)
        return SOTTO_ERR_NOMEM;
    rc = sc_sync_event(s, "group", js);
    free(js);
    return rc;
}

/* Sends content to member; an account the server does not know is
 * journalled (no_such_account) and skipped: SOTTO_OK when skip_missing,
 * else SOTTO_ERR_REFUSED. */
static int send_member(struct sc_sync *s, const char *member, const uint8_t *c, size_t n,
                       int skip_missing)
{
    int rc = sc_sync_send_content(s, member, c, n);
    if (rc != SOTTO_ERR_NOT_FOUND)
        return rc;
    (void)sc_sync_event_kv(s, "error", member, "error", "no_such_account");
    return skip_missing ? SOTTO_OK : SOTTO_ERR_REFUSED;
}

/* Sends r's state to every member of r and of old (not us), and to our
 * other devices. Everyone is tried; the first failure is returned
 * (skip_missing: accounts the server does not know are not failures). */
static int publish(struct sc_sync *s, const struct sc_group_rec *r, const struct sc_group *old,
                   int skip_missing)
{
    uint8_t c[1 + SC_GROUP_STATE_MAX];
    size_t n;
    int rc = sc_group_encode(c + 1, sizeof c - 1, &n, &r->g), first = SOTTO_OK;
    if (rc != SOTTO_OK)
        return rc;
    c[0] = SC_CONTENT_GROUP_STATE;
    for (size_t i = 0; i < r->g.n_members; i++) {
        if (strcmp(r->g.members[i], s->self) == 0)
            continue;
        rc = send_member(s, r->g.members[i], c, 1 + n, skip_missing);
        if (first == SOTTO_OK)
            first = rc;
    }
    for (size_t i = 0; old != NULL && i < old->n_members; i++) {
        if (strcmp(old->members[i], s->self) == 0 || sc_group_has(&r->g, old->members[i]))
            continue;
        rc = send_member(s, old->members[i], c, 1 + n, skip_missing);
        if (first == SOTTO_OK)
            first = rc;
    }
    rc = sc_sync_send_own(s, c, 1 + n);
    return first != SOTTO_OK ? first : rc;
}

/* Stores the new state r (old: the one before, or NULL), then tells
 * everyone concerned. */
static int commit_change(struct sc_sync *s, struct sc_group_rec *r, const struct sc_group *old)
{
    int rc = sc_group_save(s->store, r);
    if (rc == SOTTO_OK)
        rc = group_event(s, r, s->self);
    if (rc == SOTTO_OK)
        rc = publish(s, r, old, 0);
    return rc;
}

int sc_sync_group_create(struct sc_sync *s, char gid[SC_GID_LEN + 1], const char *name,
                         const char (*members)[SC_NAME_MAX + 1], size_t n)
{
    struct sc_group_rec r;
    memset(&r, 0, sizeof r);
    gid[0] = 0;
    if (strlen(name) > SC_GROUP_NAME_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    st_random_bytes(r.g.id, sizeof r.g.id);
    sc_hex_encode(r.hex, r.g.id, SC_GROUP_ID_BYTES);
    snprintf(r.g.name, sizeof r.g.name, "%s", name);
    r.g.version = 1;
    memcpy(r.g.members[r.g.n_members++], s->self, sizeof r.g.members[0]);
    for (size_t i = 0; i < n; i++) {
        if (!sc_name_valid(members[i]))
            return SOTTO_ERR_INVALID_ARGUMENT;
        if (sc_group_has(&r.g, members[i]))
            continue;
        if (r.g.n_members == SC_GROUP_MEMBERS_MAX)
            return SOTTO_ERR_TOO_LARGE;
        memcpy(r.g.members[r.g.n_members++], members[i], sizeof r.g.members[0]);
    }
    r.flags = SC_GROUP_NEED_SKDM;
    memcpy(gid, r.hex, SC_GID_LEN + 1);
    return commit_change(s, &r, NULL);
}

/* op: 'a' add name, 'r' remove name, 'l' leave. */
static int change(struct sc_sync *s, const char *gid, int op, const char *name)
{
    struct sc_group_rec r;
    struct sc_group old;
    size_t j = 0;
    int rc = sc_group_load(s->store, &r, gid);
    if (rc != SOTTO_OK)
        return rc;
    if (!sc_group_has(&r.g, s->self))
        return SOTTO_ERR_NOT_GROUP_MEMBER;
    if (r.g.version == UINT32_MAX)
        return SOTTO_ERR_INVALID_STATE; /* no newer version can be made */
    old = r.g;
    if (op == 'a') {
        if (!sc_name_valid(name))
            return SOTTO_ERR_INVALID_ARGUMENT;
        if (sc_group_has(&r.g, name))
            return SOTTO_ERR_DUPLICATE_MESSAGE;
        if (r.g.n_members == SC_GROUP_MEMBERS_MAX)
            return SOTTO_ERR_TOO_LARGE;
        snprintf(r.g.members[r.g.n_members++], sizeof r.g.members[0], "%s", name);
    } else {
        if (op == 'l')
            name = s->self;
        if (!sc_group_has(&r.g, name))
            return SOTTO_ERR_NOT_FOUND;
        if (r.g.n_members == 1)
            return SOTTO_ERR_INVALID_ARGUMENT; /* a group keeps one member */
        for (size_t i = 0; i < r.g.n_members; i++)
            if (strcmp(r.g.members[i], name) != 0)
                memcpy(r.g.members[j++], r.g.members[i], sizeof r.g.members[0]);
        r.g.n_members = j;
        r.flags |= SC_GROUP_ROTATE; /* whoever left must not read on */
    }
    r.g.version++;
    r.flags |= SC_GROUP_NEED_SKDM;
    return commit_change(s, &r, &old);
}

int sc_sync_group_add(struct sc_sync *s, const char *gid, const char *name)
{
    return change(s, gid, 'a', name);
}

int sc_sync_group_remove(struct sc_sync *s, const char *gid, const char *name)
{
    return change(s, gid, 'r', name);
}

int sc_sync_group_leave(struct sc_sync *s, const char *gid)
{
    return change(s, gid, 'l', NULL);
}

/* A state from peer (kind 11). */
int sc_sync_apply_group_state(struct sc_sync *s, const char *peer, const struct sc_content *ct)
{
    struct sc_group_rec r, old;
    int from_self = strcmp(peer, s->self) == 0, known, rc;

    memset(&r, 0, sizeof r);
    rc = sc_group_decode(&r.g, ct->body, ct->body_len);
    if (rc != SOTTO_OK)
        return rc;
    sc_hex_encode(r.hex, r.g.id, SC_GROUP_ID_BYTES);
    rc = sc_group_load(s->store, &old, r.hex);
    if (rc != SOTTO_OK && rc != SOTTO_ERR_NOT_FOUND)
        return rc;
    known = rc == SOTTO_OK;
    if (known && r.g.version <= old.g.version)
        return SOTTO_OK; /* stale or replayed: the newer state stands */
    if (!from_self && known && !sc_group_has(&old.g, peer))
        return SOTTO_ERR_NOT_GROUP_MEMBER;
    if (!from_self && !known && (!sc_group_has(&r.g, peer) || !sc_group_has(&r.g, s->self)))
        return SOTTO_ERR_NOT_GROUP_MEMBER;
    r.flags = known ? old.flags : 0;
    for (size_t i = 0; known && i < old.g.n_members; i++)
        if (!sc_group_has(&r.g, old.g.members[i]))
            r.flags |= SC_GROUP_ROTATE | SC_GROUP_NEED_SKDM;
    for (size_t i = 0; i < r.g.n_members; i++)
        if (!known || !sc_group_has(&old.g, r.g.members[i]))
            r.flags |= SC_GROUP_NEED_SKDM;
    rc = sc_group_save(s->store, &r);
    return rc == SOTTO_OK ? group_event(s, &r, peer) : rc;
}

/* A sender key from (peer, device) for a group (kind 12). */
int sc_sync_apply_sender_key(struct sc_sync *s, const char *peer, uint32_t device,
                             const struct sc_content *ct)
{
    struct sotto_sender_key_store ks;
    struct sc_skstore x;
    struct sc_group_rec r;
    char hex[SC_GID_LEN + 1];
    int rc;

    sc_hex_encode(hex, ct->gid, SC_GROUP_ID_BYTES);
    rc = sc_group_load(s->store, &r, hex);
    if (rc == SOTTO_ERR_NOT_FOUND)
        return SOTTO_ERR_NOT_GROUP_MEMBER;
    if (rc != SOTTO_OK)
        return rc;
    if (!sc_group_has(&r.g, peer) || !sc_group_has(&r.g, s->self))
        return SOTTO_ERR_NOT_GROUP_MEMBER;
    sc_skstore_init(&ks, &x, s->store);
    x.has_want = 1;
    sc_group_dist(x.want, ct->gid);
    rc = sotto_group_process(&ks, peer, device, ct->body, ct->body_len);
    if (rc != SOTTO_OK && x.mismatch)
        rc = SOTTO_ERR_INVALID_MESSAGE; /* a key for another distribution id */
    sc_skstore_clear(&x);
    return rc;
}

int sc_sync_group_open(struct sc_sync *s, uint8_t **pt, size_t *pt_len, const char *peer,
                       uint32_t device, const uint8_t *ct, size_t ct_len)
{
    struct sotto_sender_key_store ks;
    struct sc_skstore x;
    struct sc_content c;
    struct sc_group_rec r;
    uint8_t dist[SOTTO_GROUP_UUID_BYTES];
    char hex[SC_GID_LEN + 1];
    int rc;

    *pt = NULL;
    *pt_len = 0;
    if (ct_len == 0 || ct_len > SOTTO_GROUP_MESSAGE_MAX(SC_BODY_MAX + 64))
        return SOTTO_ERR_INVALID_MESSAGE;
    *pt = malloc(ct_len);
    if (*pt == NULL)
        return SOTTO_ERR_NOMEM;
    sc_skstore_init(&ks, &x, s->store);
    rc = sotto_group_decrypt(*pt, pt_len, ct_len, &ks, peer, device, ct, ct_len);
    sc_skstore_clear(&x);
    if (rc == SOTTO_OK)
        rc = sc_content_decode(&c, *pt, *pt_len);
    if (rc == SOTTO_OK && c.kind != SC_CONTENT_GROUP_MESSAGE)
        rc = SOTTO_ERR_INVALID_MESSAGE;
    if (rc == SOTTO_OK) {
        sc_group_dist(dist, c.gid);
        if (memcmp(dist, x.seen, sizeof dist) != 0)
            rc = SOTTO_ERR_INVALID_MESSAGE; /* sent under another group's key */
    }
    if (rc == SOTTO_OK) {
        sc_hex_encode(hex, c.gid, SC_GROUP_ID_BYTES);
        rc = sc_group_load(s->store, &r, hex);
        if (rc == SOTTO_ERR_NOT_FOUND ||
            (rc == SOTTO_OK && (!sc_group_has(&r.g, peer) || !sc_group_has(&r.g, s->self))))
            rc = SOTTO_ERR_NOT_GROUP_MEMBER;
    }
    if (rc != SOTTO_OK) {
        sc_free_secret(*pt, ct_len);
        *pt = NULL;
        *pt_len = 0;
    }
    return rc;
}

/* HMAC-SHA256 (fixed key) over every member's listed devices, as
 * client/group.h's `devices`. */
static int device_digest(struct sc_sync *s, const struct sc_group *g, uint8_t out[32])
{
    static const uint8_t key[] = "sotto group devices v1";
    struct st_hmac_sha256 h;
    struct sc_device d[SC_MAX_DEVICES];
    int rc = SOTTO_OK;
    st_hmac_sha256_init(&h, key, sizeof key - 1);
    for (size_t i = 0; i < g->n_members && rc == SOTTO_OK; i++) {
        size_t n = 0;
        uint8_t cnt;
        rc = sc_store_devices_get(s->store, d, SC_MAX_DEVICES, &n, g->members[i]);
        if (n > SC_MAX_DEVICES)
            n = SC_MAX_DEVICES;
        cnt = (uint8_t)n;
        st_hmac_sha256_update(&h, (const uint8_t *)g->members[i], strlen(g->members[i]) + 1);
        st_hmac_sha256_update(&h, &cnt, 1);
        for (size_t j = 0; j < n; j++) {
            uint8_t id[4] = {(uint8_t)(d[j].id >> 24), (uint8_t)(d[j].id >> 16),
                             (uint8_t)(d[j].id >> 8), (uint8_t)d[j].id};
            st_hmac_sha256_update(&h, id, sizeof id);
            st_hmac_sha256_update(&h, d[j].identity_key, SC_IDKEY_BYTES);
        }
    }
    st_hmac_sha256_final(&h, out);
    return rc;
}

/* Our sender key to every other member (rotated first if needed). */
static int distribute(struct sc_sync *s, struct sc_group_rec *r,
                      const struct sotto_sender_key_store *ks,
                      const uint8_t dist[SOTTO_GROUP_UUID_BYTES])
{
    uint8_t c[1 + SC_GROUP_ID_BYTES + SOTTO_GROUP_SKDM_MAX];
    size_t n;
    int rc;
    if (r->flags & SC_GROUP_ROTATE) {
        rc = sc_store_sender_key_delete(s->store, s->self, own_device(s), dist);
        if (rc != SOTTO_OK)
            return rc;
        r->flags = (r->flags & ~SC_GROUP_ROTATE) | SC_GROUP_NEED_SKDM;
        rc = sc_group_save(s->store, r);
        if (rc != SOTTO_OK)
            return rc;
    }
    if (!(r->flags & SC_GROUP_NEED_SKDM))
        return SOTTO_OK;
    rc = sotto_group_create(c + 1 + SC_GROUP_ID_BYTES, &n, sizeof c - 1 - SC_GROUP_ID_BYTES, ks,
                            s->self, own_device(s), dist);
    if (rc != SOTTO_OK)
        return rc;
    c[0] = SC_CONTENT_SENDER_KEY;
    memcpy(c + 1, r->g.id, SC_GROUP_ID_BYTES);
    for (size_t i = 0; i < r->g.n_members && rc == SOTTO_OK; i++)
        if (strcmp(r->g.members[i], s->self) != 0)
            rc = send_member(s, r->g.members[i], c, 1 + SC_GROUP_ID_BYTES + n, 1);
    st_wipe(c, sizeof c);
    if (rc != SOTTO_OK)
        return rc;
    r->flags &= ~SC_GROUP_NEED_SKDM;
    return sc_group_save(s->store, r);
}

int sc_sync_send_group(struct sc_sync *s, const struct sc_outbox_item *it)
{
    struct sotto_sender_key_store ks;
    struct sc_skstore x;
    struct sc_group_rec r;
    uint8_t dist[SOTTO_GROUP_UUID_BYTES], guid[16], *inner = NULL, *pt = NULL, *ct = NULL;
    size_t il = 0, pl = 0, cl = 0, cap = 0;
    int rc = sc_group_load(s->store, &r, it->gid);

    if (rc == SOTTO_ERR_NOT_FOUND || (rc == SOTTO_OK && !sc_group_has(&r.g, s->self)))
        return SOTTO_ERR_NOT_GROUP_MEMBER;
    if (rc == SOTTO_OK)
        rc = sc_mid_to_bytes(guid, it->mid);
    if (rc != SOTTO_OK)
        return rc;
    sc_group_dist(dist, r.g.id);
    sc_skstore_init(&ks, &x, s->store);
    rc = sc_content_for_message(&inner, &il, it->kind, it->body, it->body_len, it->target);
    if (rc == SOTTO_OK) {
        pl = 1 + SC_GROUP_ID_BYTES + 16 + il;
        cap = SOTTO_GROUP_MESSAGE_MAX(pl);
        pt = malloc(pl);
        ct = malloc(cap);
        rc = pt == NULL || ct == NULL ? SOTTO_ERR_NOMEM : SOTTO_OK;
    }
    if (rc == SOTTO_OK) {
        pt[0] = SC_CONTENT_GROUP_MESSAGE;
        memcpy(pt + 1, r.g.id, SC_GROUP_ID_BYTES);
        memcpy(pt + 1 + SC_GROUP_ID_BYTES, guid, 16);
        memcpy(pt + 1 + SC_GROUP_ID_BYTES + 16, inner, il);
    }
    /* A member's device list may change while we send (the server's
     * mismatch answer refreshes it): a new device has no key of ours, so
     * then the state and our key go out again and the message is
     * encrypted anew under a fresh envelope guid (sottod drops a guid a
     * device already acked); devices that have it drop the copy by the
     * message id inside. */
    for (int attempt = 0; rc == SOTTO_OK && attempt < 2; attempt++) {
        uint8_t before[32], after[32];
        rc = device_digest(s, &r.g, before);
        if (attempt > 0)
            st_random_bytes(guid, sizeof guid);
        if (rc == SOTTO_OK && memcmp(before, r.devices, sizeof before) != 0) {
            r.flags |= SC_GROUP_NEED_SKDM;
            rc = publish(s, &r, NULL, 1); /* same version: new devices learn the group */
            if (rc == SOTTO_OK) {
                memcpy(r.devices, before, sizeof before);
                rc = sc_group_save(s->store, &r);
            }
        }
        if (rc == SOTTO_OK)
            rc = distribute(s, &r, &ks, dist);
        if (rc == SOTTO_OK)
            rc = sotto_group_encrypt(ct, &cl, cap, &ks, s->self, own_device(s), dist, pt, pl);
        /* One Send per member account, the same SenderKeyMessage for all. */
        for (size_t i = 0; rc == SOTTO_OK && i < r.g.n_members; i++)
            if (strcmp(r.g.members[i], s->self) != 0) {
                rc = sc_sync_send_skm(s, r.g.members[i], ct, cl, guid, it->ts);
                if (rc == SOTTO_ERR_NOT_FOUND)
                    rc = SOTTO_OK; /* no such account (journalled when the key went) */
            }
        if (rc == SOTTO_OK)
            rc = device_digest(s, &r.g, after);
        if (rc != SOTTO_OK || memcmp(after, before, sizeof after) == 0)
            break;
    }
    if (rc == SOTTO_OK)
        sc_sync_transcript(s, s->self, it->mid, pt, pl, it->ts);
    if (rc == SOTTO_ERR_UNTRUSTED_IDENTITY)
        rc = SOTTO_ERR_REFUSED; /* one member's key changed: retry later, hold nothing */
    sc_skstore_clear(&x);
    if (inner != NULL)
        sc_free_secret(inner, il);
    if (pt != NULL)
        sc_free_secret(pt, pl);
    free(ct);
    return rc;
}
