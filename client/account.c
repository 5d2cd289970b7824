/* Account and device identity (see account.h). */
#include <stdlib.h>
#include <string.h>

#include "client/account.h"
#include "crypto/crypto.h"

static int put_u32(struct sc_store *s, const char *name, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return sc_store_secret_put(s, name, b, 4);
}

static int get_u32(struct sc_store *s, uint32_t *v, const char *name)
{
    uint8_t *b;
    size_t n;
    int rc = sc_store_secret_get(s, &b, &n, name);
    *v = 0;
    if (rc != SOTTO_OK)
        return rc;
    if (n == 4)
        *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    else
        rc = SOTTO_ERR_STORE;
    sc_free_secret(b, n);
    return rc;
}

/* Copies a fixed-size secret into out. */
static int get_fixed(struct sc_store *s, uint8_t *out, size_t len, const char *name)
{
    uint8_t *b;
    size_t n;
    int rc = sc_store_secret_get(s, &b, &n, name);
    memset(out, 0, len);
    if (rc != SOTTO_OK)
        return rc;
    if (n == len)
        memcpy(out, b, len);
    else
        rc = SOTTO_ERR_STORE;
    sc_free_secret(b, n);
    return rc;
}

static int new_keypair(struct sc_store *s, const char *priv_name, const char *pub_name)
{
    uint8_t pub[ST_X25519_BYTES], priv[ST_X25519_BYTES], enc[ST_PUBKEY_BYTES];
    int rc = st_x25519_keypair(pub, priv);
    if (rc == SOTTO_OK)
        rc = sc_store_secret_put(s, priv_name, priv, sizeof priv);
    st_pubkey_encode(enc, pub);
    if (rc == SOTTO_OK)
        rc = sc_store_secret_put(s, pub_name, enc, sizeof enc);
    st_wipe(priv, sizeof priv);
    return rc;
}

int sc_account_create(struct sc_store *s, const char *name, int primary)
{
    /* libsignal registration ids are 14 bits, never 0. */
    uint32_t regid = st_random_u32() % 16380 + 1;
    int rc;

    if (!sc_name_valid(name))
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = sc_store_begin(s);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_store_secret_put(s, "name", (const uint8_t *)name, strlen(name));
    if (rc == SOTTO_OK && primary)
        rc = new_keypair(s, "account_priv", "account_pub");
    if (rc == SOTTO_OK)
        rc = new_keypair(s, "device_priv", "device_pub");
    if (rc == SOTTO_OK)
        rc = put_u32(s, "registration_id", regid);
    if (rc == SOTTO_OK)
        rc = put_u32(s, "device_id", primary ? 1 : 0);
    if (rc == SOTTO_OK)
        rc = put_u32(s, "primary", primary ? 1 : 0);
    if (rc == SOTTO_OK)
        rc = put_u32(s, "registered", 0);
    if (rc == SOTTO_OK)
        rc = sc_store_commit(s);
    if (rc != SOTTO_OK)
        sc_store_rollback(s);
    return rc;
}

int sc_account_load(struct sc_store *s, struct sc_account *a)
{
    uint8_t *b;
    size_t n;
    uint32_t v = 0;
    int rc;

    memset(a, 0, sizeof *a);
    rc = sc_store_secret_get(s, &b, &n, "name");
    if (rc != SOTTO_OK)
        return rc;
    if (n <= SC_NAME_MAX)
        memcpy(a->name, b, n);
    sc_free_secret(b, n);
    rc = get_fixed(s, a->device_pub, SC_IDKEY_BYTES, "device_pub");
    if (rc == SOTTO_OK)
        rc = get_u32(s, &a->device_id, "device_id");
    if (rc == SOTTO_OK)
        rc = get_u32(s, &a->registration_id, "registration_id");
    if (rc == SOTTO_OK)
        rc = get_u32(s, &v, "primary");
    a->primary = v != 0;
    if (rc == SOTTO_OK)
        rc = get_u32(s, &v, "registered");
    a->registered = v != 0;
    if (rc == SOTTO_OK) {
        int r2 = get_fixed(s, a->account_pub, SC_IDKEY_BYTES, "account_pub");
        if (r2 != SOTTO_OK && r2 != SOTTO_ERR_NOT_FOUND)
            rc = r2;
    }
    return rc;
}

int sc_account_set_registered(struct sc_store *s, uint32_t device_id)
{
    int rc = put_u32(s, "registered", 1);
    if (rc == SOTTO_OK)
        rc = put_u32(s, "device_id", device_id);
    return rc;
}

int sc_account_device_private(struct sc_store *s, uint8_t priv[32])
{
    return get_fixed(s, priv, 32, "device_priv");
}

int sc_account_account_private(struct sc_store *s, uint8_t priv[32])
{
    return get_fixed(s, priv, 32, "account_priv");
}
