/*
 * This machine's account and device identity, kept sealed in the store:
 * the account key (primary device only; signs the device list), the
 * device's identity key and registration id, our own device list.
 */
#ifndef SC_ACCOUNT_H
#define SC_ACCOUNT_H

#include "client/store.h"

enum { SC_MAX_DEVICES = 16 };

struct sc_account {
    char name[SC_NAME_MAX + 1];
    uint8_t account_pub[SC_IDKEY_BYTES]; /* all zero on a linked device until learned */
    uint8_t device_pub[SC_IDKEY_BYTES];
    uint32_t device_id; /* 1 for the primary; 0 until a linked device is added */
    uint32_t registration_id;
    int primary;
    int registered; /* the server accepted us */
};

/* Creates keys for a new account (primary) or a new device (primary = 0). */
SOTTO_MUST_CHECK int sc_account_create(struct sc_store *s, const char *name, int primary);
SOTTO_MUST_CHECK int sc_account_load(struct sc_store *s, struct sc_account *a);
SOTTO_MUST_CHECK int sc_account_set_registered(struct sc_store *s, uint32_t device_id);
/* Private keys, 32 bytes each; wipe after use. */
SOTTO_MUST_CHECK int sc_account_device_private(struct sc_store *s, uint8_t priv[32]);
SOTTO_MUST_CHECK int sc_account_account_private(struct sc_store *s, uint8_t priv[32]);

#endif
