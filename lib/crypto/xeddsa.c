/*
 * XEdDSA signatures over Curve25519 keys, as libsignal makes and checks
 * them (signal.org/docs/specifications/xeddsa, with libsignal's deviation:
 * the private scalar is used as is and the Edwards sign bit of A is carried
 * in bit 7 of the signature's last byte; see spec/signal-wire.md section 1).
 * Verification maps u to the Edwards key with that sign and then runs plain
 * Ed25519 verification, which checks exactly R == s*B - h*A with
 * h = SHA-512(R || A || M).
 */
#include <sodium.h>
#include <string.h>

#include "crypto.h"
#include "internal.h"

/*= https://signal.org/docs/specifications/xeddsa/#xeddsa
 *# r = hash1(a || M || Z) (mod q); hash1 prefixes 0xFE || 0xFF * 31. */
static void nonce_hash(uint8_t r[32], const uint8_t priv[32], const uint8_t *msg, size_t len,
                       const uint8_t z[ST_XEDDSA_Z_BYTES])
{
    static const uint8_t prefix[32] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    crypto_hash_sha512_state h;
    uint8_t wide[64];

    crypto_hash_sha512_init(&h);
    crypto_hash_sha512_update(&h, prefix, sizeof prefix);
    crypto_hash_sha512_update(&h, priv, 32);
    crypto_hash_sha512_update(&h, msg, len);
    crypto_hash_sha512_update(&h, z, ST_XEDDSA_Z_BYTES);
    crypto_hash_sha512_final(&h, wide);
    crypto_core_ed25519_scalar_reduce(r, wide);
    st_wipe(wide, sizeof wide);
    st_wipe(&h, sizeof h);
}

int st_xeddsa_sign_z(uint8_t sig[ST_SIG_BYTES], const uint8_t priv[ST_X25519_BYTES],
                     const uint8_t *msg, size_t len, const uint8_t z[ST_XEDDSA_Z_BYTES])
{
    uint8_t a[32], big_a[32], r[32], big_r[32], h[32], s[32], wide[64], clamped[32];
    crypto_hash_sha512_state hs;
    int err = SOTTO_ERR_INVALID_KEY;

    memset(sig, 0, ST_SIG_BYTES);
    /* a = clamp(k) mod l */
    memcpy(clamped, priv, 32);
    st_x25519_clamp(clamped);
    memset(wide, 0, sizeof wide);
    memcpy(wide, clamped, 32);
    crypto_core_ed25519_scalar_reduce(a, wide);
    if (crypto_scalarmult_ed25519_base_noclamp(big_a, a) != 0)
        goto out;

    nonce_hash(r, clamped, msg, len, z);
    if (crypto_scalarmult_ed25519_base_noclamp(big_r, r) != 0)
        goto out;

    /* h = SHA-512(R || A || M) mod l; s = h*a + r mod l */
    crypto_hash_sha512_init(&hs);
    crypto_hash_sha512_update(&hs, big_r, 32);
    crypto_hash_sha512_update(&hs, big_a, 32);
    crypto_hash_sha512_update(&hs, msg, len);
    crypto_hash_sha512_final(&hs, wide);
    crypto_core_ed25519_scalar_reduce(h, wide);
    crypto_core_ed25519_scalar_mul(s, h, a);
    crypto_core_ed25519_scalar_add(s, s, r);

    memcpy(sig, big_r, 32);
    memcpy(sig + 32, s, 32);
    /* s < l < 2^253, so bit 7 of the last byte is free for A's sign. */
    sig[63] = (uint8_t)((sig[63] & 0x7f) | (big_a[31] & 0x80));
    err = SOTTO_OK;
out:
    st_wipe(a, sizeof a);
    st_wipe(r, sizeof r);
    st_wipe(s, sizeof s);
    st_wipe(wide, sizeof wide);
    st_wipe(clamped, sizeof clamped);
    st_wipe(&hs, sizeof hs);
    return err;
}

int st_xeddsa_sign(uint8_t sig[ST_SIG_BYTES], const uint8_t priv[ST_X25519_BYTES],
                   const uint8_t *msg, size_t len)
{
    uint8_t z[ST_XEDDSA_Z_BYTES];
    int err;

    st_random_bytes(z, sizeof z);
    err = st_xeddsa_sign_z(sig, priv, msg, len, z);
    st_wipe(z, sizeof z);
    return err;
}

int st_xeddsa_verify(const uint8_t sig[ST_SIG_BYTES], const uint8_t pub[ST_X25519_BYTES],
                     const uint8_t *msg, size_t len)
{
    uint8_t ed[32], s[ST_SIG_BYTES];

    if (st_mont_to_edwards(ed, pub, sig[63]) != SOTTO_OK)
        return SOTTO_ERR_INVALID_SIGNATURE;
    memcpy(s, sig, ST_SIG_BYTES);
    s[63] &= 0x7f;
    /* libsignal: reject if any of the top three bits of s remain set. */
    if (s[63] & 0xe0)
        return SOTTO_ERR_INVALID_SIGNATURE;
    return st_ed25519_verify(s, ed, msg, len);
}

int st_ed25519_verify(const uint8_t sig[ST_SIG_BYTES], const uint8_t pub[32], const uint8_t *msg,
                      size_t len)
{
    if (crypto_sign_ed25519_verify_detached(sig, msg, len, pub) != 0)
        return SOTTO_ERR_INVALID_SIGNATURE;
    return SOTTO_OK;
}
