/*
 * Sender keys (group messaging), byte-compatible with libsignal's
 * group_cipher (signal-wire.md section 6): SenderKeyDistributionMessage
 * (SKDM) and SenderKeyMessage (SKM), both with version byte 0x33.
 *
 * State lives in the caller's store, one record per (sender name, device id,
 * distribution id). The library loads a record, works on a private copy and
 * saves it only when the operation succeeded, so a failed decrypt leaves the
 * stored record as it was. Records are opaque bytes to the store; their
 * layout is libsignal's SenderKeyRecord, so records move between the two
 * (checked both ways against 0.72.1, 0.90.0 and 0.103.0).
 *
 * Usage (the peer driver's group_* ops; my_store implements the two
 * callbacks, e.g. over an in-memory map):
 *
 *     struct sotto_sender_key_store st = { .ctx = my_store,
 *                                          .load = my_load, .save = my_save };
 *     uint8_t dist[16];
 *     rc = sotto_group_uuid_parse(dist, "d1d1d1d1-7000-11eb-b32a-33b8a8a487a6");
 *
 *     group_create:    uint8_t skdm[SOTTO_GROUP_SKDM_MAX]; size_t skdm_len;
 *                      rc = sotto_group_create(skdm, &skdm_len, sizeof skdm, &st,
 *                                              my_name, my_device, dist);
 *     group_process:   rc = sotto_group_process(&st, peer, peer_device, skdm, skdm_len);
 *     group_encrypt:   size_t cap = SOTTO_GROUP_MESSAGE_MAX(pt_len);
 *                      uint8_t *ct = malloc(cap); size_t ct_len;
 *                      rc = sotto_group_encrypt(ct, &ct_len, cap, &st, my_name, my_device,
 *                                               dist, pt, pt_len);
 *     group_decrypt:   uint8_t *pt = malloc(ct_len); size_t pt_len;
 *                      rc = sotto_group_decrypt(pt, &pt_len, ct_len, &st, peer, peer_device,
 *                                               ct, ct_len);
 *
 * Error codes a peer driver sees: SOTTO_ERR_NO_SESSION (no record or no
 * state for the message's chain id), SOTTO_ERR_DUPLICATE_MESSAGE,
 * SOTTO_ERR_TOO_FAR_AHEAD (iteration over 25000 ahead),
 * SOTTO_ERR_INVALID_SIGNATURE, SOTTO_ERR_INVALID_VERSION,
 * SOTTO_ERR_INVALID_KEY, SOTTO_ERR_INVALID_MESSAGE (cannot parse, or the
 * body does not decrypt), SOTTO_ERR_STORE (a callback failed).
 */
#ifndef SOTTO_GROUP_H
#define SOTTO_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum sotto_group_sizes {
    SOTTO_GROUP_UUID_BYTES = 16,
    /* 0x33 || uuid(2+16) chain_id(1+5) iteration(1+5) chain_key(2+32) signing_key(2+33) */
    SOTTO_GROUP_SKDM_MAX = 1 + 18 + 6 + 6 + 34 + 35,
    SOTTO_GROUP_SKDM_INPUT_MAX = 4096,   /* longer SKDMs (unknown fields) are refused */
    SOTTO_GROUP_PLAINTEXT_MAX = 1 << 24, /* larger plaintexts are refused */
    SOTTO_GROUP_RECORD_MAX = 1 << 20,    /* larger stored records are refused */
};

/* Output room for a SenderKeyMessage carrying a plaintext of len bytes:
 * version byte, protobuf (uuid, chain id, iteration, padded body) and the
 * 64-byte signature. */
#define SOTTO_GROUP_MESSAGE_MAX(len) ((((size_t)(len) / 16) + 1) * 16 + 1 + 18 + 6 + 6 + 6 + 64)

/*
 * The caller's sender-key store. load sets *record to the stored bytes (or
 * NULL and *record_len 0 when there is none); the bytes belong to the store
 * and must stay valid until the next call on it. save stores a copy of the
 * record bytes. Both return 0 on success; any other value fails the
 * operation with SOTTO_ERR_STORE. sender is a NUL-terminated name.
 */
struct sotto_sender_key_store {
    void *ctx;
    int (*load)(void *ctx, const uint8_t **record, size_t *record_len, const char *sender,
                uint32_t device_id, const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES]);
    int (*save)(void *ctx, const char *sender, uint32_t device_id,
                const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES], const uint8_t *record,
                size_t record_len);
};

/*
 * Sender side: makes our sender key for (own address, distribution id) if
 * the store has none (random 31-bit chain id, iteration 0, random chain
 * key, fresh signing key) and writes the SKDM for its current state into
 * skdm (cap >= SOTTO_GROUP_SKDM_MAX). Send it to every member over 1:1
 * sessions.
 */
SOTTO_MUST_CHECK int sotto_group_create(uint8_t *skdm, size_t *skdm_len, size_t skdm_cap,
                                        const struct sotto_sender_key_store *store,
                                        const char *own_name, uint32_t own_device,
                                        const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES]);

/*
 * Receiver side: stores the sender key an SKDM from (sender, device)
 * carries, under the distribution id inside it. Processing the same SKDM
 * again keeps the existing state (and its position in the chain).
 */
SOTTO_MUST_CHECK int sotto_group_process(const struct sotto_sender_key_store *store,
                                         const char *sender, uint32_t sender_device,
                                         const uint8_t *skdm, size_t skdm_len);

/*
 * Encrypts pt with our current sender key for the distribution id and
 * advances the chain. ct needs SOTTO_GROUP_MESSAGE_MAX(pt_len) bytes.
 * SOTTO_ERR_NO_SESSION when sotto_group_create was never called.
 */
SOTTO_MUST_CHECK int sotto_group_encrypt(uint8_t *ct, size_t *ct_len, size_t ct_cap,
                                         const struct sotto_sender_key_store *store,
                                         const char *own_name, uint32_t own_device,
                                         const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES],
                                         const uint8_t *pt, size_t pt_len);

/*
 * Decrypts a SenderKeyMessage from (sender, device); the distribution id
 * is read from the message. pt_cap >= ct_len is always enough.
 */
SOTTO_MUST_CHECK int sotto_group_decrypt(uint8_t *pt, size_t *pt_len, size_t pt_cap,
                                         const struct sotto_sender_key_store *store,
                                         const char *sender, uint32_t sender_device,
                                         const uint8_t *ct, size_t ct_len);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case) to 16 bytes, and
 * back (lowercase, 36 characters + NUL). */
SOTTO_MUST_CHECK int sotto_group_uuid_parse(uint8_t out[SOTTO_GROUP_UUID_BYTES], const char *s);
void sotto_group_uuid_format(char out[37], const uint8_t uuid[SOTTO_GROUP_UUID_BYTES]);

#endif
