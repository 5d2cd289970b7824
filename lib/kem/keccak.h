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

/* RC[ir] of FIPS 202 Algorithm 6, for the 24 rounds. */
extern const uint64_t st_keccak_round_constants[24];

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

/*
 * Four independent sponges side by side (lane i of instance j at
 * a[4 * i + j]), for the many short XOF calls of ML-KEM: matrix entries
 * (SHAKE128) and noise (SHAKE256). The permutation runs on 256-bit vectors
 * (AVX2 when the CPU has it, checked at run time; otherwise the same code
 * on the baseline vector unit). All four inputs have the same length,
 * shorter than the rate.
 */
struct st_keccak_x4 {
    uint64_t a[100] __attribute__((aligned(32)));
    unsigned rate;
    unsigned pending; /* 1: the current block was output, permute first */
};

void st_keccak_x4_f1600(uint64_t s[100]);
/* The same without AVX2 (what CPUs without it run; tests call it directly). */
void st_keccak_x4_f1600_portable(uint64_t s[100]);
/* Absorbs in[0..3] (len < rate bytes each), pads with domain, permutes. */
void st_keccak_x4_absorb_once(struct st_keccak_x4 *s, unsigned rate, uint8_t domain,
                              const uint8_t *const in[4], size_t len);
/* Writes the next nblocks output blocks of each instance to out[j]
 * (nblocks * rate bytes); out[j] may be NULL to skip an instance. */
void st_keccak_x4_squeeze_blocks(struct st_keccak_x4 *s, uint8_t *const out[4], size_t nblocks);

#endif
