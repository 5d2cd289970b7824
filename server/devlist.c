/*
 * Usernames and signed device lists (docs/server-api.md, "Accounts").
 *
 * A device list is a serialized DeviceList signed with XEdDSA by the account
 * key over "sotto device list v1\0" || bytes. The server accepts a list only
 * if the signature verifies under the account's key, it names this account,
 * and its version is newer than the stored one (store checks that part in
 * the same transaction as the write), so unsigned, stale and replayed lists
 * are refused.
 */
#include <ctype.h>
#include <string.h>

#include "crypto/crypto.h"
#include "handlers.h"
#include "sdlimits.h"

static const char sig_context[] = "sotto device list v1"; /* with its NUL */

enum { DEVLIST_BYTES_MAX = 8192 };

int sd_username_key(char key[40], const char *username)
{
    size_t n = strlen(username);

    key[0] = '\0';
    if (n < SD_USERNAME_MIN || n > SD_USERNAME_MAX || !isalpha((unsigned char)username[0])) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)username[i];
        if (!(isalnum(ch) || ch == '_' || ch == '.' || ch == '-') || ch >= 0x80) {
            return -1;
        }
        key[i] = (char)tolower(ch);
    }
    key[n] = '\0';
    return 0;
}

static int check_sig(const Sotto__Server__SignedDeviceList *sdl, const uint8_t account_key[33])
{
    uint8_t pub[ST_X25519_BYTES], buf[sizeof(sig_context) + DEVLIST_BYTES_MAX];

    if (st_pubkey_decode(pub, account_key, 33) != SOTTO_OK) {
        return -1;
    }
    memcpy(buf, sig_context, sizeof(sig_context));
    memcpy(buf + sizeof(sig_context), sdl->device_list.data, sdl->device_list.len);
    return st_xeddsa_verify(sdl->signature.data, pub, buf,
                            sizeof(sig_context) + sdl->device_list.len) == SOTTO_OK
               ? 0
               : -1;
}

static int check_devices(struct sd_devlist *out, const Sotto__Server__DeviceList *dl,
                         const char **msg)
{
    uint8_t pub[ST_X25519_BYTES];

    if (dl->n_devices == 0 || dl->n_devices > SD_DEVICES_MAX) {
        *msg = "a device list holds 1 to 16 devices";
        return -1;
    }
    for (size_t i = 0; i < dl->n_devices; i++) {
        const Sotto__Server__DeviceEntry *d = dl->devices[i];
        if (d->device_id < 1 || d->device_id > SD_DEVICE_ID_MAX || d->registration_id < 1 ||
            d->registration_id > SD_REGID_MAX ||
            st_pubkey_decode(pub, d->identity_key.data, d->identity_key.len) != SOTTO_OK) {
            *msg = "device entry out of range (id 1..127, registration id 1..16380, 33-byte key)";
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (out->devs[j].device_id == d->device_id ||
                memcmp(out->devs[j].identity_key, d->identity_key.data, 33) == 0) {
                *msg = "device list repeats a device id or identity key";
                return -1;
            }
        }
        out->devs[i].device_id = d->device_id;
        out->devs[i].registration_id = d->registration_id;
        memcpy(out->devs[i].identity_key, d->identity_key.data, 33);
    }
    out->n = dl->n_devices;
    return 0;
}

int sd_devlist_verify(struct sd_devlist *out, const char **msg,
                      const Sotto__Server__SignedDeviceList *sdl, const char *username_key,
                      const uint8_t account_key[33])
{
    Sotto__Server__DeviceList *dl = NULL;
    char key[40];
    int st = SOTTO__SERVER__STATUS__STATUS_BAD_REQUEST;

    memset(out, 0, sizeof(*out));
    *msg = "device list missing or malformed";
    if (sdl == NULL || sdl->device_list.len == 0 || sdl->device_list.len > DEVLIST_BYTES_MAX) {
        goto out;
    }
    if (sdl->signature.len != SD_SIG_BYTES || check_sig(sdl, account_key) != 0) {
        *msg = "device list signature does not verify under the account key";
        st = SOTTO__SERVER__STATUS__STATUS_BAD_SIGNATURE;
        goto out;
    }
    dl = sotto__server__device_list__unpack(NULL, sdl->device_list.len, sdl->device_list.data);
    if (dl == NULL) {
        goto out;
    }
    if (dl->username == NULL || sd_username_key(key, dl->username) != 0 ||
        strcmp(key, username_key) != 0 || dl->account_key.len != 33 ||
        memcmp(dl->account_key.data, account_key, 33) != 0) {
        *msg = "device list is for another account";
        st = SOTTO__SERVER__STATUS__STATUS_FORBIDDEN;
        goto out;
    }
    if (dl->version == 0 || check_devices(out, dl, msg) != 0) {
        *msg = dl->version == 0 ? "device list version starts at 1" : *msg;
        goto out;
    }
    out->version = dl->version;
    st = SOTTO__SERVER__STATUS__STATUS_OK;
    *msg = NULL;
out:
    if (dl != NULL) {
        sotto__server__device_list__free_unpacked(dl, NULL);
    }
    return st;
}
