/* struct sotto_store over the client's store (see sstore.h). */
#include <stdlib.h>
#include <string.h>

#include "client/account.h"
#include "client/sstore.h"
#include "crypto/crypto.h"

void sc_sstore_clear(struct sc_sstore *x)
{
    sc_free_secret(x->last, x->last_len);
    x->last = NULL;
    x->last_len = 0;
}

static int get_identity(void *ctx, uint8_t pub[SOTTO_PUBLIC_KEY_BYTES],
                        uint8_t priv[SOTTO_PRIVATE_KEY_BYTES])
{
    struct sc_sstore *x = ctx;
    struct sc_account a;
    int rc = sc_account_load(x->store, &a);
    if (rc != SOTTO_OK)
        return rc;
    memcpy(pub, a.device_pub, SOTTO_PUBLIC_KEY_BYTES);
    return sc_account_device_private(x->store, priv);
}

static int get_regid(void *ctx, uint32_t *id)
{
    struct sc_sstore *x = ctx;
    struct sc_account a;
    int rc = sc_account_load(x->store, &a);
    *id = rc == SOTTO_OK ? a.registration_id : 0;
    return rc;
}

/* The key on the verified device list for addr, if any. */
static int listed_key(struct sc_sstore *x, uint8_t key[SC_IDKEY_BYTES], int *found,
                      const struct sotto_address *addr)
{
    struct sc_device d[32];
    size_t n;
    int rc = sc_store_devices_get(x->store, d, 32, &n, addr->name);
    *found = 0;
    if (rc != SOTTO_OK)
        return rc;
    for (size_t i = 0; i < n && i < 32; i++) {
        if (d[i].id == addr->device_id) {
            memcpy(key, d[i].identity_key, SC_IDKEY_BYTES);
            *found = 1;
        }
    }
    return SOTTO_OK;
}

static int save_identity(void *ctx, const struct sotto_address *addr,
                         const uint8_t key[SOTTO_PUBLIC_KEY_BYTES], int *replaced)
{
    struct sc_sstore *x = ctx;
    uint8_t listed[SC_IDKEY_BYTES];
    int found, rc = listed_key(x, listed, &found, addr);
    /* Device keys live on the signed device list; nothing else to save.
     * A key differing from the list is reported as a replacement. */
    *replaced = rc == SOTTO_OK && found && !st_ct_equal(listed, key, SC_IDKEY_BYTES);
    return rc;
}

static int is_trusted(void *ctx, const struct sotto_address *addr,
                      const uint8_t key[SOTTO_PUBLIC_KEY_BYTES], enum sotto_direction dir,
                      int *trusted)
{
    struct sc_sstore *x = ctx;
    uint8_t listed[SC_IDKEY_BYTES];
    struct sc_contact c;
    int found, rc;

    *trusted = 0;
    rc = listed_key(x, listed, &found, addr);
    if (rc != SOTTO_OK)
        return rc;
    if (!found || !st_ct_equal(listed, key, SC_IDKEY_BYTES))
        return SOTTO_OK;
    if (dir == SOTTO_DIRECTION_SENDING && strcmp(addr->name, x->self) != 0) {
        rc = sc_store_contact_get(x->store, &c, addr->name);
        if (rc != SOTTO_OK)
            return rc;
        if (c.trust == SC_TRUST_CHANGED || c.blocked)
            return SOTTO_OK;
    }
    *trusted = 1;
    return SOTTO_OK;
}

static int load_session(void *ctx, const struct sotto_address *addr, const uint8_t **data,
                        size_t *len)
{
    struct sc_sstore *x = ctx;
    int rc;
    sc_sstore_clear(x);
    rc = sc_store_session_get(x->store, &x->last, &x->last_len, addr->name, addr->device_id);
    *data = x->last;
    *len = x->last_len;
    return rc;
}

static int store_session(void *ctx, const struct sotto_address *addr, const uint8_t *data,
                         size_t len)
{
    struct sc_sstore *x = ctx;
    return sc_store_session_put(x->store, addr->name, addr->device_id, data, len);
}

static int load_kind(struct sc_sstore *x, const char *kind, uint32_t id, const uint8_t **data,
                     size_t *len)
{
    int rc;
    sc_sstore_clear(x);
    rc = sc_store_prekey_get(x->store, &x->last, &x->last_len, kind, id);
    *data = x->last;
    *len = x->last_len;
    return rc;
}

static int load_prekey(void *ctx, uint32_t id, const uint8_t **data, size_t *len)
{
    return load_kind(ctx, "prekey", id, data, len);
}

static int remove_prekey(void *ctx, uint32_t id)
{
    struct sc_sstore *x = ctx;
    return sc_store_prekey_delete(x->store, "prekey", id);
}

static int load_signed(void *ctx, uint32_t id, const uint8_t **data, size_t *len)
{
    return load_kind(ctx, "signed", id, data, len);
}

static int load_kyber(void *ctx, uint32_t id, const uint8_t **data, size_t *len)
{
    return load_kind(ctx, "kyber", id, data, len);
}

static int mark_kyber_used(void *ctx, uint32_t id, uint32_t spk_id,
                           const uint8_t base[SOTTO_PUBLIC_KEY_BYTES])
{
    /* Only a last-resort Kyber key is published; it is kept after use. */
    (void)ctx;
    (void)id;
    (void)spk_id;
    (void)base;
    return SOTTO_OK;
}

void sc_sstore_init(struct sotto_store *st, struct sc_sstore *ctx, struct sc_store *s,
                    const char *self)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->store = s;
    ctx->self = self;
    memset(st, 0, sizeof *st);
    st->ctx = ctx;
    st->get_identity_key_pair = get_identity;
    st->get_local_registration_id = get_regid;
    st->save_identity = save_identity;
    st->is_trusted_identity = is_trusted;
    st->load_session = load_session;
    st->store_session = store_session;
    st->load_prekey = load_prekey;
    st->remove_prekey = remove_prekey;
    st->load_signed_prekey = load_signed;
    st->load_kyber_prekey = load_kyber;
    st->mark_kyber_prekey_used = mark_kyber_used;
}
