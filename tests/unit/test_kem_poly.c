/*
 * lib/kem/poly.c internals: Compress_d against the definition with a real
 * division for every x and d used, the reductions over their input ranges,
 * NTT -> invNTT round trips, NTT-domain multiplication against schoolbook
 * multiplication in Z_q[X]/(X^256 + 1), and the byte encodings.
 */
#include <string.h>

#include "kem/poly.h"
#include "testutil.h"

static int mod_q(int x)
{
    x %= ST_KEM_Q;
    return x < 0 ? x + ST_KEM_Q : x;
}

static void compress_exhaustive(void)
{
    static const unsigned ds[] = {1, 4, 5, 10, 11};
    int bad = 0;

    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        unsigned d = ds[i];
        for (unsigned x = 0; x < ST_KEM_Q; x++) {
            /* round(2^d x / q) mod 2^d with exact rational rounding */
            unsigned expect = (((x << d) * 2 + ST_KEM_Q) / (2 * ST_KEM_Q)) % (1u << d);
            bad += st_kem_compress((uint16_t)x, d) != expect;
        }
        for (unsigned y = 0; y < (1u << d); y++) {
            unsigned expect = (y * ST_KEM_Q * 2 + (1u << d)) / (2u << d);
            bad += st_kem_decompress((uint16_t)y, d) != expect;
        }
    }
    CHECK(bad == 0);
}

static void reductions(void)
{
    int bad = 0;

    for (int a = -32768; a <= 32767; a++) {
        int16_t r = st_kem_barrett_reduce((int16_t)a);
        bad += r < -(ST_KEM_Q - 1) / 2 || r > (ST_KEM_Q - 1) / 2 || mod_q(r - a) != 0;
    }
    for (int32_t a = -ST_KEM_Q * 32768 + 1; a < ST_KEM_Q * 32768; a += 9973) {
        int16_t r = st_kem_montgomery_reduce(a);
        /* r * 2^16 == a (mod q) */
        bad += r <= -ST_KEM_Q || r >= ST_KEM_Q || mod_q((int)(((int64_t)r * 65536 - a) % ST_KEM_Q));
    }
    CHECK(bad == 0);
}

static uint32_t lcg_state = 12345;
static int rnd_coeff(void)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return (int)((lcg_state >> 8) % ST_KEM_Q);
}

static void schoolbook(int *r, const int *a, const int *b)
{
    memset(r, 0, sizeof(int) * ST_KEM_N);
    for (int i = 0; i < ST_KEM_N; i++)
        for (int j = 0; j < ST_KEM_N; j++) {
            int64_t p = (int64_t)a[i] * b[j] % ST_KEM_Q;
            if (i + j < ST_KEM_N)
                r[i + j] = mod_q((int)(r[i + j] + p));
            else
                r[i + j - ST_KEM_N] = mod_q((int)(r[i + j - ST_KEM_N] - p));
        }
}

static void ntt_multiply(void)
{
    for (int trial = 0; trial < 5; trial++) {
        struct st_poly a, b, acc, rt;
        int ai[ST_KEM_N], bi[ST_KEM_N], ri[ST_KEM_N];
        int bad = 0;

        for (int i = 0; i < ST_KEM_N; i++) {
            ai[i] = rnd_coeff();
            bi[i] = trial == 0 ? (i < 3 ? 1 : 0) : rnd_coeff() % 5 - 2;
            a.c[i] = (int16_t)ai[i];
            b.c[i] = (int16_t)bi[i];
        }
        rt = a;
        st_poly_ntt(&rt);
        st_poly_invntt(&rt); /* invNTT also multiplies by 2^16: undo it */
        for (int i = 0; i < ST_KEM_N; i++)
            rt.c[i] = st_kem_montgomery_reduce(rt.c[i]);
        for (int i = 0; i < ST_KEM_N; i++)
            bad += mod_q(rt.c[i] - ai[i]) != 0;
        schoolbook(ri, ai, bi);
        st_poly_ntt(&a);
        st_poly_ntt(&b);
        st_poly_zero(&acc);
        st_poly_basemul_acc(&acc, &a, &b);
        st_poly_reduce(&acc);
        st_poly_invntt(&acc);
        for (int i = 0; i < ST_KEM_N; i++)
            bad += mod_q(acc.c[i] - ri[i]) != 0;
        CHECK(bad == 0);
    }
}

static void encodings(void)
{
    uint8_t bytes[ST_KEM_POLY_BYTES], again[ST_KEM_POLY_BYTES];
    struct st_poly p, q;
    int bad = 0;

    for (int i = 0; i < ST_KEM_N; i++)
        p.c[i] = (int16_t)(rnd_coeff() - ST_KEM_Q / 2);
    st_poly_tobytes(bytes, &p);
    CHECK(st_poly_check_modulus(bytes));
    st_poly_frombytes(&q, bytes);
    for (int i = 0; i < ST_KEM_N; i++)
        bad += q.c[i] < 0 || q.c[i] >= ST_KEM_Q || mod_q(q.c[i] - p.c[i]) != 0;
    st_poly_tobytes(again, &q);
    CHECK(memcmp(bytes, again, sizeof bytes) == 0);
    /* a 12-bit value of q or more fails the modulus check and decodes mod q */
    bytes[0] = 0x01; /* 0xD01 = 3329 */
    bytes[1] = (uint8_t)((bytes[1] & 0xF0) | 0x0D);
    CHECK(!st_poly_check_modulus(bytes));
    st_poly_frombytes(&q, bytes);
    CHECK(q.c[0] == 0);
    memset(bytes, 0xFF, sizeof bytes);
    CHECK(!st_poly_check_modulus(bytes));
    st_poly_frombytes(&q, bytes);
    CHECK(q.c[0] == 4095 - ST_KEM_Q && q.c[255] == 4095 - ST_KEM_Q);
    /* compress/decompress round trip stays within q / 2^(d+1) */
    for (unsigned d = 1; d <= 11; d++) {
        uint8_t c[32 * 11];
        st_poly_compress(c, &p, d);
        st_poly_decompress(&q, c, d);
        for (int i = 0; i < ST_KEM_N; i++) {
            int diff = mod_q(q.c[i] - p.c[i]);
            if (diff > ST_KEM_Q / 2)
                diff = ST_KEM_Q - diff;
            bad += diff > (ST_KEM_Q + (1 << (d + 1)) - 1) >> (d + 1);
        }
    }
    CHECK(bad == 0);
}

/* The SSE2 NTT (where built) gives exactly the reference NTT's output. */
static void ntt_matches_reference(void)
{
    int bad = 0;

    for (int trial = 0; trial < 50; trial++) {
        struct st_poly a, b;
        for (int i = 0; i < ST_KEM_N; i++) {
            int v = rnd_coeff();
            /* inputs anywhere in (-q, q), extremes included */
            a.c[i] = (int16_t)(trial == 0   ? ST_KEM_Q - 1
                               : trial == 1 ? -(ST_KEM_Q - 1)
                                            : v - (rnd_coeff() & 1) * ST_KEM_Q);
        }
        b = a;
        st_poly_ntt(&a);
        st_poly_ntt_ref(&b);
        bad += memcmp(&a, &b, sizeof a) != 0;
        st_poly_invntt(&a);
        st_poly_invntt_ref(&b);
        bad += memcmp(&a, &b, sizeof a) != 0;
    }
    CHECK(bad == 0);
}

int main(void)
{
    t_init();
    compress_exhaustive();
    reductions();
    ntt_multiply();
    ntt_matches_reference();
    encodings();
    return t_done();
}
