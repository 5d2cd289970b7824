/* XEdDSA as libsignal does it: round trips, every-byte tamper, sign-bit
 * placement, and a cross-check of signatures against plain Ed25519 over the
 * Edwards key computed independently from the private scalar. libsignal's
 * own acceptance is proven by the session interop tests. */
#include <sodium.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/internal.h"
#include "testutil.h"

/* A = (clamp(k) mod l) * B, computed without the u -> y map under test. */
static void edwards_key(uint8_t a_pub[32], const uint8_t priv[32])
{
    uint8_t wide[64] = {0}, a[32];
    memcpy(wide, priv, 32);
    st_x25519_clamp(wide);
    crypto_core_ed25519_scalar_reduce(a, wide);
    CHECK(crypto_scalarmult_ed25519_base_noclamp(a_pub, a) == 0);
}

static void one_key(int round, int *signs)
{
    uint8_t pub[32], priv[32], sig[64], sig2[64], ed[32], mapped[32], z[64];
    uint8_t msg[33];
    int bad = 0;

    CHECK_OK(st_x25519_keypair(pub, priv));
    memset(msg, round, sizeof msg);
    CHECK_OK(st_xeddsa_sign(sig, priv, msg, sizeof msg));
    CHECK_OK(st_xeddsa_verify(sig, pub, msg, sizeof msg));

    /* The sign bit of A travels in bit 7 of byte 63. */
    edwards_key(ed, priv);
    CHECK((sig[63] & 0x80) == (ed[31] & 0x80));
    signs[(ed[31] >> 7) & 1]++;
    /* The Montgomery -> Edwards map gives the same point. */
    CHECK_OK(st_mont_to_edwards(mapped, pub, ed[31]));
    CHECK(memcmp(mapped, ed, 32) == 0);
    /* Plain Ed25519 accepts it once the sign bit is cleared from s. */
    memcpy(sig2, sig, 64);
    sig2[63] &= 0x7f;
    CHECK(crypto_sign_ed25519_verify_detached(sig2, msg, sizeof msg, ed) == 0);

    /* Every single-bit change of the signature is rejected. */
    for (int i = 0; i < 64 * 8; i++) {
        memcpy(sig2, sig, 64);
        sig2[i / 8] ^= (uint8_t)(1 << (i % 8));
        bad += st_xeddsa_verify(sig2, pub, msg, sizeof msg) == SOTTO_OK;
    }
    CHECK(bad == 0);
    /* Wrong message, wrong key. */
    msg[0] ^= 1;
    CHECK(st_xeddsa_verify(sig, pub, msg, sizeof msg) == SOTTO_ERR_INVALID_SIGNATURE);
    msg[0] ^= 1;
    pub[0] ^= 1;
    CHECK(st_xeddsa_verify(sig, pub, msg, sizeof msg) == SOTTO_ERR_INVALID_SIGNATURE);
    pub[0] ^= 1;

    /* Deterministic for a fixed Z, different for another Z; both valid. */
    memset(z, 0x42, sizeof z);
    CHECK_OK(st_xeddsa_sign_z(sig, priv, msg, sizeof msg, z));
    CHECK_OK(st_xeddsa_sign_z(sig2, priv, msg, sizeof msg, z));
    CHECK(memcmp(sig, sig2, 64) == 0);
    z[0] ^= 1;
    CHECK_OK(st_xeddsa_sign_z(sig2, priv, msg, sizeof msg, z));
    CHECK(memcmp(sig, sig2, 64) != 0);
    CHECK_OK(st_xeddsa_verify(sig2, pub, msg, sizeof msg));
}

static void edge_cases(void)
{
    uint8_t pub[32], priv[32], sig[64];
    /* u = p - 1 (i.e. -1) has no Edwards image. */
    uint8_t minus_one[32];

    CHECK_OK(st_x25519_keypair(pub, priv));
    CHECK_OK(st_xeddsa_sign(sig, priv, NULL, 0)); /* empty message */
    CHECK_OK(st_xeddsa_verify(sig, pub, NULL, 0));
    sig[63] |= 0x20; /* a top bit of s set: refused as libsignal refuses */
    CHECK(st_xeddsa_verify(sig, pub, NULL, 0) == SOTTO_ERR_INVALID_SIGNATURE);
    memset(minus_one, 0xff, 32);
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    CHECK(st_xeddsa_verify(sig, minus_one, NULL, 0) == SOTTO_ERR_INVALID_SIGNATURE);
}

int main(void)
{
    int signs[2] = {0, 0};

    t_init();
    t_seed_random(20261127);
    for (int i = 0; i < 64; i++)
        one_key(i, signs);
    /* Both Edwards signs occur, so the sign-bit path is really exercised. */
    CHECK(signs[0] > 0 && signs[1] > 0);
    edge_cases();
    return t_done();
}
