/*
 * Column sealing for the local store: XChaCha20-Poly1305 with a random
 * 24-byte nonce per value and AAD "table\0column\0rowkey", so a sealed value
 * moved to another row, column or table does not open. Blind indexes are
 * keyed BLAKE2b of (kind, name) so rows can be found without storing names.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "internal.h"

enum { AAD_MAX = 512 };

static int make_aad(uint8_t aad[AAD_MAX], size_t *aadlen, const char *table, const char *column,
                    const char *rowkey)
{
    size_t t = strlen(table), c = strlen(column), r = strlen(rowkey);
    if (t + c + r + 2 > AAD_MAX)
        return SOTTO_ERR_TOO_LARGE;
    memcpy(aad, table, t);
    aad[t] = 0;
    memcpy(aad + t + 1, column, c);
    aad[t + 1 + c] = 0;
    memcpy(aad + t + c + 2, rowkey, r);
    *aadlen = t + c + r + 2;
    return SOTTO_OK;
}

int sc_seal(struct sc_store *s, uint8_t **out, size_t *outlen, const char *table,
            const char *column, const char *rowkey, const uint8_t *pt, size_t len)
{
    uint8_t aad[AAD_MAX];
    size_t aadlen;
    uint8_t *buf = NULL;
    int rc;

    *out = NULL;
    *outlen = 0;
    if (s->keys == NULL)
        return SOTTO_ERR_INVALID_STATE;
    if (len > SC_BODY_MAX * 4)
        return SOTTO_ERR_TOO_LARGE;
    rc = make_aad(aad, &aadlen, table, column, rowkey);
    if (rc != SOTTO_OK)
        return rc;
    buf = malloc(len + SC_SEAL_OVERHEAD);
    if (buf == NULL)
        return SOTTO_ERR_NOMEM;
    st_random_bytes(buf, ST_XCHACHA_NONCE_BYTES);
    rc = st_xchacha20poly1305_encrypt(buf + ST_XCHACHA_NONCE_BYTES, s->keys->seal, buf, aad, aadlen,
                                      pt, len);
    if (rc != SOTTO_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *outlen = len + SC_SEAL_OVERHEAD;
    return SOTTO_OK;
}

int sc_unseal(struct sc_store *s, uint8_t **pt, size_t *ptlen, const char *table,
              const char *column, const char *rowkey, const uint8_t *in, size_t len)
{
    uint8_t aad[AAD_MAX];
    size_t aadlen;
    uint8_t *buf = NULL;
    int rc;

    *pt = NULL;
    *ptlen = 0;
    if (s->keys == NULL)
        return SOTTO_ERR_INVALID_STATE;
    if (in == NULL || len < SC_SEAL_OVERHEAD)
        return SOTTO_ERR_TRUNCATED;
    rc = make_aad(aad, &aadlen, table, column, rowkey);
    if (rc != SOTTO_OK)
        return rc;
    buf = malloc(len - SC_SEAL_OVERHEAD + 1);
    if (buf == NULL)
        return SOTTO_ERR_NOMEM;
    rc = st_xchacha20poly1305_decrypt(buf, s->keys->seal, in, aad, aadlen,
                                      in + ST_XCHACHA_NONCE_BYTES, len - ST_XCHACHA_NONCE_BYTES);
    if (rc != SOTTO_OK) {
        free(buf);
        return SOTTO_ERR_BAD_MAC;
    }
    buf[len - SC_SEAL_OVERHEAD] = 0;
    *pt = buf;
    *ptlen = len - SC_SEAL_OVERHEAD;
    return SOTTO_OK;
}

int sc_bind_sealed(struct sc_store *s, sqlite3_stmt *st, int idx, const char *table,
                   const char *column, const char *rowkey, const uint8_t *pt, size_t len)
{
    uint8_t *ct;
    size_t ctlen;
    int rc = sc_seal(s, &ct, &ctlen, table, column, rowkey, pt, len);
    if (rc != SOTTO_OK)
        return rc;
    if (sqlite3_bind_blob(st, idx, ct, (int)ctlen, free) != SQLITE_OK)
        return SOTTO_ERR_STORE;
    return SOTTO_OK;
}

int sc_column_unseal(struct sc_store *s, uint8_t **pt, size_t *ptlen, sqlite3_stmt *st, int col,
                     const char *table, const char *column, const char *rowkey)
{
    const uint8_t *in = sqlite3_column_blob(st, col);
    size_t len = (size_t)sqlite3_column_bytes(st, col);
    return sc_unseal(s, pt, ptlen, table, column, rowkey, in, len);
}

int sc_index(struct sc_store *s, char out[SC_INDEX_HEX + 1], const char *kind, const char *name)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t in[SC_NAME_MAX + 32];
    uint8_t h[SC_INDEX_BYTES];
    size_t k = strlen(kind), n = strlen(name);
    int rc;

    out[0] = 0;
    if (s->keys == NULL)
        return SOTTO_ERR_INVALID_STATE;
    if (k + n + 1 > sizeof in)
        return SOTTO_ERR_TOO_LARGE;
    memcpy(in, kind, k);
    in[k] = 0;
    memcpy(in + k + 1, name, n);
    rc = st_blake2b(h, sizeof h, s->keys->index, SC_KEY_BYTES, in, k + n + 1);
    if (rc != SOTTO_OK)
        return rc;
    for (size_t i = 0; i < SC_INDEX_BYTES; i++) {
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[SC_INDEX_HEX] = 0;
    return SOTTO_OK;
}
