/* st_x25519_public
 * against libsodium's Montgomery ladder from u = 9, and st_mont_to_edwards
 * against an independent OpenSSL BIGNUM computation in the test, on
 * random and edge inputs: u = 0, 1, p - 1 (no image), p, p + 1, values
 * with the ignored top bit set, all-ones. */
#include <openssl/bn.h>
#include <sodium.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/internal.h"
#include "testutil.h"

static const uint8_t p_le[32] = {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};

/* y = (u - 1) / (u + 1) mod p with BIGNUMs; returns 0 if u = -1. */
static int ref_mont_to_edwards(uint8_t ed[32], const uint8_t u_in[32], uint8_t sign)
{
    uint8_t um[32];
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = BN_lebin2bn(p_le, 32, NULL), *u, *num = BN_new(), *den = BN_new(), *y = BN_new();
    int ok = 0;

    memcpy(um, u_in, 32);
    um[31] &= 0x7f;
    u = BN_lebin2bn(um, 32, NULL);
    CHECK(ctx && p && u && num && den && y);
    CHECK(BN_mod(u, u, p, ctx) && BN_sub(num, u, BN_value_one()) &&
          BN_add(den, u, BN_value_one()) && BN_mod(den, den, p, ctx));
    if (!BN_is_zero(den)) {
        CHECK(BN_mod_inverse(den, den, p, ctx) != NULL && BN_mod_mul(y, num, den, p, ctx));
        CHECK(BN_bn2lebinpad(y, ed, 32) == 32);
        ed[31] = (uint8_t)((ed[31] & 0x7f) | (sign & 0x80));
        ok = 1;
    }
    BN_free(p);
    BN_free(u);
    BN_free(num);
    BN_free(den);
    BN_free(y);
    BN_CTX_free(ctx);
    return ok;
}

static void check_map(const uint8_t u[32], uint8_t sign)
{
    uint8_t got[32], want[32];
    int ok = ref_mont_to_edwards(want, u, sign);
    int rc = st_mont_to_edwards(got, u, sign);

    CHECK(ok ? rc == SOTTO_OK : rc == SOTTO_ERR_INVALID_KEY);
    if (ok)
        CHECK(memcmp(got, want, 32) == 0);
}

static void check_public(const uint8_t priv[32])
{
    uint8_t got[32], want[32];

    CHECK(crypto_scalarmult_base(want, priv) == 0);
    CHECK_OK(st_x25519_public(got, priv));
    CHECK(memcmp(got, want, 32) == 0);
}

int main(void)
{
    uint8_t u[32], priv[32];

    t_init();
    t_seed_random(25519);

    /* Edge u values, each also with the ignored top bit set. */
    for (int e = 0; e < 12; e++) {
        memcpy(u, p_le, 32);
        switch (e % 6) {
        case 0:
            memset(u, 0, 32);
            break; /* 0 */
        case 1:
            memset(u, 0, 32);
            u[0] = 1;
            break; /* 1 */
        case 2:
            u[0] = 0xec;
            break; /* p - 1: no image */
        case 3:
            break; /* p = 0 */
        case 4:
            u[0] = 0xee;
            break; /* p + 1 = 1 */
        case 5:
            memset(u, 0xff, 32);
            u[31] = 0x7f;
            break; /* 2^255 - 1 */
        }
        if (e >= 6)
            u[31] |= 0x80;
        check_map(u, 0);
        check_map(u, 0x80);
    }
    /* Random u, including non-canonical ones near 2^255. */
    for (int i = 0; i < 2000; i++) {
        st_random_bytes(u, 32);
        if (i % 4 == 1)
            memset(u + 1, 0xff, 31);
        check_map(u, u[0] & 0x80);
    }

    /* Public keys: random (unclamped) scalars and edge scalars. */
    for (int i = 0; i < 500; i++) {
        st_random_bytes(priv, 32);
        check_public(priv);
    }
    memset(priv, 0, 32);
    check_public(priv);
    memset(priv, 0xff, 32);
    check_public(priv);
    for (int b = 0; b < 256; b++) {
        memset(priv, 0, 32);
        priv[b / 8] = (uint8_t)(1u << (b % 8));
        check_public(priv);
    }
    return t_done();
}
