/*
 * HMAC-SHA256 (RFC 2104) on OpenSSL's SHA-256 block function, which uses the
 * CPU's SHA extensions where present: about five times faster here than
 * libsodium's portable SHA-256, and the ratchet computes several per message.
 * The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP,
 * but EVP costs an allocation and a fetch per call; the one-shot EVP_Q_mac
 * would be slower still.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <string.h>

#include "crypto.h"

struct hmac_state {
    SHA256_CTX inner, outer;
};

_Static_assert(sizeof(struct hmac_state) <= sizeof(struct st_hmac_sha256),
               "st_hmac_sha256 too small for two SHA256_CTX");

static struct hmac_state *state_of(struct st_hmac_sha256 *h)
{
    return (struct hmac_state *)(void *)h->opaque;
}

/*= https://www.rfc-editor.org/rfc/rfc2104#section-2
 *# H(K XOR opad, H(K XOR ipad, text)); keys longer than B are hashed first. */
void st_hmac_sha256_init(struct st_hmac_sha256 *h, const uint8_t *key, size_t keylen)
{
    struct hmac_state *s = state_of(h);
    uint8_t block[64], pad[64];

    memset(block, 0, sizeof block);
    if (keylen > sizeof block)
        SHA256(key, keylen, block);
    else if (keylen > 0)
        memcpy(block, key, keylen);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = (uint8_t)(block[i] ^ 0x36);
    SHA256_Init(&s->inner);
    SHA256_Update(&s->inner, pad, sizeof pad);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = (uint8_t)(block[i] ^ 0x5c);
    SHA256_Init(&s->outer);
    SHA256_Update(&s->outer, pad, sizeof pad);
    st_wipe(block, sizeof block);
    st_wipe(pad, sizeof pad);
}

void st_hmac_sha256_update(struct st_hmac_sha256 *h, const uint8_t *msg, size_t len)
{
    if (len > 0)
        SHA256_Update(&state_of(h)->inner, msg, len);
}

void st_hmac_sha256_final(struct st_hmac_sha256 *h, uint8_t out[ST_HMAC_SHA256_BYTES])
{
    struct hmac_state *s = state_of(h);
    uint8_t inner[ST_SHA256_BYTES];

    SHA256_Final(inner, &s->inner);
    SHA256_Update(&s->outer, inner, sizeof inner);
    SHA256_Final(out, &s->outer);
    st_wipe(inner, sizeof inner);
    st_wipe(h, sizeof *h);
}

void st_hmac_sha256(uint8_t out[ST_HMAC_SHA256_BYTES], const uint8_t *key, size_t keylen,
                    const uint8_t *msg, size_t len)
{
    struct st_hmac_sha256 h;
    st_hmac_sha256_init(&h, key, keylen);
    st_hmac_sha256_update(&h, msg, len);
    st_hmac_sha256_final(&h, out);
}

void st_sha256(uint8_t out[ST_SHA256_BYTES], const uint8_t *in, size_t len)
{
    SHA256(in, len, out);
}
