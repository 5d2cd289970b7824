/*
 * Attachments against a real sottod: a 3 MiB blob uploaded in 256 KiB
 * chunks comes back byte for byte (read by another account too); a wrong digest, a gap between
 * chunks, an oversize blob or chunk, an unknown id, an unregistered peer and an unfinished upload
 * are each refused with their status; per-account upload limits hold; after a kill -9 mid-upload
 * the finished blob is intact and the unfinished upload and its temp file are gone, blobs past
 * attachment_ttl are swept at start, and the attachment_kib_* token bucket limits transfers.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

enum { CHUNK = 256 * 1024, BLOB = 3 * 1024 * 1024, MAX = 4 * 1024 * 1024 };

static struct tsrv srv = {.opts = {"-o", "limits.attachment_max=4194304", NULL}};

/* Sends rq, returns the status (-1 without a response); *out keeps the frame. */
static int call(struct tc *c, Sotto__Server__Request *rq, Sotto__Server__Frame **out)
{
    Sotto__Server__Frame *f = tc_call(c, rq);
    int st = f != NULL && f->response != NULL ? (int)f->response->status : -1;
    if (out != NULL) {
        *out = f;
    } else {
        tc_free(f);
    }
    return st;
}

static int begin(struct tc *c, uint8_t up[16], uint64_t size)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__AttachmentBegin b = SOTTO__SERVER__ATTACHMENT_BEGIN__INIT;
    Sotto__Server__Frame *f;
    int st;

    b.size = size;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_BEGIN;
    rq.attachment_begin = &b;
    st = call(c, &rq, &f);
    if (st == ST(OK)) {
        CHECK(f->response->attachment_upload != NULL &&
              f->response->attachment_upload->upload_id.len == 16);
        memcpy(up, f->response->attachment_upload->upload_id.data, 16);
    }
    tc_free(f);
    return st;
}

static int chunk(struct tc *c, const uint8_t up[16], uint64_t off, const uint8_t *p, size_t n,
                 uint64_t *next)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__AttachmentChunk ch = SOTTO__SERVER__ATTACHMENT_CHUNK__INIT;
    Sotto__Server__Frame *f;
    int st;

    ch.upload_id.data = (uint8_t *)up;
    ch.upload_id.len = 16;
    ch.offset = off;
    ch.data.data = (uint8_t *)p;
    ch.data.len = n;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_CHUNK;
    rq.attachment_chunk = &ch;
    st = call(c, &rq, &f);
    if (next != NULL && f != NULL && f->response->attachment_upload != NULL) {
        *next = f->response->attachment_upload->next_offset;
    }
    tc_free(f);
    return st;
}

static int finish(struct tc *c, uint8_t id[16], const uint8_t up[16], const uint8_t sha[32])
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__AttachmentFinish fin = SOTTO__SERVER__ATTACHMENT_FINISH__INIT;
    Sotto__Server__Frame *f;
    int st;

    fin.upload_id.data = (uint8_t *)up;
    fin.upload_id.len = 16;
    fin.sha256.data = (uint8_t *)sha;
    fin.sha256.len = 32;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_FINISH;
    rq.attachment_finish = &fin;
    st = call(c, &rq, &f);
    if (st == ST(OK)) {
        CHECK(f->response->attachment_done != NULL && f->response->attachment_done->id.len == 16);
        memcpy(id, f->response->attachment_done->id.data, 16);
    }
    tc_free(f);
    return st;
}

/* One range; *n bytes copied to out, *total the blob size. */
static int get(struct tc *c, uint8_t *out, size_t *n, uint64_t *total, const uint8_t id[16],
               uint64_t off, uint32_t len)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__AttachmentGet g = SOTTO__SERVER__ATTACHMENT_GET__INIT;
    Sotto__Server__Frame *f;
    int st;

    *n = 0;
    g.id.data = (uint8_t *)id;
    g.id.len = 16;
    g.offset = off;
    g.length = len;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_GET;
    rq.attachment_get = &g;
    st = call(c, &rq, &f);
    if (st == ST(OK)) {
        const Sotto__Server__AttachmentData *d = f->response->attachment_data;
        CHECK(d != NULL && d->offset == off && d->data.len <= len);
        if (d != NULL && out != NULL) {
            if (d->data.len > 0) {
                memcpy(out, d->data.data, d->data.len);
            }
            *n = d->data.len;
            *total = d->size;
        }
    }
    tc_free(f);
    return st;
}

/* Uploads p in CHUNK pieces; the attachment status. */
static int upload(struct tc *c, uint8_t id[16], const uint8_t *p, size_t len)
{
    uint8_t up[16], sha[32];
    int st = begin(c, up, len);

    for (size_t off = 0; st == ST(OK) && off < len; off += CHUNK) {
        st = chunk(c, up, off, p + off, len - off < CHUNK ? len - off : CHUNK, NULL);
    }
    if (st != ST(OK)) {
        return st;
    }
    st_sha256(sha, p, len);
    return finish(c, id, up, sha);
}

/* Downloads a whole blob into out (cap bytes) in CHUNK ranges. */
static int download(struct tc *c, uint8_t *out, size_t cap, size_t *len, const uint8_t id[16])
{
    uint64_t total = 0;
    size_t off = 0, n;
    int st;

    do {
        st = get(c, out + off, &n, &total, id, off, CHUNK);
        off += n;
    } while (st == ST(OK) && n > 0 && off < total && off + CHUNK <= cap);
    *len = off;
    return st == ST(OK) && off == total ? ST(OK) : (st == ST(OK) ? -1 : st);
}

static void test_roundtrip(struct tc *a, struct tc *b, uint8_t id[16], const uint8_t *blob,
                           uint8_t *back)
{
    size_t n = 0;
    uint64_t total = 0;

    CHECK(upload(a, id, blob, BLOB) == ST(OK));
    CHECK(download(a, back, BLOB, &n, id) == ST(OK));
    CHECK(n == BLOB && memcmp(back, blob, BLOB) == 0);
    /* any registered device may fetch by id: bob, a range from the middle */
    CHECK(get(b, back, &n, &total, id, 1000000, 5000) == ST(OK));
    CHECK(n == 5000 && total == BLOB && memcmp(back, blob + 1000000, 5000) == 0);
    /* a read at the very end is empty, past the end is refused */
    CHECK(get(b, back, &n, &total, id, BLOB, 10) == ST(OK) && n == 0);
    CHECK(get(b, back, &n, &total, id, BLOB + 1, 10) == ST(BAD_REQUEST));
}

static void test_refusals(struct tc *a, const uint8_t *blob)
{
    uint8_t up[16], id[16], sha[32], zero[16] = {0};
    uint64_t next = 0;
    size_t n;
    uint64_t total;

    /* oversize blob, oversize chunk, empty blob */
    CHECK(begin(a, up, MAX + 1) == ST(TOO_LARGE));
    CHECK(begin(a, up, 0) == ST(BAD_REQUEST));
    CHECK(begin(a, up, 2 * CHUNK) == ST(OK));
    CHECK(chunk(a, up, 0, blob, CHUNK + 1, NULL) == ST(BAD_REQUEST));
    /* a gap: refused, the response says where to resume */
    CHECK(chunk(a, up, 0, blob, 1000, &next) == ST(OK) && next == 1000);
    CHECK(chunk(a, up, 2000, blob + 2000, 1000, &next) == ST(BAD_OFFSET) && next == 1000);
    CHECK(chunk(a, up, 0, blob, 1000, NULL) == ST(BAD_OFFSET));
    /* finishing early is refused; the unfinished upload cannot be read */
    st_sha256(sha, blob, 2 * CHUNK);
    CHECK(finish(a, id, up, sha) == ST(BAD_OFFSET));
    CHECK(get(a, NULL, &n, &total, up, 0, 10) == ST(NOT_FOUND));
    CHECK(chunk(a, up, 1000, blob + 1000, CHUNK, NULL) == ST(OK));
    CHECK(chunk(a, up, 1000 + CHUNK, blob + 1000 + CHUNK, CHUNK - 1000, NULL) == ST(OK));
    /* wrong digest: refused and the upload is gone */
    sha[0] ^= 1;
    CHECK(finish(a, id, up, sha) == ST(DIGEST_MISMATCH));
    sha[0] ^= 1;
    CHECK(finish(a, id, up, sha) == ST(NOT_FOUND));
    /* past the declared size; a tiny blob is fine */
    CHECK(begin(a, up, 100) == ST(OK));
    CHECK(chunk(a, up, 0, blob, 101, NULL) == ST(TOO_LARGE));
    CHECK(chunk(a, up, 0, blob, 100, NULL) == ST(OK));
    st_sha256(sha, blob, 100);
    CHECK(finish(a, id, up, sha) == ST(OK));
    CHECK(get(a, sha, &n, &total, id, 0, 32) == ST(OK) && n == 32 && total == 100);
    CHECK(memcmp(sha, blob, 32) == 0);
    /* unknown ids */
    CHECK(get(a, NULL, &n, &total, zero, 0, 10) == ST(NOT_FOUND));
    CHECK(chunk(a, zero, 0, blob, 10, NULL) == ST(NOT_FOUND));
    CHECK(get(a, NULL, &n, &total, zero, 0, CHUNK + 1) == ST(BAD_REQUEST));
}

/* Four unfinished uploads per account by default; the fifth waits. */
static void test_limits(struct tc *a, struct tc *b, uint8_t pending[16])
{
    uint8_t up[16];

    for (int i = 0; i < 4; i++) {
        CHECK(begin(a, i == 0 ? pending : up, 100) == ST(OK));
    }
    CHECK(begin(a, up, 100) == ST(RATE_LIMITED));
    CHECK(begin(b, up, 100) == ST(OK));                         /* bob's own allowance */
    CHECK(chunk(b, pending, 0, up, 10, NULL) == ST(NOT_FOUND)); /* not bob's upload */
}

static void test_unregistered(void)
{
    struct tuser lone;
    struct tc c;
    uint8_t up[16];
    size_t n;
    uint64_t total;

    tu_init(&lone, "lone", 1);
    CHECK(tc_connect(&c, &srv, &lone.dev[0]) == ST(OK));
    CHECK(begin(&c, up, 100) == ST(UNAUTHENTICATED));
    CHECK(get(&c, NULL, &n, &total, up, 0, 10) == ST(UNAUTHENTICATED));
    tc_close(&c);
}

/* Files in the blob directory whose name starts with prefix. */
static int count_files(const char *prefix)
{
    char path[300];
    DIR *d;
    struct dirent *e;
    int n = 0;

    snprintf(path, sizeof(path), "%s/var/blobs", srv.dir);
    d = opendir(path);
    if (d == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    }
    closedir(d);
    return n;
}

/* After a kill -9 mid-upload and a restart the blob is whole, the
 * unfinished upload is gone and so is its temp file. */
static void test_crash(struct tuser *alice, const uint8_t id[16], const uint8_t pending[16],
                       const uint8_t *blob, uint8_t *back)
{
    struct tc a;
    size_t n = 0;

    CHECK(tc_connect(&a, &srv, &alice->dev[0]) == ST(OK));
    CHECK(chunk(&a, pending, 0, blob, 50, NULL) == ST(OK));
    tc_close(&a);
    CHECK(count_files("tmp-") >= 1);
    ts_kill9(&srv);
    CHECK(ts_start(&srv) == 0);
    CHECK(count_files("tmp-") == 0);
    CHECK(tc_connect(&a, &srv, &alice->dev[0]) == ST(OK));
    memset(back, 0, BLOB);
    CHECK(download(&a, back, BLOB, &n, id) == ST(OK));
    CHECK(n == BLOB && memcmp(back, blob, BLOB) == 0);
    CHECK(chunk(&a, pending, 50, blob, 10, NULL) == ST(NOT_FOUND));
    CHECK(begin(&a, back, 100) == ST(OK)); /* the limits were freed with it */
    tc_close(&a);
}

/* Restarted with a 1 s attachment_ttl, the sweep at start deletes it; and
 * the per-account KiB bucket limits transfers. */
static void test_expiry(struct tuser *alice, const uint8_t id[16])
{
    struct tc a;
    size_t n;
    uint64_t total;

    CHECK(ts_stop(&srv) == 0);
    sleep(1);
    usleep(100000);
    srv.opts[2] = "-o";
    srv.opts[3] = "limits.attachment_ttl=1";
    srv.opts[4] = "-o";
    srv.opts[5] = "limits.attachment_kib_burst=1";
    srv.opts[6] = NULL;
    CHECK(ts_start(&srv) == 0);
    CHECK(tc_connect(&a, &srv, &alice->dev[0]) == ST(OK));
    CHECK(get(&a, NULL, &n, &total, id, 0, 10) == ST(NOT_FOUND));
    /* 2 KiB from a 1 KiB bucket: the byte rate limit answers first */
    CHECK(get(&a, NULL, &n, &total, id, 0, 2048) == ST(RATE_LIMITED));
    tc_close(&a);
}

int main(void)
{
    struct tuser alice, bob;
    struct tc a, b;
    uint8_t id[16], pending[16];
    uint8_t *blob = malloc(BLOB), *back = malloc(BLOB);

    t_init();
    if (blob == NULL || back == NULL || ts_start(&srv) != 0) {
        return 1;
    }
    st_random_bytes(blob, BLOB);
    tu_init(&alice, "alice", 1);
    tu_init(&bob, "bob", 1);
    CHECK(tc_connect(&a, &srv, &alice.dev[0]) == ST(OK));
    CHECK(tu_register(&a, &alice, 1) == ST(OK));
    CHECK(tc_connect(&b, &srv, &bob.dev[0]) == ST(OK));
    CHECK(tu_register(&b, &bob, 1) == ST(OK));
    test_roundtrip(&a, &b, id, blob, back);
    test_refusals(&a, blob);
    test_limits(&a, &b, pending);
    test_unregistered();
    tc_close(&a);
    tc_close(&b);
    test_crash(&alice, id, pending, blob, back);
    test_expiry(&alice, id);
    CHECK(ts_stop(&srv) == 0);
    ts_cleanup(&srv);
    free(blob);
    free(back);
    return t_done();
}
