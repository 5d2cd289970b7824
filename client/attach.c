/* Attachments: record encryption, descriptor coding, upload and download
 * (client/attach.h). */
#include "client/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/config.h"
#include "client/conn.h"
#include "crypto/crypto.h"
#include "server.pb-c.h"

enum {
    TIMEOUT_MS = 30000,
    TAG = 16,
    WAIT_MS = 200,   /* after RATE_LIMITED on a chunk or read */
    WAITS_MAX = 300, /* per transfer: then RATE_LIMITED is returned */
};
static const char aad_label[] = "sotto attachment v1";

static uint64_t n_records(uint64_t size)
{
    return size == 0 ? 1 : (size + SC_ATTACH_RECORD - 1) / SC_ATTACH_RECORD;
}

uint64_t sc_attach_ct_size(uint64_t size)
{
    return size + TAG * n_records(size);
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
    uint64_t nrec = n_records(len);
    size_t total = (size_t)sc_attach_ct_size(len);
    uint8_t nonce[24], aad[sizeof aad_label + 8], *out;
    int rc = SOTTO_OK;
    *ct = NULL;
    *ctlen = 0;
    if ((uint64_t)len > SC_ATTACH_MAX)
        return SOTTO_ERR_TOO_LARGE;
    out = malloc(total);
    if (out == NULL)
        return SOTTO_ERR_NOMEM;
    st_random_bytes(a->key, sizeof a->key);
    st_random_bytes(a->nonce, sizeof a->nonce);
    a->size = len;
    for (uint64_t i = 0; i < nrec && rc == SOTTO_OK; i++) {
        size_t off = (size_t)i * SC_ATTACH_RECORD;
        size_t n = len - off < SC_ATTACH_RECORD ? len - off : SC_ATTACH_RECORD;
        record_params(nonce, aad, a->nonce, i, i + 1 == nrec);
        rc = st_xchacha20poly1305_encrypt(out + off + (size_t)i * TAG, a->key, nonce, aad,
                                          sizeof aad, pt + off, n);
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
    uint64_t nrec = n_records(a->size);
    uint8_t nonce[24], aad[sizeof aad_label + 8], digest[32], *out;
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
    for (uint64_t i = 0; i < nrec && rc == SOTTO_OK; i++) {
        size_t off = (size_t)i * SC_ATTACH_RECORD;
        size_t n =
            (size_t)a->size - off < SC_ATTACH_RECORD ? (size_t)a->size - off : SC_ATTACH_RECORD;
        record_params(nonce, aad, a->nonce, i, i + 1 == nrec);
        rc = st_xchacha20poly1305_decrypt(out + off, a->key, nonce, aad, sizeof aad,
                                          ct + off + (size_t)i * TAG, n + TAG);
    }
    if (rc != SOTTO_OK) {
        st_wipe(out, (size_t)a->size);
        free(out);
        return rc;
    }
    *pt = out;
    return SOTTO_OK;
}

static int status_err(const Sotto__Server__Response *rs)
{
    if (rs->status == SOTTO__SERVER__STATUS__STATUS_TOO_LARGE)
        return SOTTO_ERR_TOO_LARGE;
    return sc_status_err(rs->status);
}

int sc_attach_upload(struct sc_conn *c, struct sc_attach *a, const uint8_t *ct, size_t ctlen)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__AttachmentBegin b = SOTTO__SERVER__ATTACHMENT_BEGIN__INIT;
    Sotto__Server__AttachmentChunk ch = SOTTO__SERVER__ATTACHMENT_CHUNK__INIT;
    Sotto__Server__AttachmentFinish fin = SOTTO__SERVER__ATTACHMENT_FINISH__INIT;
    Sotto__Server__Response *rs = NULL;
    uint8_t up[16];
    size_t off = 0;
    int rc, waits = 0;

    b.size = ctlen;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_BEGIN;
    rq.attachment_begin = &b;
    rc = sc_conn_request(c, &rs, &rq, TIMEOUT_MS);
    if (rc != SOTTO_OK)
        return rc;
    rc = status_err(rs);
    if (rc == SOTTO_OK &&
        (rs->attachment_upload == NULL || rs->attachment_upload->upload_id.len != 16))
        rc = SOTTO_ERR_INVALID_MESSAGE;
    if (rc == SOTTO_OK)
        memcpy(up, rs->attachment_upload->upload_id.data, 16);
    sc_conn_response_free(rs);
    while (rc == SOTTO_OK && off < ctlen) {
        size_t n = ctlen - off < SC_ATTACH_CHUNK ? ctlen - off : SC_ATTACH_CHUNK;
        ch.upload_id.data = up;
        ch.upload_id.len = 16;
        ch.offset = off;
        ch.data.data = (uint8_t *)ct + off;
        ch.data.len = n;
        rq = (Sotto__Server__Request)SOTTO__SERVER__REQUEST__INIT;
        rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_CHUNK;
        rq.attachment_chunk = &ch;
        rc = sc_conn_request(c, &rs, &rq, TIMEOUT_MS);
        if (rc != SOTTO_OK)
            return rc;
        rc = status_err(rs);
        if (rs->status == SOTTO__SERVER__STATUS__STATUS_RATE_LIMITED && waits++ < WAITS_MAX) {
            sc_conn_response_free(rs);
            usleep(WAIT_MS * 1000); /* the KiB bucket refills; try the same chunk again */
            rc = SOTTO_OK;
            continue;
        }
        sc_conn_response_free(rs);
        off += n;
    }
    if (rc != SOTTO_OK)
        return rc;
    fin.upload_id.data = up;
    fin.upload_id.len = 16;
    fin.sha256.data = a->digest;
    fin.sha256.len = 32;
    rq = (Sotto__Server__Request)SOTTO__SERVER__REQUEST__INIT;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_FINISH;
    rq.attachment_finish = &fin;
    rc = sc_conn_request(c, &rs, &rq, TIMEOUT_MS);
    if (rc != SOTTO_OK)
        return rc;
    rc = status_err(rs);
    if (rc == SOTTO_OK && (rs->attachment_done == NULL || rs->attachment_done->id.len != 16))
        rc = SOTTO_ERR_INVALID_MESSAGE;
    if (rc == SOTTO_OK)
        memcpy(a->id, rs->attachment_done->id.data, 16);
    sc_conn_response_free(rs);
    return rc;
}

int sc_attach_download(struct sc_conn *c, uint8_t **ct, size_t *ctlen, const struct sc_attach *a)
{
    Sotto__Server__Request rq;
    Sotto__Server__AttachmentGet g = SOTTO__SERVER__ATTACHMENT_GET__INIT;
    Sotto__Server__Response *rs;
    size_t total, off = 0;
    uint8_t *buf;
    int rc = SOTTO_OK, waits = 0;

    *ct = NULL;
    *ctlen = 0;
    if (a->size > SC_ATTACH_MAX)
        return SOTTO_ERR_TOO_LARGE;
    total = (size_t)sc_attach_ct_size(a->size);
    buf = malloc(total);
    if (buf == NULL)
        return SOTTO_ERR_NOMEM;
    while (rc == SOTTO_OK && off < total) {
        size_t want = total - off < SC_ATTACH_CHUNK ? total - off : SC_ATTACH_CHUNK;
        g.id.data = (uint8_t *)a->id;
        g.id.len = 16;
        g.offset = off;
        g.length = (uint32_t)want;
        rq = (Sotto__Server__Request)SOTTO__SERVER__REQUEST__INIT;
        rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_GET;
        rq.attachment_get = &g;
        rc = sc_conn_request(c, &rs, &rq, TIMEOUT_MS);
        if (rc != SOTTO_OK)
            break;
        if (rs->status == SOTTO__SERVER__STATUS__STATUS_RATE_LIMITED && waits++ < WAITS_MAX) {
            sc_conn_response_free(rs);
            usleep(WAIT_MS * 1000);
            continue;
        }
        rc = status_err(rs);
        if (rc == SOTTO_OK &&
            (rs->attachment_data == NULL || rs->attachment_data->size != total ||
             rs->attachment_data->data.len == 0 || rs->attachment_data->data.len > want))
            rc = SOTTO_ERR_TRUNCATED;
        if (rc == SOTTO_OK) {
            memcpy(buf + off, rs->attachment_data->data.data, rs->attachment_data->data.len);
            off += rs->attachment_data->data.len;
        }
        sc_conn_response_free(rs);
    }
    if (rc != SOTTO_OK) {
        free(buf);
        return rc;
    }
    *ct = buf;
    *ctlen = total;
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

static int write_file(const char *path, const uint8_t *data, size_t len)
{
    int fd;
    size_t off = 0;
    unlink(path); /* a copy left by an earlier attempt at the same message */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return SOTTO_ERR_STORE;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (off != len || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return SOTTO_ERR_STORE;
    }
    return close(fd) == 0 ? SOTTO_OK : SOTTO_ERR_STORE;
}

int sc_attach_fetch(struct sc_conn *c, struct sc_attach *a, const char *dir, const char *mid)
{
    char safe[SC_ATTACH_NAME_MAX + 1], path[SC_ATTACH_PATH_MAX + 1];
    uint8_t *ct = NULL, *pt = NULL;
    size_t ctlen = 0;
    int rc, n;

    a->path[0] = 0;
    sc_attach_safe_name(safe, sizeof safe, a->name);
    n = snprintf(path, sizeof path, "%s/%s-%s", dir, mid, safe);
    if (n < 0 || (size_t)n >= sizeof path)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = sc_mkdir_p(dir);
    if (rc == SOTTO_OK)
        rc = sc_attach_download(c, &ct, &ctlen, a);
    if (rc == SOTTO_OK)
        rc = sc_attach_open(&pt, a, ct, ctlen);
    if (rc == SOTTO_OK)
        rc = write_file(path, pt, (size_t)a->size);
    if (rc == SOTTO_OK)
        memcpy(a->path, path, sizeof a->path);
    free(ct);
    if (pt != NULL) {
        st_wipe(pt, (size_t)a->size);
        free(pt);
    }
    return rc;
}
