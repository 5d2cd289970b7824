/* Signed device lists (docs/server-api.md "Accounts"): the account key
 * signs "sotto device list v1\0" || DeviceList with XEdDSA. */
#ifndef SC_DEVLIST_H
#define SC_DEVLIST_H

#include "client/account.h"
#include "client/store.h"
#include "server.pb-c.h"

struct sc_devlist {
    char username[SC_NAME_MAX + 1];
    uint8_t account_key[SC_IDKEY_BYTES];
    uint64_t version;
    struct sc_device dev[SC_MAX_DEVICES];
    size_t n;
};

/* Serializes and signs dl with account_priv into out (fields malloc'd;
 * free with sc_devlist_signed_free). */
SOTTO_MUST_CHECK int sc_devlist_sign(Sotto__Server__SignedDeviceList *out,
                                     const struct sc_devlist *dl, const uint8_t account_priv[32]);
void sc_devlist_signed_free(Sotto__Server__SignedDeviceList *sdl);
/* Verifies sdl under account_key and that it names username; fills dl.
 * SOTTO_ERR_INVALID_SIGNATURE, SOTTO_ERR_INVALID_MESSAGE. */
SOTTO_MUST_CHECK int sc_devlist_verify(struct sc_devlist *dl,
                                       const Sotto__Server__SignedDeviceList *sdl,
                                       const char *username,
                                       const uint8_t account_key[SC_IDKEY_BYTES]);

#endif
