/* Attachments: record encryption and descriptor coding, pure functions
 * (client/attach.h); the transfers are in attach_net.c. */
#include "client/attach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

enum { TAG = SC_ATTACH_TAG };
static const char aad_label[] = "sotto attachment v1";

uint64_t sc_attach_records(uint64_t size)
{
    return size == 0 ? 1 : (size + SC_ATTACH_RECORD - 1) / SC_ATTACH_RECORD;
}

uint64_t sc_attach_ct_size(uint64_t size)
{
    return size + TAG * sc_attach_records(size);
}

size_t sc_attach_record_len(uint64_t size, uint64_t i)
{
    uint64_t off;
    if (i >= sc_attach_records(size))
        return 0;
    off = i * SC_ATTACH_RECORD;
    return (size_t)(size - off < SC_ATTACH_RECORD ? size - off : SC_ATTACH_RECORD);
}

void sc_attach_new_key(struct sc_attach *a)
{
    st_random_bytes(a->key, sizeof a->key);
    st_random_bytes(a->nonce, sizeof a->nonce);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void record_params(uint8_t nonce[24], uint8_t aad[sizeof aad_label + 8],
                          const uint8_t base[24], uint64_t i, int last)
{
    uint8_t be[8];
    put64(be, i);
    memcpy(nonce, base, 24);
    for (int k = 0; k < 8; k++)
        nonce[16 + k] ^= be[k];
    memcpy(aad, aad_label, sizeof aad_label - 1);
    memcpy(aad + sizeof aad_label - 1, be, 8);
    aad[sizeof aad_label - 1 + 8] = (uint8_t)(last ? 1 : 0);
}

int sc_attach_seal_record(uint8_t *ct, const struct sc_attach *a, uint64_t i, const uint8_t *pt,
                          size_t len)
{
    uint8_t nonce[24], aad[sizeof aad_label + 8];
    uint64_t nrec = sc_attach_records(a->size);
    if (i >= nrec || len != sc_attach_record_len(a->size, i))
        return SOTTO_ERR_INVALID_ARGUMENT;
    record_params(nonce, aad, a->nonce, i, i + 1 == nrec);
    return st_xchacha20poly1305_encrypt(ct, a->key, nonce, aad, sizeof aad, pt, len);
}

int sc_attach_open_record(uint8_t *pt, const struct sc_attach *a, uint64_t i, const uint8_t *ct,
                          size_t ctlen)
{
    uint8_t nonce[24], aad[sizeof aad_label + 8];
    uint64_t nrec = sc_attach_records(a->size);
    if (i >= nrec || ctlen != sc_attach_record_len(a->size, i) + TAG)
        return SOTTO_ERR_TRUNCATED;
    record_params(nonce, aad, a->nonce, i, i + 1 == nrec);
    return st_xchacha20poly1305_decrypt(pt, a->key, nonce, aad, sizeof aad, ct, ctlen);
}

int sc_attach_encode(uint8_t **out, size_t *len, const struct sc_attach *a, int with_path)
{
    size_t nl = strlen(a->name), cl = strlen(a->caption), pl = strlen(a->path), n;
    uint8_t *b, *p;
    *out = NULL;
    *len = 0;
    if (nl == 0 || nl > SC_ATTACH_NAME_MAX || cl > SC_ATTACH_CAPTION_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    n = 16 + 32 + 24 + 8 + 32 + 1 + nl + 2 + cl + (with_path ? 2 + pl : 0);
    b = malloc(n);
    if (b == NULL)
        return SOTTO_ERR_NOMEM;
    p = b;
    memcpy(p, a->id, 16), p += 16;
    memcpy(p, a->key, 32), p += 32;
    memcpy(p, a->nonce, 24), p += 24;
    put64(p, a->size), p += 8;
    memcpy(p, a->digest, 32), p += 32;
    *p++ = (uint8_t)nl;
    memcpy(p, a->name, nl), p += nl;
    *p++ = (uint8_t)(cl >> 8);
    *p++ = (uint8_t)cl;
    memcpy(p, a->caption, cl), p += cl;
    if (with_path) {
        *p++ = (uint8_t)(pl >> 8);
        *p++ = (uint8_t)pl;
        memcpy(p, a->path, pl);
    }
    *out = b;
    *len = n;
    return SOTTO_OK;
}

int sc_attach_decode(struct sc_attach *a, const uint8_t *in, size_t len, int with_path)
{
    size_t nl, cl, pl, off = 16 + 32 + 24 + 8 + 32;
    memset(a, 0, sizeof *a);
    if (len < off + 1)
        return SOTTO_ERR_INVALID_MESSAGE;
    memcpy(a->id, in, 16);
    memcpy(a->key, in + 16, 32);
    memcpy(a->nonce, in + 48, 24);
    a->size = get64(in + 72);
    memcpy(a->digest, in + 80, 32);
    nl = in[off++];
    if (nl == 0 || len < off + nl + 2 || a->size > SC_ATTACH_MAX)
        goto bad;
    memcpy(a->name, in + off, nl);
    off += nl;
    if (memchr(a->name, 0, nl) != NULL)
        goto bad;
    cl = (size_t)in[off] << 8 | in[off + 1];
    off += 2;
    if (cl > SC_ATTACH_CAPTION_MAX || len < off + cl)
        goto bad;
    memcpy(a->caption, in + off, cl);
    off += cl;
    if (memchr(a->caption, 0, cl) != NULL)
        goto bad;
    if (with_path && off + 2 <= len) {
        pl = (size_t)in[off] << 8 | in[off + 1];
        off += 2;
        if (pl > SC_ATTACH_PATH_MAX || len < off + pl)
            goto bad;
        memcpy(a->path, in + off, pl);
        off += pl;
        if (memchr(a->path, 0, pl) != NULL)
            goto bad;
    }
    if (off != len)
        goto bad;
    return SOTTO_OK;
bad:
    st_wipe(a, sizeof *a);
    return SOTTO_ERR_INVALID_MESSAGE;
}

int sc_attach_seal(uint8_t **ct, size_t *ctlen, struct sc_attach *a, const uint8_t *pt, size_t len)
{
    uint64_t nrec = sc_attach_records(len);
    size_t total;
    uint8_t *out;
    int rc = SOTTO_OK;
    *ct = NULL;
    *ctlen = 0;
    if ((uint64_t)len > SC_ATTACH_MAX)
        return SOTTO_ERR_TOO_LARGE;
    total = (size_t)sc_attach_ct_size(len);
    out = malloc(total);
    if (out == NULL)
        return SOTTO_ERR_NOMEM;
    sc_attach_new_key(a);
    a->size = len;
    for (uint64_t i = 0; i < nrec && rc == SOTTO_OK; i++) {
        size_t off = (size_t)i * SC_ATTACH_RECORD;
        rc = sc_attach_seal_record(out + (size_t)i * SC_ATTACH_CT_RECORD, a, i, pt + off,
                                   sc_attach_record_len(len, i));
    }
    if (rc != SOTTO_OK) {
        free(out);
        return rc;
    }
    st_sha256(a->digest, out, total);
    *ct = out;
    *ctlen = total;
    return SOTTO_OK;
}

int sc_attach_open(uint8_t **pt, const struct sc_attach *a, const uint8_t *ct, size_t ctlen)
{
    uint64_t nrec = sc_attach_records(a->size);
    uint8_t digest[32], *out;
    int rc = SOTTO_OK;
    *pt = NULL;
    if (a->size > SC_ATTACH_MAX || (uint64_t)ctlen != sc_attach_ct_size(a->size))
        return SOTTO_ERR_TRUNCATED;
    st_sha256(digest, ct, ctlen);
    if (!st_ct_equal(digest, a->digest, 32))
        return SOTTO_ERR_BAD_MAC;
    out = malloc(a->size ? (size_t)a->size : 1);
    if (out == NULL)
        return SOTTO_ERR_NOMEM;
    for (uint64_t i = 0; i < nrec && rc == SOTTO_OK; i++)
        rc = sc_attach_open_record(out + (size_t)i * SC_ATTACH_RECORD, a, i,
                                   ct + (size_t)i * SC_ATTACH_CT_RECORD,
                                   sc_attach_record_len(a->size, i) + TAG);
    if (rc != SOTTO_OK) {
        st_wipe(out, (size_t)a->size);
        free(out);
        return rc;
    }
    *pt = out;
    return SOTTO_OK;
}

void sc_attach_safe_name(char *out, size_t cap, const char *name)
{
    const char *base = strrchr(name, '/');
    size_t n = 0;
    base = base != NULL ? base + 1 : name;
    for (; *base != 0 && n + 1 < cap; base++) {
        char ch = *base;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '.' || ch == '_' || ch == '-';
        out[n++] = ok ? ch : '_';
    }
    out[n] = 0;
    if (n == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        snprintf(out, cap, "attachment");
}
