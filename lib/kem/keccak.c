/*
 * Keccak-f[1600] (FIPS 202 §3.3 and §3.4) and the sponge (§4) with the
 * SHA-3 and SHAKE paddings (§6). Lanes are little-endian 64-bit words,
 * lane (x, y) at index x + 5y. The step mappings are unrolled: rho and pi
 * are applied together (B[pi(x,y)] = ROT(A[x,y] ^ D[x], r[x,y])), then chi
 * and iota. The round constants are RC[ir] from Algorithm 6 and the rotation
 * offsets r[x,y] = (t+1)(t+2)/2 mod 64 from Algorithm 2; both tables were
 * generated from those algorithms.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "keccak.h"

static const uint64_t round_constants[24] = {
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

void st_keccak_f1600(uint64_t a[25])
{
    uint64_t b[25], c[5], d[5];

    for (int ir = 0; ir < 24; ir++) {
        /* theta */
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++)
            d[x] = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
        /* rho and pi */
        b[0] = a[0] ^ d[0];
        b[1] = rol(a[6] ^ d[1], 44);
        b[2] = rol(a[12] ^ d[2], 43);
        b[3] = rol(a[18] ^ d[3], 21);
        b[4] = rol(a[24] ^ d[4], 14);
        b[5] = rol(a[3] ^ d[3], 28);
        b[6] = rol(a[9] ^ d[4], 20);
        b[7] = rol(a[10] ^ d[0], 3);
        b[8] = rol(a[16] ^ d[1], 45);
        b[9] = rol(a[22] ^ d[2], 61);
        b[10] = rol(a[1] ^ d[1], 1);
        b[11] = rol(a[7] ^ d[2], 6);
        b[12] = rol(a[13] ^ d[3], 25);
        b[13] = rol(a[19] ^ d[4], 8);
        b[14] = rol(a[20] ^ d[0], 18);
        b[15] = rol(a[4] ^ d[4], 27);
        b[16] = rol(a[5] ^ d[0], 36);
        b[17] = rol(a[11] ^ d[1], 10);
        b[18] = rol(a[17] ^ d[2], 15);
        b[19] = rol(a[23] ^ d[3], 56);
        b[20] = rol(a[2] ^ d[2], 62);
        b[21] = rol(a[8] ^ d[3], 55);
        b[22] = rol(a[14] ^ d[4], 39);
        b[23] = rol(a[15] ^ d[0], 41);
        b[24] = rol(a[21] ^ d[1], 2);
        /* chi */
        a[0] = b[0] ^ (~b[1] & b[2]);
        a[1] = b[1] ^ (~b[2] & b[3]);
        a[2] = b[2] ^ (~b[3] & b[4]);
        a[3] = b[3] ^ (~b[4] & b[0]);
        a[4] = b[4] ^ (~b[0] & b[1]);
        a[5] = b[5] ^ (~b[6] & b[7]);
        a[6] = b[6] ^ (~b[7] & b[8]);
        a[7] = b[7] ^ (~b[8] & b[9]);
        a[8] = b[8] ^ (~b[9] & b[5]);
        a[9] = b[9] ^ (~b[5] & b[6]);
        a[10] = b[10] ^ (~b[11] & b[12]);
        a[11] = b[11] ^ (~b[12] & b[13]);
        a[12] = b[12] ^ (~b[13] & b[14]);
        a[13] = b[13] ^ (~b[14] & b[10]);
        a[14] = b[14] ^ (~b[10] & b[11]);
        a[15] = b[15] ^ (~b[16] & b[17]);
        a[16] = b[16] ^ (~b[17] & b[18]);
        a[17] = b[17] ^ (~b[18] & b[19]);
        a[18] = b[18] ^ (~b[19] & b[15]);
        a[19] = b[19] ^ (~b[15] & b[16]);
        a[20] = b[20] ^ (~b[21] & b[22]);
        a[21] = b[21] ^ (~b[22] & b[23]);
        a[22] = b[22] ^ (~b[23] & b[24]);
        a[23] = b[23] ^ (~b[24] & b[20]);
        a[24] = b[24] ^ (~b[20] & b[21]);
        /* iota */
        a[0] ^= round_constants[ir];
    }
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
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
                for (unsigned j = 0; j < 8; j++)
                    out[8 * i + j] = (uint8_t)(s->a[i] >> (8 * j));
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
