/*
 * libFuzzer target: sender-certificate parsing and validation (the bytes a
 * sealed message carries). The trust root is fixed (private 0x55..), so
 * seeds issued under it reach the signature checks.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sotto/sealed.h"
#include "sotto/sotto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static uint8_t root33[33];
    struct sotto_sender_cert c;
    int prc, vrc;

    if (!ready) {
        uint8_t priv[32], pub[32];
        if (sotto_init() != SOTTO_OK)
            abort();
        memset(priv, 0x55, sizeof priv);
        st_x25519_clamp(priv);
        if (st_x25519_public(pub, priv) != SOTTO_OK)
            abort();
        st_pubkey_encode(root33, pub);
        ready = 1;
    }
    prc = sotto_sender_cert_parse(&c, data, size);
    if (prc == SOTTO_OK && (strlen(c.uuid) > SOTTO_SEALED_UUID_MAX || c.identity_key[0] != 5))
        abort();
    vrc = sotto_sender_cert_validate(data, size, root33, 1, 1000);
    /* Only a parsable certificate can validate. */
    if (vrc == SOTTO_OK && prc != SOTTO_OK)
        abort();
    return 0;
}
