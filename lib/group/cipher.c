/*
 * Group messaging with sender keys: the public API over the caller's store
 * (signal-wire.md section 6; libsignal group_cipher.rs is the behaviour
 * followed). Every operation loads the record, works on the parsed copy and
 * saves only after success, so a failure never changes what is stored.
 */
#include <stdlib.h>
#include <string.h>

#include "group/sender_key.h"

struct who {
    const char *name;
    uint32_t device;
    const uint8_t *dist;
};

static int store_ok(const struct sotto_sender_key_store *st)
{
    return st != NULL && st->load != NULL && st->save != NULL;
}

/* Loads and parses the record; an empty record (no states) if there is none. */
static int load_record(struct st_sk_record *r, const struct sotto_sender_key_store *st,
                       const struct who *w)
{
    const uint8_t *bytes = NULL;
    size_t len = 0;

    st_sk_record_init(r);
    if (st->load(st->ctx, &bytes, &len, w->name, w->device, w->dist) != 0)
        return SOTTO_ERR_STORE;
    if (bytes == NULL)
        return SOTTO_OK;
    return st_sk_record_parse(r, bytes, len);
}

static int save_record(const struct sotto_sender_key_store *st, const struct who *w,
                       const struct st_sk_record *r)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc;

    if ((rc = st_sk_record_serialize(&bytes, &len, r)) != SOTTO_OK)
        return rc;
    if (st->save(st->ctx, w->name, w->device, w->dist, bytes, len) != 0)
        rc = SOTTO_ERR_STORE;
    st_wipe(bytes, len);
    free(bytes);
    return rc;
}

/* A fresh sender key (libsignal create_sender_key_distribution_message). */
static int new_sender_key(struct st_sk_record *r)
{
    uint8_t ck[ST_SK_CHAIN_KEY_BYTES], pub[ST_X25519_BYTES], priv[ST_X25519_BYTES];
    uint8_t pub33[ST_PUBKEY_BYTES];
    uint32_t chain_id;
    int rc;

    /* 31-bit chain ids, as libsignal-protocol-java used. */
    chain_id = st_random_u32() >> 1;
    st_random_bytes(ck, sizeof ck);
    if ((rc = st_x25519_keypair(pub, priv)) != SOTTO_OK)
        goto out;
    st_pubkey_encode(pub33, pub);
    st_sk_record_add(r, ST_SK_VERSION, chain_id, 0, ck, pub33, priv);
out:
    st_wipe(ck, sizeof ck);
    st_wipe(priv, sizeof priv);
    return rc;
}

int sotto_group_create(uint8_t *skdm, size_t *skdm_len, size_t skdm_cap,
                       const struct sotto_sender_key_store *store, const char *own_name,
                       uint32_t own_device, const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES])
{
    struct who w = {own_name, own_device, distribution_id};
    struct st_sk_record r;
    struct st_skdm m;
    int rc;

    if (skdm_len == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *skdm_len = 0;
    if (skdm == NULL || skdm_cap < SOTTO_GROUP_SKDM_MAX || !store_ok(store) || own_name == NULL ||
        distribution_id == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    memset(&m, 0, sizeof m);
    if ((rc = load_record(&r, store, &w)) != SOTTO_OK)
        goto out;
    if (r.n == 0) {
        if ((rc = new_sender_key(&r)) != SOTTO_OK || (rc = save_record(store, &w, &r)) != SOTTO_OK)
            goto out;
    }
    m.version = r.states[0].version;
    memcpy(m.distribution_id, distribution_id, SOTTO_GROUP_UUID_BYTES);
    m.chain_id = r.states[0].chain_id;
    m.iteration = r.states[0].iteration;
    memcpy(m.chain_key, r.states[0].chain_key, ST_SK_CHAIN_KEY_BYTES);
    memcpy(m.signing_key, r.states[0].signing_pub, ST_PUBKEY_BYTES);
    rc = st_skdm_write(skdm, skdm_len, skdm_cap, &m);
out:
    st_wipe(&m, sizeof m);
    st_sk_record_clear(&r);
    return rc;
}

int sotto_group_process(const struct sotto_sender_key_store *store, const char *sender,
                        uint32_t sender_device, const uint8_t *skdm, size_t skdm_len)
{
    struct st_sk_record r;
    struct st_skdm m;
    struct who w = {sender, sender_device, m.distribution_id};
    int rc;

    if (!store_ok(store) || sender == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    st_sk_record_init(&r);
    if ((rc = st_skdm_parse(&m, skdm, skdm_len)) != SOTTO_OK)
        goto out;
    if ((rc = load_record(&r, store, &w)) != SOTTO_OK)
        goto out;
    st_sk_record_add(&r, m.version, m.chain_id, m.iteration, m.chain_key, m.signing_key, NULL);
    rc = save_record(store, &w, &r);
out:
    st_wipe(&m, sizeof m);
    st_sk_record_clear(&r);
    return rc;
}

/* Encrypts with states[0] at its current iteration, then steps the chain. */
static int encrypt_state(uint8_t *ct, size_t *ct_len, size_t ct_cap, struct st_sk_state *s,
                         const uint8_t *dist, const uint8_t *pt, size_t pt_len)
{
    uint8_t seed[ST_SK_SEED_BYTES], iv[ST_SK_IV_BYTES], key[ST_AES256_KEY_BYTES];
    uint8_t *body = NULL;
    size_t body_len = 0;
    int rc;

    if (!s->has_priv || s->iteration == UINT32_MAX)
        return SOTTO_ERR_INVALID_STATE;
    st_sk_message_seed(seed, s->chain_key);
    if ((rc = st_sk_message_keys(iv, key, seed)) != SOTTO_OK)
        goto out;
    body = malloc(st_cbc_padded_len(pt_len));
    if (body == NULL) {
        rc = SOTTO_ERR_NOMEM;
        goto out;
    }
    if ((rc = st_aes256_cbc_encrypt(body, &body_len, key, iv, pt, pt_len)) != SOTTO_OK)
        goto out;
    rc = st_skm_write(ct, ct_len, ct_cap, dist, s->chain_id, s->iteration, body, body_len,
                      s->signing_priv);
    if (rc == SOTTO_OK)
        rc = st_sk_state_step(s);
out:
    st_wipe(seed, sizeof seed);
    st_wipe(iv, sizeof iv);
    st_wipe(key, sizeof key);
    free(body);
    return rc;
}

int sotto_group_encrypt(uint8_t *ct, size_t *ct_len, size_t ct_cap,
                        const struct sotto_sender_key_store *store, const char *own_name,
                        uint32_t own_device, const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES],
                        const uint8_t *pt, size_t pt_len)
{
    struct who w = {own_name, own_device, distribution_id};
    struct st_sk_record r;
    int rc;

    if (ct_len == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *ct_len = 0;
    if (ct == NULL || !store_ok(store) || own_name == NULL || distribution_id == NULL ||
        (pt == NULL && pt_len > 0))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (pt_len > SOTTO_GROUP_PLAINTEXT_MAX)
        return SOTTO_ERR_TOO_LARGE;
    if ((rc = load_record(&r, store, &w)) != SOTTO_OK)
        goto out;
    if (r.n == 0) {
        rc = SOTTO_ERR_NO_SESSION;
        goto out;
    }
    rc = encrypt_state(ct, ct_len, ct_cap, &r.states[0], distribution_id, pt, pt_len);
    if (rc == SOTTO_OK)
        rc = save_record(store, &w, &r);
out:
    if (rc != SOTTO_OK && *ct_len > 0) {
        st_wipe(ct, *ct_len);
        *ct_len = 0;
    }
    st_sk_record_clear(&r);
    return rc;
}

/* Checks and decrypts m against state s (a private copy). */
static int decrypt_state(uint8_t *pt, size_t *pt_len, struct st_sk_state *s, const struct st_skm *m)
{
    uint8_t seed[ST_SK_SEED_BYTES], iv[ST_SK_IV_BYTES], key[ST_AES256_KEY_BYTES];
    uint8_t pub[ST_X25519_BYTES];
    int rc;

    if (m->version != s->version)
        return SOTTO_ERR_INVALID_VERSION;
    memcpy(pub, s->signing_pub + 1, sizeof pub);
    if (st_xeddsa_verify(m->signature, pub, m->signed_part, m->signed_len) != SOTTO_OK)
        return SOTTO_ERR_INVALID_SIGNATURE;
    if ((rc = st_sk_state_key_for(seed, s, m->iteration)) != SOTTO_OK)
        goto out;
    if ((rc = st_sk_message_keys(iv, key, seed)) != SOTTO_OK)
        goto out;
    rc = st_aes256_cbc_decrypt(pt, pt_len, key, iv, m->ciphertext, m->ciphertext_len);
    if (rc != SOTTO_OK) {
        st_wipe(pt, m->ciphertext_len);
        rc = SOTTO_ERR_INVALID_MESSAGE; /* libsignal: "decryption failed" */
    }
out:
    st_wipe(seed, sizeof seed);
    st_wipe(iv, sizeof iv);
    st_wipe(key, sizeof key);
    return rc;
}

int sotto_group_decrypt(uint8_t *pt, size_t *pt_len, size_t pt_cap,
                        const struct sotto_sender_key_store *store, const char *sender,
                        uint32_t sender_device, const uint8_t *ct, size_t ct_len)
{
    struct st_sk_record r;
    struct st_skm m;
    struct who w = {sender, sender_device, m.distribution_id};
    struct st_sk_state *s;
    int rc;

    if (pt_len == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *pt_len = 0;
    if (pt == NULL || !store_ok(store) || sender == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (ct_len > SOTTO_GROUP_MESSAGE_MAX(SOTTO_GROUP_PLAINTEXT_MAX))
        return SOTTO_ERR_TOO_LARGE;
    st_sk_record_init(&r);
    if ((rc = st_skm_parse(&m, ct, ct_len)) != SOTTO_OK)
        return rc;
    if (pt_cap < m.ciphertext_len) {
        rc = SOTTO_ERR_INVALID_ARGUMENT;
        goto out;
    }
    if ((rc = load_record(&r, store, &w)) != SOTTO_OK)
        goto out;
    s = st_sk_record_find(&r, m.chain_id);
    if (s == NULL) {
        rc = SOTTO_ERR_NO_SESSION;
        goto out;
    }
    if ((rc = decrypt_state(pt, pt_len, s, &m)) != SOTTO_OK)
        goto out;
    rc = save_record(store, &w, &r);
out:
    if (rc != SOTTO_OK) {
        st_wipe(pt, *pt_len);
        *pt_len = 0;
    }
    st_skm_clear(&m);
    st_sk_record_clear(&r);
    return rc;
}
