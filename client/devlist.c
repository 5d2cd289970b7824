/* Signing and verifying device lists (see devlist.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/devlist.h"
#include "crypto/crypto.h"

static const char context[] = "sotto device list v1"; /* signed with its NUL */
enum { LIST_MAX = 8192 };

int sc_devlist_sign(Sotto__Server__SignedDeviceList *out, const struct sc_devlist *dl,
                    const uint8_t account_priv[32])
{
    Sotto__Server__DeviceList l = SOTTO__SERVER__DEVICE_LIST__INIT;
    Sotto__Server__DeviceEntry e[SC_MAX_DEVICES], *ep[SC_MAX_DEVICES];
    uint8_t *msg = NULL, *sig = NULL;
    size_t len;
    int rc;

    sotto__server__signed_device_list__init(out);
    if (dl->n == 0 || dl->n > SC_MAX_DEVICES)
        return SOTTO_ERR_INVALID_ARGUMENT;
    l.username = (char *)dl->username;
    l.account_key.data = (uint8_t *)dl->account_key;
    l.account_key.len = SC_IDKEY_BYTES;
    l.version = dl->version;
    for (size_t i = 0; i < dl->n; i++) {
        sotto__server__device_entry__init(&e[i]);
        e[i].device_id = dl->dev[i].id;
        e[i].registration_id = dl->dev[i].registration_id;
        e[i].identity_key.data = (uint8_t *)dl->dev[i].identity_key;
        e[i].identity_key.len = SC_IDKEY_BYTES;
        ep[i] = &e[i];
    }
    l.devices = ep;
    l.n_devices = dl->n;
    len = sotto__server__device_list__get_packed_size(&l);
    msg = malloc(sizeof context + len);
    sig = malloc(ST_SIG_BYTES);
    if (msg == NULL || sig == NULL || len > LIST_MAX) {
        rc = len > LIST_MAX ? SOTTO_ERR_TOO_LARGE : SOTTO_ERR_NOMEM;
        goto out;
    }
    memcpy(msg, context, sizeof context);
    sotto__server__device_list__pack(&l, msg + sizeof context);
    rc = st_xeddsa_sign(sig, account_priv, msg, sizeof context + len);
    if (rc != SOTTO_OK)
        goto out;
    memmove(msg, msg + sizeof context, len);
    out->device_list.data = msg;
    out->device_list.len = len;
    out->signature.data = sig;
    out->signature.len = ST_SIG_BYTES;
    return SOTTO_OK;
out:
    free(msg);
    free(sig);
    return rc;
}

void sc_devlist_signed_free(Sotto__Server__SignedDeviceList *sdl)
{
    free(sdl->device_list.data);
    free(sdl->signature.data);
    sotto__server__signed_device_list__init(sdl);
}

int sc_devlist_verify(struct sc_devlist *dl, const Sotto__Server__SignedDeviceList *sdl,
                      const char *username, const uint8_t account_key[SC_IDKEY_BYTES])
{
    Sotto__Server__DeviceList *l = NULL;
    uint8_t pub[ST_X25519_BYTES], *msg = NULL;
    int rc = SOTTO_ERR_INVALID_MESSAGE;

    memset(dl, 0, sizeof *dl);
    if (sdl == NULL || sdl->device_list.len == 0 || sdl->device_list.len > LIST_MAX ||
        sdl->signature.len != ST_SIG_BYTES)
        return SOTTO_ERR_INVALID_MESSAGE;
    rc = st_pubkey_decode(pub, account_key, SC_IDKEY_BYTES);
    if (rc != SOTTO_OK)
        return rc;
    msg = malloc(sizeof context + sdl->device_list.len);
    if (msg == NULL)
        return SOTTO_ERR_NOMEM;
    memcpy(msg, context, sizeof context);
    memcpy(msg + sizeof context, sdl->device_list.data, sdl->device_list.len);
    rc = st_xeddsa_verify(sdl->signature.data, pub, msg, sizeof context + sdl->device_list.len);
    free(msg);
    if (rc != SOTTO_OK)
        return SOTTO_ERR_INVALID_SIGNATURE;
    /* Only now, with the signature good, parse what it covers. */
    l = sotto__server__device_list__unpack(NULL, sdl->device_list.len, sdl->device_list.data);
    rc = SOTTO_ERR_INVALID_MESSAGE;
    if (l == NULL || l->username == NULL || strcasecmp(l->username, username) != 0 ||
        l->account_key.len != SC_IDKEY_BYTES ||
        memcmp(l->account_key.data, account_key, SC_IDKEY_BYTES) != 0 || l->n_devices == 0 ||
        l->n_devices > SC_MAX_DEVICES)
        goto out;
    for (size_t i = 0; i < l->n_devices; i++) {
        const Sotto__Server__DeviceEntry *e = l->devices[i];
        if (e->identity_key.len != SC_IDKEY_BYTES || e->identity_key.data[0] != 0x05 ||
            e->device_id == 0)
            goto out;
        dl->dev[i].id = e->device_id;
        dl->dev[i].registration_id = e->registration_id;
        memcpy(dl->dev[i].identity_key, e->identity_key.data, SC_IDKEY_BYTES);
    }
    dl->n = l->n_devices;
    dl->version = l->version;
    snprintf(dl->username, sizeof dl->username, "%s", username);
    memcpy(dl->account_key, account_key, SC_IDKEY_BYTES);
    rc = SOTTO_OK;
out:
    if (l != NULL)
        sotto__server__device_list__free_unpacked(l, NULL);
    return rc;
}
