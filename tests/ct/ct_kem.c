/*
 * Constant-time check of lib/kem under valgrind memcheck (the build runs
 * this with --error-exitcode=99). The seeds d and z, the message m and the
 * secret key are marked undefined; memcheck then reports any branch or
 * memory index that depends on them. Outputs are marked defined before
 * they are compared. lib/kem declassifies only public values: rho (part
 * of ek) and the outcome of the §7.3 key check with the ek it covers.
 * Keygen, encaps, decaps of a valid and of a tampered ciphertext, for all
 * three variants.
 */
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/crypto.h"
#include "kem/kem.h"
#include "testutil.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static void run(enum st_kem_variant v)
{
    uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK], ct[ST_KEM_MAX_CT];
    uint8_t d[32], z[32], m[32], ss1[32], ss2[32], ss3[32];
    size_t pkl = st_kem_pk_bytes(v), skl = st_kem_sk_bytes(v), ctl = st_kem_ct_bytes(v);

    st_random_bytes(d, sizeof d);
    st_random_bytes(z, sizeof z);
    st_random_bytes(m, sizeof m);

    SECRET(d, sizeof d);
    SECRET(z, sizeof z);
    CHECK_OK(st_kem_keypair_derand(v, pk, sk, d, z));
    PUBLIC(pk, pkl);

    SECRET(m, sizeof m);
    CHECK_OK(st_kem_encaps_derand(v, ct, ss1, pk, pkl, m));
    PUBLIC(ct, ctl);
    PUBLIC(ss1, sizeof ss1);

    SECRET(sk, skl);
    CHECK_OK(st_kem_decaps(v, ss2, ct, ctl, sk, skl));
    PUBLIC(ss2, sizeof ss2);
    CHECK(memcmp(ss1, ss2, 32) == 0);

    ct[ctl / 2] ^= 0x10;
    SECRET(sk, skl);
    CHECK_OK(st_kem_decaps(v, ss3, ct, ctl, sk, skl));
    PUBLIC(ss3, sizeof ss3);
    CHECK(memcmp(ss1, ss3, 32) != 0);

    /* st_kem_keypair and st_kem_encaps wrap the same code with fresh seeds */
    CHECK_OK(st_kem_keypair(v, pk, sk));
    PUBLIC(pk, pkl);
    CHECK_OK(st_kem_encaps(v, ct, ss1, pk, pkl));
    PUBLIC(ct, ctl);
    PUBLIC(ss1, sizeof ss1);
    SECRET(sk, skl);
    CHECK_OK(st_kem_decaps(v, ss2, ct, ctl, sk, skl));
    PUBLIC(ss2, sizeof ss2);
    CHECK(memcmp(ss1, ss2, 32) == 0);
}

int main(void)
{
    t_init();
    t_seed_random(4242);
    run(ST_KEM_KYBER1024);
    run(ST_KEM_MLKEM768);
    run(ST_KEM_MLKEM1024);
    return t_done();
}
