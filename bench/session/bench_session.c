/*
 * bench_session: 1:1 session throughput through the public API with
 * in-memory stores, so every message parses and re-serializes the session
 * record (as a real store would): one-way and alternating 100-byte
 * messages, and PQXDH setups (bundle processing + first PreKey message
 * decrypted). Usage: bench_session [seconds per case, default 2] [one-way|alternating|pqxdh]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../tests/peer/memstore.c"
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

static void bench_messages(double secs, int alternate)
{
    struct party a, b;
    uint8_t pt[100];
    double t0, t;
    long n = 0;

    party_init(&a, "a");
    party_init(&b, "b");
    setup(&a, &b);
    one_message(&b, &a, (const uint8_t *)"ack", 3);
    memset(pt, 'x', sizeof(pt));
    t0 = now_s();
    do {
        for (int i = 0; i < 100; i++, n++) {
            int flip = alternate && (n & 1);
            one_message(flip ? &b : &a, flip ? &a : &b, pt, sizeof(pt));
        }
        t = now_s() - t0;
    } while (t < secs);
    printf("%-12s %9.0f msg/s  (%ld messages, 100-byte plaintext, record parsed+serialized "
           "per call)\n",
           alternate ? "alternating" : "one-way", (double)n / t, n);
    memstore_clear(&a.ms);
    memstore_clear(&b.ms);
}

static void bench_setups(double secs)
{
    struct party a, b;
    double t0, t, gen = 0;
    long n = 0;

    party_init(&a, "a");
    party_init(&b, "b");
    t0 = now_s();
    do {
        static struct sotto_prekey_bundle bundle;
        static const uint8_t hi[] = "hi";
        double g0 = now_s();
        int rc;
        party_bundle(&b, &bundle);
        gen += now_s() - g0;
        ms_remove(&a.ms.sessions, b.addr.name, 1);
        ms_remove(&b.ms.sessions, a.addr.name, 1);
        if ((rc = sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000)))
            die("process bundle", rc);
        one_message(&a, &b, hi, 2);
        ms_remove(&b.ms.signed_prekeys, NULL, bundle.signed_prekey_id);
        n++;
        t = now_s() - t0;
    } while (t < secs);
    printf("%-12s %9.0f setups/s (process bundle + PreKey message decrypted; %ld setups; "
           "bundle generation excluded: %.0f us each)\n",
           "pqxdh", (double)n / (t - gen), n, gen / (double)n * 1e6);
    memstore_clear(&a.ms);
    memstore_clear(&b.ms);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    const char *only = argc > 2 ? argv[2] : NULL;

    if (sotto_init() != SOTTO_OK)
        die("sotto_init", SOTTO_ERR_CRYPTO);
    if (secs <= 0)
        secs = 2.0;
    if (only == NULL || strcmp(only, "one-way") == 0)
        bench_messages(secs, 0);
    if (only == NULL || strcmp(only, "alternating") == 0)
        bench_messages(secs, 1);
    if (only == NULL || strcmp(only, "pqxdh") == 0)
        bench_setups(secs);
    return 0;
}
