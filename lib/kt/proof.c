/*
 * Inclusion and consistency proofs of RFC 9162 sections 2.1.3 and 2.1.4:
 * generation from the leaf hashes, and verification.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "kt_internal.h"

/* The largest power of two smaller than n (n >= 2). */
static uint64_t split(uint64_t n)
{
    uint64_t k = 1;
    while (k < n - k)
        k <<= 1;
    return k;
}

struct builder {
    sotto_kt_hash *proof;
    size_t len;
    int err;
};

static void add_mth(struct builder *b, const sotto_kt_hash *leaves, uint64_t n)
{
    if (b->len == SOTTO_KT_PROOF_MAX) {
        b->err = SOTTO_ERR_TOO_LARGE;
        return;
    }
    sotto_kt_root(b->proof[b->len++], leaves, n);
}

/*
 *= https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.1
 *# PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k; and
 *# PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k,
 * Recursion depth is at most 64: n halves at least every step.
 */
static void path(struct builder *b, uint64_t m, const sotto_kt_hash *leaves, uint64_t n)
{
    uint64_t k;

    if (n <= 1)
        return;
    k = split(n);
    if (m < k) {
        path(b, m, leaves, k);
        add_mth(b, leaves + k, n - k);
    } else {
        path(b, m - k, leaves + k, n - k);
        add_mth(b, leaves, k);
    }
}

/*
 *= https://www.rfc-editor.org/rfc/rfc9162#section-2.1.4.1
 *# SUBPROOF(m, D[m], true) = {}
 *# SUBPROOF(m, D[m], false) = {MTH(D[m])}
 *# SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) for m <= k
 *# SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]) for m > k
 */
static void subproof(struct builder *b, uint64_t m, const sotto_kt_hash *leaves, uint64_t n,
                     int whole)
{
    uint64_t k;

    if (m == n) {
        if (!whole)
            add_mth(b, leaves, m);
        return;
    }
    k = split(n);
    if (m <= k) {
        subproof(b, m, leaves, k, whole);
        add_mth(b, leaves + k, n - k);
    } else {
        subproof(b, m - k, leaves + k, n - k, 0);
        add_mth(b, leaves, k);
    }
}

int sotto_kt_inclusion_proof(sotto_kt_hash proof[SOTTO_KT_PROOF_MAX], size_t *proof_len,
                             const sotto_kt_hash *leaves, uint64_t n, uint64_t index)
{
    struct builder b = {.proof = proof};

    *proof_len = 0;
    if (index >= n)
        return SOTTO_ERR_INVALID_ARGUMENT;
    path(&b, index, leaves, n);
    if (b.err != SOTTO_OK)
        return b.err;
    *proof_len = b.len;
    return SOTTO_OK;
}

int sotto_kt_consistency_proof(sotto_kt_hash proof[SOTTO_KT_PROOF_MAX], size_t *proof_len,
                               const sotto_kt_hash *leaves, uint64_t size2, uint64_t size1)
{
    struct builder b = {.proof = proof};

    *proof_len = 0;
    if (size1 == 0 || size1 > size2)
        return SOTTO_ERR_INVALID_ARGUMENT;
    subproof(&b, size1, leaves, size2, 1);
    if (b.err != SOTTO_OK)
        return b.err;
    *proof_len = b.len;
    return SOTTO_OK;
}

/* "right-shift both fn and sn equally until either LSB(fn) is set or fn
 * is 0" */
static void shift_to_set_bit(uint64_t *fn, uint64_t *sn)
{
    while (!(*fn & 1) && *fn != 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

/*
 *= https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2
 * Steps 1-6 as written; the 64-hash bound keeps the work bounded.
 */
int sotto_kt_inclusion_verify(uint64_t index, uint64_t size,
                              const uint8_t leaf[SOTTO_KT_HASH_BYTES], const sotto_kt_hash *proof,
                              size_t proof_len, const uint8_t root[SOTTO_KT_HASH_BYTES])
{
    uint8_t r[SOTTO_KT_HASH_BYTES];
    uint64_t fn = index, sn;

    if (index >= size || proof_len > SOTTO_KT_PROOF_MAX)
        return SOTTO_ERR_KT_BAD_PROOF;
    sn = size - 1;
    memcpy(r, leaf, sizeof r);
    for (size_t i = 0; i < proof_len; i++) {
        if (sn == 0)
            return SOTTO_ERR_KT_BAD_PROOF;
        if ((fn & 1) || fn == sn) {
            sotto_kt_node_hash(r, proof[i], r);
            shift_to_set_bit(&fn, &sn);
        } else {
            sotto_kt_node_hash(r, r, proof[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || !st_ct_equal(r, root, sizeof r))
        return SOTTO_ERR_KT_BAD_PROOF;
    return SOTTO_OK;
}

/*
 *= https://www.rfc-editor.org/rfc/rfc9162#section-2.1.4.2
 * The algorithm assumes 0 < first < second. Around it: equal sizes need an
 * empty proof and equal roots; size1 == 0 is refused (the policy of the
 * transparency-dev/merkle test data: a consistency check from the empty
 * tree is useless and no client ever accepted one); size1 > size2 fails.
 */
int sotto_kt_consistency_verify(uint64_t size1, uint64_t size2,
                                const uint8_t root1[SOTTO_KT_HASH_BYTES],
                                const uint8_t root2[SOTTO_KT_HASH_BYTES],
                                const sotto_kt_hash *proof, size_t proof_len)
{
    uint8_t fr[SOTTO_KT_HASH_BYTES], sr[SOTTO_KT_HASH_BYTES];
    uint64_t fn, sn;
    size_t i = 0;

    if (size1 == 0 || size1 > size2 || proof_len > SOTTO_KT_PROOF_MAX)
        return SOTTO_ERR_KT_BAD_PROOF;
    if (size1 == size2) {
        if (proof_len != 0 || !st_ct_equal(root1, root2, SOTTO_KT_HASH_BYTES))
            return SOTTO_ERR_KT_BAD_PROOF;
        return SOTTO_OK;
    }
    /*# 1. If consistency_path is an empty array, stop and fail */
    if (proof_len == 0)
        return SOTTO_ERR_KT_BAD_PROOF;
    /*# 2. If first is an exact power of 2, then prepend first_hash */
    /*# 5. Set both fr and sr to the first value in the consistency_path */
    if ((size1 & (size1 - 1)) == 0) {
        memcpy(fr, root1, sizeof fr);
    } else {
        memcpy(fr, proof[0], sizeof fr);
        i = 1;
    }
    memcpy(sr, fr, sizeof sr);
    fn = size1 - 1;
    sn = size2 - 1;
    /*# 4. If LSB(fn) is set, then right-shift both fn and sn equally until
     *#    LSB(fn) is not set. */
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (; i < proof_len; i++) {
        if (sn == 0)
            return SOTTO_ERR_KT_BAD_PROOF;
        if ((fn & 1) || fn == sn) {
            sotto_kt_node_hash(fr, proof[i], fr);
            sotto_kt_node_hash(sr, proof[i], sr);
            shift_to_set_bit(&fn, &sn);
        } else {
            sotto_kt_node_hash(sr, sr, proof[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || !st_ct_equal(fr, root1, sizeof fr) || !st_ct_equal(sr, root2, sizeof sr))
        return SOTTO_ERR_KT_BAD_PROOF;
    return SOTTO_OK;
}
