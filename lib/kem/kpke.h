/*
 * K-PKE (FIPS 203 §5): the CPA-secure encryption scheme under ML-KEM and
 * round-3 Kyber, parameterised by the rank k and the compression widths.
 * Internal to lib/kem; callers check lengths. All three variants here use
 * eta1 = eta2 = 2.
 */
#ifndef ST_KEM_KPKE_H
#define ST_KEM_KPKE_H

#include <stddef.h>
#include <stdint.h>

struct st_kem_params {
    unsigned k;  /* rank: 3 or 4 */
    unsigned du; /* bits per u coefficient in the ciphertext */
    unsigned dv; /* bits per v coefficient */
    int round3;  /* 1: CRYSTALS-Kyber round 3 hashing; 0: FIPS 203 */
};

static inline size_t st_kpke_ek_bytes(const struct st_kem_params *p)
{
    return 384 * p->k + 32;
}
static inline size_t st_kpke_dk_bytes(const struct st_kem_params *p)
{
    return 384 * p->k;
}
static inline size_t st_kpke_ct_bytes(const struct st_kem_params *p)
{
    return 32 * (p->du * p->k + p->dv);
}

/* K-PKE.KeyGen (Algorithm 13) from (rho, sigma) = G(...) (the caller hashes
 * the seed: FIPS 203 and round 3 differ there). */
void st_kpke_keygen(const struct st_kem_params *p, uint8_t *ek, uint8_t *dk, const uint8_t rho[32],
                    const uint8_t sigma[32]);
/* K-PKE.Encrypt (Algorithm 14). ek must have passed the modulus check. */
void st_kpke_encrypt(const struct st_kem_params *p, uint8_t *c, const uint8_t *ek,
                     const uint8_t m[32], const uint8_t r[32]);
/* K-PKE.Decrypt (Algorithm 15). */
void st_kpke_decrypt(const struct st_kem_params *p, uint8_t m[32], const uint8_t *dk,
                     const uint8_t *c);

#endif
