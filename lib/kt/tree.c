/*
 * The append-only tree a log server keeps: only the frontier (see
 * merkle.c), so append and root are O(log n) and the state is at most 64
 * hashes plus the size.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "kt_internal.h"

struct sotto_kt_tree {
    struct st_kt_frontier f;
};

int sotto_kt_tree_new(struct sotto_kt_tree **out)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return SOTTO_ERR_NOMEM;
    st_kt_frontier_init(&(*out)->f);
    return SOTTO_OK;
}

void sotto_kt_tree_free(struct sotto_kt_tree *t)
{
    if (t == NULL)
        return;
    st_wipe(t, sizeof *t);
    free(t);
}

uint64_t sotto_kt_tree_size(const struct sotto_kt_tree *t)
{
    return t->f.size;
}

int sotto_kt_tree_append(struct sotto_kt_tree *t, const uint8_t leaf[SOTTO_KT_HASH_BYTES])
{
    if (t->f.size == UINT64_MAX)
        return SOTTO_ERR_TOO_LARGE;
    st_kt_frontier_push(&t->f, leaf);
    return SOTTO_OK;
}

void sotto_kt_tree_root(const struct sotto_kt_tree *t, uint8_t root[SOTTO_KT_HASH_BYTES])
{
    st_kt_frontier_root(&t->f, root);
}

void sotto_kt_tree_frontier(const struct sotto_kt_tree *t, sotto_kt_hash frontier[64],
                            size_t *count)
{
    *count = st_kt_popcount(t->f.size);
    memcpy(frontier, t->f.h, *count * sizeof t->f.h[0]);
}

int sotto_kt_tree_restore(struct sotto_kt_tree *t, uint64_t size, const sotto_kt_hash *frontier,
                          size_t count)
{
    if (count != st_kt_popcount(size))
        return SOTTO_ERR_INVALID_ARGUMENT;
    st_kt_frontier_init(&t->f);
    t->f.size = size;
    memcpy(t->f.h, frontier, count * sizeof t->f.h[0]);
    return SOTTO_OK;
}
