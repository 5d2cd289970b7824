/*
 * Fuzz target: RFC 9162 inclusion and consistency proof verification with
 * fuzzed sizes, indexes, roots and proof hashes, plus an oracle: for a
 * small tree built from the input, every generated proof must verify.
 *
 * Input: u8 mode || u64 a || u64 b || 32-byte hash x || 32-byte hash y ||
 * proof hashes (32 bytes each, up to 65 so the bound is exercised).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sotto/kt.h"
#include "sotto/sotto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { HDR = 1 + 8 + 8 + 32 + 32 };

static uint64_t u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* Small tree from the input: proofs it generates must verify. */
static void oracle(const uint8_t *data, size_t size)
{
    static sotto_kt_hash leaves[64];
    sotto_kt_hash proof[SOTTO_KT_PROOF_MAX];
    uint8_t r1[32], r2[32];
    uint64_t n = 1 + data[1] % 64, i = data[2] % n, m = 1 + data[3] % n;
    size_t len;

    for (uint64_t k = 0; k < n; k++)
        sotto_kt_leaf_hash(leaves[k], data, (size_t)k < size ? (size_t)k : size);
    sotto_kt_root(r2, leaves, n);
    sotto_kt_root(r1, leaves, m);
    if (sotto_kt_inclusion_proof(proof, &len, leaves, n, i) != SOTTO_OK ||
        sotto_kt_inclusion_verify(i, n, leaves[i], proof, len, r2) != SOTTO_OK)
        abort();
    if (sotto_kt_consistency_proof(proof, &len, leaves, n, m) != SOTTO_OK ||
        sotto_kt_consistency_verify(m, n, r1, r2, proof, len) != SOTTO_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sotto_kt_hash proof[SOTTO_KT_PROOF_MAX + 1];
    size_t n;
    uint64_t a, b;

    if (sotto_init() != SOTTO_OK || size < HDR)
        return 0;
    if (data[0] == 0xff) {
        oracle(data, size);
        return 0;
    }
    a = u64(data + 1);
    b = u64(data + 9);
    n = (size - HDR) / 32;
    if (n > SOTTO_KT_PROOF_MAX + 1)
        n = SOTTO_KT_PROOF_MAX + 1;
    memcpy(proof, data + HDR, n * 32);
    if (data[0] & 1)
        (void)sotto_kt_consistency_verify(a, b, data + 17, data + 49, proof, n);
    else
        (void)sotto_kt_inclusion_verify(a, b, data + 17, proof, n, data + 49);
    return 0;
}
