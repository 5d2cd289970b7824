/*
 * The sender-key chain (signal-wire.md section 6; libsignal sender_keys.rs):
 *
 *   message-key seed = HMAC-SHA256(chain key, 0x01)
 *   next chain key   = HMAC-SHA256(chain key, 0x02)
 *   HKDF-SHA256(no salt, seed, "WhisperGroup", 48) = IV 16 || cipher key 32
 *
 * and the receiving side's walk along it: skipped keys kept (at most
 * ST_SK_MAX_MESSAGE_KEYS, oldest dropped), no jump over
 * ST_SK_MAX_FORWARD_JUMPS, an iteration behind the chain with no stored key
 * is a duplicate.
 */
#include <stdlib.h>
#include <string.h>

#include "group/sender_key.h"

static const uint8_t MESSAGE_KEY_SEED = 0x01;
static const uint8_t CHAIN_KEY_SEED = 0x02;
static const char GROUP_INFO[] = "WhisperGroup";

void st_sk_message_seed(uint8_t seed[ST_SK_SEED_BYTES], const uint8_t ck[ST_SK_CHAIN_KEY_BYTES])
{
    st_hmac_sha256(seed, ck, ST_SK_CHAIN_KEY_BYTES, &MESSAGE_KEY_SEED, 1);
}

static void next_chain_key(uint8_t out[ST_SK_CHAIN_KEY_BYTES],
                           const uint8_t ck[ST_SK_CHAIN_KEY_BYTES])
{
    st_hmac_sha256(out, ck, ST_SK_CHAIN_KEY_BYTES, &CHAIN_KEY_SEED, 1);
}

int st_sk_message_keys(uint8_t iv[ST_SK_IV_BYTES], uint8_t key[ST_AES256_KEY_BYTES],
                       const uint8_t seed[ST_SK_SEED_BYTES])
{
    uint8_t okm[ST_SK_IV_BYTES + ST_AES256_KEY_BYTES];
    int rc;

    rc = st_hkdf_sha256(okm, sizeof okm, NULL, 0, seed, ST_SK_SEED_BYTES,
                        (const uint8_t *)GROUP_INFO, sizeof GROUP_INFO - 1);
    if (rc != SOTTO_OK)
        goto out;
    /* IV first, unlike the 1:1 message keys. */
    memcpy(iv, okm, ST_SK_IV_BYTES);
    memcpy(key, okm + ST_SK_IV_BYTES, ST_AES256_KEY_BYTES);
out:
    st_wipe(okm, sizeof okm);
    return rc;
}

int st_sk_state_step(struct st_sk_state *s)
{
    uint8_t next[ST_SK_CHAIN_KEY_BYTES];

    if (s->iteration == UINT32_MAX)
        return SOTTO_ERR_INVALID_STATE; /* the chain has no next key */
    next_chain_key(next, s->chain_key);
    memcpy(s->chain_key, next, sizeof next);
    s->iteration++;
    st_wipe(next, sizeof next);
    return SOTTO_OK;
}

/* A stored skipped key for iteration, removed from the list; 0 if none. */
static int take_skipped(uint8_t seed[ST_SK_SEED_BYTES], struct st_sk_state *s, uint32_t iteration)
{
    for (size_t i = 0; i < s->n_skipped; i++) {
        if (s->skipped[i].iteration != iteration)
            continue;
        memcpy(seed, s->skipped[i].seed, ST_SK_SEED_BYTES);
        st_wipe(&s->skipped[i], sizeof s->skipped[i]);
        memmove(&s->skipped[i], &s->skipped[i + 1], (s->n_skipped - i - 1) * sizeof s->skipped[0]);
        s->n_skipped--;
        st_wipe(&s->skipped[s->n_skipped], sizeof s->skipped[0]);
        return 1;
    }
    return 0;
}

/*
 * Room for `adding` more keys: the oldest ones go so that at most
 * ST_SK_MAX_MESSAGE_KEYS remain after the additions. Returns how many of
 * the new keys themselves fall off the front (keys the walk need not keep).
 */
static size_t make_room(struct st_sk_state *s, size_t adding)
{
    size_t total = s->n_skipped + adding, drop, from_old;

    if (total <= ST_SK_MAX_MESSAGE_KEYS)
        return 0;
    drop = total - ST_SK_MAX_MESSAGE_KEYS;
    from_old = drop < s->n_skipped ? drop : s->n_skipped;
    st_wipe(s->skipped, from_old * sizeof s->skipped[0]);
    memmove(s->skipped, s->skipped + from_old, (s->n_skipped - from_old) * sizeof s->skipped[0]);
    s->n_skipped -= from_old;
    st_wipe(s->skipped + s->n_skipped, from_old * sizeof s->skipped[0]);
    return drop - from_old;
}

int st_sk_state_key_for(uint8_t seed[ST_SK_SEED_BYTES], struct st_sk_state *s, uint32_t iteration)
{
    size_t jump, skip_new;
    int rc;

    if (iteration < s->iteration) {
        if (take_skipped(seed, s, iteration))
            return SOTTO_OK;
        return SOTTO_ERR_DUPLICATE_MESSAGE;
    }
    jump = iteration - s->iteration;
    if (jump > ST_SK_MAX_FORWARD_JUMPS)
        return SOTTO_ERR_TOO_FAR_AHEAD;
    /* The chain must be able to move past `iteration`; check before any change. */
    if (iteration == UINT32_MAX)
        return SOTTO_ERR_INVALID_STATE;
    if (jump > 0 && s->skipped == NULL) {
        s->skipped = calloc(ST_SK_MAX_MESSAGE_KEYS, sizeof s->skipped[0]);
        if (s->skipped == NULL)
            return SOTTO_ERR_NOMEM;
    }
    skip_new = make_room(s, jump);
    for (size_t k = 0; s->iteration < iteration; k++) {
        if (k >= skip_new) {
            struct st_sk_skipped *e = &s->skipped[s->n_skipped++];
            e->iteration = s->iteration;
            st_sk_message_seed(e->seed, s->chain_key);
        }
        if ((rc = st_sk_state_step(s)) != SOTTO_OK)
            return rc; /* cannot happen: iteration < UINT32_MAX */
    }
    st_sk_message_seed(seed, s->chain_key);
    return st_sk_state_step(s);
}
