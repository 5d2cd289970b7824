/*
 * bench_kem [SECONDS]: keygen, encaps and decaps per second for Kyber1024
 * (round 3), ML-KEM-768 and ML-KEM-1024, each timed for SECONDS (default
 * 1) on one core (best of five bursts). bench/kem/run puts libsignal's
 * figure next to these.
 *
 * bench_kem --libsignal-key FILE: FILE holds a key pair made by libsignal
 * (serialized public key, then secret key, type bytes included); checks
 * that it parses as Kyber1024, passes the FIPS 203 key checks, and that
 * our encapsulation to it decapsulates with its secret key.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kem/kem.h"
#include "sotto/sotto.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum op { KEYGEN, ENCAPS, DECAPS };

struct bufs {
    uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK], ct[ST_KEM_MAX_CT], ss[32];
};

static int run_op(enum op op, enum st_kem_variant v, struct bufs *b)
{
    switch (op) {
    case KEYGEN:
        return st_kem_keypair(v, b->pk, b->sk);
    case ENCAPS:
        return st_kem_encaps(v, b->ct, b->ss, b->pk, st_kem_pk_bytes(v));
    case DECAPS:
        return st_kem_decaps(v, b->ss, b->ct, st_kem_ct_bytes(v), b->sk, st_kem_sk_bytes(v));
    default:
        return -1;
    }
}

/* Operations per second of op: the best of five bursts that together take
 * about secs seconds (the best burst is the one least disturbed by other
 * processes on a shared machine). */
static double measure(enum op op, enum st_kem_variant v, struct bufs *b, double secs)
{
    double best = 0;

    for (int i = 0; i < 20; i++) /* warm up */
        if (run_op(op, v, b) != 0)
            return -1;
    for (int burst = 0; burst < 5; burst++) {
        long n = 0;
        double t0 = now(), t;
        do {
            for (int i = 0; i < 20; i++)
                if (run_op(op, v, b) != 0)
                    return -1;
            n += 20;
            t = now();
        } while (t - t0 < secs / 5);
        if ((double)n / (t - t0) > best)
            best = (double)n / (t - t0);
    }
    return best;
}

static int check_libsignal_key(const char *path)
{
    static uint8_t buf[ST_KEM_MAX_SERIALIZED_PK + ST_KEM_MAX_SERIALIZED_SK + 1];
    uint8_t ct[ST_KEM_MAX_CT], ss1[32], ss2[32];
    const uint8_t *pk, *sk;
    enum st_kem_variant vp, vs;
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL) {
        perror(path);
        return 1;
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n != ST_KEM_MAX_SERIALIZED_PK + ST_KEM_MAX_SERIALIZED_SK ||
        st_kem_parse_pk(&vp, &pk, buf, ST_KEM_MAX_SERIALIZED_PK) != 0 ||
        st_kem_parse_sk(&vs, &sk, buf + ST_KEM_MAX_SERIALIZED_PK, ST_KEM_MAX_SERIALIZED_SK) != 0 ||
        vp != ST_KEM_KYBER1024 || vs != ST_KEM_KYBER1024) {
        fprintf(stderr, "bench_kem: %s is not a serialized Kyber1024 key pair\n", path);
        return 1;
    }
    if (st_kem_check_pk(vp, pk, st_kem_pk_bytes(vp)) != 0 ||
        st_kem_check_sk(vs, sk, st_kem_sk_bytes(vs)) != 0 ||
        st_kem_encaps(vp, ct, ss1, pk, st_kem_pk_bytes(vp)) != 0 ||
        st_kem_decaps(vs, ss2, ct, st_kem_ct_bytes(vs), sk, st_kem_sk_bytes(vs)) != 0 ||
        memcmp(ss1, ss2, 32) != 0) {
        fprintf(stderr, "bench_kem: libsignal key pair fails our checks or round trip\n");
        return 1;
    }
    printf("libsignal key pair: type 0x%02x, FIPS 203 key checks pass, encaps/decaps agree\n",
           buf[0]);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct {
        enum st_kem_variant v;
        const char *name;
    } variants[] = {
        {ST_KEM_KYBER1024, "Kyber1024"},
        {ST_KEM_MLKEM768, "ML-KEM-768"},
        {ST_KEM_MLKEM1024, "ML-KEM-1024"},
    };
    static const char *ops[] = {"keygen", "encaps", "decaps"};
    double secs = argc > 1 ? strtod(argv[1], NULL) : 1.0;
    struct bufs b;

    if (sotto_init() != 0) {
        fprintf(stderr, "bench_kem: sotto_init failed\n");
        return 1;
    }
    if (argc > 2 && strcmp(argv[1], "--libsignal-key") == 0)
        return check_libsignal_key(argv[2]);
    if (secs <= 0 || secs > 60)
        secs = 1.0;
    printf("%-12s %-7s %12s %10s\n", "variant", "op", "ops/s", "us/op");
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        /* a key pair and ciphertext for encaps/decaps to work on */
        if (st_kem_keypair(variants[i].v, b.pk, b.sk) != 0 ||
            st_kem_encaps(variants[i].v, b.ct, b.ss, b.pk, st_kem_pk_bytes(variants[i].v)) != 0) {
            fprintf(stderr, "bench_kem: %s setup failed\n", variants[i].name);
            return 1;
        }
        for (int op = KEYGEN; op <= DECAPS; op++) {
            struct bufs work = b;
            double r = measure((enum op)op, variants[i].v, &work, secs);
            if (r < 0) {
                fprintf(stderr, "bench_kem: %s %s failed\n", variants[i].name, ops[op]);
                return 1;
            }
            printf("%-12s %-7s %12.0f %10.1f\n", variants[i].name, ops[op], r, 1e6 / r);
        }
    }
    return 0;
}
