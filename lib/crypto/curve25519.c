/*
 * X25519 key pairs and agreement (RFC 7748) over libsodium, libsignal's
 * 33-byte public key encoding, and the Montgomery-to-Edwards map used by
 * XEdDSA verification and libsignal's base-key check.
 */
#include <sodium.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"

void st_x25519_clamp(uint8_t priv[ST_X25519_BYTES])
{
    /*= https://www.rfc-editor.org/rfc/rfc7748#section-5 (decodeScalar25519) */
    priv[0] &= 248;
    priv[31] &= 127;
    priv[31] |= 64;
}

/*
 * Arithmetic mod p = 2^255 - 19 for the Montgomery <-> Edwards maps: five
 * 51-bit limbs, branch-free (the maps only see public points, but
 * st_x25519_public runs one on a value derived from a private key).
 */
__extension__ typedef unsigned __int128 u128;
typedef uint64_t fe[5];
#define MASK51 ((UINT64_C(1) << 51) - 1)

static uint64_t load64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

/* The low 255 bits of 32 little-endian bytes (the top bit is ignored). */
static void fe_frombytes(fe h, const uint8_t s[32])
{
    h[0] = load64(s) & MASK51;
    h[1] = (load64(s + 6) >> 3) & MASK51;
    h[2] = (load64(s + 12) >> 6) & MASK51;
    h[3] = (load64(s + 19) >> 1) & MASK51;
    h[4] = (load64(s + 24) >> 12) & MASK51;
}

static void fe_carry(fe h)
{
    uint64_t c;
    for (int i = 0; i < 4; i++) {
        c = h[i] >> 51;
        h[i] &= MASK51;
        h[i + 1] += c;
    }
    c = h[4] >> 51;
    h[4] &= MASK51;
    h[0] += 19 * c;
}

/* Fully reduced (canonical) little-endian bytes. */
static void fe_tobytes(uint8_t s[32], const fe f)
{
    uint64_t h[5], q;

    memcpy(h, f, sizeof h);
    fe_carry(h);
    fe_carry(h); /* now h < 2^255 + small, each limb < 2^51 + 19*2 */
    /* q = 1 iff h >= p: h + 19 overflows 2^255. */
    q = (h[0] + 19) >> 51;
    for (int i = 1; i < 5; i++)
        q = (h[i] + q) >> 51;
    h[0] += 19 * q;
    for (int i = 0; i < 4; i++) {
        h[i + 1] += h[i] >> 51;
        h[i] &= MASK51;
    }
    h[4] &= MASK51; /* drops the 2^255 that q*p added */
    {
        uint64_t w[4] = {h[0] | h[1] << 51, h[1] >> 13 | h[2] << 38, h[2] >> 26 | h[3] << 25,
                         h[3] >> 39 | h[4] << 12};
        for (int i = 0; i < 32; i++)
            s[i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
    }
}

static void fe_add_small(fe h, const fe f, uint64_t c)
{
    memcpy(h, f, sizeof(fe));
    h[0] += c;
    fe_carry(h);
}

/* h = c - f with f carried (limbs < 2^52): adds 4p first. */
static void fe_small_sub(fe h, uint64_t c, const fe f)
{
    static const uint64_t four_p[5] = {4 * (MASK51 - 18), 4 * MASK51, 4 * MASK51, 4 * MASK51,
                                       4 * MASK51};
    for (int i = 0; i < 5; i++)
        h[i] = four_p[i] - f[i];
    h[0] += c;
    fe_carry(h);
}

/* h = r0 + r1 2^51 + ... + r4 2^204 mod p, limbs about 51 bits. */
static inline __attribute__((always_inline)) void fe_reduce(fe h, u128 r0, u128 r1, u128 r2,
                                                            u128 r3, u128 r4)
{
    uint64_t c;

    r1 += (uint64_t)(r0 >> 51);
    r2 += (uint64_t)(r1 >> 51);
    r3 += (uint64_t)(r2 >> 51);
    r4 += (uint64_t)(r3 >> 51);
    c = (uint64_t)(r4 >> 51); /* < 2^61: 19c may not fit 64 bits */
    r0 = ((uint64_t)r0 & MASK51) + (u128)19 * c;
    h[0] = (uint64_t)r0 & MASK51;
    h[1] = ((uint64_t)r1 & MASK51) + (uint64_t)(r0 >> 51);
    h[2] = (uint64_t)r2 & MASK51;
    h[3] = (uint64_t)r3 & MASK51;
    h[4] = (uint64_t)r4 & MASK51;
}

static void fe_mul(fe h, const fe f, const fe g)
{
    const uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
    const uint64_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
    const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    u128 r0, r1, r2, r3, r4;

    r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 + (u128)f4 * g1_19;
    r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 + (u128)f4 * g2_19;
    r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 + (u128)f4 * g3_19;
    r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19;
    r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
    fe_reduce(h, r0, r1, r2, r3, r4);
}

static void fe_sq(fe h, const fe f)
{
    const uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
    const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3;
    const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;

    fe_reduce(h, (u128)f0 * f0 + (u128)f1_2 * f4_19 + (u128)f2_2 * f3_19,
              (u128)f0_2 * f1 + (u128)f2_2 * f4_19 + (u128)f3 * f3_19,
              (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_2 * f4_19,
              (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4 * f4_19,
              (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2);
}

static void fe_sqn(fe h, const fe f, int n)
{
    fe_sq(h, f);
    while (--n > 0)
        fe_sq(h, h);
}

/* h = f^(p-2) = 1/f (0 for f = 0), a fixed chain of 254 squarings and 11
 * multiplications. */
static void fe_invert(fe h, const fe f)
{
    fe z2, z9, z11, a, b, c;

    fe_sqn(z2, f, 1);    /* 2 */
    fe_sqn(a, z2, 2);    /* 8 */
    fe_mul(z9, a, f);    /* 9 */
    fe_mul(z11, z9, z2); /* 11 */
    fe_sqn(a, z11, 1);   /* 22 */
    fe_mul(a, a, z9);    /* 2^5 - 1 */
    fe_sqn(b, a, 5);
    fe_mul(b, b, a); /* 2^10 - 1 */
    fe_sqn(c, b, 10);
    fe_mul(c, c, b); /* 2^20 - 1 */
    fe_sqn(h, c, 20);
    fe_mul(h, h, c); /* 2^40 - 1 */
    fe_sqn(h, h, 10);
    fe_mul(a, h, b); /* 2^50 - 1 */
    fe_sqn(b, a, 50);
    fe_mul(b, b, a); /* 2^100 - 1 */
    fe_sqn(c, b, 100);
    fe_mul(c, c, b); /* 2^200 - 1 */
    fe_sqn(c, c, 50);
    fe_mul(c, c, a);   /* 2^250 - 1 */
    fe_sqn(c, c, 5);   /* 2^255 - 32 */
    fe_mul(h, c, z11); /* 2^255 - 21 = p - 2 */
}

int st_x25519_public(uint8_t pub[ST_X25519_BYTES], const uint8_t priv[ST_X25519_BYTES])
{
    /* The fixed-base multiplication is done on the birationally equivalent
     * Edwards curve (libsodium's ed25519 base-point tables, about twice as
     * fast as its Montgomery ladder from u = 9), then mapped back:
     * u = (1 + y) / (1 - y). The clamped scalar is never 0 mod L, so
     * 1 - y != 0. */
    uint8_t s[32], ed[32];
    fe y, num, den;
    int err = SOTTO_OK;

    memcpy(s, priv, sizeof s);
    st_x25519_clamp(s);
    if (crypto_scalarmult_ed25519_base_noclamp(ed, s) != 0) {
        memset(pub, 0, ST_X25519_BYTES);
        err = SOTTO_ERR_INVALID_KEY;
        goto out;
    }
    fe_frombytes(y, ed);
    fe_add_small(num, y, 1);
    fe_small_sub(den, 1, y);
    fe_invert(den, den);
    fe_mul(num, num, den);
    fe_tobytes(pub, num);
out:
    st_wipe(s, sizeof s);
    st_wipe(ed, sizeof ed);
    st_wipe(y, sizeof y);
    st_wipe(num, sizeof num);
    st_wipe(den, sizeof den);
    return err;
}

int st_x25519_keypair(uint8_t pub[ST_X25519_BYTES], uint8_t priv[ST_X25519_BYTES])
{
    st_random_bytes(priv, ST_X25519_BYTES);
    st_x25519_clamp(priv);
    return st_x25519_public(pub, priv);
}

int st_x25519(uint8_t shared[ST_X25519_BYTES], const uint8_t priv[ST_X25519_BYTES],
              const uint8_t pub[ST_X25519_BYTES])
{
    /* libsodium refuses an all-zero output (a small-order peer key), as
     * libsignal does since v0.87.2. */
    if (crypto_scalarmult(shared, priv, pub) != 0) {
        st_wipe(shared, ST_X25519_BYTES);
        return SOTTO_ERR_WEAK_KEY;
    }
    return SOTTO_OK;
}

void st_pubkey_encode(uint8_t out[ST_PUBKEY_BYTES], const uint8_t pub[ST_X25519_BYTES])
{
    out[0] = ST_PUBKEY_TYPE_DJB;
    memcpy(out + 1, pub, ST_X25519_BYTES);
}

int st_pubkey_decode(uint8_t pub[ST_X25519_BYTES], const uint8_t *in, size_t len)
{
    memset(pub, 0, ST_X25519_BYTES);
    if (in == NULL || len != ST_PUBKEY_BYTES || in[0] != ST_PUBKEY_TYPE_DJB)
        return SOTTO_ERR_INVALID_KEY;
    memcpy(pub, in + 1, ST_X25519_BYTES);
    return SOTTO_OK;
}

int st_mont_to_edwards(uint8_t ed[32], const uint8_t u_in[ST_X25519_BYTES], uint8_t sign)
{
    /* y = (u - 1) / (u + 1) mod p, on public data; the top bit of u is
     * ignored (RFC 7748) and u >= p is taken mod p. */
    static const uint8_t zero[32] = {0};
    uint8_t d[32];
    fe u, num, den;

    fe_frombytes(u, u_in);
    fe_small_sub(num, 1, u); /* 1 - u */
    fe_add_small(den, u, 1);
    fe_tobytes(d, den);
    if (memcmp(d, zero, 32) == 0) {
        memset(ed, 0, 32);
        return SOTTO_ERR_INVALID_KEY; /* u = -1 has no Edwards image */
    }
    fe_invert(den, den);
    fe_mul(num, num, den);
    fe_small_sub(num, 0, num); /* (u - 1) / (u + 1) */
    fe_tobytes(ed, num);
    ed[31] = (uint8_t)((ed[31] & 0x7f) | (sign & 0x80));
    return SOTTO_OK;
}

int st_x25519_pub_is_canonical(const uint8_t pub[ST_X25519_BYTES])
{
    static const uint8_t p_le[32] = {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    uint8_t ed[32];
    int i;

    if (pub[31] & 0x80)
        return 0;
    /* u < p, compared from the most significant byte (public data). */
    for (i = 31; i >= 0; i--) {
        if (pub[i] < p_le[i])
            break;
        if (pub[i] > p_le[i])
            return 0;
    }
    if (i < 0)
        return 0; /* u == p */
    if (st_mont_to_edwards(ed, pub, 0) != SOTTO_OK)
        return 0;
    /* valid_point: canonical, on the curve, not small order, in the
     * prime-order subgroup (torsion-free). */
    return crypto_core_ed25519_is_valid_point(ed) == 1;
}
