/*
 * Fuzz target: checkpoint notes (C2SP signed note) as a client receives
 * them, through the verifier. The log key is a fixed test key (private key
 * 32 x 0x42, so the seed corpus can hold validly signed notes); a note that
 * verifies must be canonical: signing its checkpoint again gives the same
 * note text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sotto/kt.h"
#include "sotto/sotto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char origin[] = "sotto.example/log";

static void canonical(const struct sotto_kt_checkpoint *cp, const uint8_t priv[32],
                      const uint8_t *data)
{
    static char again[SOTTO_KT_CHECKPOINT_MAX];
    size_t len;
    const char *sep;

    if (sotto_kt_checkpoint_sign(again, &len, sizeof again, cp, priv) != SOTTO_OK)
        abort();
    sep = strstr(again, "\n\n");
    if (sep == NULL || memcmp(again, data, (size_t)(sep - again) + 2) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sotto_kt_verifier *v = NULL;
    struct sotto_kt_checkpoint cp;
    uint8_t priv[32], u[32], key[SOTTO_KT_KEY_BYTES];

    if (sotto_init() != SOTTO_OK)
        return 0;
    memset(priv, 0x42, sizeof priv);
    if (st_x25519_public(u, priv) != SOTTO_OK)
        return 0;
    st_pubkey_encode(key, u);
    if (sotto_kt_checkpoint_verify(&cp, (const char *)data, size, origin, key) == SOTTO_OK)
        canonical(&cp, priv, data);
    if (sotto_kt_verifier_new(&v, origin, key) != SOTTO_OK)
        return 0;
    (void)sotto_kt_verifier_update(v, &cp, (const char *)data, size, NULL, 0);
    sotto_kt_verifier_free(v);
    return 0;
}
