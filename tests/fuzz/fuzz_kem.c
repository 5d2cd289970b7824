/*
 * libFuzzer target for lib/kem's untrusted inputs: libsignal-serialized
 * KEM keys and ciphertexts (st_kem_parse_*), the §7.2/§7.3 key checks, and
 * encapsulation/decapsulation with attacker-chosen key and ciphertext
 * bytes. The first input byte picks the mode; the rest is the data.
 *   0 parse pk, then check it and encapsulate to it
 *   1 parse sk, then decapsulate a fixed-pattern ciphertext with it
 *   2 parse ct, then decapsulate it under a key derived from fixed seeds
 *   3 variant byte, 64 seed bytes for a key pair, then a raw ciphertext
 *   4 variant byte, a raw secret key whose H(ek) is patched to pass the
 *     §7.3 check (so arbitrary s and ek reach decryption), a raw ciphertext
 */
#include <stdint.h>
#include <string.h>

#include "kem/keccak.h"
#include "kem/kem.h"

static enum st_kem_variant pick(uint8_t b)
{
    return (enum st_kem_variant)(1 + b % 3);
}

static void fixed_key(enum st_kem_variant v, uint8_t *pk, uint8_t *sk)
{
    uint8_t d[32], z[32];
    memset(d, 0x42, sizeof d);
    memset(z, 0x24, sizeof z);
    if (st_kem_keypair_derand(v, pk, sk, d, z) != 0)
        __builtin_trap();
}

static void decaps_any(enum st_kem_variant v, const uint8_t *sk, size_t sklen, const uint8_t *ct,
                       size_t ctlen)
{
    uint8_t ss[32], ss2[32];
    int rc = st_kem_decaps(v, ss, ct, ctlen, sk, sklen);
    /* deterministic, and an error leaves a zero key */
    if (st_kem_decaps(v, ss2, ct, ctlen, sk, sklen) != rc || memcmp(ss, ss2, 32) != 0)
        __builtin_trap();
    if (rc != 0) {
        static const uint8_t zero[32];
        if (memcmp(ss, zero, 32) != 0)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pk[ST_KEM_MAX_PK], sk[ST_KEM_MAX_SK], ct[ST_KEM_MAX_CT];
    uint8_t ss[32], m[32];
    enum st_kem_variant v;
    const uint8_t *raw;

    if (size < 1)
        return 0;
    memset(m, 7, sizeof m);
    switch (data[0] % 5) {
    case 0:
        if (st_kem_parse_pk(&v, &raw, data + 1, size - 1) != 0)
            return 0;
        if ((st_kem_check_pk(v, raw, st_kem_pk_bytes(v)) == 0) !=
            (st_kem_encaps_derand(v, ct, ss, raw, st_kem_pk_bytes(v), m) == 0))
            __builtin_trap();
        return 0;
    case 1:
        if (st_kem_parse_sk(&v, &raw, data + 1, size - 1) != 0)
            return 0;
        memset(ct, 0x5A, sizeof ct);
        decaps_any(v, raw, st_kem_sk_bytes(v), ct, st_kem_ct_bytes(v));
        return 0;
    case 2:
        if (st_kem_parse_ct(&v, &raw, data + 1, size - 1) != 0)
            return 0;
        fixed_key(v, pk, sk);
        decaps_any(v, sk, st_kem_sk_bytes(v), raw, st_kem_ct_bytes(v));
        return 0;
    case 3:
        if (size < 2 + 64)
            return 0;
        v = pick(data[1]);
        if (st_kem_keypair_derand(v, pk, sk, data + 2, data + 34) != 0)
            __builtin_trap();
        decaps_any(v, sk, st_kem_sk_bytes(v), data + 66, size - 66);
        return 0;
    default: {
        size_t skl, ekoff, eklen;
        if (size < 2)
            return 0;
        v = pick(data[1]);
        skl = st_kem_sk_bytes(v);
        eklen = st_kem_pk_bytes(v);
        ekoff = skl - 64 - eklen;
        if (size - 2 < skl)
            return 0;
        memcpy(sk, data + 2, skl);
        st_sha3_256(sk + ekoff + eklen, sk + ekoff, eklen);
        if (st_kem_check_sk(v, sk, skl) != 0)
            __builtin_trap();
        decaps_any(v, sk, skl, data + 2 + skl, size - 2 - skl);
        return 0;
    }
    }
}
