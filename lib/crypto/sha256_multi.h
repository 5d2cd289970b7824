/*
 * Incremental SHA-256 (FIPS 180-4) over libsodium, for hashes of several
 * pieces without a copy: the Merkle leaf hash SHA-256(0x00 || d) of a leaf of
 * any length, and the signed encodings of lib/kt.
 */
#ifndef ST_SHA256_MULTI_H
#define ST_SHA256_MULTI_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct st_sha256 {
    uint8_t opaque[112] __attribute__((aligned(16)));
};

void st_sha256_init(struct st_sha256 *h);
void st_sha256_update(struct st_sha256 *h, const uint8_t *in, size_t len);
/* Writes the digest and wipes the state. */
void st_sha256_final(struct st_sha256 *h, uint8_t out[ST_SHA256_BYTES]);

#endif
