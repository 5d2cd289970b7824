/*
 * X25519 key pairs and agreement (RFC 7748) over libsodium, libsignal's
 * 33-byte public key encoding, and the Montgomery-to-Edwards map used by
 * XEdDSA verification and libsignal's base-key check.
 */
#include <openssl/bn.h>
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

int st_x25519_public(uint8_t pub[ST_X25519_BYTES], const uint8_t priv[ST_X25519_BYTES])
{
    if (crypto_scalarmult_base(pub, priv) != 0) {
        memset(pub, 0, ST_X25519_BYTES);
        return SOTTO_ERR_INVALID_KEY;
    }
    return SOTTO_OK;
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

/* Little-endian 32 bytes <-> BIGNUM (public values only). */
static BIGNUM *bn_from_le(const uint8_t in[32])
{
    return BN_lebin2bn(in, 32, NULL);
}

int st_mont_to_edwards(uint8_t ed[32], const uint8_t u_in[ST_X25519_BYTES], uint8_t sign)
{
    /* y = (u - 1) / (u + 1) mod p, computed on public data only. */
    static const uint8_t p_le[32] = {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    uint8_t u_masked[32];
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = bn_from_le(p_le), *u = NULL, *num = NULL, *den = NULL, *y = NULL;
    int err = SOTTO_ERR_INVALID_KEY;

    memset(ed, 0, 32);
    memcpy(u_masked, u_in, 32);
    u_masked[31] &= 0x7f; /* RFC 7748: the top bit of u is ignored */
    u = bn_from_le(u_masked);
    num = BN_new();
    den = BN_new();
    y = BN_new();
    if (ctx == NULL || p == NULL || u == NULL || num == NULL || den == NULL || y == NULL) {
        err = SOTTO_ERR_NOMEM;
        goto out;
    }
    if (!BN_mod(u, u, p, ctx) || !BN_sub(num, u, BN_value_one()) ||
        !BN_add(den, u, BN_value_one()) || !BN_mod(den, den, p, ctx))
        goto out;
    if (BN_is_zero(den))
        goto out; /* u = -1 has no Edwards image */
    if (BN_mod_inverse(den, den, p, ctx) == NULL || !BN_mod_mul(y, num, den, p, ctx))
        goto out;
    if (BN_bn2lebinpad(y, ed, 32) != 32)
        goto out;
    ed[31] = (uint8_t)((ed[31] & 0x7f) | (sign & 0x80));
    err = SOTTO_OK;
out:
    BN_free(p);
    BN_free(u);
    BN_free(num);
    BN_free(den);
    BN_free(y);
    BN_CTX_free(ctx);
    return err;
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
