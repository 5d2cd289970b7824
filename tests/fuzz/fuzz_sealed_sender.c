/*
 * libFuzzer target: sealed sender v1 opening. The recipient's identity key
 * (private 0x33..) and the trust root (private 0x55..) are fixed, so seeds
 * sealed to them reach the certificate checks and the content copy.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sotto/sealed.h"
#include "sotto/sotto.h"

static uint8_t recipient_priv[32], root33[33];

static void fixed_key(uint8_t priv[32], uint8_t pub33[33], uint8_t fill)
{
    uint8_t pub[32];
    memset(priv, fill, 32);
    st_x25519_clamp(priv);
    if (st_x25519_public(pub, priv) != SOTTO_OK)
        abort();
    st_pubkey_encode(pub33, pub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct sotto_sealed_result res;
    int rc;

    if (!ready) {
        uint8_t priv[32], pub33[33];
        if (sotto_init() != SOTTO_OK)
            abort();
        fixed_key(recipient_priv, pub33, 0x33);
        fixed_key(priv, root33, 0x55);
        ready = 1;
    }
    rc = sotto_sealed_decrypt(&res, recipient_priv, root33, 1, 1000, "self", 1, data, size);
    if (rc == SOTTO_OK) {
        if (res.content == NULL || res.content_len > size)
            abort();
        sotto_sealed_result_free(&res);
    } else if (res.content != NULL || res.group_id != NULL) {
        abort(); /* a failure leaves nothing behind */
    }
    return 0;
}
