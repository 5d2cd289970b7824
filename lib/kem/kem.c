/* Stub: the implementation follows (FIPS 203 / Kyber round 3). */
#include "kem.h"

int st_kem_keypair_derand(enum st_kem_variant v, uint8_t *pk, uint8_t *sk, const uint8_t d[32],
                          const uint8_t z[32])
{
    (void)v, (void)pk, (void)sk, (void)d, (void)z;
    return SOTTO_ERR_UNSUPPORTED;
}

int st_kem_keypair(enum st_kem_variant v, uint8_t *pk, uint8_t *sk)
{
    (void)v, (void)pk, (void)sk;
    return SOTTO_ERR_UNSUPPORTED;
}

int st_kem_encaps_derand(enum st_kem_variant v, uint8_t *ct, uint8_t ss[32], const uint8_t *pk,
                         size_t pklen, const uint8_t m[32])
{
    (void)v, (void)ct, (void)ss, (void)pk, (void)pklen, (void)m;
    return SOTTO_ERR_UNSUPPORTED;
}

int st_kem_encaps(enum st_kem_variant v, uint8_t *ct, uint8_t ss[32], const uint8_t *pk,
                  size_t pklen)
{
    (void)v, (void)ct, (void)ss, (void)pk, (void)pklen;
    return SOTTO_ERR_UNSUPPORTED;
}

int st_kem_decaps(enum st_kem_variant v, uint8_t ss[32], const uint8_t *ct, size_t ctlen,
                  const uint8_t *sk, size_t sklen)
{
    (void)v, (void)ss, (void)ct, (void)ctlen, (void)sk, (void)sklen;
    return SOTTO_ERR_UNSUPPORTED;
}

int st_kem_check_pk(enum st_kem_variant v, const uint8_t *pk, size_t len)
{
    (void)v, (void)pk, (void)len;
    return SOTTO_ERR_UNSUPPORTED;
}

int st_kem_check_sk(enum st_kem_variant v, const uint8_t *sk, size_t len)
{
    (void)v, (void)sk, (void)len;
    return SOTTO_ERR_UNSUPPORTED;
}
