/*
 * Constant-time helpers for lib/kem, and st_kem_declassify: tells valgrind
 * memcheck (tests/ct/ct_kem.c treats secrets as undefined memory) that a
 * value derived from secrets is public from here on, e.g. rho, which is
 * hashed from the seed d but published in the encapsulation key. Outside
 * valgrind the client request is a few no-op instructions.
 */
#ifndef ST_KEM_CT_H
#define ST_KEM_CT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define st_kem_declassify(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef st_kem_declassify
#define st_kem_declassify(p, n) ((void)(p), (void)(n))
#endif

/* Hides a value from the optimizer so mask arithmetic is not turned back
 * into a branch. */
static inline uint32_t st_kem_barrier(uint32_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(v));
#endif
    return v;
}

/* 0xFFFFFFFF if a and b differ anywhere, 0 if equal; time depends on len. */
static inline uint32_t st_kem_ct_differ(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint32_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= (uint32_t)(a[i] ^ b[i]);
    /* acc in 0..255: acc - 1 underflows (top bit set) only when acc == 0 */
    return st_kem_barrier(((acc - 1) >> 31) - 1);
}

/* r = mask ? x : r for mask 0 or 0xFFFFFFFF, without a branch. */
static inline void st_kem_ct_select(uint8_t *r, const uint8_t *x, size_t len, uint32_t mask)
{
    uint8_t m = (uint8_t)st_kem_barrier(mask);
    for (size_t i = 0; i < len; i++)
        r[i] ^= (uint8_t)(m & (r[i] ^ x[i]));
}

#endif
