/* Incremental SHA-256 over libsodium's crypto_hash_sha256 state. */
#include <sodium.h>

#include "sha256_multi.h"

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(struct st_sha256),
               "st_sha256 too small for libsodium's state");

void st_sha256_init(struct st_sha256 *h)
{
    crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)h->opaque);
}

void st_sha256_update(struct st_sha256 *h, const uint8_t *in, size_t len)
{
    crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)h->opaque, in, len);
}

void st_sha256_final(struct st_sha256 *h, uint8_t out[ST_SHA256_BYTES])
{
    crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)h->opaque, out);
    st_wipe(h, sizeof *h);
}
