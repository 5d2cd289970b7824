/*
 * Four Keccak-f[1600] permutations at once on 256-bit vectors: the same
 * round as keccak.c (FIPS 202 §3.3, generated from the same tables) with
 * each lane variable holding that lane of four states. Written with the
 * GCC/Clang vector extension; on x86 compiled once for AVX2 and once for the
 * baseline, picked at run time. The sponge helpers serve ML-KEM's short,
 * equal-length XOF inputs.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "keccak.h"

typedef uint64_t v4 __attribute__((vector_size(32)));

#define ROL4(v, n) (((v) << (n)) | ((v) >> (64 - (n))))
#define round_constants st_keccak_round_constants

static inline __attribute__((always_inline)) void permute(uint64_t *s)
{
    v4 a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19,
        a20, a21, a22, a23, a24;
    v4 e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15, e16, e17, e18, e19,
        e20, e21, e22, e23, e24;
    v4 b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19,
        b20, b21, b22, b23, b24;
    v4 c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    memcpy(&a0, s + 4 * 0, sizeof a0);
    memcpy(&a1, s + 4 * 1, sizeof a1);
    memcpy(&a2, s + 4 * 2, sizeof a2);
    memcpy(&a3, s + 4 * 3, sizeof a3);
    memcpy(&a4, s + 4 * 4, sizeof a4);
    memcpy(&a5, s + 4 * 5, sizeof a5);
    memcpy(&a6, s + 4 * 6, sizeof a6);
    memcpy(&a7, s + 4 * 7, sizeof a7);
    memcpy(&a8, s + 4 * 8, sizeof a8);
    memcpy(&a9, s + 4 * 9, sizeof a9);
    memcpy(&a10, s + 4 * 10, sizeof a10);
    memcpy(&a11, s + 4 * 11, sizeof a11);
    memcpy(&a12, s + 4 * 12, sizeof a12);
    memcpy(&a13, s + 4 * 13, sizeof a13);
    memcpy(&a14, s + 4 * 14, sizeof a14);
    memcpy(&a15, s + 4 * 15, sizeof a15);
    memcpy(&a16, s + 4 * 16, sizeof a16);
    memcpy(&a17, s + 4 * 17, sizeof a17);
    memcpy(&a18, s + 4 * 18, sizeof a18);
    memcpy(&a19, s + 4 * 19, sizeof a19);
    memcpy(&a20, s + 4 * 20, sizeof a20);
    memcpy(&a21, s + 4 * 21, sizeof a21);
    memcpy(&a22, s + 4 * 22, sizeof a22);
    memcpy(&a23, s + 4 * 23, sizeof a23);
    memcpy(&a24, s + 4 * 24, sizeof a24);
    for (int ir = 0; ir < 24; ir += 2) {
        c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
        c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
        c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
        c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
        c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
        d0 = c4 ^ ROL4(c1, 1);
        d1 = c0 ^ ROL4(c2, 1);
        d2 = c1 ^ ROL4(c3, 1);
        d3 = c2 ^ ROL4(c4, 1);
        d4 = c3 ^ ROL4(c0, 1);
        b0 = a0 ^ d0;
        b1 = ROL4(a6 ^ d1, 44);
        b2 = ROL4(a12 ^ d2, 43);
        b3 = ROL4(a18 ^ d3, 21);
        b4 = ROL4(a24 ^ d4, 14);
        b5 = ROL4(a3 ^ d3, 28);
        b6 = ROL4(a9 ^ d4, 20);
        b7 = ROL4(a10 ^ d0, 3);
        b8 = ROL4(a16 ^ d1, 45);
        b9 = ROL4(a22 ^ d2, 61);
        b10 = ROL4(a1 ^ d1, 1);
        b11 = ROL4(a7 ^ d2, 6);
        b12 = ROL4(a13 ^ d3, 25);
        b13 = ROL4(a19 ^ d4, 8);
        b14 = ROL4(a20 ^ d0, 18);
        b15 = ROL4(a4 ^ d4, 27);
        b16 = ROL4(a5 ^ d0, 36);
        b17 = ROL4(a11 ^ d1, 10);
        b18 = ROL4(a17 ^ d2, 15);
        b19 = ROL4(a23 ^ d3, 56);
        b20 = ROL4(a2 ^ d2, 62);
        b21 = ROL4(a8 ^ d3, 55);
        b22 = ROL4(a14 ^ d4, 39);
        b23 = ROL4(a15 ^ d0, 41);
        b24 = ROL4(a21 ^ d1, 2);
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
        e0 ^= round_constants[ir];
        c0 = e0 ^ e5 ^ e10 ^ e15 ^ e20;
        c1 = e1 ^ e6 ^ e11 ^ e16 ^ e21;
        c2 = e2 ^ e7 ^ e12 ^ e17 ^ e22;
        c3 = e3 ^ e8 ^ e13 ^ e18 ^ e23;
        c4 = e4 ^ e9 ^ e14 ^ e19 ^ e24;
        d0 = c4 ^ ROL4(c1, 1);
        d1 = c0 ^ ROL4(c2, 1);
        d2 = c1 ^ ROL4(c3, 1);
        d3 = c2 ^ ROL4(c4, 1);
        d4 = c3 ^ ROL4(c0, 1);
        b0 = e0 ^ d0;
        b1 = ROL4(e6 ^ d1, 44);
        b2 = ROL4(e12 ^ d2, 43);
        b3 = ROL4(e18 ^ d3, 21);
        b4 = ROL4(e24 ^ d4, 14);
        b5 = ROL4(e3 ^ d3, 28);
        b6 = ROL4(e9 ^ d4, 20);
        b7 = ROL4(e10 ^ d0, 3);
        b8 = ROL4(e16 ^ d1, 45);
        b9 = ROL4(e22 ^ d2, 61);
        b10 = ROL4(e1 ^ d1, 1);
        b11 = ROL4(e7 ^ d2, 6);
        b12 = ROL4(e13 ^ d3, 25);
        b13 = ROL4(e19 ^ d4, 8);
        b14 = ROL4(e20 ^ d0, 18);
        b15 = ROL4(e4 ^ d4, 27);
        b16 = ROL4(e5 ^ d0, 36);
        b17 = ROL4(e11 ^ d1, 10);
        b18 = ROL4(e17 ^ d2, 15);
        b19 = ROL4(e23 ^ d3, 56);
        b20 = ROL4(e2 ^ d2, 62);
        b21 = ROL4(e8 ^ d3, 55);
        b22 = ROL4(e14 ^ d4, 39);
        b23 = ROL4(e15 ^ d0, 41);
        b24 = ROL4(e21 ^ d1, 2);
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
        a0 ^= round_constants[ir + 1];
    }
    memcpy(s + 4 * 0, &a0, sizeof a0);
    memcpy(s + 4 * 1, &a1, sizeof a1);
    memcpy(s + 4 * 2, &a2, sizeof a2);
    memcpy(s + 4 * 3, &a3, sizeof a3);
    memcpy(s + 4 * 4, &a4, sizeof a4);
    memcpy(s + 4 * 5, &a5, sizeof a5);
    memcpy(s + 4 * 6, &a6, sizeof a6);
    memcpy(s + 4 * 7, &a7, sizeof a7);
    memcpy(s + 4 * 8, &a8, sizeof a8);
    memcpy(s + 4 * 9, &a9, sizeof a9);
    memcpy(s + 4 * 10, &a10, sizeof a10);
    memcpy(s + 4 * 11, &a11, sizeof a11);
    memcpy(s + 4 * 12, &a12, sizeof a12);
    memcpy(s + 4 * 13, &a13, sizeof a13);
    memcpy(s + 4 * 14, &a14, sizeof a14);
    memcpy(s + 4 * 15, &a15, sizeof a15);
    memcpy(s + 4 * 16, &a16, sizeof a16);
    memcpy(s + 4 * 17, &a17, sizeof a17);
    memcpy(s + 4 * 18, &a18, sizeof a18);
    memcpy(s + 4 * 19, &a19, sizeof a19);
    memcpy(s + 4 * 20, &a20, sizeof a20);
    memcpy(s + 4 * 21, &a21, sizeof a21);
    memcpy(s + 4 * 22, &a22, sizeof a22);
    memcpy(s + 4 * 23, &a23, sizeof a23);
    memcpy(s + 4 * 24, &a24, sizeof a24);
}

void st_keccak_x4_f1600_portable(uint64_t s[100])
{
    permute(s);
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2"))) static void permute_avx2(uint64_t *s)
{
    permute(s);
}

void st_keccak_x4_f1600(uint64_t s[100])
{
    if (__builtin_cpu_supports("avx2"))
        permute_avx2(s);
    else
        st_keccak_x4_f1600_portable(s);
}
#else
void st_keccak_x4_f1600(uint64_t s[100])
{
    st_keccak_x4_f1600_portable(s);
}
#endif

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

void st_keccak_x4_absorb_once(struct st_keccak_x4 *s, unsigned rate, uint8_t domain,
                              const uint8_t *const in[4], size_t len)
{
    memset(s->a, 0, sizeof s->a);
    s->rate = rate;
    for (unsigned j = 0; j < 4; j++) {
        size_t i;
        for (i = 0; i + 8 <= len; i += 8)
            s->a[4 * (i / 8) + j] ^= load64(in[j] + i);
        for (; i < len; i++)
            s->a[4 * (i / 8) + j] ^= (uint64_t)in[j][i] << (8 * (i % 8));
        s->a[4 * (len / 8) + j] ^= (uint64_t)domain << (8 * (len % 8));
        s->a[4 * ((rate - 1) / 8) + j] ^= (uint64_t)0x80 << (8 * ((rate - 1) % 8));
    }
    st_keccak_x4_f1600(s->a);
    s->pending = 0;
}

void st_keccak_x4_squeeze_blocks(struct st_keccak_x4 *s, uint8_t *const out[4], size_t nblocks)
{
    for (size_t n = 0; n < nblocks; n++) {
        if (s->pending)
            st_keccak_x4_f1600(s->a);
        for (unsigned j = 0; j < 4; j++) {
            if (out[j] == NULL)
                continue;
            for (unsigned i = 0; i < s->rate / 8; i++)
                store64(out[j] + n * s->rate + 8 * i, s->a[4 * i + j]);
        }
        s->pending = 1;
    }
}
