/* Message content encoding and decoding (client/content.h). */
#include "client/content.h"

#include <stdlib.h>
#include <string.h>

#include "client/attach.h"
#include "client/hex.h"
#include "crypto/crypto.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

int sc_device_name_valid(const uint8_t *name, size_t len)
{
    if (len > SC_DEVICE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (name[i] < 0x20 || name[i] == 0x7f)
            return 0;
    return 1;
}

int sc_mid_to_bytes(uint8_t out[16], const char *hex)
{
    return hex == NULL ? SOTTO_ERR_INVALID_ARGUMENT : sc_hex_decode(out, 16, hex, strlen(hex));
}

void sc_mid_from_bytes(char hex[SC_MID_LEN + 1], const uint8_t in[16])
{
    sc_hex_encode(hex, in, 16);
}

/* A name of length nl at p: valid account name syntax. */
static int take_name(char out[SC_NAME_MAX + 1], const uint8_t *p, size_t nl)
{
    if (nl == 0 || nl > SC_NAME_MAX || memchr(p, 0, nl) != NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    memcpy(out, p, nl);
    out[nl] = 0;
    return sc_name_valid(out) ? SOTTO_OK : SOTTO_ERR_INVALID_MESSAGE;
}

/* Kinds that carry a message (text, reaction, attachment) and, when
 * timer_ok, a timer change. */
static int decode_leaf(struct sc_content *c, const uint8_t *p, size_t len, int timer_ok)
{
    if (len < 1)
        return SOTTO_ERR_INVALID_MESSAGE;
    switch (p[0]) {
    case SC_CONTENT_TEXT:
        c->body = p + 1;
        c->body_len = len - 1;
        return len - 1 <= SC_BODY_MAX ? SOTTO_OK : SOTTO_ERR_INVALID_MESSAGE;
    case SC_CONTENT_REACTION:
        if (len <= 17 || len > 17 + SC_EMOJI_MAX)
            return SOTTO_ERR_INVALID_MESSAGE;
        memcpy(c->target, p + 1, 16);
        c->body = p + 17;
        c->body_len = len - 17;
        return SOTTO_OK;
    case SC_CONTENT_ATTACHMENT:
        if (len < 2 || len - 1 > SC_BODY_MAX)
            return SOTTO_ERR_INVALID_MESSAGE;
        c->body = p + 1;
        c->body_len = len - 1;
        return SOTTO_OK;
    case SC_CONTENT_TIMER:
        if (!timer_ok || len != 5)
            return SOTTO_ERR_INVALID_MESSAGE;
        c->timer_s = be32(p + 1);
        return c->timer_s <= SC_TIMER_MAX ? SOTTO_OK : SOTTO_ERR_INVALID_MESSAGE;
    default:
        return SOTTO_ERR_INVALID_MESSAGE;
    }
}

static int decode_ids(struct sc_content *c, const uint8_t *p, size_t len)
{
    if (len == 0 || len % 16 != 0 || len / 16 > SC_RECEIPT_MAX)
        return SOTTO_ERR_INVALID_MESSAGE;
    c->ids = p;
    c->n_ids = len / 16;
    return SOTTO_OK;
}

/* Group message: gid, message id, then a leaf (text, reaction,
 * attachment). */
static int decode_group_message(struct sc_content *c, const uint8_t *p, size_t len)
{
    enum { HEAD = 1 + SC_GROUP_ID_BYTES + 16 };
    if (len < HEAD + 1 || p[0] != SC_CONTENT_GROUP_MESSAGE)
        return SOTTO_ERR_INVALID_MESSAGE;
    c->has_gid = 1;
    memcpy(c->gid, p + 1, SC_GROUP_ID_BYTES);
    memcpy(c->mid, p + 1 + SC_GROUP_ID_BYTES, 16);
    c->inner_kind = p[HEAD];
    return decode_leaf(c, p + HEAD, len - HEAD, 0);
}

int sc_group_has(const struct sc_group *g, const char *name)
{
    for (size_t i = 0; i < g->n_members && i < SC_GROUP_MEMBERS_MAX; i++)
        if (strcmp(g->members[i], name) == 0)
            return 1;
    return 0;
}

int sc_group_decode(struct sc_group *g, const uint8_t *p, size_t len)
{
    size_t off, nl, n;
    int rc;
    memset(g, 0, sizeof *g);
    if (len < SC_GROUP_ID_BYTES + 4 + 1)
        return SOTTO_ERR_INVALID_MESSAGE;
    memcpy(g->id, p, SC_GROUP_ID_BYTES);
    g->version = be32(p + SC_GROUP_ID_BYTES);
    nl = p[SC_GROUP_ID_BYTES + 4];
    off = SC_GROUP_ID_BYTES + 5;
    if (nl == 0 || nl > SC_GROUP_NAME_MAX || len - off < nl + 1 ||
        !sc_device_name_valid(p + off, nl) || memchr(p + off, 0, nl) != NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    memcpy(g->name, p + off, nl);
    off += nl;
    n = p[off++];
    if (n == 0 || n > SC_GROUP_MEMBERS_MAX)
        return SOTTO_ERR_INVALID_MESSAGE;
    for (size_t i = 0; i < n; i++) {
        char name[SC_NAME_MAX + 1];
        if (len - off < 1 || len - off - 1 < p[off])
            return SOTTO_ERR_INVALID_MESSAGE;
        rc = take_name(name, p + off + 1, p[off]);
        if (rc != SOTTO_OK || sc_group_has(g, name))
            return SOTTO_ERR_INVALID_MESSAGE;
        off += 1 + (size_t)p[off];
        memcpy(g->members[g->n_members++], name, sizeof name);
    }
    return off == len ? SOTTO_OK : SOTTO_ERR_INVALID_MESSAGE;
}

int sc_group_encode(uint8_t *out, size_t cap, size_t *len, const struct sc_group *g)
{
    struct sc_group chk;
    size_t nl = strlen(g->name), off;
    *len = 0;
    if (cap < SC_GROUP_STATE_MAX || nl == 0 || nl > SC_GROUP_NAME_MAX || g->n_members == 0 ||
        g->n_members > SC_GROUP_MEMBERS_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    memcpy(out, g->id, SC_GROUP_ID_BYTES);
    put32(out + SC_GROUP_ID_BYTES, g->version);
    out[SC_GROUP_ID_BYTES + 4] = (uint8_t)nl;
    memcpy(out + SC_GROUP_ID_BYTES + 5, g->name, nl);
    off = SC_GROUP_ID_BYTES + 5 + nl;
    out[off++] = (uint8_t)g->n_members;
    for (size_t i = 0; i < g->n_members; i++) {
        size_t ml = strnlen(g->members[i], SC_NAME_MAX + 1);
        if (ml > SC_NAME_MAX)
            return SOTTO_ERR_INVALID_ARGUMENT;
        out[off++] = (uint8_t)ml;
        memcpy(out + off, g->members[i], ml);
        off += ml;
    }
    /* What we send must be what every receiver accepts. */
    if (sc_group_decode(&chk, out, off) != SOTTO_OK)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *len = off;
    return SOTTO_OK;
}

static int decode_transcript(struct sc_content *c, const uint8_t *p, size_t len)
{
    size_t nl;
    int rc;
    if (len < 2)
        return SOTTO_ERR_INVALID_MESSAGE;
    nl = p[1];
    if (len < 2 + nl + 16 + 1)
        return SOTTO_ERR_INVALID_MESSAGE;
    rc = take_name(c->dest, p + 2, nl);
    if (rc != SOTTO_OK)
        return rc;
    memcpy(c->mid, p + 2 + nl, 16);
    c->inner_kind = p[2 + nl + 16];
    if (c->inner_kind == SC_CONTENT_GROUP_MESSAGE)
        return decode_group_message(c, p + 2 + nl + 16, len - 2 - nl - 16);
    return decode_leaf(c, p + 2 + nl + 16, len - 2 - nl - 16, 1);
}

static int decode_history(struct sc_content *c, const uint8_t *p, size_t len)
{
    struct sc_history_item it;
    const uint8_t *q;
    size_t left, n = 0;
    int rc;
    if (len < 7)
        return SOTTO_ERR_INVALID_MESSAGE;
    c->for_device = be32(p + 1);
    c->n_items = (size_t)p[5] << 8 | p[6];
    c->items = p + 7;
    c->items_len = len - 7;
    /* Walk every item now, so a caller never acts on half a batch. */
    q = c->items;
    left = c->items_len;
    while ((rc = sc_history_next(&it, &q, &left)) == SOTTO_OK)
        n++;
    if (rc != SOTTO_ERR_NOT_FOUND || n != c->n_items)
        return SOTTO_ERR_INVALID_MESSAGE;
    return SOTTO_OK;
}

int sc_content_decode(struct sc_content *c, const uint8_t *p, size_t len)
{
    memset(c, 0, sizeof *c);
    if (p == NULL || len < 1)
        return SOTTO_ERR_INVALID_MESSAGE;
    c->kind = p[0];
    switch (p[0]) {
    case SC_CONTENT_TEXT:
    case SC_CONTENT_REACTION:
    case SC_CONTENT_ATTACHMENT:
    case SC_CONTENT_TIMER:
        c->inner_kind = p[0];
        return decode_leaf(c, p, len, 1);
    case SC_CONTENT_TRANSCRIPT:
        return decode_transcript(c, p, len);
    case SC_CONTENT_RECEIPT:
        if (len < 2 || (p[1] != SC_RECEIPT_DELIVERED && p[1] != SC_RECEIPT_READ))
            return SOTTO_ERR_INVALID_MESSAGE;
        c->receipt = p[1];
        return decode_ids(c, p + 2, len - 2);
    case SC_CONTENT_TYPING:
        if (len != 2 || p[1] > 1)
            return SOTTO_ERR_INVALID_MESSAGE;
        c->typing = p[1];
        return SOTTO_OK;
    case SC_CONTENT_HISTORY:
        return decode_history(c, p, len);
    case SC_CONTENT_READ_SYNC:
        return decode_ids(c, p + 1, len - 1);
    case SC_CONTENT_DEVICE_NAME:
        if (len < 5 || !sc_device_name_valid(p + 5, len - 5))
            return SOTTO_ERR_INVALID_MESSAGE;
        c->for_device = be32(p + 1);
        c->body = p + 5;
        c->body_len = len - 5;
        return SOTTO_OK;
    case SC_CONTENT_GROUP_STATE: {
        struct sc_group g;
        int rc = sc_group_decode(&g, p + 1, len - 1);
        if (rc != SOTTO_OK)
            return rc;
        c->has_gid = 1;
        memcpy(c->gid, g.id, SC_GROUP_ID_BYTES);
        c->body = p + 1;
        c->body_len = len - 1;
        return SOTTO_OK;
    }
    case SC_CONTENT_SENDER_KEY:
        if (len < 1 + SC_GROUP_ID_BYTES + 1 || len - 1 - SC_GROUP_ID_BYTES > SC_SKDM_MAX)
            return SOTTO_ERR_INVALID_MESSAGE;
        c->has_gid = 1;
        memcpy(c->gid, p + 1, SC_GROUP_ID_BYTES);
        c->body = p + 1 + SC_GROUP_ID_BYTES;
        c->body_len = len - 1 - SC_GROUP_ID_BYTES;
        return SOTTO_OK;
    case SC_CONTENT_GROUP_MESSAGE:
        return decode_group_message(c, p, len);
    default:
        return SOTTO_ERR_INVALID_MESSAGE;
    }
}

int sc_history_next(struct sc_history_item *it, const uint8_t **p, size_t *left)
{
    const uint8_t *q = *p;
    struct sc_content leaf;
    size_t n = *left, nl, il;
    int rc;

    memset(it, 0, sizeof *it);
    if (n == 0)
        return SOTTO_ERR_NOT_FOUND;
    if (n < 1 + 1 + 8 + 8 + 1)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (q[0] > 1)
        return SOTTO_ERR_INVALID_MESSAGE;
    it->outgoing = q[0];
    it->status = q[1];
    if (it->outgoing ? (it->status < SC_MSG_SENT || it->status > SC_MSG_READ)
                     : (it->status != SC_MSG_RECEIVED && it->status != SC_MSG_READ))
        return SOTTO_ERR_INVALID_MESSAGE;
    it->ts = (int64_t)be64(q + 2);
    it->expires_at = (int64_t)be64(q + 10);
    if (it->ts < 0 || it->expires_at < 0)
        return SOTTO_ERR_INVALID_MESSAGE;
    nl = q[18];
    q += 19;
    n -= 19;
    if (n < nl + 16 + 4)
        return SOTTO_ERR_INVALID_MESSAGE;
    rc = take_name(it->peer, q, nl);
    if (rc != SOTTO_OK)
        return rc;
    sc_mid_from_bytes(it->mid, q + nl);
    il = be32(q + nl + 16);
    q += nl + 20;
    n -= nl + 20;
    if (il > n)
        return SOTTO_ERR_INVALID_MESSAGE;
    memset(&leaf, 0, sizeof leaf);
    rc = decode_leaf(&leaf, q, il, 0);
    if (rc != SOTTO_OK)
        return rc;
    it->kind = q[0] == SC_CONTENT_REACTION     ? SC_KIND_REACTION
               : q[0] == SC_CONTENT_ATTACHMENT ? SC_KIND_ATTACHMENT
                                               : SC_KIND_TEXT;
    it->body = leaf.body;
    it->body_len = leaf.body_len;
    if (it->kind == SC_KIND_REACTION)
        sc_mid_from_bytes(it->target, leaf.target);
    *p = q + il;
    *left = n - il;
    return SOTTO_OK;
}

void sc_history_item_message(struct sc_message *m, const struct sc_history_item *it)
{
    memset(m, 0, sizeof *m);
    memcpy(m->mid, it->mid, sizeof m->mid);
    memcpy(m->peer, it->peer, sizeof m->peer);
    memcpy(m->target, it->target, sizeof m->target);
    m->outgoing = it->outgoing;
    m->status = it->status;
    m->ts = it->ts;
    m->expires_at = it->expires_at;
    m->kind = it->kind;
    m->body = (uint8_t *)it->body;
    m->body_len = it->body_len;
}

int sc_content_for_message(uint8_t **out, size_t *len, int kind, const uint8_t *body,
                           size_t body_len, const char *target)
{
    uint8_t *c = NULL, *d = NULL;
    size_t cl = 0, dl = 0;
    int rc = SOTTO_OK;

    *out = NULL;
    *len = 0;
    if (body_len > SC_BODY_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (kind == SC_KIND_ATTACHMENT) {
        struct sc_attach *a = malloc(sizeof *a);
        if (a == NULL)
            return SOTTO_ERR_NOMEM;
        rc = sc_attach_decode(a, body, body_len, 1);
        if (rc == SOTTO_OK)
            rc = sc_attach_encode(&d, &dl, a, 0); /* without our local path */
        st_wipe(a, sizeof *a);
        free(a);
        if (rc != SOTTO_OK)
            return rc;
        body = d;
        body_len = dl;
    } else if (kind == SC_KIND_REACTION && (body_len == 0 || body_len > SC_EMOJI_MAX)) {
        return SOTTO_ERR_INVALID_ARGUMENT;
    }
    cl = 1 + (kind == SC_KIND_REACTION ? 16 : 0) + body_len;
    c = malloc(cl);
    if (c == NULL) {
        rc = SOTTO_ERR_NOMEM;
        goto out;
    }
    if (kind == SC_KIND_REACTION) {
        c[0] = SC_CONTENT_REACTION;
        rc = sc_mid_to_bytes(c + 1, target);
        memcpy(c + 17, body, body_len);
    } else {
        c[0] = kind == SC_KIND_ATTACHMENT ? SC_CONTENT_ATTACHMENT : SC_CONTENT_TEXT;
        memcpy(c + 1, body, body_len);
    }
out:
    if (d != NULL)
        sc_free_secret(d, dl);
    if (rc != SOTTO_OK) {
        if (c != NULL)
            sc_free_secret(c, cl);
        return rc;
    }
    *out = c;
    *len = cl;
    return SOTTO_OK;
}

int sc_content_transcript(uint8_t **out, size_t *len, const char *dest, const char *mid,
                          const uint8_t *inner, size_t inner_len)
{
    size_t nl = strlen(dest), cl = 2 + nl + 16 + inner_len;
    uint8_t *c;
    int rc;

    *out = NULL;
    *len = 0;
    if (!sc_name_valid(dest) || inner_len < 1)
        return SOTTO_ERR_INVALID_ARGUMENT;
    c = malloc(cl);
    if (c == NULL)
        return SOTTO_ERR_NOMEM;
    c[0] = SC_CONTENT_TRANSCRIPT;
    c[1] = (uint8_t)nl;
    memcpy(c + 2, dest, nl);
    rc = sc_mid_to_bytes(c + 2 + nl, mid);
    if (rc != SOTTO_OK) {
        free(c);
        return rc;
    }
    memcpy(c + 2 + nl + 16, inner, inner_len);
    *out = c;
    *len = cl;
    return SOTTO_OK;
}

int sc_history_append(uint8_t *buf, size_t cap, size_t *len, const struct sc_message *m)
{
    uint8_t *inner = NULL;
    size_t il = 0, nl = strlen(m->peer), need;
    int rc;

    if (m->outgoing ? (m->status < SC_MSG_SENT || m->status > SC_MSG_READ)
                    : (m->status != SC_MSG_RECEIVED && m->status != SC_MSG_READ))
        return SOTTO_ERR_NOT_FOUND;
    if (!sc_name_valid(m->peer))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (m->gid[0] != 0)
        return SOTTO_ERR_NOT_FOUND; /* group messages: not in this slice */
    rc = sc_content_for_message(&inner, &il, m->kind, m->body, m->body_len, m->target);
    if (rc != SOTTO_OK)
        return rc;
    need = 19 + nl + 16 + 4 + il;
    if (*len + need > cap) {
        rc = SOTTO_ERR_TOO_LARGE;
        goto out;
    }
    buf += *len;
    buf[0] = (uint8_t)(m->outgoing ? 1 : 0);
    buf[1] = (uint8_t)m->status;
    put64(buf + 2, (uint64_t)(m->ts > 0 ? m->ts : 0));
    put64(buf + 10, (uint64_t)(m->expires_at > 0 ? m->expires_at : 0));
    buf[18] = (uint8_t)nl;
    memcpy(buf + 19, m->peer, nl);
    rc = sc_mid_to_bytes(buf + 19 + nl, m->mid);
    if (rc != SOTTO_OK)
        goto out;
    put32(buf + 19 + nl + 16, (uint32_t)il);
    memcpy(buf + 19 + nl + 20, inner, il);
    *len += need;
out:
    sc_free_secret(inner, il);
    return rc;
}
