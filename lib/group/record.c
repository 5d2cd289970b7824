/*
 * The sender-key record: up to ST_SK_MAX_STATES states per (sender,
 * distribution id), newest first, and its stored form (group.proto
 * SenderKeyRecordStructure, laid out as libsignal's storage.proto).
 * libsignal sender_keys.rs SenderKeyRecord is the behaviour followed.
 */
#include <stdlib.h>
#include <string.h>

#include "group.pb-c.h"
#include "group/sender_key.h"

typedef Sotto__Group__SenderKeyRecordStructure pb_record;
typedef Sotto__Group__SenderKeyStateStructure pb_state;
typedef Sotto__Group__SenderKeyStateStructure__SenderChainKey pb_chain;
typedef Sotto__Group__SenderKeyStateStructure__SenderMessageKey pb_mkey;
typedef Sotto__Group__SenderKeyStateStructure__SenderSigningKey pb_sign;

void st_sk_record_init(struct st_sk_record *r)
{
    memset(r, 0, sizeof *r);
}

static void state_clear(struct st_sk_state *s)
{
    if (s->skipped != NULL) {
        st_wipe(s->skipped, ST_SK_MAX_MESSAGE_KEYS * sizeof s->skipped[0]);
        free(s->skipped);
    }
    st_wipe(s, sizeof *s);
}

void st_sk_record_clear(struct st_sk_record *r)
{
    for (size_t i = 0; i < r->n; i++)
        state_clear(&r->states[i]);
    st_wipe(r, sizeof *r);
}

struct st_sk_state *st_sk_record_find(struct st_sk_record *r, uint32_t chain_id)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->states[i].chain_id == chain_id)
            return &r->states[i];
    }
    return NULL;
}

/* Removes states[i], keeping the order of the rest; returns it in *out. */
static void take_state(struct st_sk_state *out, struct st_sk_record *r, size_t i)
{
    *out = r->states[i];
    memmove(&r->states[i], &r->states[i + 1], (r->n - i - 1) * sizeof r->states[0]);
    r->n--;
    memset(&r->states[r->n], 0, sizeof r->states[0]);
}

void st_sk_record_add(struct st_sk_record *r, uint32_t version, uint32_t chain_id,
                      uint32_t iteration, const uint8_t chain_key[ST_SK_CHAIN_KEY_BYTES],
                      const uint8_t signing_pub[ST_PUBKEY_BYTES], const uint8_t *signing_priv)
{
    struct st_sk_state st, dropped;
    int have = 0;

    /* Keep an existing state for the same key (and its chain position). */
    for (size_t i = 0; i < r->n; i++) {
        if (r->states[i].chain_id == chain_id &&
            memcmp(r->states[i].signing_pub, signing_pub, ST_PUBKEY_BYTES) == 0) {
            take_state(&st, r, i);
            have = 1;
            break;
        }
    }
    /* Any other state with this chain id (a different key) goes. */
    for (size_t i = 0; i < r->n;) {
        if (r->states[i].chain_id != chain_id) {
            i++;
            continue;
        }
        take_state(&dropped, r, i);
        state_clear(&dropped);
    }
    if (!have) {
        memset(&st, 0, sizeof st);
        st.version = version;
        st.chain_id = chain_id;
        st.iteration = iteration;
        memcpy(st.chain_key, chain_key, ST_SK_CHAIN_KEY_BYTES);
        memcpy(st.signing_pub, signing_pub, ST_PUBKEY_BYTES);
        if (signing_priv != NULL) {
            memcpy(st.signing_priv, signing_priv, ST_X25519_BYTES);
            st.has_priv = 1;
        }
    }
    while (r->n >= ST_SK_MAX_STATES)
        state_clear(&r->states[--r->n]);
    memmove(&r->states[1], &r->states[0], r->n * sizeof r->states[0]);
    r->states[0] = st;
    r->n++;
    st_wipe(&st, sizeof st);
}

/* ---- stored form ---- */

static int bytes_ok(protobuf_c_boolean has, const ProtobufCBinaryData *b, size_t len)
{
    return has && b->len == len;
}

static int parse_skipped(struct st_sk_state *s, const pb_state *p)
{
    if (p->n_sender_message_keys > ST_SK_MAX_MESSAGE_KEYS)
        return SOTTO_ERR_INVALID_STATE;
    if (p->n_sender_message_keys == 0)
        return SOTTO_OK;
    s->skipped = calloc(ST_SK_MAX_MESSAGE_KEYS, sizeof s->skipped[0]);
    if (s->skipped == NULL)
        return SOTTO_ERR_NOMEM;
    for (size_t i = 0; i < p->n_sender_message_keys; i++) {
        const pb_mkey *k = p->sender_message_keys[i];
        if (!bytes_ok(k->has_seed, &k->seed, ST_SK_SEED_BYTES))
            return SOTTO_ERR_INVALID_STATE;
        s->skipped[i].iteration = k->iteration; /* absent = 0, as proto3 */
        memcpy(s->skipped[i].seed, k->seed.data, ST_SK_SEED_BYTES);
        s->n_skipped++;
    }
    return SOTTO_OK;
}

static int parse_state(struct st_sk_state *s, const pb_state *p)
{
    const pb_chain *c = p->sender_chain_key;
    const pb_sign *g = p->sender_signing_key;

    /* Absent scalars read as 0 (proto3 in libsignal); version 0 means 3. */
    s->version = p->message_version == 0 ? ST_SK_VERSION : p->message_version;
    s->chain_id = p->chain_id;
    if (c == NULL || !bytes_ok(c->has_seed, &c->seed, ST_SK_CHAIN_KEY_BYTES))
        return SOTTO_ERR_INVALID_STATE;
    s->iteration = c->iteration;
    memcpy(s->chain_key, c->seed.data, ST_SK_CHAIN_KEY_BYTES);
    if (g == NULL || !bytes_ok(g->has_public_key, &g->public_key, ST_PUBKEY_BYTES) ||
        g->public_key.data[0] != ST_PUBKEY_TYPE_DJB)
        return SOTTO_ERR_INVALID_STATE;
    memcpy(s->signing_pub, g->public_key.data, ST_PUBKEY_BYTES);
    if (g->has_private_key && g->private_key.len > 0) {
        if (g->private_key.len != ST_X25519_BYTES)
            return SOTTO_ERR_INVALID_STATE;
        memcpy(s->signing_priv, g->private_key.data, ST_X25519_BYTES);
        s->has_priv = 1;
    }
    return parse_skipped(s, p);
}

int st_sk_record_parse(struct st_sk_record *r, const uint8_t *in, size_t len)
{
    pb_record *p = NULL;
    int rc = SOTTO_ERR_INVALID_STATE;

    st_sk_record_init(r);
    if (len > SOTTO_GROUP_RECORD_MAX)
        return SOTTO_ERR_TOO_LARGE;
    p = sotto__group__sender_key_record_structure__unpack(NULL, len, in);
    if (p == NULL || p->n_sender_key_states > ST_SK_MAX_STATES)
        goto out;
    for (size_t i = 0; i < p->n_sender_key_states; i++) {
        r->n++;
        if ((rc = parse_state(&r->states[i], p->sender_key_states[i])) != SOTTO_OK)
            goto out;
    }
    rc = SOTTO_OK;
out:
    if (p != NULL) {
        /* The unpacked copy holds keys: wipe before freeing. */
        for (size_t i = 0; i < p->n_sender_key_states; i++) {
            pb_state *s = p->sender_key_states[i];
            if (s->sender_chain_key != NULL && s->sender_chain_key->seed.data != NULL)
                st_wipe(s->sender_chain_key->seed.data, s->sender_chain_key->seed.len);
            if (s->sender_signing_key != NULL && s->sender_signing_key->private_key.data != NULL)
                st_wipe(s->sender_signing_key->private_key.data,
                        s->sender_signing_key->private_key.len);
            for (size_t k = 0; k < s->n_sender_message_keys; k++) {
                if (s->sender_message_keys[k]->seed.data != NULL)
                    st_wipe(s->sender_message_keys[k]->seed.data,
                            s->sender_message_keys[k]->seed.len);
            }
        }
        sotto__group__sender_key_record_structure__free_unpacked(p, NULL);
    }
    if (rc != SOTTO_OK)
        st_sk_record_clear(r);
    return rc;
}

/* Protobuf views of one state; they point into the state, nothing owned
 * but the message-key arrays. */
struct state_view {
    pb_state st;
    pb_chain chain;
    pb_sign sign;
    pb_mkey *keys;
    pb_mkey **key_ptrs;
};

static int view_state(struct state_view *v, const struct st_sk_state *s)
{
    pb_state st = SOTTO__GROUP__SENDER_KEY_STATE_STRUCTURE__INIT;
    pb_chain chain = SOTTO__GROUP__SENDER_KEY_STATE_STRUCTURE__SENDER_CHAIN_KEY__INIT;
    pb_sign sign = SOTTO__GROUP__SENDER_KEY_STATE_STRUCTURE__SENDER_SIGNING_KEY__INIT;
    pb_mkey key = SOTTO__GROUP__SENDER_KEY_STATE_STRUCTURE__SENDER_MESSAGE_KEY__INIT;

    v->st = st;
    v->chain = chain;
    v->sign = sign;
    v->keys = NULL;
    v->key_ptrs = NULL;
    v->chain.has_iteration = 1;
    v->chain.iteration = s->iteration;
    v->chain.has_seed = 1;
    v->chain.seed.data = (uint8_t *)s->chain_key;
    v->chain.seed.len = ST_SK_CHAIN_KEY_BYTES;
    v->sign.has_public_key = 1;
    v->sign.public_key.data = (uint8_t *)s->signing_pub;
    v->sign.public_key.len = ST_PUBKEY_BYTES;
    v->sign.has_private_key = s->has_priv ? 1 : 0;
    v->sign.private_key.data = (uint8_t *)s->signing_priv;
    v->sign.private_key.len = s->has_priv ? ST_X25519_BYTES : 0;
    v->st.has_chain_id = 1;
    v->st.chain_id = s->chain_id;
    v->st.has_message_version = 1;
    v->st.message_version = s->version;
    v->st.sender_chain_key = &v->chain;
    v->st.sender_signing_key = &v->sign;
    if (s->n_skipped == 0)
        return SOTTO_OK;
    v->keys = calloc(s->n_skipped, sizeof v->keys[0]);
    v->key_ptrs = calloc(s->n_skipped, sizeof v->key_ptrs[0]);
    if (v->keys == NULL || v->key_ptrs == NULL)
        return SOTTO_ERR_NOMEM;
    for (size_t i = 0; i < s->n_skipped; i++) {
        v->keys[i] = key;
        v->keys[i].has_iteration = 1;
        v->keys[i].iteration = s->skipped[i].iteration;
        v->keys[i].has_seed = 1;
        v->keys[i].seed.data = (uint8_t *)s->skipped[i].seed;
        v->keys[i].seed.len = ST_SK_SEED_BYTES;
        v->key_ptrs[i] = &v->keys[i];
    }
    v->st.n_sender_message_keys = s->n_skipped;
    v->st.sender_message_keys = v->key_ptrs;
    return SOTTO_OK;
}

int st_sk_record_serialize(uint8_t **out, size_t *out_len, const struct st_sk_record *r)
{
    pb_record rec = SOTTO__GROUP__SENDER_KEY_RECORD_STRUCTURE__INIT;
    struct state_view views[ST_SK_MAX_STATES];
    pb_state *ptrs[ST_SK_MAX_STATES];
    size_t len;
    int rc = SOTTO_OK;

    *out = NULL;
    *out_len = 0;
    memset(views, 0, sizeof views);
    for (size_t i = 0; i < r->n; i++) {
        if ((rc = view_state(&views[i], &r->states[i])) != SOTTO_OK)
            goto out;
        ptrs[i] = &views[i].st;
    }
    rec.n_sender_key_states = r->n;
    rec.sender_key_states = ptrs;
    len = sotto__group__sender_key_record_structure__get_packed_size(&rec);
    /* malloc(0) may return NULL; an empty record is zero bytes. */
    *out = malloc(len > 0 ? len : 1);
    if (*out == NULL) {
        rc = SOTTO_ERR_NOMEM;
        goto out;
    }
    *out_len = sotto__group__sender_key_record_structure__pack(&rec, *out);
out:
    for (size_t i = 0; i < r->n; i++) {
        free(views[i].keys);
        free(views[i].key_ptrs);
    }
    return rc;
}
