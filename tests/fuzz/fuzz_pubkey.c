/* Fuzz target: public keys and signatures as they arrive from the network
 * (33-byte encoding, base-key canonical check, XEdDSA verification). */
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "sotto/sotto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t pub[32];

    if (sotto_init() != SOTTO_OK)
        return 0;
    if (st_pubkey_decode(pub, data, size < 33 ? size : 33) != SOTTO_OK)
        return 0;
    (void)st_x25519_pub_is_canonical(pub);
    if (size >= 33 + 64)
        (void)st_xeddsa_verify(data + 33, pub, data + 97, size - 97);
    return 0;
}
