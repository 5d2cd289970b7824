/*
 * Polynomials of R_q = Z_q[X]/(X^256 + 1), q = 3329 (FIPS 203 §2.4 and
 * §4.3): modular reduction, the NTT and its inverse, multiplication in the
 * NTT domain, sampling (SampleNTT, SamplePolyCBD), Compress/Decompress and
 * ByteEncode/ByteDecode. Coefficients are int16_t; the functions say which
 * range they accept and produce. Nothing here divides, branches or indexes
 * by a coefficient value except st_poly_sample_ntt(_x4), which runs on
 * public XOF output (rho is public).
 */
#ifndef ST_KEM_POLY_H
#define ST_KEM_POLY_H

#include <stddef.h>
#include <stdint.h>

enum {
    ST_KEM_N = 256,
    ST_KEM_Q = 3329,
    ST_KEM_POLY_BYTES = 384, /* ByteEncode_12 */
    ST_KEM_MAX_K = 4,
};

struct st_poly {
    int16_t c[ST_KEM_N];
};

/* a * 2^-16 mod q in (-q, q), for |a| < q * 2^15. */
int16_t st_kem_montgomery_reduce(int32_t a);
/* The representative of a mod q in [-(q-1)/2, (q-1)/2]. */
int16_t st_kem_barrett_reduce(int16_t a);
/* Compress_d (FIPS 203 (4.7)) of x in [0, q), by multiply and shift. */
uint16_t st_kem_compress(uint16_t x, unsigned d);
/* Decompress_d (FIPS 203 (4.8)) of y < 2^d. */
uint16_t st_kem_decompress(uint16_t y, unsigned d);

/* zeta^BitRev7(i) * 2^16 mod q, centered (zeta = 17). */
extern const int16_t st_kem_zetas[128];

/* x86-64 always has SSE2: ntt_sse2.c then provides st_poly_ntt and
 * st_poly_invntt; the portable versions stay as the *_ref reference. */
#if defined(__SSE2__)
#define ST_KEM_NTT_SSE2 1
#else
#define ST_KEM_NTT_SSE2 0
#endif

/* NTT (Algorithm 9). In: |c| < q. Out: |c| < q (Barrett-reduced). */
void st_poly_ntt(struct st_poly *p);
/* NTT^-1 (Algorithm 10), times 2^16: undoes the 2^-16 that
 * st_poly_basemul_acc leaves. In: |c| < q. Out: |c| < q. */
void st_poly_invntt(struct st_poly *p);
void st_poly_ntt_ref(struct st_poly *p);
void st_poly_invntt_ref(struct st_poly *p);
/* r += (a x b) * 2^-16 in the NTT domain (MultiplyNTTs, Algorithm 11).
 * a, b: |c| < q; r: |c| grows by < 2q per call, reduce after <= 4 calls. */
void st_poly_basemul_acc(struct st_poly *r, const struct st_poly *a, const struct st_poly *b);
void st_poly_zero(struct st_poly *p);
void st_poly_reduce(struct st_poly *p);
/* Multiply by 2^16 mod q (undo the basemul factor without an invNTT). */
void st_poly_tomont(struct st_poly *p);
void st_poly_add(struct st_poly *r, const struct st_poly *a);
void st_poly_sub(struct st_poly *r, const struct st_poly *a); /* r = r - a */

/* SamplePolyCBD_2 (Algorithm 8) on PRF_2(s, n) = SHAKE256(s || n, 128). */
void st_poly_noise_eta2(struct st_poly *p, const uint8_t s[32], uint8_t n);
/* Four of them at once: p[j] gets the noise for n[j]. */
void st_poly_noise_eta2_x4(struct st_poly *const p[4], const uint8_t s[32], const uint8_t n[4]);
/* SampleNTT(rho || x || y) (Algorithm 7), coefficients in [0, q). */
void st_poly_sample_ntt(struct st_poly *p, const uint8_t rho[32], uint8_t x, uint8_t y);
/* Four of them at once: p[j] = SampleNTT(rho || xy[j][0] || xy[j][1]). */
void st_poly_sample_ntt_x4(struct st_poly *const p[4], const uint8_t rho[32],
                           const uint8_t xy[4][2]);

/* ByteEncode_12 of a polynomial with |c| < q (normalized to [0, q) first). */
void st_poly_tobytes(uint8_t r[ST_KEM_POLY_BYTES], const struct st_poly *p);
/* ByteDecode_12: coefficients reduced mod q into [0, q), in constant time. */
void st_poly_frombytes(struct st_poly *p, const uint8_t a[ST_KEM_POLY_BYTES]);
/* 1 if every 12-bit value in a is below q (FIPS 203 §7.2). Public data. */
int st_poly_check_modulus(const uint8_t a[ST_KEM_POLY_BYTES]);
/* ByteEncode_d(Compress_d(p)), 32*d bytes; |c| < q in. */
void st_poly_compress(uint8_t *r, const struct st_poly *p, unsigned d);
/* Decompress_d(ByteDecode_d(a)) from 32*d bytes. */
void st_poly_decompress(struct st_poly *p, const uint8_t *a, unsigned d);

#endif
