/*
 * Merkle tree hashing of RFC 9162 section 2.1.1 and the frontier of an
 * append-only tree.
 *
 *   MTH({}) = SHA-256()
 *   MTH({d(0)}) = SHA-256(0x00 || d(0))
 *   MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest
 *   power of two smaller than n.
 *
 * Splitting at the largest power of two makes the tree of n leaves the
 * perfect subtrees of the set bits of n, largest first, folded from the
 * right. The frontier keeps exactly those roots, so appending merges the
 * equal-height roots at the end (one per trailing one bit of n) and the
 * root folds at most 63 nodes.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sha256_multi.h"
#include "kt_internal.h"

void sotto_kt_leaf_hash(uint8_t out[SOTTO_KT_HASH_BYTES], const uint8_t *data, size_t len)
{
    static const uint8_t prefix = 0x00;
    struct st_sha256 h;

    st_sha256_init(&h);
    st_sha256_update(&h, &prefix, 1);
    st_sha256_update(&h, data, len);
    st_sha256_final(&h, out);
}

void sotto_kt_node_hash(uint8_t out[SOTTO_KT_HASH_BYTES], const uint8_t left[SOTTO_KT_HASH_BYTES],
                        const uint8_t right[SOTTO_KT_HASH_BYTES])
{
    uint8_t buf[1 + 2 * SOTTO_KT_HASH_BYTES];

    buf[0] = 0x01;
    memcpy(buf + 1, left, SOTTO_KT_HASH_BYTES);
    memcpy(buf + 1 + SOTTO_KT_HASH_BYTES, right, SOTTO_KT_HASH_BYTES);
    st_sha256(out, buf, sizeof buf);
}

size_t st_kt_popcount(uint64_t x)
{
    size_t n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

void st_kt_frontier_init(struct st_kt_frontier *f)
{
    memset(f, 0, sizeof *f);
}

void st_kt_frontier_push(struct st_kt_frontier *f, const uint8_t leaf[SOTTO_KT_HASH_BYTES])
{
    size_t count = st_kt_popcount(f->size);
    uint8_t x[SOTTO_KT_HASH_BYTES];

    memcpy(x, leaf, sizeof x);
    /* each trailing one bit of size is a subtree as high as x: merge */
    for (uint64_t s = f->size; s & 1; s >>= 1) {
        count--;
        sotto_kt_node_hash(x, f->h[count], x);
    }
    memcpy(f->h[count], x, sizeof x);
    f->size++;
}

void st_kt_frontier_root(const struct st_kt_frontier *f, uint8_t root[SOTTO_KT_HASH_BYTES])
{
    size_t count = st_kt_popcount(f->size);

    if (count == 0) {
        st_sha256(root, NULL, 0);
        return;
    }
    memcpy(root, f->h[count - 1], SOTTO_KT_HASH_BYTES);
    for (size_t i = count - 1; i-- > 0;)
        sotto_kt_node_hash(root, f->h[i], root);
}

void sotto_kt_root(uint8_t root[SOTTO_KT_HASH_BYTES], const sotto_kt_hash *leaves, uint64_t n)
{
    struct st_kt_frontier f;

    st_kt_frontier_init(&f);
    for (uint64_t i = 0; i < n; i++)
        st_kt_frontier_push(&f, leaves[i]);
    st_kt_frontier_root(&f, root);
}
