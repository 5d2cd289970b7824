/*
 * One session state (libsignal's SessionState): allocation, deep copy,
 * receiver chains and skipped message keys with libsignal's limits. The
 * storage encoding is in state_codec.c.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "session/session.h"

struct st_state *st_state_new(void)
{
    return calloc(1, sizeof(struct st_state));
}

static void chain_clear(struct st_recv_chain *c)
{
    if (c->skipped != NULL) {
        st_wipe(c->skipped, c->cap * sizeof(*c->skipped));
        free(c->skipped);
    }
    st_wipe(c, sizeof(*c));
}

void st_state_free(struct st_state *s)
{
    if (s == NULL)
        return;
    for (uint32_t i = 0; i < s->nrecv; i++)
        chain_clear(&s->recv[i]);
    st_wipe(s, sizeof(*s));
    free(s);
}

int st_state_copy(struct st_state **out, const struct st_state *s)
{
    struct st_state *c = malloc(sizeof(*c));

    *out = NULL;
    if (c == NULL)
        return SOTTO_ERR_NOMEM;
    memcpy(c, s, sizeof(*c));
    for (uint32_t i = 0; i < c->nrecv; i++) {
        c->recv[i].skipped = NULL;
        c->recv[i].cap = 0;
    }
    for (uint32_t i = 0; i < c->nrecv; i++) {
        const struct st_recv_chain *src = &s->recv[i];
        if (src->nskipped == 0) {
            c->recv[i].nskipped = 0;
            continue;
        }
        c->recv[i].skipped = malloc(src->nskipped * sizeof(*src->skipped));
        if (c->recv[i].skipped == NULL) {
            st_state_free(c);
            return SOTTO_ERR_NOMEM;
        }
        c->recv[i].cap = src->nskipped;
        memcpy(c->recv[i].skipped, src->skipped, src->nskipped * sizeof(*src->skipped));
    }
    *out = c;
    return SOTTO_OK;
}

void st_state_add_recv(struct st_state *s, const uint8_t their[ST_KEY_BYTES],
                       const uint8_t ck[ST_KEY_BYTES])
{
    struct st_recv_chain *c;

    if (s->nrecv == ST_MAX_RECEIVER_CHAINS) {
        chain_clear(&s->recv[0]);
        memmove(&s->recv[0], &s->recv[1], (ST_MAX_RECEIVER_CHAINS - 1) * sizeof(s->recv[0]));
        s->nrecv--;
    }
    c = &s->recv[s->nrecv++];
    memset(c, 0, sizeof(*c));
    memcpy(c->their_ratchet, their, ST_KEY_BYTES);
    memcpy(c->ck, ck, ST_KEY_BYTES);
}

struct st_recv_chain *st_state_find_recv(struct st_state *s, const uint8_t their[ST_KEY_BYTES])
{
    for (uint32_t i = 0; i < s->nrecv; i++) {
        if (memcmp(s->recv[i].their_ratchet, their, ST_KEY_BYTES) == 0)
            return &s->recv[i];
    }
    return NULL;
}

static int grow(struct st_recv_chain *c, uint32_t want)
{
    struct st_skipped *n;

    if (want <= c->cap)
        return SOTTO_OK;
    n = realloc(c->skipped, want * sizeof(*n));
    if (n == NULL)
        return SOTTO_ERR_NOMEM;
    c->skipped = n;
    c->cap = want;
    return SOTTO_OK;
}

int st_chain_reserve_skipped(struct st_recv_chain *c, uint32_t n)
{
    uint32_t drop;

    if (n > ST_MAX_MESSAGE_KEYS)
        n = ST_MAX_MESSAGE_KEYS;
    drop = c->nskipped + n > ST_MAX_MESSAGE_KEYS ? c->nskipped + n - ST_MAX_MESSAGE_KEYS : 0;
    if (drop > 0) {
        st_wipe(c->skipped, drop * sizeof(c->skipped[0]));
        memmove(&c->skipped[0], &c->skipped[drop], (c->nskipped - drop) * sizeof(c->skipped[0]));
        c->nskipped -= drop;
    }
    return grow(c, c->nskipped + n);
}

int st_chain_push_skipped(struct st_recv_chain *c, uint32_t counter,
                          const uint8_t seed[ST_KEY_BYTES])
{
    if (c->nskipped == ST_MAX_MESSAGE_KEYS) {
        /* libsignal drops the oldest key once the chain holds 2000. */
        memmove(&c->skipped[0], &c->skipped[1], (c->nskipped - 1) * sizeof(c->skipped[0]));
        c->nskipped--;
    }
    if (c->nskipped == c->cap) {
        uint32_t ncap = c->cap == 0 ? 16 : c->cap * 2;
        int rc = grow(c, ncap > ST_MAX_MESSAGE_KEYS ? ST_MAX_MESSAGE_KEYS : ncap);
        if (rc != SOTTO_OK)
            return rc;
    }
    c->skipped[c->nskipped].counter = counter;
    memcpy(c->skipped[c->nskipped].seed, seed, ST_KEY_BYTES);
    c->nskipped++;
    return SOTTO_OK;
}
