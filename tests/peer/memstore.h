/*
 * An in-memory struct sotto_store for the peer driver and the unit tests:
 * sessions, identities (trust on first use, refuse a changed key), one-time,
 * signed and Kyber prekeys, all as byte records. memstore_json.h saves and
 * loads it for the driver's --state file.
 */
#ifndef SOTTO_MEMSTORE_H
#define SOTTO_MEMSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/sotto.h"

struct ms_entry {
    char *name;    /* address name, NULL for id-keyed tables */
    uint32_t id;   /* device id or prekey id */
    uint8_t *data; /* record bytes */
    size_t len;
    struct ms_entry *next;
};

struct memstore {
    uint8_t identity_pub[SOTTO_PUBLIC_KEY_BYTES];
    uint8_t identity_priv[SOTTO_PRIVATE_KEY_BYTES];
    uint32_t registration_id;
    struct ms_entry *sessions, *identities, *prekeys, *signed_prekeys, *kyber_prekeys;
    struct ms_entry *kyber_used;  /* name = hex(kyber id, signed id, base key) */
    struct ms_entry *sender_keys; /* name = sender "/" hex(distribution id), id = device */
};

void memstore_init(struct memstore *ms);
void memstore_clear(struct memstore *ms);
/* The sotto_store view of ms. */
void memstore_bind(struct sotto_store *st, struct memstore *ms);

/* Table helpers (NULL name for id-keyed tables). */
struct ms_entry *ms_find(struct ms_entry *head, const char *name, uint32_t id);
int ms_put(struct ms_entry **head, const char *name, uint32_t id, const uint8_t *data, size_t len);
void ms_remove(struct ms_entry **head, const char *name, uint32_t id);

#endif
