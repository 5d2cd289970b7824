/*
 * Attachments (docs/server-api.md, "Attachments"): opaque client-encrypted
 * blobs uploaded in chunks and fetched by id. AttachmentBegin declares the
 * size and gets an upload id; AttachmentChunk appends at exactly the next
 * offset; AttachmentFinish checks the SHA-256 of everything received and
 * commits the blob under a fresh random id (blob.h); AttachmentGet reads a
 * range. Unfinished uploads live in a fixed table in memory, belong to the
 * uploading account, count against its limits and vanish on restart or
 * after attachment_upload_ttl.
 *
 * The running digest is lib/crypto's incremental SHA-256, so a 100 MiB blob
 * is never held in memory to hash it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "crypto/crypto.h"
#include "crypto/sha256_multi.h"
#include "handlers.h"
#include "log.h"
#include "sdlimits.h"

#define SD_STATUS(x) SOTTO__SERVER__STATUS__STATUS_##x

enum {
    ATTACH_CHUNK_MAX = 256 * 1024, /* bytes per chunk and per read */
    ATTACH_UPLOADS_MAX = 256,      /* unfinished uploads, whole server */
};

struct upload {
    int used;
    uint8_t id[SD_BLOB_ID_BYTES];
    int64_t account_id;
    uint64_t size;
    uint64_t received;
    uint64_t started_ms;
    struct st_sha256 sha;
    struct sd_blob_tmp *tmp;
};

struct sd_attach {
    struct upload up[ATTACH_UPLOADS_MAX];
};

static void upload_drop(struct sd_server *srv, struct upload *u)
{
    srv->blobs->ops->tmp_abort(srv->blobs, u->tmp);
    st_wipe(u, sizeof(*u));
}

static struct upload *upload_find(struct sd_server *srv, const ProtobufCBinaryData *id,
                                  int64_t account_id)
{
    if (id->len != SD_BLOB_ID_BYTES) {
        return NULL;
    }
    for (size_t i = 0; i < ATTACH_UPLOADS_MAX; i++) {
        struct upload *u = &srv->attach->up[i];
        if (u->used && u->account_id == account_id &&
            memcmp(u->id, id->data, SD_BLOB_ID_BYTES) == 0) {
            return u;
        }
    }
    return NULL;
}

/* A free slot if the account is within its limits; else fails r. */
static struct upload *upload_slot(struct sd_req *r, uint64_t size, int *res)
{
    const struct sd_config *cfg = r->c->srv->cfg;
    struct upload *free_slot = NULL;
    uint64_t count = 0, bytes = size;

    for (size_t i = 0; i < ATTACH_UPLOADS_MAX; i++) {
        struct upload *u = &r->c->srv->attach->up[i];
        if (!u->used) {
            free_slot = free_slot != NULL ? free_slot : u;
        } else if (u->account_id == r->c->account_id) {
            count++;
            bytes += u->size;
        }
    }
    if (count >= cfg->attachment_uploads || bytes > cfg->attachment_inflight || free_slot == NULL) {
        r->c->srv->m.rate_limited_total++;
        r->rs->retry_after_ms = 60000;
        *res = sd_req_fail(r, SD_STATUS(RATE_LIMITED),
                           "too many unfinished attachment uploads; finish or wait for them");
        return NULL;
    }
    return free_slot;
}

/* Takes len bytes (in KiB, rounded up) from the account's attachment
 * bucket; -1 if allowed, else fails r. */
static int take_rate(struct sd_req *r, size_t len)
{
    struct sd_server *srv = r->c->srv;
    char key[24];
    uint32_t retry;

    snprintf(key, sizeof(key), "%lld", (long long)r->c->account_id);
    if (sd_rl_take(srv->rl, SD_RL_ATTACH, key, (double)((len + 1023) / 1024), sd_now_ms(),
                   &retry)) {
        return -1;
    }
    srv->m.rate_limited_total++;
    r->rs->retry_after_ms = retry;
    return sd_req_fail(r, SD_STATUS(RATE_LIMITED), "attachment transfer too fast; wait and retry");
}

static int reply_upload(struct sd_req *r, const struct upload *u)
{
    Sotto__Server__AttachmentUpload *au = sd_req_alloc(r, sizeof(*au) + SD_BLOB_ID_BYTES);

    if (au == NULL) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    sotto__server__attachment_upload__init(au);
    au->upload_id.data = (uint8_t *)(au + 1);
    au->upload_id.len = SD_BLOB_ID_BYTES;
    memcpy(au->upload_id.data, u->id, SD_BLOB_ID_BYTES);
    au->next_offset = u->received;
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_ATTACHMENT_UPLOAD;
    r->rs->attachment_upload = au;
    return SD_H_REPLY;
}

int sd_h_attach_begin(struct sd_req *r)
{
    const Sotto__Server__AttachmentBegin *b = r->rq->attachment_begin;
    struct sd_server *srv = r->c->srv;
    struct upload *u;
    int res = SD_H_REPLY;

    if (b == NULL || b->size == 0) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST), "AttachmentBegin needs a size > 0");
    }
    if (b->size > srv->cfg->attachment_max) {
        return sd_req_fail(r, SD_STATUS(TOO_LARGE), "attachment larger than this server allows");
    }
    u = upload_slot(r, b->size, &res);
    if (u == NULL) {
        return res;
    }
    if (srv->blobs->ops->tmp_open(srv->blobs, &u->tmp) != SD_BS_OK) {
        srv->m.store_errors_total++;
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    u->used = 1;
    st_random_bytes(u->id, sizeof(u->id));
    u->account_id = r->c->account_id;
    u->size = b->size;
    u->received = 0;
    u->started_ms = sd_now_ms();
    st_sha256_init(&u->sha);
    return reply_upload(r, u);
}

int sd_h_attach_chunk(struct sd_req *r)
{
    const Sotto__Server__AttachmentChunk *ch = r->rq->attachment_chunk;
    struct sd_server *srv = r->c->srv;
    struct upload *u;
    int rc;

    if (ch == NULL || ch->data.len == 0 || ch->data.len > ATTACH_CHUNK_MAX) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST),
                           "AttachmentChunk needs an upload id and 1..262144 bytes");
    }
    u = upload_find(srv, &ch->upload_id, r->c->account_id);
    if (u == NULL) {
        return sd_req_fail(r, SD_STATUS(NOT_FOUND), "no such upload (finished or expired?)");
    }
    if (ch->offset != u->received) {
        reply_upload(r, u); /* tells the client where to resume */
        return sd_req_fail(r, SD_STATUS(BAD_OFFSET), "chunk is not at the upload's next offset");
    }
    if (ch->data.len > u->size - u->received) {
        return sd_req_fail(r, SD_STATUS(TOO_LARGE), "chunk runs past the declared size");
    }
    rc = take_rate(r, ch->data.len);
    if (rc >= 0) {
        return rc;
    }
    if (srv->blobs->ops->tmp_write(srv->blobs, u->tmp, ch->data.data, ch->data.len) != SD_BS_OK) {
        srv->m.store_errors_total++;
        upload_drop(srv, u);
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; upload dropped");
    }
    st_sha256_update(&u->sha, ch->data.data, ch->data.len);
    u->received += ch->data.len;
    return reply_upload(r, u);
}

static int reply_done(struct sd_req *r, const uint8_t id[SD_BLOB_ID_BYTES])
{
    Sotto__Server__AttachmentDone *d = sd_req_alloc(r, sizeof(*d) + SD_BLOB_ID_BYTES);

    if (d == NULL) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    sotto__server__attachment_done__init(d);
    d->id.data = (uint8_t *)(d + 1);
    d->id.len = SD_BLOB_ID_BYTES;
    memcpy(d->id.data, id, SD_BLOB_ID_BYTES);
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_ATTACHMENT_DONE;
    r->rs->attachment_done = d;
    return SD_H_REPLY;
}

int sd_h_attach_finish(struct sd_req *r)
{
    const Sotto__Server__AttachmentFinish *f = r->rq->attachment_finish;
    struct sd_server *srv = r->c->srv;
    uint8_t digest[ST_SHA256_BYTES], id[SD_BLOB_ID_BYTES];
    struct st_sha256 sha;
    struct upload *u;
    int rc;

    if (f == NULL || f->sha256.len != ST_SHA256_BYTES) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST),
                           "AttachmentFinish needs an upload id and a 32-byte SHA-256");
    }
    u = upload_find(srv, &f->upload_id, r->c->account_id);
    if (u == NULL) {
        return sd_req_fail(r, SD_STATUS(NOT_FOUND), "no such upload (finished or expired?)");
    }
    if (u->received != u->size) {
        reply_upload(r, u);
        return sd_req_fail(r, SD_STATUS(BAD_OFFSET), "upload incomplete: send the rest first");
    }
    sha = u->sha;
    st_sha256_final(&sha, digest);
    if (!st_ct_equal(digest, f->sha256.data, sizeof(digest))) {
        upload_drop(srv, u);
        return sd_req_fail(r, SD_STATUS(DIGEST_MISMATCH),
                           "the bytes received do not match this SHA-256; upload dropped");
    }
    rc = srv->blobs->ops->tmp_commit(srv->blobs, u->tmp, id);
    u->tmp = NULL; /* released by tmp_commit */
    upload_drop(srv, u);
    if (rc != SD_BS_OK) {
        srv->m.store_errors_total++;
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; upload dropped");
    }
    srv->m.attachments_stored_total++;
    return reply_done(r, id);
}

int sd_h_attach_get(struct sd_req *r)
{
    const Sotto__Server__AttachmentGet *g = r->rq->attachment_get;
    struct sd_server *srv = r->c->srv;
    Sotto__Server__AttachmentData *d;
    size_t n = 0;
    uint64_t total = 0;
    int rc;

    if (g == NULL || g->id.len != SD_BLOB_ID_BYTES || g->length == 0 ||
        g->length > ATTACH_CHUNK_MAX) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST),
                           "AttachmentGet needs a 16-byte id and a length of 1..262144");
    }
    rc = take_rate(r, g->length);
    if (rc >= 0) {
        return rc;
    }
    d = sd_req_alloc(r, sizeof(*d) + g->length);
    if (d == NULL) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    sotto__server__attachment_data__init(d);
    d->data.data = (uint8_t *)(d + 1);
    rc = srv->blobs->ops->read(srv->blobs, d->data.data, &n, &total, g->id.data, g->offset,
                               g->length);
    if (rc == SD_BS_NOT_FOUND) {
        return sd_req_fail(r, SD_STATUS(NOT_FOUND), "no such attachment (expired?)");
    }
    if (rc != SD_BS_OK) {
        srv->m.store_errors_total++;
        return sd_req_fail(r, SD_STATUS(INTERNAL), "server storage failure; try again later");
    }
    if (g->offset > total) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST), "offset past the end of the attachment");
    }
    d->data.len = n;
    d->size = total;
    d->offset = g->offset;
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_ATTACHMENT_DATA;
    r->rs->attachment_data = d;
    return SD_H_REPLY;
}

void sd_attach_expire(struct sd_server *srv, uint64_t now_ms)
{
    uint64_t up_ttl = (uint64_t)srv->cfg->attachment_upload_ttl_s * 1000;
    uint64_t ttl = (uint64_t)srv->cfg->attachment_ttl_s * 1000;
    uint64_t n = 0, dropped = 0;

    for (size_t i = 0; i < ATTACH_UPLOADS_MAX; i++) {
        struct upload *u = &srv->attach->up[i];
        if (u->used && now_ms >= u->started_ms + up_ttl) {
            upload_drop(srv, u);
            dropped++;
        }
    }
    if (srv->blobs->ops->sweep(srv->blobs, now_ms > ttl ? now_ms - ttl : 0, &n) != SD_BS_OK) {
        srv->m.store_errors_total++;
    }
    srv->m.attachments_expired_total += n + dropped;
    if (n + dropped > 0) {
        sd_log(SD_LOG_INFO, "attachments expired", "blobs=%llu uploads=%llu", (unsigned long long)n,
               (unsigned long long)dropped);
    }
}

int sd_attach_open(struct sd_server *srv)
{
    srv->attach = calloc(1, sizeof(*srv->attach));
    if (srv->attach == NULL || sd_blobs_dir_open(&srv->blobs, srv->cfg->blob_dir) != SD_BS_OK) {
        free(srv->attach);
        srv->attach = NULL;
        return -1;
    }
    sd_attach_expire(srv, sd_now_ms());
    return 0;
}

void sd_attach_close(struct sd_server *srv)
{
    if (srv->attach != NULL) {
        for (size_t i = 0; i < ATTACH_UPLOADS_MAX; i++) {
            if (srv->attach->up[i].used) {
                upload_drop(srv, &srv->attach->up[i]);
            }
        }
        free(srv->attach);
        srv->attach = NULL;
    }
    if (srv->blobs != NULL) {
        srv->blobs->ops->close(srv->blobs);
        srv->blobs = NULL;
    }
}
