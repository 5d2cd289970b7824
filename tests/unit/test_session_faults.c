/*
 * Store faults: every store callback of an encrypt and of a Whisper decrypt
 * is failed in turn. A failed operation must report the store's error,
 * leave the stored session record byte for byte as it was, and a retry
 * without faults must succeed.
 */
#include "session_party.h"

struct faulty {
    struct sotto_store inner;
    int countdown; /* the call that fails (0 = none), counting from 1 */
    int calls;
};

static struct faulty *F;

static int tick(void)
{
    F->calls++;
    return F->countdown > 0 && F->calls == F->countdown ? SOTTO_ERR_STORE : SOTTO_OK;
}

static int f_ikp(void *ctx, uint8_t pub[33], uint8_t priv[32])
{
    (void)ctx;
    return tick() ? SOTTO_ERR_STORE : F->inner.get_identity_key_pair(F->inner.ctx, pub, priv);
}
static int f_reg(void *ctx, uint32_t *id)
{
    (void)ctx;
    return tick() ? SOTTO_ERR_STORE : F->inner.get_local_registration_id(F->inner.ctx, id);
}
static int f_save_id(void *ctx, const struct sotto_address *a, const uint8_t k[33], int *r)
{
    (void)ctx;
    return tick() ? SOTTO_ERR_STORE : F->inner.save_identity(F->inner.ctx, a, k, r);
}
static int f_trusted(void *ctx, const struct sotto_address *a, const uint8_t k[33],
                     enum sotto_direction d, int *t)
{
    (void)ctx;
    return tick() ? SOTTO_ERR_STORE : F->inner.is_trusted_identity(F->inner.ctx, a, k, d, t);
}
static int f_load(void *ctx, const struct sotto_address *a, const uint8_t **d, size_t *l)
{
    (void)ctx;
    return tick() ? SOTTO_ERR_STORE : F->inner.load_session(F->inner.ctx, a, d, l);
}
static int f_store(void *ctx, const struct sotto_address *a, const uint8_t *d, size_t l)
{
    (void)ctx;
    return tick() ? SOTTO_ERR_STORE : F->inner.store_session(F->inner.ctx, a, d, l);
}

static void wrap(struct sotto_store *out, struct faulty *f, const struct sotto_store *in)
{
    *out = *in;
    f->inner = *in;
    out->ctx = f;
    out->get_identity_key_pair = f_ikp;
    out->get_local_registration_id = f_reg;
    out->save_identity = f_save_id;
    out->is_trusted_identity = f_trusted;
    out->load_session = f_load;
    out->store_session = f_store;
}

static int same(const struct sotto_buf *a, const struct sotto_buf *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

int main(void)
{
    struct party a, b;
    struct sotto_prekey_bundle bundle;
    struct sotto_store fa, fb;
    struct faulty fza, fzb;
    struct sotto_buf m, before, after, pt;
    int t, rc, failures = 0, unchanged;

    t_init();
    t_seed_random(99);
    party_init(&a, "5e1f0000-0000-4000-8000-0000000000a1", 1);
    party_init(&b, "5e1f0000-0000-4000-8000-0000000000b2", 2);
    party_bundle(&b, &bundle, 0, 1);
    CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000));
    m = party_send(&a, &b, "setup", &t);
    CHECK_OK(party_recv(&b, &a, t, &m, "setup"));
    sotto_buf_free(&m);
    wrap(&fa, &fza, &a.st);
    wrap(&fb, &fzb, &b.st);

    /* encrypt: each callback fails once; the record must not move */
    for (int n = 1;; n++) {
        F = &fza;
        fza.countdown = n;
        fza.calls = 0;
        before = party_record(&a, &b);
        rc = sotto_session_encrypt(&m, &t, &fa, &b.addr, (const uint8_t *)"x", 1, 5000);
        after = party_record(&a, &b);
        if (rc == SOTTO_OK) {
            CHECK(n > fza.calls);
            CHECK_OK(party_recv(&b, &a, t, &m, "x"));
            sotto_buf_free(&m);
            sotto_buf_free(&before);
            sotto_buf_free(&after);
            break;
        }
        failures++;
        CHECK(rc == SOTTO_ERR_STORE);
        CHECK(same(&before, &after));
        sotto_buf_free(&before);
        sotto_buf_free(&after);
    }

    /* decrypt: likewise, and the message still decrypts afterwards */
    m = party_send(&a, &b, "again", &t);
    for (int n = 1;; n++) {
        F = &fzb;
        fzb.countdown = n;
        fzb.calls = 0;
        before = party_record(&b, &a);
        rc = sotto_session_decrypt(&pt, &fb, &a.addr, t, m.data, m.len);
        after = party_record(&b, &a);
        unchanged = same(&before, &after);
        sotto_buf_free(&pt);
        sotto_buf_free(&before);
        sotto_buf_free(&after);
        if (rc == SOTTO_OK) {
            CHECK(n > fzb.calls);
            break;
        }
        failures++;
        CHECK(rc == SOTTO_ERR_STORE);
        CHECK(unchanged);
    }
    CHECK(party_recv(&b, &a, t, &m, NULL) == SOTTO_ERR_DUPLICATE_MESSAGE);
    CHECK(failures >= 6);
    sotto_buf_free(&m);
    party_free(&a);
    party_free(&b);
    return t_done();
}
