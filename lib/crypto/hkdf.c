/*
 * HKDF-SHA256 (RFC 5869): extract then expand, over st_hmac_sha256.
 *= https://www.rfc-editor.org/rfc/rfc5869#section-2.2
 *# if not provided, [salt] is set to a string of HashLen zeros.
 */
#include "crypto.h"

static const uint8_t zero_salt[ST_SHA256_BYTES];

void st_hkdf_sha256_extract(uint8_t prk[ST_SHA256_BYTES], const uint8_t *salt, size_t saltlen,
                            const uint8_t *ikm, size_t ikmlen)
{
    if (salt == NULL || saltlen == 0) {
        salt = zero_salt;
        saltlen = sizeof zero_salt;
    }
    st_hmac_sha256(prk, salt, saltlen, ikm, ikmlen);
}

/*= https://www.rfc-editor.org/rfc/rfc5869#section-2.3
 *# T(i) = HMAC-Hash(PRK, T(i-1) | info | i), L <= 255*HashLen */
int st_hkdf_sha256_expand(uint8_t *out, size_t outlen, const uint8_t prk[ST_SHA256_BYTES],
                          const uint8_t *info, size_t infolen)
{
    uint8_t t[ST_SHA256_BYTES];
    size_t done = 0;
    uint8_t i = 0;

    if (outlen > ST_HKDF_SHA256_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    while (done < outlen) {
        struct st_hmac_sha256 h;
        size_t n = outlen - done < sizeof t ? outlen - done : sizeof t;
        i++;
        st_hmac_sha256_init(&h, prk, ST_SHA256_BYTES);
        if (i > 1)
            st_hmac_sha256_update(&h, t, sizeof t);
        st_hmac_sha256_update(&h, info, infolen);
        st_hmac_sha256_update(&h, &i, 1);
        st_hmac_sha256_final(&h, t);
        for (size_t k = 0; k < n; k++)
            out[done + k] = t[k];
        done += n;
    }
    st_wipe(t, sizeof t);
    return SOTTO_OK;
}

int st_hkdf_sha256(uint8_t *out, size_t outlen, const uint8_t *salt, size_t saltlen,
                   const uint8_t *ikm, size_t ikmlen, const uint8_t *info, size_t infolen)
{
    uint8_t prk[ST_SHA256_BYTES];
    int err;

    if (outlen > ST_HKDF_SHA256_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    st_hkdf_sha256_extract(prk, salt, saltlen, ikm, ikmlen);
    err = st_hkdf_sha256_expand(out, outlen, prk, info, infolen);
    st_wipe(prk, sizeof prk);
    return err;
}
