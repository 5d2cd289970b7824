/*
 * lib/kem: the post-quantum KEMs libsignal's PQXDH and sotto use, written
 * from FIPS 203 (ML-KEM) and the CRYSTALS-Kyber round-3 specification
 * (v3.02). One implementation serves three variants:
 *
 *   ST_KEM_KYBER1024  Kyber1024 round 3, libsignal key type 0x08
 *   ST_KEM_MLKEM768   ML-KEM-768 (FIPS 203), no libsignal type byte
 *   ST_KEM_MLKEM1024  ML-KEM-1024 (FIPS 203), libsignal key type 0x0A
 *
 * Raw keys and ciphertexts have the FIPS 203 layouts (ek, dk = s || ek ||
 * H(ek) || z, c). libsignal prefixes each with a type byte; the serialize
 * and parse functions add and check it.
 *
 * Every function is constant time in the secret inputs (no secret-dependent
 * branch, index or division) and wipes its secret intermediates.
 * Conventions: outputs first, SOTTO_OK (0) or a sotto_err, outputs cleared
 * on failure.
 */
#ifndef ST_KEM_H
#define ST_KEM_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum st_kem_variant { ST_KEM_KYBER1024 = 1, ST_KEM_MLKEM768 = 2, ST_KEM_MLKEM1024 = 3 };

enum {
    ST_KEM_SS_BYTES = 32,
    ST_KEM_SEED_BYTES = 32, /* d, z and m */
    ST_KEM_MAX_PK = 1568,
    ST_KEM_MAX_SK = 3168,
    ST_KEM_MAX_CT = 1568,
    /* libsignal key-type bytes (rust/protocol/src/kem.rs) */
    ST_KEM_TYPE_KYBER1024 = 0x08,
    ST_KEM_TYPE_MLKEM1024 = 0x0A,
    /* serialized = type byte || raw */
    ST_KEM_MAX_SERIALIZED_PK = 1 + ST_KEM_MAX_PK,
    ST_KEM_MAX_SERIALIZED_SK = 1 + ST_KEM_MAX_SK,
    ST_KEM_MAX_SERIALIZED_CT = 1 + ST_KEM_MAX_CT,
};

/* Raw sizes (no type byte); 0 for an unknown variant. */
size_t st_kem_pk_bytes(enum st_kem_variant v); /* 1568 / 1184 / 1568 */
size_t st_kem_sk_bytes(enum st_kem_variant v); /* 3168 / 2400 / 3168 */
size_t st_kem_ct_bytes(enum st_kem_variant v); /* 1568 / 1088 / 1568 */

/*
 * Key generation from the seeds d and z (FIPS 203 ML-KEM.KeyGen_internal;
 * for Kyber1024 the round-3 keygen with coins d, then z). pk and sk hold
 * st_kem_pk_bytes(v) and st_kem_sk_bytes(v) bytes.
 * Errors: SOTTO_ERR_INVALID_ARGUMENT (unknown variant).
 */
SOTTO_MUST_CHECK int st_kem_keypair_derand(enum st_kem_variant v, uint8_t *pk, uint8_t *sk,
                                           const uint8_t d[32], const uint8_t z[32]);
/* As st_kem_keypair_derand with d, z from st_random_bytes. */
SOTTO_MUST_CHECK int st_kem_keypair(enum st_kem_variant v, uint8_t *pk, uint8_t *sk);

/*
 * Encapsulation with the message m (FIPS 203 ML-KEM.Encaps_internal; for
 * Kyber1024 m is the raw coin that round 3 hashes with SHA3-256 first).
 * ct holds st_kem_ct_bytes(v) bytes. The public key is checked first
 * (length, then the FIPS 203 §7.2 modulus check, for every variant).
 * Errors: SOTTO_ERR_INVALID_ARGUMENT, SOTTO_ERR_INVALID_KEY.
 */
SOTTO_MUST_CHECK int st_kem_encaps_derand(enum st_kem_variant v, uint8_t *ct,
                                          uint8_t ss[ST_KEM_SS_BYTES], const uint8_t *pk,
                                          size_t pklen, const uint8_t m[32]);
/* As st_kem_encaps_derand with m from st_random_bytes. */
SOTTO_MUST_CHECK int st_kem_encaps(enum st_kem_variant v, uint8_t *ct, uint8_t ss[ST_KEM_SS_BYTES],
                                   const uint8_t *pk, size_t pklen);

/*
 * Decapsulation with implicit rejection: a ciphertext of the right length
 * always yields a shared secret (a pseudorandom one if it was tampered
 * with). Checks first: sk length and the FIPS 203 §7.3 hash check
 * (SOTTO_ERR_INVALID_KEY), ciphertext length (SOTTO_ERR_INVALID_MESSAGE).
 */
SOTTO_MUST_CHECK int st_kem_decaps(enum st_kem_variant v, uint8_t ss[ST_KEM_SS_BYTES],
                                   const uint8_t *ct, size_t ctlen, const uint8_t *sk,
                                   size_t sklen);

/* FIPS 203 §7.2: exact length and every coefficient of ek below q.
 * SOTTO_OK or SOTTO_ERR_INVALID_KEY (SOTTO_ERR_INVALID_ARGUMENT for v). */
SOTTO_MUST_CHECK int st_kem_check_pk(enum st_kem_variant v, const uint8_t *pk, size_t len);
/* FIPS 203 §7.3: exact length and H(ek) equal to the stored hash.
 * SOTTO_OK or SOTTO_ERR_INVALID_KEY (SOTTO_ERR_INVALID_ARGUMENT for v). */
SOTTO_MUST_CHECK int st_kem_check_sk(enum st_kem_variant v, const uint8_t *sk, size_t len);

/*
 * libsignal serialization: type byte (0x08 Kyber1024, 0x0A ML-KEM-1024) ||
 * raw bytes. ML-KEM-768 has no libsignal type: SOTTO_ERR_UNSUPPORTED.
 * serialize: cap too small -> SOTTO_ERR_TOO_LARGE; *outlen = 1 + raw size.
 * parse: *v and *raw (points into in, after the type byte) on success;
 * unknown type byte or wrong length -> SOTTO_ERR_INVALID_KEY for keys,
 * SOTTO_ERR_INVALID_MESSAGE for ciphertexts. Parsing does not run the
 * §7.2/§7.3 checks (encaps and decaps do).
 */
SOTTO_MUST_CHECK int st_kem_serialize_pk(uint8_t *out, size_t cap, size_t *outlen,
                                         enum st_kem_variant v, const uint8_t *pk);
SOTTO_MUST_CHECK int st_kem_parse_pk(enum st_kem_variant *v, const uint8_t **raw, const uint8_t *in,
                                     size_t len);
SOTTO_MUST_CHECK int st_kem_serialize_sk(uint8_t *out, size_t cap, size_t *outlen,
                                         enum st_kem_variant v, const uint8_t *sk);
SOTTO_MUST_CHECK int st_kem_parse_sk(enum st_kem_variant *v, const uint8_t **raw, const uint8_t *in,
                                     size_t len);
SOTTO_MUST_CHECK int st_kem_serialize_ct(uint8_t *out, size_t cap, size_t *outlen,
                                         enum st_kem_variant v, const uint8_t *ct);
SOTTO_MUST_CHECK int st_kem_parse_ct(enum st_kem_variant *v, const uint8_t **raw, const uint8_t *in,
                                     size_t len);

#endif
