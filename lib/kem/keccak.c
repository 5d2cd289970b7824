/*
 * Keccak-f[1600] (FIPS 202 §3.3 and §3.4) and the sponge (§4) with the
 * SHA-3 and SHAKE paddings (§6). Lanes are little-endian 64-bit words,
 * lane (x, y) at index x + 5y. The step mappings are unrolled: rho and pi
 * are applied together (B[pi(x,y)] = ROT(A[x,y] ^ D[x], r[x,y])), then chi
 * and iota. The round constants are RC[ir] from Algorithm 6 and the rotation
 * offsets r[x,y] = (t+1)(t+2)/2 mod 64 from Algorithm 2; the constants and
 * the unrolled round below were generated from those algorithms.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "keccak.h"

const uint64_t st_keccak_round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static inline uint64_t rol(uint64_t v, unsigned n)
{
    return (v << n) | (v >> (64 - n));
}

/* Two rounds per iteration, the state ping-ponging between the locals a*
 * and e*, so the compiler can keep lanes in registers. Lane (x, y) is
 * a{x+5y}; b{..} holds rho and pi applied: b[pi(x,y)] = ROT(A[x,y] ^ D[x],
 * r[x,y]) with pi(x, y) = (y, 2x + 3y). */
void st_keccak_f1600(uint64_t s[25])
{
    uint64_t a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18,
        a19, a20, a21, a22, a23, a24;
    uint64_t e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15, e16, e17, e18,
        e19, e20, e21, e22, e23, e24;
    uint64_t b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18,
        b19, b20, b21, b22, b23, b24;
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    a0 = s[0];
    a1 = s[1];
    a2 = s[2];
    a3 = s[3];
    a4 = s[4];
    a5 = s[5];
    a6 = s[6];
    a7 = s[7];
    a8 = s[8];
    a9 = s[9];
    a10 = s[10];
    a11 = s[11];
    a12 = s[12];
    a13 = s[13];
    a14 = s[14];
    a15 = s[15];
    a16 = s[16];
    a17 = s[17];
    a18 = s[18];
    a19 = s[19];
    a20 = s[20];
    a21 = s[21];
    a22 = s[22];
    a23 = s[23];
    a24 = s[24];
    for (int ir = 0; ir < 24; ir += 2) {
        c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
        c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
        c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
        c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
        c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
        d0 = c4 ^ rol(c1, 1);
        d1 = c0 ^ rol(c2, 1);
        d2 = c1 ^ rol(c3, 1);
        d3 = c2 ^ rol(c4, 1);
        d4 = c3 ^ rol(c0, 1);
        b0 = a0 ^ d0;
        b1 = rol(a6 ^ d1, 44);
        b2 = rol(a12 ^ d2, 43);
        b3 = rol(a18 ^ d3, 21);
        b4 = rol(a24 ^ d4, 14);
        b5 = rol(a3 ^ d3, 28);
        b6 = rol(a9 ^ d4, 20);
        b7 = rol(a10 ^ d0, 3);
        b8 = rol(a16 ^ d1, 45);
        b9 = rol(a22 ^ d2, 61);
        b10 = rol(a1 ^ d1, 1);
        b11 = rol(a7 ^ d2, 6);
        b12 = rol(a13 ^ d3, 25);
        b13 = rol(a19 ^ d4, 8);
        b14 = rol(a20 ^ d0, 18);
        b15 = rol(a4 ^ d4, 27);
        b16 = rol(a5 ^ d0, 36);
        b17 = rol(a11 ^ d1, 10);
        b18 = rol(a17 ^ d2, 15);
        b19 = rol(a23 ^ d3, 56);
        b20 = rol(a2 ^ d2, 62);
        b21 = rol(a8 ^ d3, 55);
        b22 = rol(a14 ^ d4, 39);
        b23 = rol(a15 ^ d0, 41);
        b24 = rol(a21 ^ d1, 2);
        e0 = b0 ^ (~b1 & b2);
        e1 = b1 ^ (~b2 & b3);
        e2 = b2 ^ (~b3 & b4);
        e3 = b3 ^ (~b4 & b0);
        e4 = b4 ^ (~b0 & b1);
        e5 = b5 ^ (~b6 & b7);
        e6 = b6 ^ (~b7 & b8);
        e7 = b7 ^ (~b8 & b9);
        e8 = b8 ^ (~b9 & b5);
        e9 = b9 ^ (~b5 & b6);
        e10 = b10 ^ (~b11 & b12);
        e11 = b11 ^ (~b12 & b13);
        e12 = b12 ^ (~b13 & b14);
        e13 = b13 ^ (~b14 & b10);
        e14 = b14 ^ (~b10 & b11);
        e15 = b15 ^ (~b16 & b17);
        e16 = b16 ^ (~b17 & b18);
        e17 = b17 ^ (~b18 & b19);
        e18 = b18 ^ (~b19 & b15);
        e19 = b19 ^ (~b15 & b16);
        e20 = b20 ^ (~b21 & b22);
        e21 = b21 ^ (~b22 & b23);
        e22 = b22 ^ (~b23 & b24);
        e23 = b23 ^ (~b24 & b20);
        e24 = b24 ^ (~b20 & b21);
        e0 ^= st_keccak_round_constants[ir];
        c0 = e0 ^ e5 ^ e10 ^ e15 ^ e20;
        c1 = e1 ^ e6 ^ e11 ^ e16 ^ e21;
        c2 = e2 ^ e7 ^ e12 ^ e17 ^ e22;
        c3 = e3 ^ e8 ^ e13 ^ e18 ^ e23;
        c4 = e4 ^ e9 ^ e14 ^ e19 ^ e24;
        d0 = c4 ^ rol(c1, 1);
        d1 = c0 ^ rol(c2, 1);
        d2 = c1 ^ rol(c3, 1);
        d3 = c2 ^ rol(c4, 1);
        d4 = c3 ^ rol(c0, 1);
        b0 = e0 ^ d0;
        b1 = rol(e6 ^ d1, 44);
        b2 = rol(e12 ^ d2, 43);
        b3 = rol(e18 ^ d3, 21);
        b4 = rol(e24 ^ d4, 14);
        b5 = rol(e3 ^ d3, 28);
        b6 = rol(e9 ^ d4, 20);
        b7 = rol(e10 ^ d0, 3);
        b8 = rol(e16 ^ d1, 45);
        b9 = rol(e22 ^ d2, 61);
        b10 = rol(e1 ^ d1, 1);
        b11 = rol(e7 ^ d2, 6);
        b12 = rol(e13 ^ d3, 25);
        b13 = rol(e19 ^ d4, 8);
        b14 = rol(e20 ^ d0, 18);
        b15 = rol(e4 ^ d4, 27);
        b16 = rol(e5 ^ d0, 36);
        b17 = rol(e11 ^ d1, 10);
        b18 = rol(e17 ^ d2, 15);
        b19 = rol(e23 ^ d3, 56);
        b20 = rol(e2 ^ d2, 62);
        b21 = rol(e8 ^ d3, 55);
        b22 = rol(e14 ^ d4, 39);
        b23 = rol(e15 ^ d0, 41);
        b24 = rol(e21 ^ d1, 2);
        a0 = b0 ^ (~b1 & b2);
        a1 = b1 ^ (~b2 & b3);
        a2 = b2 ^ (~b3 & b4);
        a3 = b3 ^ (~b4 & b0);
        a4 = b4 ^ (~b0 & b1);
        a5 = b5 ^ (~b6 & b7);
        a6 = b6 ^ (~b7 & b8);
        a7 = b7 ^ (~b8 & b9);
        a8 = b8 ^ (~b9 & b5);
        a9 = b9 ^ (~b5 & b6);
        a10 = b10 ^ (~b11 & b12);
        a11 = b11 ^ (~b12 & b13);
        a12 = b12 ^ (~b13 & b14);
        a13 = b13 ^ (~b14 & b10);
        a14 = b14 ^ (~b10 & b11);
        a15 = b15 ^ (~b16 & b17);
        a16 = b16 ^ (~b17 & b18);
        a17 = b17 ^ (~b18 & b19);
        a18 = b18 ^ (~b19 & b15);
        a19 = b19 ^ (~b15 & b16);
        a20 = b20 ^ (~b21 & b22);
        a21 = b21 ^ (~b22 & b23);
        a22 = b22 ^ (~b23 & b24);
        a23 = b23 ^ (~b24 & b20);
        a24 = b24 ^ (~b20 & b21);
        a0 ^= st_keccak_round_constants[ir + 1];
    }
    s[0] = a0;
    s[1] = a1;
    s[2] = a2;
    s[3] = a3;
    s[4] = a4;
    s[5] = a5;
    s[6] = a6;
    s[7] = a7;
    s[8] = a8;
    s[9] = a9;
    s[10] = a10;
    s[11] = a11;
    s[12] = a12;
    s[13] = a13;
    s[14] = a14;
    s[15] = a15;
    s[16] = a16;
    s[17] = a17;
    s[18] = a18;
    s[19] = a19;
    s[20] = a20;
    s[21] = a21;
    s[22] = a22;
    s[23] = a23;
    s[24] = a24;
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline void store64(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    p[4] = (uint8_t)(v >> 32);
    p[5] = (uint8_t)(v >> 40);
    p[6] = (uint8_t)(v >> 48);
    p[7] = (uint8_t)(v >> 56);
}

void st_keccak_init(struct st_keccak *s, unsigned rate)
{
    memset(s->a, 0, sizeof s->a);
    s->rate = rate;
    s->pos = 0;
}

static inline void xor_byte(uint64_t a[25], unsigned i, uint8_t v)
{
    a[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

void st_keccak_absorb(struct st_keccak *s, const uint8_t *in, size_t len)
{
    while (len > 0) {
        if (s->pos == 0 && len >= s->rate) {
            for (unsigned i = 0; i < s->rate / 8; i++)
                s->a[i] ^= load64(in + 8 * i);
            st_keccak_f1600(s->a);
            in += s->rate;
            len -= s->rate;
            continue;
        }
        xor_byte(s->a, s->pos++, *in++);
        len--;
        if (s->pos == s->rate) {
            st_keccak_f1600(s->a);
            s->pos = 0;
        }
    }
}

void st_keccak_finalize(struct st_keccak *s, uint8_t domain)
{
    xor_byte(s->a, s->pos, domain);
    xor_byte(s->a, s->rate - 1, 0x80);
    st_keccak_f1600(s->a);
    s->pos = 0;
}

void st_keccak_squeeze(struct st_keccak *s, uint8_t *out, size_t len)
{
    while (len > 0) {
        if (s->pos == s->rate) {
            st_keccak_f1600(s->a);
            s->pos = 0;
        }
        if (s->pos == 0 && len >= s->rate) {
            for (unsigned i = 0; i < s->rate / 8; i++)
                store64(out + 8 * i, s->a[i]);
            out += s->rate;
            len -= s->rate;
            s->pos = s->rate;
            continue;
        }
        *out++ = (uint8_t)(s->a[s->pos / 8] >> (8 * (s->pos % 8)));
        s->pos++;
        len--;
    }
}

static void sponge2(uint8_t *out, size_t outlen, unsigned rate, uint8_t domain, const uint8_t *a,
                    size_t alen, const uint8_t *b, size_t blen)
{
    struct st_keccak s;

    st_keccak_init(&s, rate);
    st_keccak_absorb(&s, a, alen);
    st_keccak_absorb(&s, b, blen);
    st_keccak_finalize(&s, domain);
    st_keccak_squeeze(&s, out, outlen);
    st_wipe(&s, sizeof s);
}

void st_sha3_256(uint8_t out[32], const uint8_t *in, size_t len)
{
    sponge2(out, 32, ST_SHA3_256_RATE, 0x06, in, len, NULL, 0);
}

void st_sha3_512(uint8_t out[64], const uint8_t *in, size_t len)
{
    sponge2(out, 64, ST_SHA3_512_RATE, 0x06, in, len, NULL, 0);
}

void st_sha3_512_2(uint8_t out[64], const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    sponge2(out, 64, ST_SHA3_512_RATE, 0x06, a, alen, b, blen);
}

void st_shake256_2(uint8_t *out, size_t outlen, const uint8_t *a, size_t alen, const uint8_t *b,
                   size_t blen)
{
    sponge2(out, outlen, ST_SHAKE256_RATE, 0x1F, a, alen, b, blen);
}

void st_shake128(uint8_t *out, size_t outlen, const uint8_t *in, size_t len)
{
    sponge2(out, outlen, ST_SHAKE128_RATE, 0x1F, in, len, NULL, 0);
}

void st_shake256(uint8_t *out, size_t outlen, const uint8_t *in, size_t len)
{
    sponge2(out, outlen, ST_SHAKE256_RATE, 0x1F, in, len, NULL, 0);
}
