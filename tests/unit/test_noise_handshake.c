/*
 * Noise XX / IK handshake state machine (lib/transport/noise_handshake.c):
 * round trips, remote static keys, a wrong pinned server key in IK, every
 * byte of every handshake message tampered, truncation and size limits,
 * small-order keys, calls out of order, and the FAILED state.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "testutil.h"
#include "transport/noise.h"

enum { MSG_CAP = ST_NOISE_MAX_MESSAGE + 64 };

struct keys {
    uint8_t i_priv[32], i_pub[32], r_priv[32], r_pub[32];
};

struct pair {
    struct st_noise_handshake *init, *resp;
};

static void make_keys(struct keys *k)
{
    CHECK_OK(st_x25519_keypair(k->i_pub, k->i_priv));
    CHECK_OK(st_x25519_keypair(k->r_pub, k->r_priv));
}

static const uint8_t prologue[] = "sotto noise test";

/* pinned: the responder key an IK initiator believes in (NULL for XX). */
static void new_pair(struct pair *p, enum st_noise_pattern pat, const struct keys *k,
                     const uint8_t *pinned)
{
    CHECK_OK(
        st_noise_handshake_new(&p->init, pat, 1, k->i_priv, pinned, prologue, sizeof prologue));
    CHECK_OK(st_noise_handshake_new(&p->resp, pat, 0, k->r_priv, NULL, prologue, sizeof prologue));
}

static void free_pair(struct pair *p)
{
    st_noise_handshake_free(p->init);
    st_noise_handshake_free(p->resp);
    p->init = p->resp = NULL;
}

static int nmsgs(enum st_noise_pattern pat)
{
    return pat == ST_NOISE_XX ? 3 : 2;
}

/*
 * Runs the handshake; message number tamper_msg (or -1) gets byte
 * tamper_byte flipped (if the message is that long) in transit. Returns the
 * first error and the message it happened on in *at; 0 when all went through.
 */
static int run(struct pair *p, enum st_noise_pattern pat, int tamper_msg, size_t tamper_byte,
               int *at, size_t *tampered_len)
{
    uint8_t *msg = malloc(MSG_CAP), *pl = malloc(MSG_CAP);
    const uint8_t payload[] = "hello";
    size_t len, plen;
    int rc = SOTTO_OK;

    *at = -1;
    for (int m = 0; m < nmsgs(pat) && rc == SOTTO_OK; m++) {
        struct st_noise_handshake *w = m % 2 == 0 ? p->init : p->resp;
        struct st_noise_handshake *r = m % 2 == 0 ? p->resp : p->init;
        *at = m;
        rc = st_noise_write_message(w, msg, MSG_CAP, &len, payload, sizeof payload);
        if (rc != SOTTO_OK)
            break;
        if (m == tamper_msg) {
            *tampered_len = len;
            if (tamper_byte < len)
                msg[tamper_byte] ^= 0x01;
        }
        rc = st_noise_read_message(r, pl, MSG_CAP, &plen, msg, len);
        /* A changed payload may only get through XX message 1 (not yet
         * authenticated); the next read must then fail. */
        if (rc == SOTTO_OK && (plen != sizeof payload || memcmp(pl, payload, plen) != 0) &&
            !(pat == ST_NOISE_XX && m == 0))
            rc = -1;
    }
    if (rc == SOTTO_OK)
        *at = -1;
    free(msg);
    free(pl);
    return rc;
}

static void test_round_trip(enum st_noise_pattern pat)
{
    struct keys k;
    struct pair p;
    uint8_t rs[32], h1[64], h2[64];
    int at;
    size_t tl;

    make_keys(&k);
    new_pair(&p, pat, &k, pat == ST_NOISE_IK ? k.r_pub : NULL);
    CHECK(st_noise_handshake_state(p.init) == ST_NOISE_WRITE);
    CHECK(st_noise_handshake_state(p.resp) == ST_NOISE_READ);
    CHECK(st_noise_write_overhead(p.init) == (pat == ST_NOISE_XX ? 32u : 96u));
    CHECK(st_noise_write_overhead(p.resp) == 0);
    CHECK_OK(run(&p, pat, -1, 0, &at, &tl));
    CHECK(st_noise_handshake_state(p.init) == ST_NOISE_DONE);
    CHECK(st_noise_handshake_state(p.resp) == ST_NOISE_DONE);
    CHECK(st_noise_handshake_done(p.init) && st_noise_handshake_done(p.resp));
    CHECK_OK(st_noise_remote_static(p.init, rs));
    CHECK(memcmp(rs, k.r_pub, 32) == 0);
    CHECK_OK(st_noise_remote_static(p.resp, rs));
    CHECK(memcmp(rs, k.i_pub, 32) == 0);
    CHECK_OK(st_noise_handshake_hash(p.init, h1));
    CHECK_OK(st_noise_handshake_hash(p.resp, h2));
    CHECK(memcmp(h1, h2, 64) == 0);
    free_pair(&p);
}

/* The client pinned a key the server does not hold: the server cannot
 * decrypt message 1 and says so; nothing goes on from there. */
static void test_ik_wrong_server_key(void)
{
    struct keys k, other;
    struct pair p;
    uint8_t msg[256], pl[256], rs[32];
    size_t len, plen;

    make_keys(&k);
    make_keys(&other);
    new_pair(&p, ST_NOISE_IK, &k, other.r_pub);
    CHECK_OK(st_noise_write_message(p.init, msg, sizeof msg, &len, NULL, 0));
    CHECK(st_noise_read_message(p.resp, pl, sizeof pl, &plen, msg, len) == SOTTO_ERR_HANDSHAKE);
    CHECK(plen == 0);
    CHECK(st_noise_handshake_state(p.resp) == ST_NOISE_FAILED);
    CHECK(st_noise_remote_static(p.resp, rs) == SOTTO_ERR_INVALID_STATE);
    CHECK(st_noise_write_message(p.resp, msg, sizeof msg, &len, NULL, 0) ==
          SOTTO_ERR_INVALID_STATE);
    CHECK(st_noise_read_message(p.resp, pl, sizeof pl, &plen, msg, len) == SOTTO_ERR_INVALID_STATE);
    free_pair(&p);
}

/* Every byte of every message flipped: the handshake never completes, and
 * the failure shows on this message's read, or (XX message 1, which carries
 * nothing authenticated yet) on the next one. */
static void test_tamper(enum st_noise_pattern pat)
{
    struct keys k;
    int total = 0, bad = 0;

    make_keys(&k);
    for (int m = 0; m < nmsgs(pat); m++) {
        size_t len = 1;
        for (size_t b = 0; b < len; b++) {
            struct pair p;
            int at, rc;
            new_pair(&p, pat, &k, pat == ST_NOISE_IK ? k.r_pub : NULL);
            rc = run(&p, pat, m, b, &at, &len);
            total++;
            if (rc != SOTTO_ERR_HANDSHAKE || at < m || at > m + 1 ||
                (at == m + 1 && !(pat == ST_NOISE_XX && m == 0)))
                bad++;
            CHECK(!st_noise_handshake_done(p.init) || !st_noise_handshake_done(p.resp));
            free_pair(&p);
        }
    }
    printf("%s: %d tampered messages, %d accepted or misreported\n",
           pat == ST_NOISE_XX ? "XX" : "IK", total, bad);
    CHECK(total > 100 && bad == 0);
}

/* Truncated, empty and oversized messages fail the reader. */
static void test_lengths(void)
{
    struct keys k;
    struct pair p;
    uint8_t *msg = malloc(MSG_CAP), *pl = malloc(MSG_CAP);
    size_t len, plen;

    make_keys(&k);
    const size_t cut[] = {0, 1, 31, 95};
    for (size_t c = 0; c < sizeof cut / sizeof cut[0]; c++) {
        new_pair(&p, ST_NOISE_IK, &k, k.r_pub);
        CHECK_OK(st_noise_write_message(p.init, msg, MSG_CAP, &len, NULL, 0));
        CHECK(len == 96);
        CHECK(st_noise_read_message(p.resp, pl, MSG_CAP, &plen, msg, cut[c]) ==
              SOTTO_ERR_TRUNCATED);
        CHECK(st_noise_handshake_state(p.resp) == ST_NOISE_FAILED);
        free_pair(&p);
    }
    new_pair(&p, ST_NOISE_XX, &k, NULL);
    CHECK(st_noise_read_message(p.resp, pl, MSG_CAP, &plen, msg, ST_NOISE_MAX_MESSAGE + 1) ==
          SOTTO_ERR_TOO_LARGE);
    CHECK(st_noise_handshake_state(p.resp) == ST_NOISE_FAILED);
    free_pair(&p);
    free(msg);
    free(pl);
}

/* Largest payloads per message; one more byte is refused without harm; too
 * small buffers are refused without harm. */
static void test_max_sizes(enum st_noise_pattern pat)
{
    struct keys k;
    struct pair p;
    uint8_t *msg = malloc(MSG_CAP), *pl = malloc(MSG_CAP), *big = calloc(1, MSG_CAP);
    size_t len, plen;

    make_keys(&k);
    new_pair(&p, pat, &k, pat == ST_NOISE_IK ? k.r_pub : NULL);
    for (int m = 0; m < nmsgs(pat); m++) {
        struct st_noise_handshake *w = m % 2 == 0 ? p.init : p.resp;
        struct st_noise_handshake *r = m % 2 == 0 ? p.resp : p.init;
        size_t oh = st_noise_write_overhead(w), max = ST_NOISE_MAX_MESSAGE - oh;
        CHECK(oh >= 32 && oh <= ST_NOISE_HANDSHAKE_OVERHEAD_MAX);
        memset(big, m + 1, max + 1);
        CHECK(st_noise_write_message(w, msg, MSG_CAP, &len, big, max + 1) == SOTTO_ERR_TOO_LARGE);
        CHECK(st_noise_write_message(w, msg, max + oh - 1, &len, big, max) ==
              SOTTO_ERR_INVALID_ARGUMENT);
        CHECK(st_noise_handshake_state(w) == ST_NOISE_WRITE);
        CHECK_OK(st_noise_write_message(w, msg, max + oh, &len, big, max));
        CHECK(len == ST_NOISE_MAX_MESSAGE);
        CHECK(st_noise_read_message(r, pl, max - 1, &plen, msg, len) == SOTTO_ERR_INVALID_ARGUMENT);
        CHECK(st_noise_handshake_state(r) == ST_NOISE_READ);
        CHECK_OK(st_noise_read_message(r, pl, max, &plen, msg, len));
        CHECK(plen == max && memcmp(pl, big, max) == 0);
    }
    CHECK(st_noise_handshake_done(p.init) && st_noise_handshake_done(p.resp));
    free_pair(&p);
    free(msg);
    free(pl);
    free(big);
}

/* Small-order ephemerals give an all-zero DH: HANDSHAKE, never a key. */
static void test_zero_ephemeral(void)
{
    struct keys k;
    struct pair p;
    uint8_t msg[256], pl[256];
    size_t len, plen;

    make_keys(&k);
    /* IK message 1 with e = 0: es fails on the responder's read. */
    new_pair(&p, ST_NOISE_IK, &k, k.r_pub);
    CHECK_OK(st_noise_write_message(p.init, msg, sizeof msg, &len, NULL, 0));
    memset(msg, 0, 32);
    CHECK(st_noise_read_message(p.resp, pl, sizeof pl, &plen, msg, len) == SOTTO_ERR_HANDSHAKE);
    free_pair(&p);
    /* XX message 1 with e = 0 reads (no DH yet); ee fails on the write. */
    new_pair(&p, ST_NOISE_XX, &k, NULL);
    memset(msg, 0, 32);
    CHECK_OK(st_noise_read_message(p.resp, pl, sizeof pl, &plen, msg, 32));
    CHECK(st_noise_write_message(p.resp, msg, sizeof msg, &len, NULL, 0) == SOTTO_ERR_HANDSHAKE);
    CHECK(len == 0);
    CHECK(st_noise_handshake_state(p.resp) == ST_NOISE_FAILED);
    free_pair(&p);
    /* IK initiator pinned to a small-order "server key": es fails. */
    uint8_t zero[32] = {0};
    new_pair(&p, ST_NOISE_IK, &k, zero);
    CHECK(st_noise_write_message(p.init, msg, sizeof msg, &len, NULL, 0) == SOTTO_ERR_HANDSHAKE);
    CHECK(st_noise_handshake_state(p.init) == ST_NOISE_FAILED);
    free_pair(&p);
}

/* Calls out of order are refused and change nothing. */
static void test_order(void)
{
    struct keys k;
    struct pair p;
    struct st_noise_transport *t = (void *)&p;
    uint8_t msg[256], pl[256], rs[32], h[64], e[32] = {1};
    size_t len, plen;
    int at;
    size_t tl;

    make_keys(&k);
    new_pair(&p, ST_NOISE_XX, &k, NULL);
    CHECK(st_noise_read_message(p.init, pl, sizeof pl, &plen, msg, 32) == SOTTO_ERR_INVALID_STATE);
    CHECK(st_noise_write_message(p.resp, msg, sizeof msg, &len, NULL, 0) ==
          SOTTO_ERR_INVALID_STATE);
    CHECK(st_noise_split(p.init, &t) == SOTTO_ERR_INVALID_STATE && t == NULL);
    CHECK(st_noise_remote_static(p.init, rs) == SOTTO_ERR_INVALID_STATE);
    CHECK(st_noise_remote_static(p.resp, rs) == SOTTO_ERR_INVALID_STATE);
    CHECK(st_noise_handshake_hash(p.init, h) == SOTTO_ERR_INVALID_STATE);
    CHECK(st_noise_handshake_state(p.init) == ST_NOISE_WRITE);
    CHECK_OK(st_noise_write_message(p.init, msg, sizeof msg, &len, NULL, 0));
    CHECK(st_noise_set_ephemeral(p.init, e) == SOTTO_ERR_INVALID_STATE);
    CHECK(st_noise_write_message(p.init, msg + 64, sizeof msg - 64, &plen, NULL, 0) ==
          SOTTO_ERR_INVALID_STATE);
    CHECK(plen == 0);
    CHECK_OK(st_noise_read_message(p.resp, pl, sizeof pl, &plen, msg, len));
    CHECK(st_noise_read_message(p.resp, pl, sizeof pl, &plen, msg, len) == SOTTO_ERR_INVALID_STATE);
    free_pair(&p);

    /* After a full handshake: no more messages; split once only. */
    new_pair(&p, ST_NOISE_IK, &k, k.r_pub);
    CHECK_OK(run(&p, ST_NOISE_IK, -1, 0, &at, &tl));
    CHECK(st_noise_write_message(p.init, msg, sizeof msg, &len, NULL, 0) ==
          SOTTO_ERR_INVALID_STATE);
    CHECK(st_noise_read_message(p.resp, pl, sizeof pl, &plen, msg, 48) == SOTTO_ERR_INVALID_STATE);
    CHECK_OK(st_noise_split(p.init, &t));
    CHECK(t != NULL);
    st_noise_transport_free(t);
    CHECK(st_noise_handshake_state(p.init) == ST_NOISE_SPLIT);
    CHECK(st_noise_split(p.init, &t) == SOTTO_ERR_INVALID_STATE && t == NULL);
    CHECK_OK(st_noise_remote_static(p.init, rs));
    CHECK_OK(st_noise_handshake_hash(p.init, h));
    free_pair(&p);
}

static void test_arguments(void)
{
    struct keys k;
    struct st_noise_handshake *hs = (void *)&k;

    make_keys(&k);
    /* rs only for an IK initiator */
    CHECK(st_noise_handshake_new(&hs, ST_NOISE_XX, 1, k.i_priv, k.r_pub, NULL, 0) ==
              SOTTO_ERR_INVALID_ARGUMENT &&
          hs == NULL);
    CHECK(st_noise_handshake_new(&hs, ST_NOISE_IK, 1, k.i_priv, NULL, NULL, 0) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_noise_handshake_new(&hs, ST_NOISE_IK, 0, k.r_priv, k.i_pub, NULL, 0) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_noise_handshake_new(&hs, (enum st_noise_pattern)7, 0, k.r_priv, NULL, NULL, 0) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_noise_handshake_new(&hs, ST_NOISE_XX, 0, NULL, NULL, NULL, 0) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_noise_handshake_new(&hs, ST_NOISE_XX, 0, k.r_priv, NULL, NULL, 3) ==
          SOTTO_ERR_INVALID_ARGUMENT);
    st_noise_handshake_free(NULL);
}

/* Different prologues: the handshake fails at the first authenticated read. */
static void test_prologue_mismatch(void)
{
    struct keys k;
    struct st_noise_handshake *i, *r;
    uint8_t msg[256], pl[256];
    size_t len, plen;

    make_keys(&k);
    CHECK_OK(
        st_noise_handshake_new(&i, ST_NOISE_IK, 1, k.i_priv, k.r_pub, (const uint8_t *)"a", 1));
    CHECK_OK(st_noise_handshake_new(&r, ST_NOISE_IK, 0, k.r_priv, NULL, (const uint8_t *)"b", 1));
    CHECK_OK(st_noise_write_message(i, msg, sizeof msg, &len, NULL, 0));
    CHECK(st_noise_read_message(r, pl, sizeof pl, &plen, msg, len) == SOTTO_ERR_HANDSHAKE);
    st_noise_handshake_free(i);
    st_noise_handshake_free(r);
}

int main(void)
{
    t_init();
    t_seed_random(20261127);
    test_round_trip(ST_NOISE_XX);
    test_round_trip(ST_NOISE_IK);
    test_ik_wrong_server_key();
    test_tamper(ST_NOISE_XX);
    test_tamper(ST_NOISE_IK);
    test_lengths();
    test_max_sizes(ST_NOISE_XX);
    test_max_sizes(ST_NOISE_IK);
    test_zero_ephemeral();
    test_order();
    test_arguments();
    test_prologue_mismatch();
    return t_done();
}
