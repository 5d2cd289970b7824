/*
 * libsotto's session store (struct sotto_store) over the client's local
 * store: identity from the account, session and prekey records sealed in
 * SQLite, and the trust decision:
 *
 *  - a peer device's identity key is trusted only if it is the key on that
 *    account's signed device list as we last verified it (the device list
 *    is what the account key vouches for; a device not on it is a ghost);
 *  - sending is refused while the contact is SC_TRUST_CHANGED (verified,
 *    then the account key changed) or blocked.
 */
#ifndef SC_SSTORE_H
#define SC_SSTORE_H

#include "client/store.h"
#include "sotto/session.h"

struct sc_sstore {
    struct sc_store *store;
    const char *self; /* our account name: our own devices are checked too */
    uint8_t *last;    /* the record handed out by the last load_* callback */
    size_t last_len;
};

/* Fills st with callbacks over ctx (which must outlive st). */
void sc_sstore_init(struct sotto_store *st, struct sc_sstore *ctx, struct sc_store *s,
                    const char *self);
/* Frees the last loaded record. */
void sc_sstore_clear(struct sc_sstore *ctx);

#endif
