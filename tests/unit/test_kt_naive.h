/* A naive recursive implementation of RFC 9162 2.1.1-2.1.4.1, straight
 * from the definitions, that the kt tests hold lib/kt to. Test code only. */
#ifndef TEST_KT_NAIVE_H
#define TEST_KT_NAIVE_H

#include <string.h>

#include "sotto/kt.h"

static uint64_t naive_k(uint64_t n)
{
    uint64_t k = 1;
    while (2 * k < n)
        k *= 2;
    return k;
}

static void naive_mth(uint8_t out[32], const sotto_kt_hash *d, uint64_t n)
{
    uint8_t l[32], r[32];
    if (n == 0) {
        sotto_kt_root(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, d[0], 32);
        return;
    }
    naive_mth(l, d, naive_k(n));
    naive_mth(r, d + naive_k(n), n - naive_k(n));
    sotto_kt_node_hash(out, l, r);
}

static void naive_path(sotto_kt_hash *p, size_t *len, uint64_t m, const sotto_kt_hash *d,
                       uint64_t n)
{
    uint64_t k = naive_k(n);
    if (n <= 1)
        return;
    if (m < k) {
        naive_path(p, len, m, d, k);
        naive_mth(p[(*len)++], d + k, n - k);
    } else {
        naive_path(p, len, m - k, d + k, n - k);
        naive_mth(p[(*len)++], d, k);
    }
}

static void naive_sub(sotto_kt_hash *p, size_t *len, uint64_t m, const sotto_kt_hash *d, uint64_t n,
                      int b)
{
    uint64_t k = naive_k(n);
    if (m == n) {
        if (!b)
            naive_mth(p[(*len)++], d, m);
        return;
    }
    if (m <= k) {
        naive_sub(p, len, m, d, k, b);
        naive_mth(p[(*len)++], d + k, n - k);
    } else {
        naive_sub(p, len, m - k, d + k, n - k, 0);
        naive_mth(p[(*len)++], d, k);
    }
}

#endif
