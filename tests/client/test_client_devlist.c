/*
 * Signed device lists: a list signed by the account key verifies and
 * round-trips; a flipped bit in the list or the signature, another account
 * key, another username, or an empty list is refused.
 */
#include <string.h>

#include "client/devlist.h"
#include "crypto/crypto.h"
#include "testutil.h"

/* An account key pair (priv) and a two-device list signed by nobody yet. */
static void make(struct sc_devlist *dl, uint8_t priv[32])
{
    uint8_t pub[32], dpriv[32];
    memset(dl, 0, sizeof *dl);
    CHECK_OK(st_x25519_keypair(pub, priv));
    st_pubkey_encode(dl->account_key, pub);
    strcpy(dl->username, "alice");
    dl->version = 7;
    dl->n = 2;
    for (size_t i = 0; i < 2; i++) {
        dl->dev[i].id = (uint32_t)i + 1;
        dl->dev[i].registration_id = 100 + (uint32_t)i;
        CHECK_OK(st_x25519_keypair(pub, dpriv));
        st_pubkey_encode(dl->dev[i].identity_key, pub);
    }
}

int main(void)
{
    Sotto__Server__SignedDeviceList sdl;
    struct sc_devlist dl, out;
    uint8_t priv[32], other_priv[32], other_pub[32], other_key[33];

    t_init();
    t_seed_random(42);
    make(&dl, priv);
    CHECK_OK(sc_devlist_sign(&sdl, &dl, priv));
    CHECK_OK(sc_devlist_verify(&out, &sdl, "alice", dl.account_key));
    CHECK(out.n == 2 && out.version == 7 && out.dev[1].id == 2 &&
          out.dev[1].registration_id == 101 &&
          memcmp(out.dev[0].identity_key, dl.dev[0].identity_key, 33) == 0);
    CHECK_OK(sc_devlist_verify(&out, &sdl, "ALICE", dl.account_key)); /* names fold case */

    CHECK(sc_devlist_verify(&out, &sdl, "bob", dl.account_key) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK_OK(st_x25519_keypair(other_pub, other_priv));
    st_pubkey_encode(other_key, other_pub);
    CHECK(sc_devlist_verify(&out, &sdl, "alice", other_key) == SOTTO_ERR_INVALID_SIGNATURE);
    sdl.device_list.data[sdl.device_list.len / 2] ^= 1;
    CHECK(sc_devlist_verify(&out, &sdl, "alice", dl.account_key) == SOTTO_ERR_INVALID_SIGNATURE);
    CHECK(out.n == 0);
    sdl.device_list.data[sdl.device_list.len / 2] ^= 1;
    sdl.signature.data[0] ^= 0x80;
    CHECK(sc_devlist_verify(&out, &sdl, "alice", dl.account_key) == SOTTO_ERR_INVALID_SIGNATURE);
    sdl.signature.data[0] ^= 0x80;
    sdl.signature.len = 63;
    CHECK(sc_devlist_verify(&out, &sdl, "alice", dl.account_key) == SOTTO_ERR_INVALID_MESSAGE);
    sdl.signature.len = 64;
    CHECK_OK(sc_devlist_verify(&out, &sdl, "alice", dl.account_key));
    CHECK(sc_devlist_verify(&out, NULL, "alice", dl.account_key) == SOTTO_ERR_INVALID_MESSAGE);
    sc_devlist_signed_free(&sdl);

    /* A list signed by another key, presented under ours. */
    CHECK_OK(sc_devlist_sign(&sdl, &dl, other_priv));
    CHECK(sc_devlist_verify(&out, &sdl, "alice", dl.account_key) == SOTTO_ERR_INVALID_SIGNATURE);
    sc_devlist_signed_free(&sdl);

    dl.n = 0;
    CHECK(sc_devlist_sign(&sdl, &dl, priv) == SOTTO_ERR_INVALID_ARGUMENT);
    return t_done();
}
