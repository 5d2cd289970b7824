/*
 * Noise transport messages (Noise revision 34, §5 and §11.3): after Split()
 * each side holds one CipherState to send and one to receive. Messages are
 * ChaChaPoly ciphertexts with empty associated data; the nonce is the
 * 64-bit message counter, refused at 2^64-1.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "transport/noise_state.h"

struct st_noise_transport {
    struct st_noise_cipher send;
    struct st_noise_cipher recv;
    uint8_t h[ST_NOISE_HASH_BYTES];
};

int st_noise_split(struct st_noise_handshake *hs, struct st_noise_transport **tp)
{
    struct st_noise_transport *t;
    int rc;

    if (tp == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *tp = NULL;
    if (hs == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (st_noise_handshake_state(hs) != ST_NOISE_DONE)
        return SOTTO_ERR_INVALID_STATE;
    t = calloc(1, sizeof *t);
    if (t == NULL)
        return SOTTO_ERR_NOMEM;
    rc = st_noise_handshake_take_split(hs, &t->send, &t->recv, t->h);
    if (rc != SOTTO_OK) {
        st_noise_transport_free(t);
        return rc;
    }
    *tp = t;
    return SOTTO_OK;
}

int st_noise_encrypt(struct st_noise_transport *t, uint8_t *out, size_t cap, size_t *outlen,
                     const uint8_t *pt, size_t len)
{
    int rc;

    if (outlen == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *outlen = 0;
    if (t == NULL || out == NULL || (pt == NULL && len > 0))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (len > ST_NOISE_MAX_PLAINTEXT)
        return SOTTO_ERR_TOO_LARGE;
    if (cap < len + ST_NOISE_TAG_BYTES)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = st_noise_cipher_encrypt(&t->send, out, NULL, 0, pt, len);
    if (rc != SOTTO_OK)
        return rc;
    *outlen = len + ST_NOISE_TAG_BYTES;
    return SOTTO_OK;
}

int st_noise_decrypt(struct st_noise_transport *t, uint8_t *out, size_t cap, size_t *outlen,
                     const uint8_t *ct, size_t len)
{
    uint8_t empty[1]; /* target for an empty plaintext when out is NULL */
    int rc;

    if (outlen == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *outlen = 0;
    if (t == NULL || ct == NULL || (out == NULL && cap > 0))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (len > ST_NOISE_MAX_MESSAGE)
        return SOTTO_ERR_TOO_LARGE;
    if (len < ST_NOISE_TAG_BYTES)
        return SOTTO_ERR_TRUNCATED;
    if (cap < len - ST_NOISE_TAG_BYTES)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = st_noise_cipher_decrypt(&t->recv, out != NULL ? out : empty, NULL, 0, ct, len);
    if (rc != SOTTO_OK)
        return rc;
    *outlen = len - ST_NOISE_TAG_BYTES;
    return SOTTO_OK;
}

int st_noise_rekey_send(struct st_noise_transport *t)
{
    if (t == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    return st_noise_cipher_rekey(&t->send);
}

int st_noise_rekey_recv(struct st_noise_transport *t)
{
    if (t == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    return st_noise_cipher_rekey(&t->recv);
}

void st_noise_transport_hash(const struct st_noise_transport *t, uint8_t h[ST_NOISE_HASH_BYTES])
{
    memcpy(h, t->h, ST_NOISE_HASH_BYTES);
}

void st_noise_transport_set_nonces(struct st_noise_transport *t, uint64_t send_n, uint64_t recv_n)
{
    t->send.n = send_n;
    t->recv.n = recv_n;
}

void st_noise_transport_free(struct st_noise_transport *t)
{
    if (t == NULL)
        return;
    st_wipe(t, sizeof *t);
    free(t);
}
