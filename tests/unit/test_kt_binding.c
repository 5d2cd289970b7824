/*
 * lib/kt/binding.c: sottod's log origin from the log key, the hash a
 * DL_UPDATE leaf carries of a stored signed device list (known answers
 * computed with Python's hashlib), and the leaves a registration and a
 * SetDevices produce: signed by the account key, refused when any signed
 * field changes.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sotto/kt.h"
#include "testutil.h"

static void origin(void)
{
    uint8_t key[33];
    char o[SOTTO_KT_ORIGIN_FOR_KEY_BYTES];
    struct sotto_kt_checkpoint cp;
    char note[SOTTO_KT_CHECKPOINT_MAX];
    size_t len;
    uint8_t priv[32], u[32];

    key[0] = 0x05;
    memset(key + 1, 7, 32);
    sotto_kt_origin_for_key(o, key);
    CHECK(strcmp(o, "sotto-kt/218c1e8dcf54d413") == 0);
    /* the origin is one a checkpoint accepts */
    CHECK_OK(st_x25519_keypair(u, priv));
    st_pubkey_encode(key, u);
    sotto_kt_origin_for_key(o, key);
    memset(&cp, 0, sizeof cp);
    memcpy(cp.origin, o, sizeof o);
    cp.size = 3;
    CHECK_OK(sotto_kt_checkpoint_sign(note, &len, sizeof note, &cp, priv));
    CHECK_OK(sotto_kt_checkpoint_verify(&cp, note, len, o, key));
}

static void unhex32(uint8_t out[32], const char *hex)
{
    size_t n = 0;
    uint8_t *b = t_unhex(hex, &n);
    CHECK(b != NULL && n == 32);
    if (b != NULL && n == 32)
        memcpy(out, b, 32);
    free(b);
}

static void list_hash(void)
{
    static const struct {
        size_t len;
        const char *hex;
    } kat[] = {
        {10, "5a208c6b9ce9ab0791ec925111387b7b9b2512306e6446ea1bd5384fe3184bf2"},
        {0, "56d26bca4c923ec800c44d7401c77a2133cda891509b98d7825aa414aef1e609"},
    };
    uint8_t list[10], sig[64], h[32], want[32];

    for (size_t i = 0; i < sizeof list; i++)
        list[i] = (uint8_t)i;
    memset(sig, 0xaa, sizeof sig);
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        unhex32(want, kat[i].hex);
        CHECK_OK(sotto_kt_signed_list_hash(h, list, kat[i].len, sig));
        CHECK(memcmp(h, want, 32) == 0);
    }
    /* list and signature are both bound */
    sig[63] ^= 1;
    CHECK_OK(sotto_kt_signed_list_hash(h, list, 10, sig));
    unhex32(want, kat[0].hex);
    CHECK(memcmp(h, want, 32) != 0);
}

static void leaves(void)
{
    uint8_t priv[32], u[32], ak[33], other[33], uuid[16], list[40], sig[64];
    uint8_t enc[SOTTO_KT_LEAF_MAX];
    struct sotto_kt_leaf c, d, back;
    size_t len;

    CHECK_OK(st_x25519_keypair(u, priv));
    st_pubkey_encode(ak, u);
    CHECK_OK(st_x25519_keypair(u, sig));
    st_pubkey_encode(other, u);
    memset(uuid, 0x42, sizeof uuid);
    memset(list, 0x11, sizeof list);
    memset(sig, 0x22, sizeof sig);

    sotto_kt_leaf_create(&c, uuid, ak);
    CHECK(c.type == SOTTO_KT_ACCOUNT_CREATE && c.prev_index == SOTTO_KT_NO_PREV);
    CHECK_OK(sotto_kt_leaf_sign(&c, priv));
    CHECK_OK(sotto_kt_leaf_verify(&c));
    c.timestamp = 99; /* the log's field: outside the signature */
    CHECK_OK(sotto_kt_leaf_verify(&c));
    c.account_uuid[0] ^= 1;
    CHECK(sotto_kt_leaf_verify(&c) != SOTTO_OK);

    CHECK_OK(sotto_kt_leaf_dl_update(&d, uuid, ak, 5, list, sizeof list, sig));
    CHECK(d.type == SOTTO_KT_DL_UPDATE && d.dl_version == 5);
    CHECK_OK(sotto_kt_leaf_sign(&d, priv));
    d.prev_index = 0; /* as the log assigns it */
    d.timestamp = 1764201600000ull;
    CHECK_OK(sotto_kt_leaf_encode(enc, &len, sizeof enc, &d));
    CHECK_OK(sotto_kt_leaf_parse(&back, enc, len));
    CHECK_OK(sotto_kt_leaf_verify(&back));
    /* the same signature over another list, version or key fails */
    list[0] ^= 1;
    CHECK_OK(sotto_kt_leaf_dl_update(&back, uuid, ak, 5, list, sizeof list, sig));
    memcpy(back.signature, d.signature, 64);
    CHECK(sotto_kt_leaf_verify(&back) != SOTTO_OK);
    list[0] ^= 1;
    CHECK_OK(sotto_kt_leaf_dl_update(&back, uuid, ak, 4, list, sizeof list, sig));
    memcpy(back.signature, d.signature, 64);
    CHECK(sotto_kt_leaf_verify(&back) != SOTTO_OK);
    CHECK_OK(sotto_kt_leaf_dl_update(&back, uuid, other, 5, list, sizeof list, sig));
    memcpy(back.signature, d.signature, 64);
    CHECK(sotto_kt_leaf_verify(&back) != SOTTO_OK);
    CHECK_OK(sotto_kt_leaf_dl_update(&back, uuid, ak, 5, list, sizeof list, sig));
    memcpy(back.signature, d.signature, 64);
    CHECK_OK(sotto_kt_leaf_verify(&back));
}

int main(void)
{
    t_init();
    origin();
    list_hash();
    leaves();
    return t_done();
}
