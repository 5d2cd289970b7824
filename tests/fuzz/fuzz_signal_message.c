/*
 * libFuzzer target: SignalMessage (version || protobuf || MAC) parsing,
 * then decryption against a fixed session state, on a copy each run.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/crypto.h"
#include "session/session.h"
#include "sotto/sotto.h"

static struct st_state *fixed_state(void)
{
    static struct st_state *s;
    struct st_bob_params p;

    if (s != NULL)
        return s;
    if (sotto_init() != SOTTO_OK)
        return NULL;
    memset(&p, 0, sizeof(p));
    p.version = ST_VERSION_X3DH;
    for (int i = 0; i < 32; i++) {
        p.our_identity_priv[i] = (uint8_t)(i + 1);
        p.our_signed_priv[i] = (uint8_t)(i + 2);
        p.their_base[i] = (uint8_t)(i + 3);
        p.their_identity[i] = (uint8_t)(i + 4);
    }
    st_x25519_clamp(p.our_identity_priv);
    st_x25519_clamp(p.our_signed_priv);
    if (st_x25519_public(p.our_identity_pub, p.our_identity_priv) != SOTTO_OK ||
        st_x25519_public(p.our_signed_pub, p.our_signed_priv) != SOTTO_OK ||
        st_bob_init(&s, &p) != SOTTO_OK)
        return NULL;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct st_state *base = fixed_state(), *s = NULL;
    struct st_signal_msg m;
    struct sotto_buf pt;

    if (base == NULL || st_signal_msg_parse(&m, data, size) != SOTTO_OK)
        return 0;
    if (st_state_copy(&s, base) == SOTTO_OK) {
        if (st_ratchet_decrypt(&pt, s, &m, 0) == SOTTO_OK)
            sotto_buf_free(&pt);
        st_state_free(s);
    }
    st_signal_msg_clear(&m);
    return 0;
}
