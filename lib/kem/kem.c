/*
 * ML-KEM (FIPS 203 §6 and §7) and CRYSTALS-Kyber round 3 (specification
 * v3.02, §1.3 "Kyber.CCAKEM") over one K-PKE. The round-3 differences:
 *
 *   keygen   FIPS 203: (rho, sigma) = G(d || k)   round 3: G(d)
 *   encaps   FIPS 203: (K, r) = G(m || H(ek))     round 3: m = H(m) first,
 *            (Kbar, r) = G(m || H(ek)), K = SHAKE256(Kbar || H(c), 32)
 *   reject   FIPS 203: K = J(z || c) = SHAKE256(z || c, 32)
 *            round 3: K = SHAKE256(z || H(c), 32)
 *
 * dk = dk_pke || ek || H(ek) || z in both. The implicit-rejection choice is
 * a mask select; the re-encryption compare is constant time.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "ct.h"
#include "kem.h"
#include "keccak.h"
#include "kpke.h"
#include "poly.h"

static const struct st_kem_params kyber1024 = {.k = 4, .du = 11, .dv = 5, .round3 = 1};
static const struct st_kem_params mlkem768 = {.k = 3, .du = 10, .dv = 4, .round3 = 0};
static const struct st_kem_params mlkem1024 = {.k = 4, .du = 11, .dv = 5, .round3 = 0};

static const struct st_kem_params *params_of(enum st_kem_variant v)
{
    switch (v) {
    case ST_KEM_KYBER1024:
        return &kyber1024;
    case ST_KEM_MLKEM768:
        return &mlkem768;
    case ST_KEM_MLKEM1024:
        return &mlkem1024;
    default:
        return NULL;
    }
}

/* Offsets inside dk = dk_pke || ek || h || z. */
static size_t ek_off(const struct st_kem_params *p)
{
    return st_kpke_dk_bytes(p);
}
static size_t h_off(const struct st_kem_params *p)
{
    return st_kpke_dk_bytes(p) + st_kpke_ek_bytes(p);
}
static size_t z_off(const struct st_kem_params *p)
{
    return h_off(p) + 32;
}

int st_kem_keypair_derand(enum st_kem_variant v, uint8_t *pk, uint8_t *sk, const uint8_t d[32],
                          const uint8_t z[32])
{
    const struct st_kem_params *p = params_of(v);
    uint8_t seed[33], g[64];

    if (p == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    /* FIPS 203 Algorithm 13 line 1: (rho, sigma) = G(d || k); round 3: G(d) */
    memcpy(seed, d, 32);
    seed[32] = (uint8_t)p->k;
    st_sha3_512(g, seed, p->round3 ? 32 : 33);
    st_kem_declassify(g, 32); /* rho is published in ek */
    st_kpke_keygen(p, pk, sk, g, g + 32);
    /* Algorithm 16: dk = dk_pke || ek || H(ek) || z */
    memcpy(sk + ek_off(p), pk, st_kpke_ek_bytes(p));
    st_sha3_256(sk + h_off(p), pk, st_kpke_ek_bytes(p));
    memcpy(sk + z_off(p), z, 32);
    st_wipe(seed, sizeof seed);
    st_wipe(g, sizeof g);
    return SOTTO_OK;
}

int st_kem_keypair(enum st_kem_variant v, uint8_t *pk, uint8_t *sk)
{
    uint8_t dz[64];
    int rc;

    st_random_bytes(dz, sizeof dz);
    rc = st_kem_keypair_derand(v, pk, sk, dz, dz + 32);
    st_wipe(dz, sizeof dz);
    return rc;
}

static int check_pk(const struct st_kem_params *p, const uint8_t *pk, size_t len)
{
    if (pk == NULL || len != st_kpke_ek_bytes(p))
        return SOTTO_ERR_INVALID_KEY;
    /* FIPS 203 §7.2: ek == ByteEncode_12(ByteDecode_12(ek)) */
    for (unsigned i = 0; i < p->k; i++)
        if (!st_poly_check_modulus(pk + 384 * i))
            return SOTTO_ERR_INVALID_KEY;
    return SOTTO_OK;
}

int st_kem_check_pk(enum st_kem_variant v, const uint8_t *pk, size_t len)
{
    const struct st_kem_params *p = params_of(v);

    if (p == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    return check_pk(p, pk, len);
}

/* §7.3 hash check: H(dk[384k : 768k+32]) == dk[768k+32 : 768k+64]. ek and
 * its hash are public, so the result may be branched on. */
static int check_sk(const struct st_kem_params *p, const uint8_t *sk, size_t len)
{
    uint8_t h[32];
    uint32_t differ;

    if (sk == NULL || len != z_off(p) + 32)
        return SOTTO_ERR_INVALID_KEY;
    st_sha3_256(h, sk + ek_off(p), st_kpke_ek_bytes(p));
    differ = st_kem_ct_differ(h, sk + h_off(p), 32);
    st_kem_declassify(&differ, sizeof differ);
    if (differ)
        return SOTTO_ERR_INVALID_KEY;
    st_kem_declassify(sk + ek_off(p), st_kpke_ek_bytes(p) + 32);
    return SOTTO_OK;
}

int st_kem_check_sk(enum st_kem_variant v, const uint8_t *sk, size_t len)
{
    const struct st_kem_params *p = params_of(v);

    if (p == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    return check_sk(p, sk, len);
}

int st_kem_encaps_derand(enum st_kem_variant v, uint8_t *ct, uint8_t ss[32], const uint8_t *pk,
                         size_t pklen, const uint8_t m[32])
{
    const struct st_kem_params *p = params_of(v);
    uint8_t msg[32], h[32], kr[64];
    int rc;

    memset(ss, 0, 32);
    if (p == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    memset(ct, 0, st_kpke_ct_bytes(p));
    rc = check_pk(p, pk, pklen);
    if (rc != SOTTO_OK)
        return rc;
    /* round 3 hashes the coin first: m = H(m) */
    if (p->round3)
        st_sha3_256(msg, m, 32);
    else
        memcpy(msg, m, 32);
    /* Algorithm 17: (K, r) = G(m || H(ek)); c = K-PKE.Encrypt(ek, m, r) */
    st_sha3_256(h, pk, pklen);
    st_sha3_512_2(kr, msg, 32, h, 32);
    st_kpke_encrypt(p, ct, pk, msg, kr + 32);
    if (p->round3) {
        /* K = KDF(Kbar || H(c)) */
        st_sha3_256(h, ct, st_kpke_ct_bytes(p));
        st_shake256_2(ss, 32, kr, 32, h, 32);
    } else {
        memcpy(ss, kr, 32);
    }
    st_wipe(msg, sizeof msg);
    st_wipe(kr, sizeof kr);
    return SOTTO_OK;
}

int st_kem_encaps(enum st_kem_variant v, uint8_t *ct, uint8_t ss[32], const uint8_t *pk,
                  size_t pklen)
{
    uint8_t m[32];
    int rc;

    st_random_bytes(m, sizeof m);
    rc = st_kem_encaps_derand(v, ct, ss, pk, pklen, m);
    st_wipe(m, sizeof m);
    return rc;
}

int st_kem_decaps(enum st_kem_variant v, uint8_t ss[32], const uint8_t *ct, size_t ctlen,
                  const uint8_t *sk, size_t sklen)
{
    const struct st_kem_params *p = params_of(v);
    uint8_t msg[32], kr[64], rej[32], hc[32];
    uint8_t cmp[ST_KEM_MAX_CT];
    uint32_t fail;
    int rc;

    memset(ss, 0, 32);
    if (p == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = check_sk(p, sk, sklen);
    if (rc != SOTTO_OK)
        return rc;
    if (ct == NULL || ctlen != st_kpke_ct_bytes(p))
        return SOTTO_ERR_INVALID_MESSAGE;
    /* Algorithm 18: m' = Decrypt(dk_pke, c); (K', r') = G(m' || h);
     * c' = Encrypt(ek, m', r'); K' if c == c', else the rejection key */
    st_kpke_decrypt(p, msg, sk, ct);
    st_sha3_512_2(kr, msg, 32, sk + h_off(p), 32);
    st_kpke_encrypt(p, cmp, sk + ek_off(p), msg, kr + 32);
    fail = st_kem_ct_differ(ct, cmp, ctlen);
    if (p->round3) {
        /* K = KDF((c == c' ? Kbar' : z) || H(c)) */
        st_sha3_256(hc, ct, ctlen);
        st_kem_ct_select(kr, sk + z_off(p), 32, fail);
        st_shake256_2(ss, 32, kr, 32, hc, 32);
    } else {
        /* Kbar = J(z || c) */
        st_shake256_2(rej, 32, sk + z_off(p), 32, ct, ctlen);
        memcpy(ss, kr, 32);
        st_kem_ct_select(ss, rej, 32, fail);
    }
    st_wipe(msg, sizeof msg);
    st_wipe(kr, sizeof kr);
    st_wipe(rej, sizeof rej);
    st_wipe(cmp, sizeof cmp);
    return SOTTO_OK;
}
