/* Helpers shared between lib/crypto files only. */
#ifndef ST_CRYPTO_INTERNAL_H
#define ST_CRYPTO_INTERNAL_H

#include <stdint.h>

/*
 * The Edwards point (compressed, sign bit = bit 7 of sign) whose Montgomery u
 * is u. Public inputs only: uses variable-time bignum arithmetic.
 * SOTTO_ERR_INVALID_KEY when u = -1 (no image).
 */
int st_mont_to_edwards(uint8_t ed[32], const uint8_t u[32], uint8_t sign);

#endif
