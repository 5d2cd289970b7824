/*
 * The NTT and its inverse (FIPS 203 Algorithms 9 and 10) on SSE2, eight
 * coefficients per instruction: the same butterflies, twiddles and
 * reductions as st_poly_ntt_ref / st_poly_invntt_ref in poly.c, which
 * tests/unit/test_kem_poly.c compares them with. Montgomery multiplication
 * uses the low and high halves of 16x16-bit products (pmullw/pmulhw):
 * (a*b - t*q) / 2^16 = hi(a*b) - hi(t*q) with t = lo(a*b) * q^-1.
 * Layers with len >= 8 work on whole vectors; len 4 and 2 first regroup
 * coefficients so that the low and high halves of several butterfly groups
 * share one vector. Compiled only where SSE2 is available (all x86-64).
 */
#include "poly.h"

#if ST_KEM_NTT_SSE2
#include <emmintrin.h>

enum { QINV = -3327, BARRETT_V = 20159, INV128_R2 = 1441 };

static inline __m128i fqmul(__m128i a, __m128i b)
{
    __m128i lo = _mm_mullo_epi16(a, b);
    __m128i hi = _mm_mulhi_epi16(a, b);
    __m128i t = _mm_mullo_epi16(lo, _mm_set1_epi16(QINV));
    return _mm_sub_epi16(hi, _mm_mulhi_epi16(t, _mm_set1_epi16(ST_KEM_Q)));
}

/* floor((V*a + 2^25) / 2^26) = (hi(V*a) + 2^9) >> 10, exactly. */
static inline __m128i barrett(__m128i a)
{
    __m128i t = _mm_mulhi_epi16(a, _mm_set1_epi16(BARRETT_V));
    t = _mm_srai_epi16(_mm_add_epi16(t, _mm_set1_epi16(1 << 9)), 10);
    return _mm_sub_epi16(a, _mm_mullo_epi16(t, _mm_set1_epi16(ST_KEM_Q)));
}

static inline __m128i load(const int16_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline void store(int16_t *p, __m128i v)
{
    _mm_storeu_si128((__m128i *)(void *)p, v);
}

/* Cooley-Tukey: (a, b) -> (a + zeta b, a - zeta b) */
static inline void ct_butterfly(__m128i *a, __m128i *b, __m128i zeta)
{
    __m128i t = fqmul(zeta, *b);
    *b = _mm_sub_epi16(*a, t);
    *a = _mm_add_epi16(*a, t);
}

/* Gentleman-Sande: (a, b) -> (barrett(a + b), zeta (b - a)) */
static inline void gs_butterfly(__m128i *a, __m128i *b, __m128i zeta)
{
    __m128i t = *a;
    *a = barrett(_mm_add_epi16(t, *b));
    *b = fqmul(zeta, _mm_sub_epi16(*b, t));
}

/* Groups of 8 (len 4): x0 = [lo0 hi0], x1 = [lo1 hi1] <-> a = [lo0 lo1],
 * b = [hi0 hi1]; the swap is its own inverse. */
static inline void regroup4(__m128i *x0, __m128i *x1)
{
    __m128i a = _mm_unpacklo_epi64(*x0, *x1), b = _mm_unpackhi_epi64(*x0, *x1);
    *x0 = a;
    *x1 = b;
}

/* Groups of 4 (len 2): x0 = [L0 H0 L1 H1], x1 = [L2 H2 L3 H3] (2-coefficient
 * pieces) -> a = [L0 L1 L2 L3], b = [H0 H1 H2 H3]. */
static inline void split2(__m128i *x0, __m128i *x1)
{
    __m128i y0 = _mm_shuffle_epi32(*x0, _MM_SHUFFLE(3, 1, 2, 0));
    __m128i y1 = _mm_shuffle_epi32(*x1, _MM_SHUFFLE(3, 1, 2, 0));
    *x0 = _mm_unpacklo_epi64(y0, y1);
    *x1 = _mm_unpackhi_epi64(y0, y1);
}

static inline void join2(__m128i *a, __m128i *b)
{
    __m128i y0 = _mm_unpacklo_epi64(*a, *b), y1 = _mm_unpackhi_epi64(*a, *b);
    *a = _mm_shuffle_epi32(y0, _MM_SHUFFLE(3, 1, 2, 0));
    *b = _mm_shuffle_epi32(y1, _MM_SHUFFLE(3, 1, 2, 0));
}

static inline void big_layer(int16_t *f, unsigned len, unsigned k, int forward)
{
    for (unsigned start = 0; start < ST_KEM_N; start += 2 * len) {
        __m128i zeta = _mm_set1_epi16(st_kem_zetas[forward ? k++ : k--]);
        for (unsigned j = start; j < start + len; j += 8) {
            __m128i a = load(f + j), b = load(f + j + len);
            if (forward)
                ct_butterfly(&a, &b, zeta);
            else
                gs_butterfly(&a, &b, zeta);
            store(f + j, a);
            store(f + j + len, b);
        }
    }
}

void st_poly_ntt(struct st_poly *p)
{
    int16_t *f = p->c;

    big_layer(f, 128, 1, 1);
    big_layer(f, 64, 2, 1);
    big_layer(f, 32, 4, 1);
    big_layer(f, 16, 8, 1);
    big_layer(f, 8, 16, 1);
    for (unsigned i = 0; i < 16; i++) {
        /* len 4: groups 2i, 2i+1 with zetas[32 + group]; then len 2:
         * groups 4i..4i+3 with zetas[64 + group] */
        const int16_t *z4 = st_kem_zetas + 32 + 2 * i, *z2 = st_kem_zetas + 64 + 4 * i;
        __m128i x0 = load(f + 16 * i), x1 = load(f + 16 * i + 8);
        regroup4(&x0, &x1);
        ct_butterfly(&x0, &x1,
                     _mm_set_epi16(z4[1], z4[1], z4[1], z4[1], z4[0], z4[0], z4[0], z4[0]));
        regroup4(&x0, &x1);
        split2(&x0, &x1);
        ct_butterfly(&x0, &x1,
                     _mm_set_epi16(z2[3], z2[3], z2[2], z2[2], z2[1], z2[1], z2[0], z2[0]));
        join2(&x0, &x1);
        store(f + 16 * i, barrett(x0));
        store(f + 16 * i + 8, barrett(x1));
    }
}

void st_poly_invntt(struct st_poly *p)
{
    int16_t *f = p->c;

    for (unsigned i = 0; i < 16; i++) {
        /* len 2: groups 4i..4i+3 with zetas[127 - group]; len 4: groups
         * 2i, 2i+1 with zetas[63 - group] */
        const int16_t *z2 = st_kem_zetas + 127 - 4 * i, *z4 = st_kem_zetas + 63 - 2 * i;
        __m128i x0 = load(f + 16 * i), x1 = load(f + 16 * i + 8);
        split2(&x0, &x1);
        gs_butterfly(&x0, &x1,
                     _mm_set_epi16(z2[-3], z2[-3], z2[-2], z2[-2], z2[-1], z2[-1], z2[0], z2[0]));
        join2(&x0, &x1);
        regroup4(&x0, &x1);
        gs_butterfly(&x0, &x1,
                     _mm_set_epi16(z4[-1], z4[-1], z4[-1], z4[-1], z4[0], z4[0], z4[0], z4[0]));
        regroup4(&x0, &x1);
        store(f + 16 * i, x0);
        store(f + 16 * i + 8, x1);
    }
    big_layer(f, 8, 31, 0);
    big_layer(f, 16, 15, 0);
    big_layer(f, 32, 7, 0);
    big_layer(f, 64, 3, 0);
    big_layer(f, 128, 1, 0);
    for (unsigned j = 0; j < ST_KEM_N; j += 8)
        store(f + j, fqmul(load(f + j), _mm_set1_epi16(INV128_R2)));
}
#endif
