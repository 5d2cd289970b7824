/*
 * Keccak-f[1600] and the FIPS 202 functions ML-KEM needs: SHA3-256 (H),
 * SHA3-512 (G), SHAKE128 (XOF, matrix sampling) and SHAKE256 (PRF, J and
 * round-3 Kyber's KDF). Written from FIPS 202; checked against OpenSSL's
 * SHA-3 in tests/unit/test_kem_keccak.c. Constant time: the permutation
 * has no data-dependent branch or index.
 */
#ifndef ST_KEM_KECCAK_H
#define ST_KEM_KECCAK_H

#include <stddef.h>
#include <stdint.h>

enum {
    ST_SHAKE128_RATE = 168,
    ST_SHAKE256_RATE = 136,
    ST_SHA3_256_RATE = 136,
    ST_SHA3_512_RATE = 72,
};

/* A sponge in one of two phases: absorbing (pos = bytes of the current
 * block absorbed) or, after st_keccak_finalize, squeezing (pos = bytes of
 * the current block already output). */
struct st_keccak {
    uint64_t a[25];
    unsigned rate;
    unsigned pos;
};

void st_keccak_f1600(uint64_t s[25]);
void st_keccak_init(struct st_keccak *s, unsigned rate);
void st_keccak_absorb(struct st_keccak *s, const uint8_t *in, size_t len);
/* Pads with the domain byte (0x06 SHA-3, 0x1F SHAKE) and starts squeezing. */
void st_keccak_finalize(struct st_keccak *s, uint8_t domain);
void st_keccak_squeeze(struct st_keccak *s, uint8_t *out, size_t len);

void st_sha3_256(uint8_t out[32], const uint8_t *in, size_t len);
void st_sha3_512(uint8_t out[64], const uint8_t *in, size_t len);
/* SHA3-512 and SHAKE256 over the concatenation a || b. */
void st_sha3_512_2(uint8_t out[64], const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
void st_shake256_2(uint8_t *out, size_t outlen, const uint8_t *a, size_t alen, const uint8_t *b,
                   size_t blen);
void st_shake128(uint8_t *out, size_t outlen, const uint8_t *in, size_t len);
void st_shake256(uint8_t *out, size_t outlen, const uint8_t *in, size_t len);

#endif
