/*
 * How sotto binds its accounts to the stage A log (docs/transparency.md):
 * the log's origin line, derived from the log key so a client that pinned
 * the key knows it; the hash a DL_UPDATE leaf carries of the device list
 * the server stores (the protobuf DeviceList bytes and the account key's
 * 64-byte signature over them, docs/server-api.md "Accounts"); and the
 * unsigned leaves both sides build from a registration or a SetDevices.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sha256_multi.h"
#include "kt_internal.h"

static const char list_context[] = "sotto kt signed device list v1";

void sotto_kt_origin_for_key(char out[SOTTO_KT_ORIGIN_FOR_KEY_BYTES],
                             const uint8_t log_key[SOTTO_KT_KEY_BYTES])
{
    uint8_t h[ST_SHA256_BYTES];

    st_sha256(h, log_key, SOTTO_KT_KEY_BYTES);
    snprintf(out, SOTTO_KT_ORIGIN_FOR_KEY_BYTES, "sotto-kt/%02x%02x%02x%02x%02x%02x%02x%02x", h[0],
             h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
}

int sotto_kt_signed_list_hash(uint8_t out[SOTTO_KT_HASH_BYTES], const uint8_t *list,
                              size_t list_len, const uint8_t sig[SOTTO_KT_SIG_BYTES])
{
    struct st_sha256 c;
    uint8_t len[4];

    memset(out, 0, SOTTO_KT_HASH_BYTES);
    if (list_len > UINT32_MAX)
        return SOTTO_ERR_TOO_LARGE;
    len[0] = (uint8_t)(list_len >> 24);
    len[1] = (uint8_t)(list_len >> 16);
    len[2] = (uint8_t)(list_len >> 8);
    len[3] = (uint8_t)list_len;
    st_sha256_init(&c);
    st_sha256_update(&c, (const uint8_t *)list_context, sizeof list_context);
    st_sha256_update(&c, len, sizeof len);
    st_sha256_update(&c, list, list_len);
    st_sha256_update(&c, sig, SOTTO_KT_SIG_BYTES);
    st_sha256_final(&c, out);
    return SOTTO_OK;
}

void sotto_kt_leaf_create(struct sotto_kt_leaf *leaf, const uint8_t uuid[SOTTO_KT_UUID_BYTES],
                          const uint8_t account_key[SOTTO_KT_KEY_BYTES])
{
    memset(leaf, 0, sizeof *leaf);
    leaf->type = SOTTO_KT_ACCOUNT_CREATE;
    memcpy(leaf->account_uuid, uuid, SOTTO_KT_UUID_BYTES);
    memcpy(leaf->account_key, account_key, SOTTO_KT_KEY_BYTES);
    leaf->prev_index = SOTTO_KT_NO_PREV;
}

int sotto_kt_leaf_dl_update(struct sotto_kt_leaf *leaf, const uint8_t uuid[SOTTO_KT_UUID_BYTES],
                            const uint8_t account_key[SOTTO_KT_KEY_BYTES], uint64_t dl_version,
                            const uint8_t *list, size_t list_len,
                            const uint8_t sig[SOTTO_KT_SIG_BYTES])
{
    memset(leaf, 0, sizeof *leaf);
    leaf->type = SOTTO_KT_DL_UPDATE;
    memcpy(leaf->account_uuid, uuid, SOTTO_KT_UUID_BYTES);
    memcpy(leaf->account_key, account_key, SOTTO_KT_KEY_BYTES);
    leaf->dl_version = dl_version;
    leaf->prev_index = 0; /* the log assigns it */
    return sotto_kt_signed_list_hash(leaf->dl_hash, list, list_len, sig);
}
