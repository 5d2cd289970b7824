/*
 * Sender keys through the public API: round trips, out-of-order delivery,
 * duplicates, tampering, the forward-jump and skipped-key limits, the five
 * states per sender, store failures, and that a failed decrypt leaves the
 * stored record byte for byte as it was.
 */
#include <stdio.h>
#include <string.h>

#include "group/sender_key.h"
#include "sotto/group.h"
#include "sotto/sotto.h"
#include "test_group_store.h"
#include "testutil.h"

static uint8_t DIST[16];

struct msg {
    uint8_t b[512];
    size_t len;
};

/* Alice (sender, device 1) and Bob (receiver) with separate stores. */
struct pair {
    struct mem_store as, bs;
    struct sotto_sender_key_store a, b;
};

static void pair_init(struct pair *p)
{
    memset(p, 0, sizeof *p);
    p->a = mem_iface(&p->as);
    p->b = mem_iface(&p->bs);
}

static void pair_free(struct pair *p)
{
    mem_free(&p->as);
    mem_free(&p->bs);
}

static int a_create(struct pair *p, struct msg *skdm)
{
    return sotto_group_create(skdm->b, &skdm->len, sizeof skdm->b, &p->a, "alice", 1, DIST);
}

static int a_send(struct pair *p, struct msg *m, const char *text)
{
    return sotto_group_encrypt(m->b, &m->len, sizeof m->b, &p->a, "alice", 1, DIST,
                               (const uint8_t *)text, strlen(text));
}

static int b_recv(struct pair *p, const struct msg *m, char *out, size_t cap)
{
    uint8_t pt[512];
    size_t n = 0;
    int rc = sotto_group_decrypt(pt, &n, sizeof pt, &p->b, "alice", 1, m->b, m->len);
    if (rc == SOTTO_OK && out != NULL) {
        if (n >= cap)
            return -1;
        memcpy(out, pt, n);
        out[n] = '\0';
    }
    return rc;
}

/* Set up: Alice creates, Bob processes. */
static void pair_start(struct pair *p)
{
    struct msg skdm;
    pair_init(p);
    CHECK_OK(a_create(p, &skdm));
    CHECK_OK(sotto_group_process(&p->b, "alice", 1, skdm.b, skdm.len));
}

/* Bob's stored record bytes, copied (for unchanged-record checks). */
static uint8_t *b_snapshot(struct pair *p, size_t *len)
{
    struct mem_entry *e = mem_find(&p->bs, "alice", 1, DIST);
    uint8_t *c;
    if (e == NULL)
        return NULL;
    c = malloc(e->len ? e->len : 1);
    memcpy(c, e->bytes, e->len);
    *len = e->len;
    return c;
}

static int b_unchanged(struct pair *p, const uint8_t *snap, size_t len)
{
    struct mem_entry *e = mem_find(&p->bs, "alice", 1, DIST);
    return e != NULL && e->len == len && memcmp(e->bytes, snap, len) == 0;
}

static void test_round_trip(void)
{
    struct pair p;
    struct msg skdm, m;
    char out[128];

    pair_init(&p);
    CHECK(a_send(&p, &m, "x") == SOTTO_ERR_NO_SESSION); /* no create yet */
    CHECK_OK(a_create(&p, &skdm));
    CHECK(skdm.b[0] == 0x33);
    CHECK(skdm.len >= 65 && skdm.len <= SOTTO_GROUP_SKDM_MAX);
    CHECK_OK(sotto_group_process(&p.b, "alice", 1, skdm.b, skdm.len));
    for (int i = 0; i < 20; i++) {
        char text[32];
        snprintf(text, sizeof text, "message %d", i);
        CHECK_OK(a_send(&p, &m, text));
        CHECK(m.b[0] == 0x33);
        CHECK(m.len <= SOTTO_GROUP_MESSAGE_MAX(strlen(text)));
        CHECK_OK(b_recv(&p, &m, out, sizeof out));
        CHECK(strcmp(out, text) == 0);
    }
    /* Empty plaintext: one block of padding. */
    CHECK_OK(a_send(&p, &m, ""));
    CHECK_OK(b_recv(&p, &m, out, sizeof out));
    CHECK(out[0] == '\0');

    /* A second create returns the same chain at its current iteration. */
    {
        struct msg again;
        struct st_skdm d1, d2;
        CHECK_OK(a_create(&p, &again));
        CHECK_OK(st_skdm_parse(&d1, skdm.b, skdm.len));
        CHECK_OK(st_skdm_parse(&d2, again.b, again.len));
        CHECK(d1.chain_id == d2.chain_id && d1.chain_id < 0x80000000u);
        CHECK(d1.iteration == 0 && d2.iteration == 21);
        CHECK(memcmp(d1.signing_key, d2.signing_key, 33) == 0);
        CHECK(memcmp(d1.chain_key, d2.chain_key, 32) != 0);
    }
    /* Another device of the same name is someone else. */
    {
        uint8_t pt[64];
        size_t n;
        CHECK_OK(a_send(&p, &m, "dev"));
        CHECK(sotto_group_decrypt(pt, &n, sizeof pt, &p.b, "alice", 2, m.b, m.len) ==
              SOTTO_ERR_NO_SESSION);
        CHECK(sotto_group_decrypt(pt, &n, sizeof pt, &p.b, "mallory", 1, m.b, m.len) ==
              SOTTO_ERR_NO_SESSION);
    }
    pair_free(&p);
}

static void test_large_plaintext(void)
{
    struct pair p;
    size_t len = 100000, cap = SOTTO_GROUP_MESSAGE_MAX(len), n = 0, ctn = 0;
    uint8_t *pt = malloc(len), *ct = malloc(cap), *out = malloc(cap);

    pair_start(&p);
    for (size_t i = 0; i < len; i++)
        pt[i] = (uint8_t)(i * 7);
    CHECK(sotto_group_encrypt(ct, &ctn, cap - 1 - 64, &p.a, "alice", 1, DIST, pt, len) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK_OK(sotto_group_encrypt(ct, &ctn, cap, &p.a, "alice", 1, DIST, pt, len));
    /* The failed call above did not use up an iteration. */
    {
        struct st_skm m;
        CHECK_OK(st_skm_parse(&m, ct, ctn));
        CHECK(m.iteration == 0);
        st_skm_clear(&m);
    }
    CHECK(sotto_group_decrypt(out, &n, 16, &p.b, "alice", 1, ct, ctn) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK_OK(sotto_group_decrypt(out, &n, ctn, &p.b, "alice", 1, ct, ctn));
    CHECK(n == len && memcmp(out, pt, len) == 0);
    free(pt);
    free(ct);
    free(out);
    pair_free(&p);
}

static void test_out_of_order_and_duplicates(void)
{
    struct pair p;
    struct msg m[10];
    char out[64], want[64];
    static const int order[] = {4, 0, 2, 1, 3, 9, 5, 8, 6, 7};

    pair_start(&p);
    for (int i = 0; i < 10; i++) {
        snprintf(want, sizeof want, "m%d", i);
        CHECK_OK(a_send(&p, &m[i], want));
    }
    for (size_t k = 0; k < 10; k++) {
        int i = order[k];
        snprintf(want, sizeof want, "m%d", i);
        CHECK_OK(b_recv(&p, &m[i], out, sizeof out));
        CHECK(strcmp(out, want) == 0);
        /* Every message at most once, whether it came late or in order. */
        CHECK(b_recv(&p, &m[i], out, sizeof out) == SOTTO_ERR_DUPLICATE_MESSAGE);
    }
    pair_free(&p);
}

static void test_tamper_leaves_record(void)
{
    struct pair p;
    struct msg m, bad, m2;
    uint8_t *snap;
    size_t snap_len = 0;
    int saves;

    pair_start(&p);
    CHECK_OK(a_send(&p, &m, "first"));
    CHECK_OK(a_send(&p, &m2, "second"));
    snap = b_snapshot(&p, &snap_len);
    saves = p.bs.saves;

    /* Every byte flipped in turn: signed part or signature, never accepted. */
    for (size_t i = 0; i < m.len; i++) {
        int rc;
        bad = m;
        bad.b[i] ^= 0x01;
        rc = b_recv(&p, &bad, NULL, 0);
        CHECK(rc != SOTTO_OK);
        if (i == 0)
            CHECK(rc == SOTTO_ERR_INVALID_VERSION || rc == SOTTO_ERR_INVALID_SIGNATURE);
        else if (i >= m.len - 64)
            CHECK(rc == SOTTO_ERR_INVALID_SIGNATURE);
    }
    /* Truncated and extended. */
    bad = m;
    bad.len--;
    CHECK(b_recv(&p, &bad, NULL, 0) != SOTTO_OK);
    bad = m;
    bad.b[bad.len++] = 0;
    CHECK(b_recv(&p, &bad, NULL, 0) != SOTTO_OK);
    CHECK(b_unchanged(&p, snap, snap_len));
    CHECK(p.bs.saves == saves);

    /* Then the genuine ones still work, out of order. */
    CHECK_OK(b_recv(&p, &m2, NULL, 0));
    CHECK_OK(b_recv(&p, &m, NULL, 0));
    /* A duplicate is refused and changes nothing. */
    free(snap);
    snap = b_snapshot(&p, &snap_len);
    saves = p.bs.saves;
    CHECK(b_recv(&p, &m, NULL, 0) == SOTTO_ERR_DUPLICATE_MESSAGE);
    CHECK(b_unchanged(&p, snap, snap_len) && p.bs.saves == saves);
    free(snap);
    pair_free(&p);
}

/* Alice's own state, read from her store via the internal record parser. */
static void alice_state(struct pair *p, struct st_sk_record *r)
{
    struct mem_entry *e = mem_find(&p->as, "alice", 1, DIST);
    CHECK(e != NULL);
    CHECK_OK(st_sk_record_parse(r, e->bytes, e->len));
}

/*
 * A message Alice could send at `iteration` of her chain, made by walking
 * a copy of her chain from the start (Alice's own state is not touched).
 */
static void forge(struct msg *out, struct pair *p, const struct st_skdm *start, uint32_t iteration,
                  const char *text)
{
    struct st_sk_record r;
    struct st_sk_state s;
    uint8_t seed[32], iv[16], key[32], body[64];
    size_t body_len = 0;

    alice_state(p, &r);
    memset(&s, 0, sizeof s);
    memcpy(s.chain_key, start->chain_key, 32);
    s.iteration = start->iteration;
    int rc = SOTTO_OK;
    while (s.iteration < iteration && rc == SOTTO_OK)
        rc = st_sk_state_step(&s);
    CHECK_OK(rc);
    st_sk_message_seed(seed, s.chain_key);
    CHECK_OK(st_sk_message_keys(iv, key, seed));
    CHECK_OK(st_aes256_cbc_encrypt(body, &body_len, key, iv, (const uint8_t *)text, strlen(text)));
    CHECK_OK(st_skm_write(out->b, &out->len, sizeof out->b, DIST, start->chain_id, iteration, body,
                          body_len, r.states[0].signing_priv));
    st_sk_record_clear(&r);
}

static size_t b_skipped(struct pair *p, uint32_t *oldest)
{
    struct st_sk_record r;
    struct mem_entry *e = mem_find(&p->bs, "alice", 1, DIST);
    size_t n;
    CHECK_OK(st_sk_record_parse(&r, e->bytes, e->len));
    n = r.states[0].n_skipped;
    *oldest = n ? r.states[0].skipped[0].iteration : 0;
    st_sk_record_clear(&r);
    return n;
}

static void test_limits(void)
{
    struct pair p;
    struct msg skdm, m;
    struct st_skdm start;
    char out[64];
    uint32_t oldest = 0;
    uint8_t *snap;
    size_t snap_len = 0;

    pair_init(&p);
    CHECK_OK(a_create(&p, &skdm));
    CHECK_OK(sotto_group_process(&p.b, "alice", 1, skdm.b, skdm.len));
    CHECK_OK(st_skdm_parse(&start, skdm.b, skdm.len));

    /* 25001 ahead of the chain (at 0): refused, nothing stored. */
    snap = b_snapshot(&p, &snap_len);
    forge(&m, &p, &start, 25001, "too far");
    CHECK(b_recv(&p, &m, out, sizeof out) == SOTTO_ERR_TOO_FAR_AHEAD);
    CHECK(b_unchanged(&p, snap, snap_len));
    free(snap);

    /* Exactly 25000 ahead: accepted; only the newest 2000 skipped keys kept. */
    forge(&m, &p, &start, 25000, "far");
    CHECK_OK(b_recv(&p, &m, out, sizeof out));
    CHECK(strcmp(out, "far") == 0);
    CHECK(b_skipped(&p, &oldest) == 2000 && oldest == 23000);
    forge(&m, &p, &start, 22999, "dropped");
    CHECK(b_recv(&p, &m, out, sizeof out) == SOTTO_ERR_DUPLICATE_MESSAGE);
    forge(&m, &p, &start, 23000, "kept");
    CHECK_OK(b_recv(&p, &m, out, sizeof out));
    CHECK(strcmp(out, "kept") == 0);
    CHECK(b_skipped(&p, &oldest) == 1999 && oldest == 23001);
    forge(&m, &p, &start, 24999, "last kept");
    CHECK_OK(b_recv(&p, &m, out, sizeof out));
    /* The limit counts from the chain (now 25001), not from 0. */
    forge(&m, &p, &start, 25001 + 25000, "far again");
    CHECK_OK(b_recv(&p, &m, out, sizeof out));
    CHECK(b_skipped(&p, &oldest) == 2000 && oldest == 48001);
    /* A small jump adds to the list and pushes out the oldest. */
    forge(&m, &p, &start, 50002 + 2, "small"); /* skips 50002, 50003 */
    CHECK_OK(b_recv(&p, &m, out, sizeof out));
    CHECK(b_skipped(&p, &oldest) == 2000 && oldest == 48003);
    pair_free(&p);
}

/* An SKDM from the internal writer with a chosen chain id and a fresh key. */
static void fake_skdm(struct msg *out, uint32_t chain_id, uint8_t key_byte)
{
    struct st_skdm d;
    memset(&d, 0, sizeof d);
    d.version = 3;
    memcpy(d.distribution_id, DIST, 16);
    d.chain_id = chain_id;
    memset(d.chain_key, key_byte, 32);
    d.signing_key[0] = 0x05;
    memset(d.signing_key + 1, key_byte, 32);
    CHECK_OK(st_skdm_write(out->b, &out->len, sizeof out->b, &d));
}

static void test_states(void)
{
    struct pair p;
    struct msg skdm, m[3], fake;
    struct st_sk_record r;
    struct mem_entry *e;

    pair_start(&p);
    CHECK_OK(a_send(&p, &m[0], "zero"));
    CHECK_OK(a_send(&p, &m[1], "one"));
    CHECK_OK(a_send(&p, &m[2], "two"));
    CHECK_OK(b_recv(&p, &m[0], NULL, 0));
    CHECK_OK(b_recv(&p, &m[1], NULL, 0));

    /* Re-processing Alice's (old) SKDM keeps Bob's position in her chain. */
    CHECK_OK(a_create(&p, &skdm)); /* now says iteration 3 */
    CHECK_OK(sotto_group_process(&p.b, "alice", 1, skdm.b, skdm.len));
    CHECK(b_recv(&p, &m[0], NULL, 0) == SOTTO_ERR_DUPLICATE_MESSAGE);
    CHECK_OK(b_recv(&p, &m[2], NULL, 0));

    /* Four more chains: Alice's is the oldest of five and still works. */
    for (uint32_t c = 1; c <= 4; c++) {
        fake_skdm(&fake, c, (uint8_t)c);
        CHECK_OK(sotto_group_process(&p.b, "alice", 1, fake.b, fake.len));
    }
    e = mem_find(&p.bs, "alice", 1, DIST);
    CHECK_OK(st_sk_record_parse(&r, e->bytes, e->len));
    CHECK(r.n == 5 && r.states[0].chain_id == 4 && r.states[1].chain_id == 3);
    st_sk_record_clear(&r);
    CHECK_OK(a_send(&p, &m[0], "still"));
    CHECK_OK(b_recv(&p, &m[0], NULL, 0));

    /* A sixth pushes Alice's chain out. */
    fake_skdm(&fake, 5, 5);
    CHECK_OK(sotto_group_process(&p.b, "alice", 1, fake.b, fake.len));
    CHECK_OK(a_send(&p, &m[0], "gone"));
    CHECK(b_recv(&p, &m[0], NULL, 0) == SOTTO_ERR_NO_SESSION);

    /* The same chain id with another signing key replaces the state. */
    fake_skdm(&fake, 3, 0x33);
    CHECK_OK(sotto_group_process(&p.b, "alice", 1, fake.b, fake.len));
    e = mem_find(&p.bs, "alice", 1, DIST);
    CHECK_OK(st_sk_record_parse(&r, e->bytes, e->len));
    CHECK(r.n == 5 && r.states[0].chain_id == 3 && r.states[0].signing_pub[1] == 0x33);
    for (size_t i = 1; i < r.n; i++)
        CHECK(r.states[i].chain_id != 3);
    st_sk_record_clear(&r);
    /* Re-processing an existing (chain id, key) moves it first without reset. */
    fake_skdm(&fake, 4, 4);
    CHECK_OK(sotto_group_process(&p.b, "alice", 1, fake.b, fake.len));
    e = mem_find(&p.bs, "alice", 1, DIST);
    CHECK_OK(st_sk_record_parse(&r, e->bytes, e->len));
    CHECK(r.n == 5 && r.states[0].chain_id == 4 && r.states[1].chain_id == 3);
    st_sk_record_clear(&r);
    pair_free(&p);
}

static void test_new_sender_key(void)
{
    struct pair p;
    struct msg skdm, m;
    char out[32];

    /* Alice loses her record and starts a new chain: Bob needs the new SKDM. */
    pair_start(&p);
    CHECK_OK(a_send(&p, &m, "old"));
    CHECK_OK(b_recv(&p, &m, out, sizeof out));
    mem_remove(&p.as, "alice", 1, DIST);
    CHECK_OK(a_create(&p, &skdm));
    CHECK_OK(a_send(&p, &m, "new"));
    CHECK(b_recv(&p, &m, out, sizeof out) == SOTTO_ERR_NO_SESSION);
    CHECK_OK(sotto_group_process(&p.b, "alice", 1, skdm.b, skdm.len));
    CHECK_OK(b_recv(&p, &m, out, sizeof out));
    CHECK(strcmp(out, "new") == 0);
    pair_free(&p);
}

static void test_store_failures(void)
{
    struct pair p;
    struct msg skdm, m;
    uint8_t *snap;
    size_t snap_len = 0;

    pair_init(&p);
    p.as.fail_save = 1;
    CHECK(a_create(&p, &skdm) == SOTTO_ERR_STORE);
    CHECK(skdm.len == 0);
    p.as.fail_save = 0;
    p.as.fail_load = 1;
    CHECK(a_create(&p, &skdm) == SOTTO_ERR_STORE);
    p.as.fail_load = 0;
    CHECK_OK(a_create(&p, &skdm));
    p.bs.fail_save = 1;
    CHECK(sotto_group_process(&p.b, "alice", 1, skdm.b, skdm.len) == SOTTO_ERR_STORE);
    p.bs.fail_save = 0;
    CHECK_OK(sotto_group_process(&p.b, "alice", 1, skdm.b, skdm.len));
    p.as.fail_save = 1;
    CHECK(a_send(&p, &m, "x") == SOTTO_ERR_STORE);
    CHECK(m.len == 0);
    p.as.fail_save = 0;
    CHECK_OK(a_send(&p, &m, "x"));
    snap = b_snapshot(&p, &snap_len);
    p.bs.fail_save = 1;
    CHECK(b_recv(&p, &m, NULL, 0) == SOTTO_ERR_STORE);
    p.bs.fail_save = 0;
    CHECK(b_unchanged(&p, snap, snap_len));
    CHECK_OK(b_recv(&p, &m, NULL, 0));
    free(snap);

    /* A corrupt stored record is reported, not trusted. */
    {
        struct mem_entry *e = mem_find(&p.bs, "alice", 1, DIST);
        e->bytes[e->len / 2] ^= 0xff;
        e->len--;
        CHECK_OK(a_send(&p, &m, "y"));
        CHECK(b_recv(&p, &m, NULL, 0) == SOTTO_ERR_INVALID_STATE);
    }
    pair_free(&p);
}

static void test_bad_arguments(void)
{
    struct pair p;
    struct msg skdm, m;
    struct sotto_sender_key_store none = {0};
    uint8_t pt[16];
    size_t n = 99;

    pair_start(&p);
    CHECK(sotto_group_create(skdm.b, &skdm.len, SOTTO_GROUP_SKDM_MAX - 1, &p.a, "alice", 1, DIST) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_group_create(skdm.b, &skdm.len, sizeof skdm.b, &none, "alice", 1, DIST) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_group_create(skdm.b, &skdm.len, sizeof skdm.b, &p.a, NULL, 1, DIST) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_group_process(&p.b, "alice", 1, NULL, 0) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(sotto_group_encrypt(m.b, &m.len, sizeof m.b, &p.a, "alice", 1, DIST, NULL, 3) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_group_decrypt(pt, &n, sizeof pt, &p.b, "alice", 1, NULL, 0) ==
          SOTTO_ERR_INVALID_MESSAGE);
    CHECK(n == 0);
    CHECK(sotto_group_decrypt(NULL, &n, 0, &p.b, "alice", 1, m.b, 70) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    /* Bob cannot encrypt with Alice's key: he has no private half. */
    {
        struct sotto_sender_key_store b = p.b;
        CHECK(sotto_group_encrypt(m.b, &m.len, sizeof m.b, &b, "alice", 1, DIST,
                                  (const uint8_t *)"x", 1) == SOTTO_ERR_INVALID_STATE);
    }
    pair_free(&p);
}

static void test_uuid(void)
{
    uint8_t u[16];
    char s[37];

    CHECK_OK(sotto_group_uuid_parse(u, "D1D1d1d1-7000-11eb-b32a-33b8a8a487a6"));
    CHECK(u[0] == 0xd1 && u[4] == 0x70 && u[15] == 0xa6);
    sotto_group_uuid_format(s, u);
    CHECK(strcmp(s, "d1d1d1d1-7000-11eb-b32a-33b8a8a487a6") == 0);
    CHECK(sotto_group_uuid_parse(u, "d1d1d1d1-7000-11eb-b32a-33b8a8a487a") ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_group_uuid_parse(u, "d1d1d1d1x7000-11eb-b32a-33b8a8a487a6") ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_group_uuid_parse(u, "d1d1d1d1-7000-11eb-b32a-33b8a8a487g6") ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_group_uuid_parse(u, "d1d1d1d1-70001-1eb-b32a-33b8a8a487a6") ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_group_uuid_parse(u, NULL) == SOTTO_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    t_init();
    t_seed_random(20261127);
    CHECK_OK(sotto_group_uuid_parse(DIST, "d1d1d1d1-7000-11eb-b32a-33b8a8a487a6"));
    test_round_trip();
    test_large_plaintext();
    test_out_of_order_and_duplicates();
    test_tamper_leaves_record();
    test_limits();
    test_states();
    test_new_sender_key();
    test_store_failures();
    test_bad_arguments();
    test_uuid();
    return t_done();
}
