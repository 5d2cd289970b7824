/*
 * The one randomness function of libsotto. Everything that needs random
 * bytes (keys, nonces, XEdDSA's Z) calls st_random_bytes, so a test can pin
 * the source and reproduce a run byte for byte.
 */
#include <sodium.h>

#include "crypto.h"
#include "sotto/sotto.h"

/* The replaceable source; NULL means libsodium's randombytes_buf. */
static sotto_random_fn *random_fn;
static void *random_ctx;

void sotto_random_set_source(sotto_random_fn *fn, void *ctx)
{
    random_fn = fn;
    random_ctx = ctx;
}

void st_random_bytes(uint8_t *out, size_t len)
{
    if (len == 0)
        return;
    if (random_fn != NULL) {
        random_fn(random_ctx, out, len);
        return;
    }
    randombytes_buf(out, len);
}

uint32_t st_random_u32(void)
{
    uint8_t b[4];
    st_random_bytes(b, sizeof b);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int sotto_init(void)
{
    if (sodium_init() < 0)
        return SOTTO_ERR_CRYPTO;
    return SOTTO_OK;
}
