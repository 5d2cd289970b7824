/* Zeroing and constant-time comparison of secrets. */
#include <sodium.h>

#include "crypto.h"

void st_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        sodium_memzero(p, len);
}

int st_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    /* sodium_memcmp runs in time that depends only on len. */
    return sodium_memcmp(a, b, len) == 0;
}

int st_ct_is_zero(const uint8_t *a, size_t len)
{
    return sodium_is_zero(a, len);
}
