/*
 * The canonical binary leaf of the stage A binding log
 * (spec/transparency-and-reporting.md 2.1, "Leaves"). Fixed field order,
 * big-endian integers, u16-length-prefixed byte strings, one encoding per
 * leaf:
 *
 *   leaf  = u8 version (1) || u8 event type || u64 log timestamp (ms)
 *           || lv(account_uuid, 16) || lv(body) || u64 prev_index
 *   body  = ACCOUNT_CREATE: lv(AK, 33) || lv(sig, 64)
 *           DL_UPDATE:      lv(AK, 33) || u64 dl_version || lv(H(DL), 32)
 *                           || lv(sig, 64)
 *           ACCOUNT_RESET:  lv(AK', 33) || u8 reason
 *
 * sig is the AK's XEdDSA signature over
 *   "sotto kt leaf v1" || u8 version || u8 type || account_uuid
 *   || body without its lv(sig)
 * The log's own fields (timestamp, prev_index) are outside it: the client
 * signs before the log sequences. prev_index is SOTTO_KT_NO_PREV exactly
 * for ACCOUNT_CREATE.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "kt_internal.h"

enum { BODY_MAX = 2 + 33 + 8 + 2 + 32 + 2 + 64 };

static const char context[] = "sotto kt leaf v1";

static int zero(const uint8_t *p, size_t len)
{
    return st_ct_is_zero(p, len);
}

/* The rules a leaf must follow beyond its syntax, for both directions. */
static int check_fields(const struct sotto_kt_leaf *l)
{
    uint8_t u[ST_X25519_BYTES];

    switch (l->type) {
    case SOTTO_KT_ACCOUNT_CREATE:
        if (l->dl_version != 0 || !zero(l->dl_hash, sizeof l->dl_hash) || l->reason != 0 ||
            l->prev_index != SOTTO_KT_NO_PREV)
            return SOTTO_ERR_INVALID_MESSAGE;
        break;
    case SOTTO_KT_DL_UPDATE:
        if (l->reason != 0 || l->prev_index == SOTTO_KT_NO_PREV)
            return SOTTO_ERR_INVALID_MESSAGE;
        break;
    case SOTTO_KT_ACCOUNT_RESET:
        if (l->dl_version != 0 || !zero(l->dl_hash, sizeof l->dl_hash) ||
            !zero(l->signature, sizeof l->signature) || l->reason < SOTTO_KT_RESET_REREGISTER ||
            l->reason > SOTTO_KT_RESET_OPERATOR || l->prev_index == SOTTO_KT_NO_PREV)
            return SOTTO_ERR_INVALID_MESSAGE;
        break;
    default:
        return SOTTO_ERR_INVALID_MESSAGE;
    }
    return st_pubkey_decode(u, l->account_key, sizeof l->account_key);
}

static void put_body(struct st_kt_w *w, const struct sotto_kt_leaf *l, int with_sig)
{
    st_kt_w_lv(w, l->account_key, sizeof l->account_key);
    if (l->type == SOTTO_KT_DL_UPDATE) {
        st_kt_w_u64(w, l->dl_version);
        st_kt_w_lv(w, l->dl_hash, sizeof l->dl_hash);
    }
    if (l->type == SOTTO_KT_ACCOUNT_RESET)
        st_kt_w_u8(w, l->reason);
    else if (with_sig)
        st_kt_w_lv(w, l->signature, sizeof l->signature);
}

int sotto_kt_leaf_encode(uint8_t *out, size_t *out_len, size_t cap,
                         const struct sotto_kt_leaf *leaf)
{
    uint8_t body[BODY_MAX];
    struct st_kt_w w, b;
    int rc;

    *out_len = 0;
    rc = check_fields(leaf);
    if (rc != SOTTO_OK)
        return rc == SOTTO_ERR_INVALID_KEY ? rc : SOTTO_ERR_INVALID_ARGUMENT;
    st_kt_w_init(&b, body, sizeof body);
    put_body(&b, leaf, 1);
    st_kt_w_init(&w, out, cap);
    st_kt_w_u8(&w, SOTTO_KT_LEAF_VERSION);
    st_kt_w_u8(&w, leaf->type);
    st_kt_w_u64(&w, leaf->timestamp);
    st_kt_w_lv(&w, leaf->account_uuid, sizeof leaf->account_uuid);
    st_kt_w_lv(&w, body, b.len);
    st_kt_w_u64(&w, leaf->prev_index);
    if (w.err != SOTTO_OK || b.err != SOTTO_OK)
        return SOTTO_ERR_TOO_LARGE;
    *out_len = w.len;
    return SOTTO_OK;
}

static void get_body(struct st_kt_r *r, struct sotto_kt_leaf *l)
{
    st_kt_r_lv_exact(r, l->account_key, sizeof l->account_key);
    if (l->type == SOTTO_KT_DL_UPDATE) {
        l->dl_version = st_kt_r_u64(r);
        st_kt_r_lv_exact(r, l->dl_hash, sizeof l->dl_hash);
    }
    if (l->type == SOTTO_KT_ACCOUNT_RESET)
        l->reason = st_kt_r_u8(r);
    else
        st_kt_r_lv_exact(r, l->signature, sizeof l->signature);
}

int sotto_kt_leaf_parse(struct sotto_kt_leaf *leaf, const uint8_t *in, size_t len)
{
    uint8_t body[BODY_MAX];
    size_t body_len;
    struct st_kt_r r, b;
    uint8_t type;
    int rc;

    memset(leaf, 0, sizeof *leaf);
    if (len > SOTTO_KT_LEAF_MAX)
        return SOTTO_ERR_TOO_LARGE;
    st_kt_r_init(&r, in, len);
    if (st_kt_r_u8(&r) != SOTTO_KT_LEAF_VERSION && r.err == SOTTO_OK)
        return SOTTO_ERR_INVALID_VERSION;
    type = st_kt_r_u8(&r);
    if (r.err == SOTTO_OK && (type < SOTTO_KT_ACCOUNT_CREATE || type > SOTTO_KT_ACCOUNT_RESET))
        return SOTTO_ERR_INVALID_MESSAGE;
    leaf->type = type;
    leaf->timestamp = st_kt_r_u64(&r);
    st_kt_r_lv_exact(&r, leaf->account_uuid, sizeof leaf->account_uuid);
    st_kt_r_lv_max(&r, body, sizeof body, &body_len);
    leaf->prev_index = st_kt_r_u64(&r);
    rc = st_kt_r_end(&r);
    if (rc != SOTTO_OK)
        goto out;
    st_kt_r_init(&b, body, body_len);
    get_body(&b, leaf);
    rc = st_kt_r_end(&b);
    if (rc == SOTTO_ERR_TRUNCATED)
        rc = SOTTO_ERR_INVALID_MESSAGE; /* the body's length says otherwise */
    if (rc == SOTTO_OK)
        rc = check_fields(leaf);
out:
    if (rc != SOTTO_OK)
        memset(leaf, 0, sizeof *leaf);
    return rc;
}

/* The bytes the AK signs: see the file head. */
static int statement(uint8_t *out, size_t *out_len, size_t cap, const struct sotto_kt_leaf *l)
{
    struct st_kt_w w;

    st_kt_w_init(&w, out, cap);
    st_kt_w_bytes(&w, (const uint8_t *)context, sizeof context - 1);
    st_kt_w_u8(&w, SOTTO_KT_LEAF_VERSION);
    st_kt_w_u8(&w, l->type);
    st_kt_w_bytes(&w, l->account_uuid, sizeof l->account_uuid);
    put_body(&w, l, 0);
    *out_len = w.len;
    return w.err;
}

int sotto_kt_leaf_sign(struct sotto_kt_leaf *leaf, const uint8_t account_priv[SOTTO_KT_PRIV_BYTES])
{
    uint8_t msg[64 + BODY_MAX];
    size_t len;
    int rc;

    if (leaf->type != SOTTO_KT_ACCOUNT_CREATE && leaf->type != SOTTO_KT_DL_UPDATE)
        return SOTTO_ERR_UNSUPPORTED;
    rc = statement(msg, &len, sizeof msg, leaf);
    if (rc != SOTTO_OK)
        return rc;
    return st_xeddsa_sign(leaf->signature, account_priv, msg, len);
}

int sotto_kt_leaf_verify(const struct sotto_kt_leaf *leaf)
{
    uint8_t msg[64 + BODY_MAX], u[ST_X25519_BYTES];
    size_t len;
    int rc;

    if (leaf->type != SOTTO_KT_ACCOUNT_CREATE && leaf->type != SOTTO_KT_DL_UPDATE)
        return SOTTO_ERR_UNSUPPORTED;
    rc = st_pubkey_decode(u, leaf->account_key, sizeof leaf->account_key);
    if (rc != SOTTO_OK)
        return rc;
    rc = statement(msg, &len, sizeof msg, leaf);
    if (rc != SOTTO_OK)
        return rc;
    return st_xeddsa_verify(leaf->signature, u, msg, len);
}
