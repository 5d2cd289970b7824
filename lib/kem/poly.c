/*
 * Arithmetic on R_q (FIPS 203 §4.3): NTT, MultiplyNTTs, sampling and the
 * compression and byte encodings of §4.2.1.
 *
 * Reduction: Montgomery (R = 2^16) for products, Barrett for sums; no
 * division or modulo on coefficients (the KyberSlash lesson). The NTT
 * twiddles are zeta^BitRev7(i) * R mod q and the basemul constants
 * zeta^(2 BitRev7(i) + 1) * R mod q for zeta = 17, centered; both tables
 * were generated from those formulas.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "keccak.h"
#include "poly.h"

enum {
    QINV = -3327,      /* q^-1 mod 2^16 */
    BARRETT_V = 20159, /* round(2^26 / q) */
    MONT_R2 = 1353,    /* 2^32 mod q */
    INV128_R2 = 1441,  /* 2^32 / 128 mod q (invNTT scale, also undoes 2^-16) */
};

const int16_t st_kem_zetas[128] = {
    -1044, -758,  -359,  -1517, 1493,  1422,  287,   202,   -171,  622,   1577,  182,   962,
    -1202, -1474, 1468,  573,   -1325, 264,   383,   -829,  1458,  -1602, -130,  -681,  1017,
    732,   608,   -1542, 411,   -205,  -1571, 1223,  652,   -552,  1015,  -1293, 1491,  -282,
    -1544, 516,   -8,    -320,  -666,  -1618, -1162, 126,   1469,  -853,  -90,   -271,  830,
    107,   -1421, -247,  -951,  -398,  961,   -1508, -725,  448,   -1065, 677,   -1275, -1103,
    430,   555,   843,   -1251, 871,   1550,  105,   422,   587,   177,   -235,  -291,  -460,
    1574,  1653,  -246,  778,   1159,  -147,  -777,  1483,  -602,  1119,  -1590, 644,   -872,
    349,   418,   329,   -156,  -75,   817,   1097,  603,   610,   1322,  -1285, -1465, 384,
    -1215, -136,  1218,  -1335, -874,  220,   -1187, -1659, -1185, -1530, -1278, 794,   -1510,
    -854,  -870,  478,   -108,  -308,  996,   991,   958,   -1460, 1522,  1628,
};

static const int16_t gammas[128] = {
    -1103, 1103,  430,   -430,  555,   -555,  843,  -843,  -1251, 1251,  871,   -871,  1550,
    -1550, 105,   -105,  422,   -422,  587,   -587, 177,   -177,  -235,  235,   -291,  291,
    -460,  460,   1574,  -1574, 1653,  -1653, -246, 246,   778,   -778,  1159,  -1159, -147,
    147,   -777,  777,   1483,  -1483, -602,  602,  1119,  -1119, -1590, 1590,  644,   -644,
    -872,  872,   349,   -349,  418,   -418,  329,  -329,  -156,  156,   -75,   75,    817,
    -817,  1097,  -1097, 603,   -603,  610,   -610, 1322,  -1322, -1285, 1285,  -1465, 1465,
    384,   -384,  -1215, 1215,  -136,  136,   1218, -1218, -1335, 1335,  -874,  874,   220,
    -220,  -1187, 1187,  -1659, 1659,  -1185, 1185, -1530, 1530,  -1278, 1278,  794,   -794,
    -1510, 1510,  -854,  854,   -870,  870,   478,  -478,  -108,  108,   -308,  308,   996,
    -996,  991,   -991,  958,   -958,  -1460, 1460, 1522,  -1522, 1628,  -1628,
};

static inline int16_t montgomery_reduce(int32_t a)
{
    int16_t t = (int16_t)((int16_t)a * QINV);
    return (int16_t)((a - (int32_t)t * ST_KEM_Q) >> 16);
}

/* a * b * 2^-16 mod q in (-q, q). The same Montgomery reduction written
 * with high halves: a*b and t*q agree in their low 16 bits, so
 * (a*b - t*q) >> 16 = hi(a*b) - hi(t*q), the form ntt_sse2.c computes with
 * pmullw/pmulhw (so both give identical results). */
static inline int16_t fqmul(int16_t a, int16_t b)
{
    int16_t lo = (int16_t)((uint32_t)(uint16_t)a * (uint16_t)b);
    int16_t hi = (int16_t)(((int32_t)a * b) >> 16);
    int16_t t = (int16_t)((uint32_t)(uint16_t)lo * (uint16_t)QINV);
    return (int16_t)(hi - (int16_t)(((int32_t)t * ST_KEM_Q) >> 16));
}

static inline int16_t barrett_reduce(int16_t a)
{
    int16_t t = (int16_t)(((int32_t)BARRETT_V * a + (1 << 25)) >> 26);
    return (int16_t)(a - t * ST_KEM_Q);
}

int16_t st_kem_montgomery_reduce(int32_t a)
{
    return montgomery_reduce(a);
}

int16_t st_kem_barrett_reduce(int16_t a)
{
    return barrett_reduce(a);
}

/* [-(q-1)/2, (q-1)/2] or (-q, q) to [0, q): add q where negative (mask). */
static inline uint16_t to_unsigned(int16_t a)
{
    a = (int16_t)(a + ((a >> 15) & ST_KEM_Q));
    return (uint16_t)a;
}

uint16_t st_kem_compress(uint16_t x, unsigned d)
{
    /* round(2^d x / q) = floor((2^d x + (q-1)/2) / q); q is odd so there
     * are no ties. floor(n / q) = (n * ceil(2^36 / q)) >> 36 for every
     * n < 2^23 (checked exhaustively in tests/unit/test_kem_poly.c). */
    uint64_t n = ((uint64_t)x << d) + (ST_KEM_Q - 1) / 2;
    uint64_t quot = (n * 20642679u) >> 36;
    return (uint16_t)(quot & ((1u << d) - 1));
}

uint16_t st_kem_decompress(uint16_t y, unsigned d)
{
    return (uint16_t)(((uint32_t)y * ST_KEM_Q + (1u << (d - 1))) >> d);
}

/* One NTT layer with a compile-time len, so the inner loops have fixed
 * trip counts and the compiler can vectorize them. */
static inline __attribute__((always_inline)) void ntt_layer(int16_t *f, unsigned len, unsigned i)
{
    for (unsigned start = 0; start < ST_KEM_N; start += 2 * len) {
        int16_t zeta = st_kem_zetas[i++];
        for (unsigned j = start; j < start + len; j++) {
            int16_t t = fqmul(zeta, f[j + len]);
            f[j + len] = (int16_t)(f[j] - t);
            f[j] = (int16_t)(f[j] + t);
        }
    }
}

void st_poly_ntt_ref(struct st_poly *p)
{
    /* Algorithm 9: len = 128, 64, ..., 2; layer with length len starts at
     * zeta index 128 / len. */
    ntt_layer(p->c, 128, 1);
    ntt_layer(p->c, 64, 2);
    ntt_layer(p->c, 32, 4);
    ntt_layer(p->c, 16, 8);
    ntt_layer(p->c, 8, 16);
    ntt_layer(p->c, 4, 32);
    ntt_layer(p->c, 2, 64);
    st_poly_reduce(p);
}

static inline __attribute__((always_inline)) void invntt_layer(int16_t *f, unsigned len, unsigned i)
{
    for (unsigned start = 0; start < ST_KEM_N; start += 2 * len) {
        int16_t zeta = st_kem_zetas[i--];
        for (unsigned j = start; j < start + len; j++) {
            int16_t t = f[j];
            f[j] = barrett_reduce((int16_t)(t + f[j + len]));
            f[j + len] = fqmul(zeta, (int16_t)(f[j + len] - t));
        }
    }
}

void st_poly_invntt_ref(struct st_poly *p)
{
    /* Algorithm 10: len = 2, 4, ..., 128, zeta index from 127 down; the
     * layer with length len starts at 256 / len - 1. */
    invntt_layer(p->c, 2, 127);
    invntt_layer(p->c, 4, 63);
    invntt_layer(p->c, 8, 31);
    invntt_layer(p->c, 16, 15);
    invntt_layer(p->c, 32, 7);
    invntt_layer(p->c, 64, 3);
    invntt_layer(p->c, 128, 1);
    for (unsigned j = 0; j < ST_KEM_N; j++)
        p->c[j] = fqmul(p->c[j], INV128_R2);
}

#if !ST_KEM_NTT_SSE2
void st_poly_ntt(struct st_poly *p)
{
    st_poly_ntt_ref(p);
}

void st_poly_invntt(struct st_poly *p)
{
    st_poly_invntt_ref(p);
}
#endif

void st_poly_basemul_acc(struct st_poly *r, const struct st_poly *a, const struct st_poly *b)
{
    for (unsigned i = 0; i < ST_KEM_N / 2; i++) {
        int16_t a0 = a->c[2 * i], a1 = a->c[2 * i + 1];
        int16_t b0 = b->c[2 * i], b1 = b->c[2 * i + 1];
        /* BaseCaseMultiply (Algorithm 12) */
        int16_t c0 = (int16_t)(fqmul(a0, b0) + fqmul(fqmul(a1, b1), gammas[i]));
        int16_t c1 = (int16_t)(fqmul(a0, b1) + fqmul(a1, b0));
        r->c[2 * i] = (int16_t)(r->c[2 * i] + c0);
        r->c[2 * i + 1] = (int16_t)(r->c[2 * i + 1] + c1);
    }
}

void st_poly_zero(struct st_poly *p)
{
    memset(p, 0, sizeof *p);
}

void st_poly_reduce(struct st_poly *p)
{
    for (unsigned j = 0; j < ST_KEM_N; j++)
        p->c[j] = barrett_reduce(p->c[j]);
}

void st_poly_tomont(struct st_poly *p)
{
    for (unsigned j = 0; j < ST_KEM_N; j++)
        p->c[j] = fqmul(p->c[j], MONT_R2);
}

void st_poly_add(struct st_poly *r, const struct st_poly *a)
{
    for (unsigned j = 0; j < ST_KEM_N; j++)
        r->c[j] = (int16_t)(r->c[j] + a->c[j]);
}

void st_poly_sub(struct st_poly *r, const struct st_poly *a)
{
    for (unsigned j = 0; j < ST_KEM_N; j++)
        r->c[j] = (int16_t)(r->c[j] - a->c[j]);
}

/* SamplePolyCBD_2 (Algorithm 8): coefficient i = b[4i] + b[4i+1] -
 * b[4i+2] - b[4i+3] over the bits b of buf (128 bytes), little-endian. */
static void cbd2(struct st_poly *p, const uint8_t *buf)
{
    for (unsigned w = 0; w < 32; w++) {
        uint32_t t = (uint32_t)buf[4 * w] | (uint32_t)buf[4 * w + 1] << 8 |
                     (uint32_t)buf[4 * w + 2] << 16 | (uint32_t)buf[4 * w + 3] << 24;
        uint32_t sums = (t & 0x55555555u) + ((t >> 1) & 0x55555555u);
        for (unsigned j = 0; j < 8; j++) {
            int16_t x = (int16_t)((sums >> (4 * j)) & 3);
            int16_t y = (int16_t)((sums >> (4 * j + 2)) & 3);
            p->c[8 * w + j] = (int16_t)(x - y);
        }
    }
}

void st_poly_noise_eta2(struct st_poly *p, const uint8_t s[32], uint8_t n)
{
    uint8_t buf[64 * 2];

    st_shake256_2(buf, sizeof buf, s, 32, &n, 1);
    cbd2(p, buf);
    st_wipe(buf, sizeof buf);
}

void st_poly_noise_eta2_x4(struct st_poly *const p[4], const uint8_t s[32], const uint8_t n[4])
{
    uint8_t in[4][33], buf[4][ST_SHAKE256_RATE];
    const uint8_t *const ins[4] = {in[0], in[1], in[2], in[3]};
    uint8_t *const outs[4] = {buf[0], buf[1], buf[2], buf[3]};
    struct st_keccak_x4 x;

    for (unsigned j = 0; j < 4; j++) {
        memcpy(in[j], s, 32);
        in[j][32] = n[j];
    }
    /* PRF_2(s, n) = SHAKE256(s || n, 128): one block of 136 bytes */
    st_keccak_x4_absorb_once(&x, ST_SHAKE256_RATE, 0x1F, ins, 33);
    st_keccak_x4_squeeze_blocks(&x, outs, 1);
    for (unsigned j = 0; j < 4; j++)
        cbd2(p[j], buf[j]);
    st_wipe(in, sizeof in);
    st_wipe(buf, sizeof buf);
    st_wipe(&x, sizeof x);
}

/* Rejection sampling of 12-bit candidates below q; returns the new count.
 * The bytes are public (XOF output from rho), so the loop may depend on
 * them; while two slots are free it stores without branching, which keeps
 * the CPU from mispredicting on every candidate. */
static unsigned parse_candidates(int16_t *c, unsigned count, const uint8_t *b, size_t len)
{
    size_t i = 0;

    for (; i + 3 <= len && count + 1 < ST_KEM_N; i += 3) {
        uint16_t d1 = (uint16_t)(b[i] | ((b[i + 1] & 0x0F) << 8));
        uint16_t d2 = (uint16_t)((b[i + 1] >> 4) | (b[i + 2] << 4));
        c[count] = (int16_t)d1;
        count += d1 < ST_KEM_Q;
        c[count] = (int16_t)d2;
        count += d2 < ST_KEM_Q;
    }
    for (; i + 3 <= len && count < ST_KEM_N; i += 3) {
        uint16_t d1 = (uint16_t)(b[i] | ((b[i + 1] & 0x0F) << 8));
        uint16_t d2 = (uint16_t)((b[i + 1] >> 4) | (b[i + 2] << 4));
        if (d1 < ST_KEM_Q)
            c[count++] = (int16_t)d1;
        if (d2 < ST_KEM_Q && count < ST_KEM_N)
            c[count++] = (int16_t)d2;
    }
    return count;
}

void st_poly_sample_ntt(struct st_poly *p, const uint8_t rho[32], uint8_t x, uint8_t y)
{
    /* Three blocks (504 bytes) give 256 coefficients with probability
     * about 0.998; squeeze one more block at a time otherwise. */
    uint8_t buf[3 * ST_SHAKE128_RATE];
    uint8_t ext[2] = {x, y};
    struct st_keccak s;
    unsigned count;

    st_keccak_init(&s, ST_SHAKE128_RATE);
    st_keccak_absorb(&s, rho, 32);
    st_keccak_absorb(&s, ext, 2);
    st_keccak_finalize(&s, 0x1F);
    st_keccak_squeeze(&s, buf, sizeof buf);
    count = parse_candidates(p->c, 0, buf, sizeof buf);
    while (count < ST_KEM_N) {
        st_keccak_squeeze(&s, buf, ST_SHAKE128_RATE);
        count = parse_candidates(p->c, count, buf, ST_SHAKE128_RATE);
    }
}

void st_poly_sample_ntt_x4(struct st_poly *const p[4], const uint8_t rho[32],
                           const uint8_t xy[4][2])
{
    uint8_t in[4][34], buf[4][3 * ST_SHAKE128_RATE];
    const uint8_t *const ins[4] = {in[0], in[1], in[2], in[3]};
    uint8_t *outs[4] = {buf[0], buf[1], buf[2], buf[3]};
    struct st_keccak_x4 x;
    unsigned count[4];
    int more = 0;

    for (unsigned j = 0; j < 4; j++) {
        memcpy(in[j], rho, 32);
        in[j][32] = xy[j][0];
        in[j][33] = xy[j][1];
    }
    st_keccak_x4_absorb_once(&x, ST_SHAKE128_RATE, 0x1F, ins, 34);
    st_keccak_x4_squeeze_blocks(&x, outs, 3);
    for (unsigned j = 0; j < 4; j++) {
        count[j] = parse_candidates(p[j]->c, 0, buf[j], sizeof buf[j]);
        more |= count[j] < ST_KEM_N;
    }
    while (more) {
        more = 0;
        for (unsigned j = 0; j < 4; j++)
            outs[j] = count[j] < ST_KEM_N ? buf[j] : NULL;
        st_keccak_x4_squeeze_blocks(&x, outs, 1);
        for (unsigned j = 0; j < 4; j++) {
            if (outs[j] != NULL)
                count[j] = parse_candidates(p[j]->c, count[j], buf[j], ST_SHAKE128_RATE);
            more |= count[j] < ST_KEM_N;
        }
    }
}

void st_poly_tobytes(uint8_t r[ST_KEM_POLY_BYTES], const struct st_poly *p)
{
    for (unsigned i = 0; i < ST_KEM_N / 2; i++) {
        uint16_t t0 = to_unsigned(barrett_reduce(p->c[2 * i]));
        uint16_t t1 = to_unsigned(barrett_reduce(p->c[2 * i + 1]));
        r[3 * i] = (uint8_t)t0;
        r[3 * i + 1] = (uint8_t)((t0 >> 8) | (t1 << 4));
        r[3 * i + 2] = (uint8_t)(t1 >> 4);
    }
}

/* x in [0, 4096) to x mod q, by one masked subtraction (4095 < 2q). */
static inline int16_t reduce_once(uint16_t x)
{
    int16_t t = (int16_t)(x - ST_KEM_Q);
    return (int16_t)(t + ((t >> 15) & ST_KEM_Q));
}

void st_poly_frombytes(struct st_poly *p, const uint8_t a[ST_KEM_POLY_BYTES])
{
    for (unsigned i = 0; i < ST_KEM_N / 2; i++) {
        uint16_t d1 = (uint16_t)(a[3 * i] | ((a[3 * i + 1] & 0x0F) << 8));
        uint16_t d2 = (uint16_t)((a[3 * i + 1] >> 4) | (a[3 * i + 2] << 4));
        p->c[2 * i] = reduce_once(d1);
        p->c[2 * i + 1] = reduce_once(d2);
    }
}

int st_poly_check_modulus(const uint8_t a[ST_KEM_POLY_BYTES])
{
    unsigned bad = 0;

    for (unsigned i = 0; i < ST_KEM_N / 2; i++) {
        uint16_t d1 = (uint16_t)(a[3 * i] | ((a[3 * i + 1] & 0x0F) << 8));
        uint16_t d2 = (uint16_t)((a[3 * i + 1] >> 4) | (a[3 * i + 2] << 4));
        bad |= (d1 >= ST_KEM_Q) | (d2 >= ST_KEM_Q);
    }
    return !bad;
}

void st_poly_compress(uint8_t *r, const struct st_poly *p, unsigned d)
{
    uint64_t acc = 0;
    unsigned bits = 0;

    /* ByteEncode_d: values packed little-endian, d bits each. */
    for (unsigned j = 0; j < ST_KEM_N; j++) {
        uint16_t x = to_unsigned(barrett_reduce(p->c[j]));
        acc |= (uint64_t)st_kem_compress(x, d) << bits;
        bits += d;
        while (bits >= 8) {
            *r++ = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
}

void st_poly_decompress(struct st_poly *p, const uint8_t *a, unsigned d)
{
    uint64_t acc = 0;
    unsigned bits = 0;
    uint16_t mask = (uint16_t)((1u << d) - 1);

    for (unsigned j = 0; j < ST_KEM_N; j++) {
        while (bits < d) {
            acc |= (uint64_t)*a++ << bits;
            bits += 8;
        }
        p->c[j] = (int16_t)st_kem_decompress((uint16_t)(acc & mask), d);
        acc >>= d;
        bits -= d;
    }
}
