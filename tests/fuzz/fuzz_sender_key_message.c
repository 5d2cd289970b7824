/*
 * libFuzzer target: SenderKeyMessage parsing and group decryption. Every
 * input is decrypted against the same fixed receiver record (chain id 1,
 * iteration 0, chain key 0x11.., signing key from the private key 0x22..),
 * so seeds made with those keys reach the signature check and beyond.
 */
#include <stdlib.h>
#include <string.h>

#include "group/sender_key.h"
#include "sotto/group.h"
#include "sotto/sotto.h"

static uint8_t *record;
static size_t record_len;
static const uint8_t DIST[16] = {0xd1, 0xd1, 0xd1, 0xd1, 0x70, 0x00, 0x11, 0xeb,
                                 0xb3, 0x2a, 0x33, 0xb8, 0xa8, 0xa4, 0x87, 0xa6};

static int load(void *ctx, const uint8_t **rec, size_t *len, const char *sender, uint32_t device,
                const uint8_t dist[16])
{
    (void)ctx, (void)sender, (void)device;
    *rec = memcmp(dist, DIST, 16) == 0 ? record : NULL;
    *len = *rec ? record_len : 0;
    return 0;
}

static int save(void *ctx, const char *sender, uint32_t device, const uint8_t dist[16],
                const uint8_t *rec, size_t len)
{
    struct st_sk_record r;
    (void)ctx, (void)sender, (void)device, (void)dist;
    /* Whatever the library stores must parse again. */
    if (st_sk_record_parse(&r, rec, len) != SOTTO_OK)
        abort();
    st_sk_record_clear(&r);
    return 0;
}

static void setup(void)
{
    struct st_sk_record r;
    uint8_t ck[32], priv[32], pub[32], pub33[33];

    if (sotto_init() != SOTTO_OK)
        abort();
    memset(ck, 0x11, sizeof ck);
    memset(priv, 0x22, sizeof priv);
    st_x25519_clamp(priv);
    if (st_x25519_public(pub, priv) != SOTTO_OK)
        abort();
    st_pubkey_encode(pub33, pub);
    st_sk_record_init(&r);
    st_sk_record_add(&r, ST_SK_VERSION, 1, 0, ck, pub33, NULL);
    if (st_sk_record_serialize(&record, &record_len, &r) != SOTTO_OK)
        abort();
    st_sk_record_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct sotto_sender_key_store st = {.ctx = NULL, .load = load, .save = save};
    struct st_skm m;
    uint8_t *pt;
    size_t pt_len;

    if (!ready) {
        setup();
        ready = 1;
    }
    if (st_skm_parse(&m, data, size) == SOTTO_OK) {
        if (m.signed_len + ST_SIG_BYTES != size || m.ciphertext_len > size)
            abort();
        st_skm_clear(&m);
    }
    pt = malloc(size ? size : 1);
    if (pt == NULL)
        return 0;
    if (sotto_group_decrypt(pt, &pt_len, size, &st, "alice", 1, data, size) == SOTTO_OK &&
        pt_len > size)
        abort();
    free(pt);
    return 0;
}
