/*
 * The account's signed device list (DL), spec/transparency-and-reporting.md
 * 2.1: which devices may read the account's messages, signed by the account
 * key (AK) with XEdDSA. Canonical encoding, big-endian, u16-length-prefixed
 * byte strings, devices in strictly increasing device_id order:
 *
 *   dl     = u8 version (1) || lv(AK, 33) || u64 version || u16 n_devices
 *            || n_devices * device || lv(sig, 64)
 *   device = u32 device_id || lv(identity key, 33) || u64 added (ms)
 *            || lv(name, <= 64)
 *
 * sig = XEdDSA_AK("sotto kt device list v1" || every byte before lv(sig)).
 * A DL_UPDATE leaf carries SHA-256 of the whole encoding.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "kt_internal.h"

enum { DL_FORMAT = 1, CONTEXT_LEN = 23 };

static const char context[] = "sotto kt device list v1";
_Static_assert(sizeof context - 1 == CONTEXT_LEN, "context length");

static int check_fields(const struct sotto_kt_device_list *dl)
{
    uint8_t u[ST_X25519_BYTES];
    int rc;

    if (dl->n_devices > SOTTO_KT_DL_DEVICES_MAX)
        return SOTTO_ERR_TOO_LARGE;
    rc = st_pubkey_decode(u, dl->account_key, sizeof dl->account_key);
    for (size_t i = 0; rc == SOTTO_OK && i < dl->n_devices; i++) {
        const struct sotto_kt_device *d = &dl->devices[i];
        if (i > 0 && d->device_id <= dl->devices[i - 1].device_id)
            return SOTTO_ERR_INVALID_MESSAGE;
        if (d->name_len > SOTTO_KT_DEVICE_NAME_MAX)
            return SOTTO_ERR_TOO_LARGE;
        rc = st_pubkey_decode(u, d->identity_key, sizeof d->identity_key);
    }
    return rc;
}

/* Everything before lv(sig); also the signed bytes after the context. */
static void put_unsigned(struct st_kt_w *w, const struct sotto_kt_device_list *dl)
{
    st_kt_w_u8(w, DL_FORMAT);
    st_kt_w_lv(w, dl->account_key, sizeof dl->account_key);
    st_kt_w_u64(w, dl->version);
    st_kt_w_u16(w, dl->n_devices);
    for (size_t i = 0; i < dl->n_devices; i++) {
        const struct sotto_kt_device *d = &dl->devices[i];
        st_kt_w_u32(w, d->device_id);
        st_kt_w_lv(w, d->identity_key, sizeof d->identity_key);
        st_kt_w_u64(w, d->added);
        st_kt_w_lv(w, d->name, d->name_len);
    }
}

int sotto_kt_dl_encode(uint8_t *out, size_t *out_len, size_t cap,
                       const struct sotto_kt_device_list *dl)
{
    struct st_kt_w w;
    int rc;

    *out_len = 0;
    rc = check_fields(dl);
    if (rc != SOTTO_OK)
        return rc;
    st_kt_w_init(&w, out, cap);
    put_unsigned(&w, dl);
    st_kt_w_lv(&w, dl->signature, sizeof dl->signature);
    if (w.err != SOTTO_OK)
        return w.err;
    *out_len = w.len;
    return SOTTO_OK;
}

int sotto_kt_dl_parse(struct sotto_kt_device_list *dl, const uint8_t *in, size_t len)
{
    struct st_kt_r r;
    int rc;

    memset(dl, 0, sizeof *dl);
    if (len > SOTTO_KT_DL_MAX)
        return SOTTO_ERR_TOO_LARGE;
    st_kt_r_init(&r, in, len);
    if (st_kt_r_u8(&r) != DL_FORMAT && r.err == SOTTO_OK)
        return SOTTO_ERR_INVALID_VERSION;
    st_kt_r_lv_exact(&r, dl->account_key, sizeof dl->account_key);
    dl->version = st_kt_r_u64(&r);
    dl->n_devices = st_kt_r_u16(&r);
    if (r.err == SOTTO_OK && dl->n_devices > SOTTO_KT_DL_DEVICES_MAX)
        r.err = SOTTO_ERR_TOO_LARGE;
    for (size_t i = 0; r.err == SOTTO_OK && i < dl->n_devices; i++) {
        struct sotto_kt_device *d = &dl->devices[i];
        size_t name_len;
        d->device_id = st_kt_r_u32(&r);
        st_kt_r_lv_exact(&r, d->identity_key, sizeof d->identity_key);
        d->added = st_kt_r_u64(&r);
        st_kt_r_lv_max(&r, d->name, sizeof d->name, &name_len);
        d->name_len = (uint8_t)name_len;
    }
    st_kt_r_lv_exact(&r, dl->signature, sizeof dl->signature);
    rc = st_kt_r_end(&r);
    if (rc == SOTTO_OK)
        rc = check_fields(dl);
    if (rc != SOTTO_OK)
        memset(dl, 0, sizeof *dl);
    return rc;
}

/* context || the unsigned encoding, into buf (SOTTO_KT_DL_MAX + context). */
static int signed_bytes(uint8_t *buf, size_t cap, size_t *len,
                        const struct sotto_kt_device_list *dl)
{
    struct st_kt_w w;
    int rc = check_fields(dl);

    *len = 0;
    if (rc != SOTTO_OK)
        return rc;
    st_kt_w_init(&w, buf, cap);
    st_kt_w_bytes(&w, (const uint8_t *)context, CONTEXT_LEN);
    put_unsigned(&w, dl);
    *len = w.len;
    return w.err;
}

int sotto_kt_dl_sign(uint8_t *out, size_t *out_len, size_t cap, struct sotto_kt_device_list *dl,
                     const uint8_t account_priv[SOTTO_KT_PRIV_BYTES])
{
    uint8_t buf[CONTEXT_LEN + SOTTO_KT_DL_MAX], u[ST_X25519_BYTES], pub[SOTTO_KT_KEY_BYTES];
    size_t len;
    int rc;

    *out_len = 0;
    rc = st_x25519_public(u, account_priv);
    if (rc != SOTTO_OK)
        return rc;
    st_pubkey_encode(pub, u);
    if (memcmp(pub, dl->account_key, sizeof pub) != 0)
        return SOTTO_ERR_INVALID_KEY;
    rc = signed_bytes(buf, sizeof buf, &len, dl);
    if (rc == SOTTO_OK)
        rc = st_xeddsa_sign(dl->signature, account_priv, buf, len);
    if (rc == SOTTO_OK)
        rc = sotto_kt_dl_encode(out, out_len, cap, dl);
    return rc;
}

int sotto_kt_dl_verify(const struct sotto_kt_device_list *dl)
{
    uint8_t buf[CONTEXT_LEN + SOTTO_KT_DL_MAX], u[ST_X25519_BYTES];
    size_t len;
    int rc;

    rc = signed_bytes(buf, sizeof buf, &len, dl);
    if (rc == SOTTO_OK)
        rc = st_pubkey_decode(u, dl->account_key, sizeof dl->account_key);
    if (rc == SOTTO_OK)
        rc = st_xeddsa_verify(dl->signature, u, buf, len);
    return rc;
}

void sotto_kt_dl_hash(uint8_t out[SOTTO_KT_HASH_BYTES], const uint8_t *encoded, size_t len)
{
    st_sha256(out, encoded, len);
}
