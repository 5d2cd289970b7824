/*
 * The storage encoding of one session state (lib/proto/storage.proto
 * SessionState): skipped keys packed as counter (4 B big-endian) || seed,
 * every field checked on the way in (sizes, counts, key encodings).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "session/session.h"
#include "storage.pb-c.h"

static ProtobufCBinaryData bin(const uint8_t *p, size_t len)
{
    ProtobufCBinaryData b = {len, (uint8_t *)p};
    return b;
}

static int get32(uint8_t out[ST_KEY_BYTES], protobuf_c_boolean has, ProtobufCBinaryData b)
{
    if (!has || b.len != ST_KEY_BYTES)
        return SOTTO_ERR_INVALID_MESSAGE;
    memcpy(out, b.data, ST_KEY_BYTES);
    return SOTTO_OK;
}

static int get_identity(uint8_t out[ST_KEY_BYTES], protobuf_c_boolean has, ProtobufCBinaryData b)
{
    if (!has)
        return SOTTO_ERR_INVALID_MESSAGE;
    return st_pubkey_decode(out, b.data, b.len);
}

static void put_chain(SottoStorage__ReceiverChain *pc, const struct st_recv_chain *c,
                      uint8_t *skipped)
{
    for (uint32_t j = 0; j < c->nskipped; j++) {
        uint8_t *e = skipped + (size_t)j * ST_SKIPPED_ENTRY_BYTES;
        uint32_t n = c->skipped[j].counter;
        e[0] = (uint8_t)(n >> 24);
        e[1] = (uint8_t)(n >> 16);
        e[2] = (uint8_t)(n >> 8);
        e[3] = (uint8_t)n;
        memcpy(e + 4, c->skipped[j].seed, ST_KEY_BYTES);
    }
    pc->has_ratchet_key = pc->has_chain_key = pc->has_index = 1;
    pc->ratchet_key = bin(c->their_ratchet, ST_KEY_BYTES);
    pc->chain_key = bin(c->ck, ST_KEY_BYTES);
    pc->index = c->index;
    pc->has_skipped = c->nskipped > 0;
    pc->skipped = bin(skipped, (size_t)c->nskipped * ST_SKIPPED_ENTRY_BYTES);
}

static void put_pending(SottoStorage__PendingPreKey *pp, const struct st_pending *p)
{
    pp->has_pre_key_id = p->has_prekey != 0;
    pp->pre_key_id = p->prekey_id;
    pp->has_signed_pre_key_id = 1;
    pp->signed_pre_key_id = p->signed_prekey_id;
    pp->has_base_key = 1;
    pp->base_key = bin(p->base_key, ST_KEY_BYTES);
    pp->has_kyber_pre_key_id = pp->has_kyber_ciphertext = p->has_kyber != 0;
    pp->kyber_pre_key_id = p->kyber_prekey_id;
    pp->kyber_ciphertext = bin(p->kyber_ct, ST_KYBER_CT_BYTES);
    pp->has_timestamp = 1;
    pp->timestamp = p->timestamp;
}

int st_state_serialize(struct st_blob *out, const struct st_state *s)
{
    SottoStorage__SessionState ps = SOTTO_STORAGE__SESSION_STATE__INIT;
    SottoStorage__ReceiverChain pcs[ST_MAX_RECEIVER_CHAINS];
    SottoStorage__ReceiverChain *pcp[ST_MAX_RECEIVER_CHAINS];
    SottoStorage__PendingPreKey pp = SOTTO_STORAGE__PENDING_PRE_KEY__INIT;
    uint8_t li[ST_PUBKEY_BYTES], ri[ST_PUBKEY_BYTES];
    uint8_t *skipped = NULL;
    size_t total = 0, off = 0;
    int rc = SOTTO_ERR_NOMEM;

    out->data = NULL;
    out->len = 0;
    for (uint32_t i = 0; i < s->nrecv; i++)
        total += (size_t)s->recv[i].nskipped * ST_SKIPPED_ENTRY_BYTES;
    if (total > 0 && (skipped = malloc(total)) == NULL)
        goto out;
    st_pubkey_encode(li, s->local_identity);
    st_pubkey_encode(ri, s->remote_identity);
    ps.has_version = 1;
    ps.version = s->version;
    ps.has_local_identity = ps.has_remote_identity = 1;
    ps.local_identity = bin(li, sizeof(li));
    ps.remote_identity = bin(ri, sizeof(ri));
    ps.has_root_key = 1;
    ps.root_key = bin(s->rk, ST_KEY_BYTES);
    ps.has_previous_counter = 1;
    ps.previous_counter = s->pn;
    ps.has_sender_ratchet_public = ps.has_sender_ratchet_private = 1;
    ps.sender_ratchet_public = bin(s->send_pub, ST_KEY_BYTES);
    ps.sender_ratchet_private = bin(s->send_priv, ST_KEY_BYTES);
    ps.has_sender_chain_key = ps.has_sender_chain_index = 1;
    ps.sender_chain_key = bin(s->cks, ST_KEY_BYTES);
    ps.sender_chain_index = s->ns;
    for (uint32_t i = 0; i < s->nrecv; i++) {
        sotto_storage__receiver_chain__init(&pcs[i]);
        put_chain(&pcs[i], &s->recv[i], skipped != NULL ? skipped + off : NULL);
        off += (size_t)s->recv[i].nskipped * ST_SKIPPED_ENTRY_BYTES;
        pcp[i] = &pcs[i];
    }
    ps.n_receiver_chains = s->nrecv;
    ps.receiver_chains = pcp;
    if (s->pending.present) {
        put_pending(&pp, &s->pending);
        ps.pending = &pp;
    }
    ps.has_remote_registration_id = ps.has_local_registration_id = 1;
    ps.remote_registration_id = s->remote_registration_id;
    ps.local_registration_id = s->local_registration_id;
    ps.has_alice_base_key = 1;
    ps.alice_base_key = bin(s->alice_base_key, ST_KEY_BYTES);

    out->len = sotto_storage__session_state__get_packed_size(&ps);
    out->data = malloc(out->len);
    if (out->data == NULL) {
        out->len = 0;
        goto out;
    }
    sotto_storage__session_state__pack(&ps, out->data);
    rc = SOTTO_OK;
out:
    if (skipped != NULL) {
        st_wipe(skipped, total);
        free(skipped);
    }
    return rc;
}

static int parse_chain(struct st_recv_chain *c, const SottoStorage__ReceiverChain *pc)
{
    size_t n;
    int rc;

    if ((rc = get32(c->their_ratchet, pc->has_ratchet_key, pc->ratchet_key)) != SOTTO_OK ||
        (rc = get32(c->ck, pc->has_chain_key, pc->chain_key)) != SOTTO_OK)
        return rc;
    if (!pc->has_index)
        return SOTTO_ERR_INVALID_MESSAGE;
    c->index = pc->index;
    if (!pc->has_skipped || pc->skipped.len == 0)
        return SOTTO_OK;
    if (pc->skipped.len % ST_SKIPPED_ENTRY_BYTES != 0)
        return SOTTO_ERR_INVALID_MESSAGE;
    n = pc->skipped.len / ST_SKIPPED_ENTRY_BYTES;
    if (n > ST_MAX_MESSAGE_KEYS)
        return SOTTO_ERR_TOO_LARGE;
    c->skipped = malloc(n * sizeof(*c->skipped));
    if (c->skipped == NULL)
        return SOTTO_ERR_NOMEM;
    c->cap = c->nskipped = (uint32_t)n;
    for (size_t j = 0; j < n; j++) {
        const uint8_t *e = pc->skipped.data + j * ST_SKIPPED_ENTRY_BYTES;
        c->skipped[j].counter =
            (uint32_t)e[0] << 24 | (uint32_t)e[1] << 16 | (uint32_t)e[2] << 8 | (uint32_t)e[3];
        memcpy(c->skipped[j].seed, e + 4, ST_KEY_BYTES);
    }
    return SOTTO_OK;
}

static int parse_pending(struct st_pending *p, const SottoStorage__PendingPreKey *pp)
{
    int rc;

    p->present = 1;
    p->has_prekey = pp->has_pre_key_id;
    p->prekey_id = pp->pre_key_id;
    if (!pp->has_signed_pre_key_id || !pp->has_timestamp)
        return SOTTO_ERR_INVALID_MESSAGE;
    p->signed_prekey_id = pp->signed_pre_key_id;
    p->timestamp = pp->timestamp;
    if ((rc = get32(p->base_key, pp->has_base_key, pp->base_key)) != SOTTO_OK)
        return rc;
    if (pp->has_kyber_pre_key_id != pp->has_kyber_ciphertext)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (pp->has_kyber_ciphertext) {
        if (pp->kyber_ciphertext.len != ST_KYBER_CT_BYTES)
            return SOTTO_ERR_INVALID_MESSAGE;
        p->has_kyber = 1;
        p->kyber_prekey_id = pp->kyber_pre_key_id;
        memcpy(p->kyber_ct, pp->kyber_ciphertext.data, ST_KYBER_CT_BYTES);
    }
    return SOTTO_OK;
}

static int parse_fields(struct st_state *s, const SottoStorage__SessionState *ps)
{
    int rc;

    if (!ps->has_version || (ps->version != ST_VERSION_X3DH && ps->version != ST_VERSION_PQXDH))
        return SOTTO_ERR_INVALID_VERSION;
    s->version = ps->version;
    if ((rc = get_identity(s->local_identity, ps->has_local_identity, ps->local_identity)) ||
        (rc = get_identity(s->remote_identity, ps->has_remote_identity, ps->remote_identity)) ||
        (rc = get32(s->rk, ps->has_root_key, ps->root_key)) ||
        (rc = get32(s->send_pub, ps->has_sender_ratchet_public, ps->sender_ratchet_public)) ||
        (rc = get32(s->send_priv, ps->has_sender_ratchet_private, ps->sender_ratchet_private)) ||
        (rc = get32(s->cks, ps->has_sender_chain_key, ps->sender_chain_key)) ||
        (rc = get32(s->alice_base_key, ps->has_alice_base_key, ps->alice_base_key)))
        return rc == SOTTO_ERR_INVALID_KEY ? SOTTO_ERR_INVALID_MESSAGE : rc;
    s->pn = ps->previous_counter;
    s->ns = ps->sender_chain_index;
    s->remote_registration_id = ps->remote_registration_id;
    s->local_registration_id = ps->local_registration_id;
    if (ps->n_receiver_chains > ST_MAX_RECEIVER_CHAINS)
        return SOTTO_ERR_TOO_LARGE;
    for (size_t i = 0; i < ps->n_receiver_chains; i++) {
        s->nrecv++;
        if ((rc = parse_chain(&s->recv[i], ps->receiver_chains[i])) != SOTTO_OK)
            return rc;
    }
    if (ps->pending != NULL)
        return parse_pending(&s->pending, ps->pending);
    return SOTTO_OK;
}

int st_state_parse(struct st_state **out, const uint8_t *data, size_t len)
{
    SottoStorage__SessionState *ps;
    struct st_state *s;
    int rc;

    *out = NULL;
    if (len > ST_RECORD_MAX)
        return SOTTO_ERR_TOO_LARGE;
    ps = sotto_storage__session_state__unpack(NULL, len, data);
    if (ps == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    s = st_state_new();
    if (s == NULL) {
        rc = SOTTO_ERR_NOMEM;
        goto out;
    }
    rc = parse_fields(s, ps);
    if (rc != SOTTO_OK) {
        st_state_free(s);
        goto out;
    }
    *out = s;
out:
    sotto_storage__session_state__free_unpacked(ps, NULL);
    return rc;
}
