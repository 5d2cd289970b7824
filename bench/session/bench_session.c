/*
 * bench_session: 1:1 session throughput through the public API with
 * in-memory stores, so every message parses and re-serializes the session
 * record (as a real store would): one-way and alternating 100-byte
 * messages, and PQXDH setups (bundle processing + first PreKey message
 * decrypted), and the X25519 floor of an alternating message (one key
 * pair + two agreements). Each case is the best of three bursts of
 * SECONDS/3. Usage: bench_session [SECONDS per case, default 3]
 * [one-way|alternating|floor|pqxdh]. Output lines: "sotto <case> <rate>
 * <unit> (notes)", read by bench/session/run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../tests/peer/memstore.c"
#include "crypto/crypto.h"
#include "sotto/sotto.h"

struct party {
    struct memstore ms;
    struct sotto_store st;
    struct sotto_address addr;
    uint32_t next_id;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static _Noreturn void die(const char *what, int rc)
{
    fprintf(stderr, "bench_session: %s: %s\n", what, sotto_strerror(rc));
    exit(1);
}

static void party_init(struct party *p, const char *name)
{
    memstore_init(&p->ms);
    memstore_bind(&p->st, &p->ms);
    if (sotto_identity_generate(p->ms.identity_pub, p->ms.identity_priv) != SOTTO_OK)
        die("identity", SOTTO_ERR_CRYPTO);
    p->ms.registration_id = 42;
    p->addr.name = name;
    p->addr.device_id = 1;
    p->next_id = 1;
}

/* A fresh bundle with one-time and Kyber prekeys, stored in p. */
static void party_bundle(struct party *p, struct sotto_prekey_bundle *b)
{
    struct sotto_buf r;
    uint32_t id;
    int rc, lr;

    memset(b, 0, sizeof(*b));
    b->registration_id = p->ms.registration_id;
    b->device_id = 1;
    memcpy(b->identity_key, p->ms.identity_pub, 33);
    if ((rc = sotto_prekey_generate(&r, p->next_id++)) ||
        (rc = sotto_prekey_public(&b->prekey_id, b->prekey, r.data, r.len)) ||
        (rc = ms_put(&p->ms.prekeys, NULL, b->prekey_id, r.data, r.len)))
        die("prekey", rc);
    sotto_buf_free(&r);
    b->has_prekey = 1;
    if ((rc = sotto_signed_prekey_generate(&r, p->next_id++, p->ms.identity_priv, 0)) ||
        (rc = sotto_signed_prekey_public(&b->signed_prekey_id, b->signed_prekey,
                                         b->signed_prekey_signature, r.data, r.len)) ||
        (rc = ms_put(&p->ms.signed_prekeys, NULL, b->signed_prekey_id, r.data, r.len)))
        die("signed prekey", rc);
    sotto_buf_free(&r);
    if ((rc = sotto_kyber_prekey_generate(&r, p->next_id++, p->ms.identity_priv, 0, 0)) ||
        (rc = sotto_kyber_prekey_public(&id, b->kyber_prekey, b->kyber_prekey_signature, &lr,
                                        r.data, r.len)) ||
        (rc = ms_put(&p->ms.kyber_prekeys, NULL, id, r.data, r.len)))
        die("kyber prekey", rc);
    sotto_buf_free(&r);
    b->kyber_prekey_id = id;
    b->has_kyber = 1;
}

static void one_message(struct party *from, struct party *to, const uint8_t *pt, size_t len)
{
    struct sotto_buf ct, out;
    int type, rc;

    if ((rc = sotto_session_encrypt(&ct, &type, &from->st, &to->addr, pt, len, 1000)))
        die("encrypt", rc);
    if ((rc = sotto_session_decrypt(&out, &to->st, &from->addr, type, ct.data, ct.len)))
        die("decrypt", rc);
    if (out.len != len || memcmp(out.data, pt, len) != 0)
        die("round trip", SOTTO_ERR_INVALID_STATE);
    sotto_buf_free(&ct);
    sotto_buf_free(&out);
}

static void setup(struct party *a, struct party *b)
{
    static struct sotto_prekey_bundle bundle;
    static const uint8_t hi[] = "hi";
    int rc;

    party_bundle(b, &bundle);
    if ((rc = sotto_session_process_bundle(&a->st, &b->addr, &bundle, 1000)))
        die("process bundle", rc);
    one_message(a, b, hi, 2);
}

/* Best rate over BURSTS bursts of secs / BURSTS each: step(ctx, i) does one
 * unit of work and returns seconds of untimed preparation to subtract. */
enum { BURSTS = 3 };
typedef double (*step_fn)(void *ctx, long i);

static double best_of(double secs, step_fn step, void *ctx, int batch, long *total)
{
    double best = 0;
    long n = 0;

    for (int burst = 0; burst < BURSTS; burst++) {
        long k = 0;
        double timed = 0;
        do {
            double t0 = now_s(), excluded = 0;
            for (int i = 0; i < batch; i++, k++)
                excluded += step(ctx, n + k);
            timed += now_s() - t0 - excluded;
        } while (timed < secs / BURSTS);
        n += k;
        if ((double)k / timed > best)
            best = (double)k / timed;
    }
    *total = n;
    return best;
}

static void line(const char *what, double rate, const char *unit, const char *note, long n)
{
    printf("%-10s %-12s %9.0f %s  (%ld %s)\n", "sotto", what, rate, unit, n, note);
}

struct msg_ctx {
    struct party a, b;
    uint8_t pt[100];
    int alternate;
};

static double msg_step(void *ctx, long i)
{
    struct msg_ctx *c = ctx;
    int flip = c->alternate && (i & 1);

    one_message(flip ? &c->b : &c->a, flip ? &c->a : &c->b, c->pt, sizeof(c->pt));
    return 0;
}

static void bench_messages(double secs, int alternate)
{
    static struct msg_ctx c;
    double rate;
    long n;

    party_init(&c.a, "a");
    party_init(&c.b, "b");
    setup(&c.a, &c.b);
    one_message(&c.b, &c.a, (const uint8_t *)"ack", 3);
    memset(c.pt, 'x', sizeof(c.pt));
    c.alternate = alternate;
    rate = best_of(secs, msg_step, &c, 50, &n);
    line(alternate ? "alternating" : "one-way", rate, "msg/s   ", "messages", n);
    memstore_clear(&c.a.ms);
    memstore_clear(&c.b.ms);
}

/* One PQXDH setup from scratch; B's bundle generation is not timed. */
static double setup_step(void *ctx, long i)
{
    struct msg_ctx *c = ctx;
    static struct sotto_prekey_bundle bundle;
    static const uint8_t hi[] = "hi";
    double g0 = now_s(), gen;
    int rc;

    (void)i;
    party_bundle(&c->b, &bundle);
    gen = now_s() - g0;
    ms_remove(&c->a.ms.sessions, c->b.addr.name, 1);
    ms_remove(&c->b.ms.sessions, c->a.addr.name, 1);
    if ((rc = sotto_session_process_bundle(&c->a.st, &c->b.addr, &bundle, 1000)))
        die("process bundle", rc);
    one_message(&c->a, &c->b, hi, 2);
    ms_remove(&c->b.ms.signed_prekeys, NULL, bundle.signed_prekey_id);
    return gen;
}

static void bench_setups(double secs)
{
    static struct msg_ctx c;
    double rate;
    long n;

    party_init(&c.a, "a");
    party_init(&c.b, "b");
    rate = best_of(secs, setup_step, &c, 10, &n);
    line("pqxdh", rate, "setups/s", "setups; bundle generation excluded", n);
    memstore_clear(&c.a.ms);
    memstore_clear(&c.b.ms);
}

/* The X25519 work of one alternating message: the receiver's DH ratchet
 * step makes one key pair and two agreements (one with its old ratchet
 * key, one with the new). Reported as messages/s. */
struct floor_ctx {
    uint8_t peer[ST_X25519_BYTES], old_priv[ST_X25519_BYTES];
    uint8_t pub[ST_X25519_BYTES], priv[ST_X25519_BYTES], shared[ST_X25519_BYTES];
};

static double floor_step(void *ctx, long i)
{
    struct floor_ctx *c = ctx;
    int rc;

    (void)i;
    if ((rc = st_x25519(c->shared, c->old_priv, c->peer)) ||
        (rc = st_x25519_keypair(c->pub, c->priv)) || (rc = st_x25519(c->shared, c->priv, c->peer)))
        die("x25519", rc);
    memcpy(c->old_priv, c->priv, sizeof(c->priv));
    return 0;
}

static void bench_floor(double secs)
{
    static struct floor_ctx c;
    uint8_t priv[ST_X25519_BYTES];
    double rate;
    long n;

    if (st_x25519_keypair(c.peer, priv) || st_x25519_keypair(c.pub, c.old_priv))
        die("x25519 keypair", SOTTO_ERR_CRYPTO);
    rate = best_of(secs, floor_step, &c, 50, &n);
    line("floor", rate, "msg/s   ", "rounds of 1 st_x25519_keypair + 2 st_x25519", n);
    st_wipe(priv, sizeof(priv));
    st_wipe(&c, sizeof(c));
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3.0;
    const char *only = argc > 2 ? argv[2] : NULL;

    if (sotto_init() != SOTTO_OK)
        die("sotto_init", SOTTO_ERR_CRYPTO);
    if (secs <= 0)
        secs = 3.0;
    if (only == NULL || strcmp(only, "one-way") == 0)
        bench_messages(secs, 0);
    if (only == NULL || strcmp(only, "alternating") == 0)
        bench_messages(secs, 1);
    if (only == NULL || strcmp(only, "floor") == 0)
        bench_floor(secs);
    if (only == NULL || strcmp(only, "pqxdh") == 0)
        bench_setups(secs);
    return 0;
}
