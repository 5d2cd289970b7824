/*
 * libFuzzer target: PreKeySignalMessage parsing and the whole responder
 * path (prekey lookup, canonical base key, KEM decapsulation, key
 * agreement, trial decryption) through sotto_session_decrypt against an
 * in-memory store holding prekey ids 1 (one-time), 2 (signed), 3 (Kyber).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../peer/memstore.c"
#include "session/session.h"

static struct memstore ms;
static struct sotto_store st;

static int setup(void)
{
    static int done;
    struct sotto_buf r;

    if (done)
        return 0;
    if (sotto_init() != SOTTO_OK)
        return -1;
    memstore_init(&ms);
    memstore_bind(&st, &ms);
    if (sotto_identity_generate(ms.identity_pub, ms.identity_priv) != SOTTO_OK)
        return -1;
    ms.registration_id = 7;
    if (sotto_prekey_generate(&r, 1) || ms_put(&ms.prekeys, NULL, 1, r.data, r.len))
        return -1;
    sotto_buf_free(&r);
    if (sotto_signed_prekey_generate(&r, 2, ms.identity_priv, 0) ||
        ms_put(&ms.signed_prekeys, NULL, 2, r.data, r.len))
        return -1;
    sotto_buf_free(&r);
    if (sotto_kyber_prekey_generate(&r, 3, ms.identity_priv, 0, 1) ||
        ms_put(&ms.kyber_prekeys, NULL, 3, r.data, r.len))
        return -1;
    sotto_buf_free(&r);
    done = 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct sotto_address peer = {"fuzz", 1};
    struct st_prekey_msg m;
    struct sotto_buf pt;

    if (setup() != 0)
        return 0;
    if (st_prekey_msg_parse(&m, data, size) == SOTTO_OK)
        st_prekey_msg_clear(&m);
    if (sotto_session_decrypt(&pt, &st, &peer, SOTTO_MSG_PREKEY, data, size) == SOTTO_OK)
        sotto_buf_free(&pt);
    /* forget whatever a lucky input stored */
    ms_remove(&ms.sessions, peer.name, peer.device_id);
    ms_remove(&ms.identities, peer.name, peer.device_id);
    return 0;
}
