/* Group state records and the sender-key store (client/group.h). */
#include "client/group.h"

#include <stdlib.h>
#include <string.h>

#include "client/hex.h"
#include "crypto/crypto.h"

void sc_group_dist(uint8_t dist[SOTTO_GROUP_UUID_BYTES], const uint8_t gid[SC_GROUP_ID_BYTES])
{
    static const char label[] = "sotto group v1";
    uint8_t in[sizeof label - 1 + SC_GROUP_ID_BYTES], h[ST_SHA256_BYTES];
    memcpy(in, label, sizeof label - 1);
    memcpy(in + sizeof label - 1, gid, SC_GROUP_ID_BYTES);
    st_sha256(h, in, sizeof in);
    memcpy(dist, h, SOTTO_GROUP_UUID_BYTES);
}

static int decode_rec(struct sc_group_rec *r, const uint8_t *v, size_t n, const char *gid)
{
    int rc;
    memset(r, 0, sizeof *r);
    if (n < 1 + sizeof r->devices)
        return SOTTO_ERR_STORE;
    rc = sc_group_decode(&r->g, v + 1 + sizeof r->devices, n - 1 - sizeof r->devices);
    if (rc != SOTTO_OK)
        return SOTTO_ERR_STORE;
    r->flags = v[0];
    memcpy(r->devices, v + 1, sizeof r->devices);
    sc_hex_encode(r->hex, r->g.id, SC_GROUP_ID_BYTES);
    return strcmp(r->hex, gid) == 0 ? SOTTO_OK : SOTTO_ERR_STORE;
}

int sc_group_load(struct sc_store *st, struct sc_group_rec *r, const char *gid)
{
    uint8_t *v = NULL;
    size_t n = 0;
    int rc;
    memset(r, 0, sizeof *r);
    rc = sc_store_group_get(st, &v, &n, gid);
    if (rc == SOTTO_OK)
        rc = decode_rec(r, v, n, gid);
    sc_free_secret(v, n);
    return rc;
}

int sc_group_save(struct sc_store *st, const struct sc_group_rec *r)
{
    uint8_t buf[1 + 32 + SC_GROUP_STATE_MAX];
    char hex[SC_GID_LEN + 1];
    size_t n;
    int rc = sc_group_encode(buf + 1 + 32, sizeof buf - 1 - 32, &n, &r->g);
    if (rc != SOTTO_OK)
        return rc;
    buf[0] = (uint8_t)r->flags;
    memcpy(buf + 1, r->devices, 32);
    sc_hex_encode(hex, r->g.id, SC_GROUP_ID_BYTES);
    rc = sc_store_group_put(st, hex, buf, 1 + 32 + n);
    st_wipe(buf, sizeof buf);
    return rc;
}

struct list_ctx {
    sc_group_cb *cb;
    void *ctx;
};

static int list_row(void *ctx, const char *gid, const uint8_t *v, size_t n)
{
    struct list_ctx *l = ctx;
    struct sc_group_rec r;
    int rc = decode_rec(&r, v, n, gid);
    return rc != SOTTO_OK ? rc : l->cb(l->ctx, &r);
}

int sc_group_list(struct sc_store *st, sc_group_cb *cb, void *ctx)
{
    struct list_ctx l = {cb, ctx};
    return sc_store_group_list(st, list_row, &l);
}

static int check_dist(struct sc_skstore *x, const uint8_t dist[SOTTO_GROUP_UUID_BYTES])
{
    memcpy(x->seen, dist, SOTTO_GROUP_UUID_BYTES);
    if (x->has_want && memcmp(dist, x->want, SOTTO_GROUP_UUID_BYTES) != 0) {
        x->mismatch = 1;
        return -1;
    }
    return 0;
}

static int sk_load(void *ctx, const uint8_t **record, size_t *record_len, const char *sender,
                   uint32_t device_id, const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES])
{
    struct sc_skstore *x = ctx;
    int rc;
    *record = NULL;
    *record_len = 0;
    sc_free_secret(x->rec, x->len);
    x->rec = NULL;
    x->len = 0;
    if (check_dist(x, distribution_id) != 0)
        return -1;
    rc = sc_store_sender_key_get(x->st, &x->rec, &x->len, sender, device_id, distribution_id);
    if (rc == SOTTO_ERR_NOT_FOUND)
        return 0;
    if (rc != SOTTO_OK)
        return -1;
    *record = x->rec;
    *record_len = x->len;
    return 0;
}

static int sk_save(void *ctx, const char *sender, uint32_t device_id,
                   const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES], const uint8_t *record,
                   size_t record_len)
{
    struct sc_skstore *x = ctx;
    if (check_dist(x, distribution_id) != 0)
        return -1;
    return sc_store_sender_key_put(x->st, sender, device_id, distribution_id, record, record_len) ==
                   SOTTO_OK
               ? 0
               : -1;
}

void sc_skstore_init(struct sotto_sender_key_store *ks, struct sc_skstore *x, struct sc_store *st)
{
    memset(x, 0, sizeof *x);
    x->st = st;
    ks->ctx = x;
    ks->load = sk_load;
    ks->save = sk_save;
}

void sc_skstore_clear(struct sc_skstore *x)
{
    sc_free_secret(x->rec, x->len);
    x->rec = NULL;
    x->len = 0;
}
