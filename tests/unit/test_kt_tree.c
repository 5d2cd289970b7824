/*
 * lib/kt Merkle tree against the naive recursive definitions on random
 * trees of up to a few thousand leaves: roots (whole and incremental),
 * inclusion and consistency proofs (generated equal, verify, and fail when
 * any hash bit, the index, the leaf or a root is changed, or the proof is
 * cut or extended), the frontier save/restore, and the 64-hash bound.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sotto/kt.h"
#include "sotto/sotto.h"
#include "testutil.h"
#include "test_kt_naive.h"

enum { MAXN = 3000 };

static sotto_kt_hash leaves[MAXN];

static void check_inclusion(uint64_t n, uint64_t i, const uint8_t root[32])
{
    sotto_kt_hash p[SOTTO_KT_PROOF_MAX + 1], q[SOTTO_KT_PROOF_MAX];
    size_t plen, qlen = 0;
    uint8_t bad[32];

    naive_path(q, &qlen, i, leaves, n);
    CHECK_OK(sotto_kt_inclusion_proof(p, &plen, leaves, n, i));
    CHECK(plen == qlen && memcmp(p, q, plen * 32) == 0);
    CHECK_OK(sotto_kt_inclusion_verify(i, n, leaves[i], p, plen, root));
    CHECK(sotto_kt_inclusion_verify(i ^ 1, n, leaves[i], p, plen, root) != SOTTO_OK);
    CHECK(sotto_kt_inclusion_verify(i, n, leaves[(i + 1) % n], p, plen, root) != SOTTO_OK ||
          n == 1);
    memcpy(bad, root, 32);
    bad[st_random_u32() % 32] ^= (uint8_t)(1u << (st_random_u32() % 8));
    CHECK(sotto_kt_inclusion_verify(i, n, leaves[i], p, plen, bad) != SOTTO_OK);
    if (plen > 0) {
        size_t k = st_random_u32() % plen;
        CHECK(sotto_kt_inclusion_verify(i, n, leaves[i], p, plen - 1, root) != SOTTO_OK);
        p[k][st_random_u32() % 32] ^= 0x80;
        CHECK(sotto_kt_inclusion_verify(i, n, leaves[i], p, plen, root) != SOTTO_OK);
    }
    memcpy(q[qlen], root, 32);
    CHECK(sotto_kt_inclusion_verify(i, n, leaves[i], q, qlen + 1, root) != SOTTO_OK);
}

static void check_consistency(uint64_t m, uint64_t n, const uint8_t r1[32], const uint8_t r2[32])
{
    sotto_kt_hash p[SOTTO_KT_PROOF_MAX + 1], q[SOTTO_KT_PROOF_MAX];
    size_t plen, qlen = 0;

    naive_sub(q, &qlen, m, leaves, n, 1);
    CHECK_OK(sotto_kt_consistency_proof(p, &plen, leaves, n, m));
    CHECK(plen == qlen && memcmp(p, q, plen * 32) == 0);
    CHECK_OK(sotto_kt_consistency_verify(m, n, r1, r2, p, plen));
    CHECK(sotto_kt_consistency_verify(m, n, r2, r1, p, plen) != SOTTO_OK || m == n);
    if (plen > 0) {
        CHECK(sotto_kt_consistency_verify(m, n, r1, r2, p, plen - 1) != SOTTO_OK);
        memcpy(p[plen], r1, 32);
        CHECK(sotto_kt_consistency_verify(m, n, r1, r2, p, plen + 1) != SOTTO_OK);
        p[st_random_u32() % plen][st_random_u32() % 32] ^= 1;
        CHECK(sotto_kt_consistency_verify(m, n, r1, r2, p, plen) != SOTTO_OK);
    }
    if (m < n)
        CHECK(sotto_kt_consistency_verify(m + 1, n, r1, r2, q, qlen) != SOTTO_OK);
}

static void random_trees(void)
{
    static uint8_t roots[MAXN + 1][32];
    struct sotto_kt_tree *t = NULL;
    uint8_t h[32];

    st_random_bytes((uint8_t *)leaves, sizeof leaves);
    CHECK_OK(sotto_kt_tree_new(&t));
    if (t == NULL)
        return;
    /* incremental roots of every prefix, checked against the naive MTH on
     * a sample (the naive MTH of all 3000 prefixes would be slow) */
    for (uint64_t n = 0; n <= MAXN; n++) {
        sotto_kt_tree_root(t, roots[n]);
        if (n <= 70 || n % 97 == 0 || n == MAXN) {
            naive_mth(h, leaves, n);
            CHECK(memcmp(h, roots[n], 32) == 0);
            sotto_kt_root(h, leaves, n);
            CHECK(memcmp(h, roots[n], 32) == 0);
        }
        if (n < MAXN)
            CHECK_OK(sotto_kt_tree_append(t, leaves[n]));
    }
    CHECK(sotto_kt_tree_size(t) == MAXN);
    for (int iter = 0; iter < 300; iter++) {
        uint64_t n = 1 + st_random_u32() % MAXN;
        uint64_t i = st_random_u32() % n, m = 1 + st_random_u32() % n;
        check_inclusion(n, i, roots[n]);
        check_consistency(m, n, roots[m], roots[n]);
    }
    for (uint64_t n = 1; n <= 40; n++)
        for (uint64_t m = 1; m <= n; m++)
            check_consistency(m, n, roots[m], roots[n]);
    sotto_kt_tree_free(t);
}

static void frontier_restore(void)
{
    struct sotto_kt_tree *a = NULL, *b = NULL;
    sotto_kt_hash f[64];
    size_t count;
    uint8_t ra[32], rb[32];

    CHECK_OK(sotto_kt_tree_new(&a));
    CHECK_OK(sotto_kt_tree_new(&b));
    if (a == NULL || b == NULL)
        goto out;
    for (uint64_t n = 0; n < 200; n++) {
        sotto_kt_tree_frontier(a, f, &count);
        CHECK(count == (size_t)__builtin_popcountll(n));
        CHECK(sotto_kt_tree_restore(b, n, f, count + 1) == SOTTO_ERR_INVALID_ARGUMENT);
        CHECK_OK(sotto_kt_tree_restore(b, n, f, count));
        CHECK_OK(sotto_kt_tree_append(a, leaves[n]));
        CHECK_OK(sotto_kt_tree_append(b, leaves[n]));
        sotto_kt_tree_root(a, ra);
        sotto_kt_tree_root(b, rb);
        CHECK(memcmp(ra, rb, 32) == 0);
    }
    /* a restored huge tree: append works up to, not past, 2^64 - 1 */
    memset(f, 7, sizeof f);
    CHECK_OK(sotto_kt_tree_restore(b, UINT64_MAX - 1, f, 63));
    CHECK_OK(sotto_kt_tree_append(b, leaves[0]));
    CHECK(sotto_kt_tree_size(b) == UINT64_MAX);
    CHECK(sotto_kt_tree_append(b, leaves[0]) == SOTTO_ERR_TOO_LARGE);
out:
    sotto_kt_tree_free(a);
    sotto_kt_tree_free(b);
}

static void bounds(void)
{
    static sotto_kt_hash p[SOTTO_KT_PROOF_MAX + 1];
    uint8_t root[32] = {0}, leaf[32] = {0};
    size_t len = 99;

    /* proofs longer than 64 hashes are refused before any hashing */
    CHECK(sotto_kt_inclusion_verify(0, UINT64_MAX, leaf, p, 65, root) == SOTTO_ERR_KT_BAD_PROOF);
    CHECK(sotto_kt_consistency_verify(1, UINT64_MAX, root, root, p, 65) == SOTTO_ERR_KT_BAD_PROOF);
    /* a 64-hash proof at the largest size runs and fails cleanly */
    CHECK(sotto_kt_inclusion_verify(UINT64_MAX - 1, UINT64_MAX, leaf, p, 64, root) ==
          SOTTO_ERR_KT_BAD_PROOF);
    CHECK(sotto_kt_consistency_verify(3, UINT64_MAX, root, root, p, 64) == SOTTO_ERR_KT_BAD_PROOF);
    CHECK(sotto_kt_inclusion_proof(p, &len, leaves, 5, 5) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(len == 0);
    CHECK(sotto_kt_consistency_proof(p, &len, leaves, 5, 0) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_kt_consistency_proof(p, &len, leaves, 5, 6) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(sotto_kt_inclusion_verify(0, 0, leaf, p, 0, root) == SOTTO_ERR_KT_BAD_PROOF);
}

int main(void)
{
    t_init();
    t_seed_random(20261127);
    random_trees();
    frontier_restore();
    bounds();
    return t_done();
}
