/*
 * Attachment transfers (client/attach.h "transfers"): the upload streams a
 * file record by record (read, seal, hash, send) and resumes at the server's
 * next_offset after a reconnect; the download streams into a .part file
 * (every record's tag checked before its plaintext is written, the
 * ciphertext hashed as it arrives), resumes from what is already written,
 * and renames into place only after the digest matches and fsync.
 * Memory per transfer: one record of plaintext and ciphertext and one chunk,
 * whatever the file size.
 */
#include "client/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/config.h"
#include "client/conn.h"
#include "crypto/crypto.h"
#include "crypto/sha256_multi.h"
#include "server.pb-c.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

enum {
    TIMEOUT_MS = 30000,
    WAIT_MS = 200,        /* after RATE_LIMITED on a chunk or read */
    WAITS_MAX = 300,      /* per transfer: then RATE_LIMITED is returned */
    REDIAL_MS = 250,      /* first wait before reconnecting; doubles */
    REDIAL_MAX_MS = 4000, /* longest wait */
    SAFE_NAME_MAX = 200,  /* <mid>-<name>.part fits in a 255-byte file name */
};

static int status_err(int status)
{
    switch (status) {
    case ST(TOO_LARGE):
        return SOTTO_ERR_TOO_LARGE;
    case ST(DIGEST_MISMATCH):
        return SOTTO_ERR_INVALID_STATE; /* what we read is not what we hashed */
    default:
        return sc_status_err(status);
    }
}

/* After SOTTO_ERR_UNREACHABLE: closes the connection and dials a new one
 * (waiting 250 ms doubling up to 4 s before each try), while *tries stays
 * under SC_ATTACH_RETRIES. Without a reconnect function nothing is closed. */
static int redial(struct sc_attach_net *net, int *tries)
{
    if (net->reconnect == NULL)
        return SOTTO_ERR_UNREACHABLE;
    sc_conn_close(net->conn);
    net->conn = NULL;
    while (*tries < SC_ATTACH_RETRIES) {
        int ms = REDIAL_MS << *tries;
        (*tries)++;
        usleep((useconds_t)(ms > REDIAL_MAX_MS ? REDIAL_MAX_MS : ms) * 1000);
        if (net->reconnect(net->ctx, &net->conn) == SOTTO_OK && net->conn != NULL) {
            net->reconnects++;
            return SOTTO_OK;
        }
        sc_conn_close(net->conn);
        net->conn = NULL;
    }
    return SOTTO_ERR_UNREACHABLE;
}

/* Sends rq and answers *rs; RATE_LIMITED is waited out here (the same
 * request again) up to WAITS_MAX times per transfer. */
static int request(struct sc_attach_net *net, Sotto__Server__Response **rs,
                   Sotto__Server__Request *rq, int *waits)
{
    *rs = NULL;
    if (net->conn == NULL)
        return SOTTO_ERR_UNREACHABLE;
    for (;;) {
        int rc = sc_conn_request(net->conn, rs, rq, TIMEOUT_MS);
        if (rc != SOTTO_OK)
            return rc;
        if ((*rs)->status != ST(RATE_LIMITED) || (*waits)++ >= WAITS_MAX)
            return SOTTO_OK;
        sc_conn_response_free(*rs);
        *rs = NULL;
        usleep(WAIT_MS * 1000); /* the KiB bucket refills */
    }
}

static int read_full(int fd, uint8_t *p, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SOTTO_ERR_INVALID_STATE;
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return SOTTO_OK;
}

static int write_full(int fd, const uint8_t *p, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SOTTO_ERR_STORE;
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return SOTTO_OK;
}

/* ---- upload ---- */

struct up {
    struct sc_attach_net *net;
    struct sc_attach *a;
    int fd;
    uint64_t ctsize;
    struct st_sha256 sha;
    uint64_t hashed; /* ciphertext bytes in sha (always a prefix) */
    uint64_t rec;    /* record held in ct, UINT64_MAX for none */
    uint64_t off;    /* next byte to send */
    int have_id, done, waits;
    uint8_t id[16];
    uint8_t pt[SC_ATTACH_RECORD];
    uint8_t ct[SC_ATTACH_CT_RECORD];
    uint8_t chunk[SC_ATTACH_CHUNK];
};

/* Reads and seals record i into u->ct (kept until another is needed). */
static int load_record(struct up *u, uint64_t i)
{
    size_t len = sc_attach_record_len(u->a->size, i);
    int rc;
    if (u->rec == i)
        return SOTTO_OK;
    u->rec = UINT64_MAX;
    rc = read_full(u->fd, u->pt, len, i * SC_ATTACH_RECORD);
    if (rc == SOTTO_OK)
        rc = sc_attach_seal_record(u->ct, u->a, i, u->pt, len);
    if (rc == SOTTO_OK)
        u->rec = i;
    return rc;
}

/* Hashes the part of ciphertext [pos, pos+len) not hashed yet; the digest
 * is final once the last byte is in. Resends of earlier bytes are skipped. */
static int hash_span(struct up *u, uint64_t pos, const uint8_t *p, size_t len)
{
    uint64_t skip;
    if (pos > u->hashed)
        return SOTTO_ERR_INVALID_STATE; /* a gap: never sent */
    if (pos + len <= u->hashed)
        return SOTTO_OK;
    skip = u->hashed - pos;
    st_sha256_update(&u->sha, p + skip, len - (size_t)skip);
    u->hashed = pos + len;
    if (u->hashed == u->ctsize)
        st_sha256_final(&u->sha, u->a->digest);
    return SOTTO_OK;
}

/* Ciphertext [off, off+n) into u->chunk, sealing records as needed. */
static int fill_chunk(struct up *u, uint64_t off, size_t n)
{
    size_t done = 0;
    while (done < n) {
        uint64_t pos = off + done, i = pos / SC_ATTACH_CT_RECORD;
        size_t in = (size_t)(pos % SC_ATTACH_CT_RECORD);
        size_t have = sc_attach_record_len(u->a->size, i) + SC_ATTACH_TAG - in;
        size_t take = have < n - done ? have : n - done;
        int rc = load_record(u, i);
        if (rc == SOTTO_OK)
            rc = hash_span(u, pos, u->ct + in, take);
        if (rc != SOTTO_OK)
            return rc;
        memcpy(u->chunk + done, u->ct + in, take);
        done += take;
    }
    return SOTTO_OK;
}

/* Takes the server's next_offset from an AttachmentUpload: it can be no
 * further than what we produced. */
static int take_offset(struct up *u, const Sotto__Server__Response *rs)
{
    const Sotto__Server__AttachmentUpload *au = rs->attachment_upload;
    if (au == NULL || au->next_offset > u->hashed || au->next_offset > u->ctsize)
        return SOTTO_ERR_INVALID_MESSAGE;
    u->off = au->next_offset;
    return SOTTO_OK;
}

static int up_begin(struct up *u)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__AttachmentBegin b = SOTTO__SERVER__ATTACHMENT_BEGIN__INIT;
    Sotto__Server__Response *rs = NULL;
    int rc;
    b.size = u->ctsize;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_BEGIN;
    rq.attachment_begin = &b;
    rc = request(u->net, &rs, &rq, &u->waits);
    if (rc != SOTTO_OK)
        return rc;
    rc = status_err(rs->status);
    if (rc == SOTTO_OK &&
        (rs->attachment_upload == NULL || rs->attachment_upload->upload_id.len != 16 ||
         rs->attachment_upload->next_offset != 0))
        rc = SOTTO_ERR_INVALID_MESSAGE;
    if (rc == SOTTO_OK) {
        memcpy(u->id, rs->attachment_upload->upload_id.data, 16);
        u->have_id = 1;
        u->off = 0;
    }
    sc_conn_response_free(rs);
    return rc;
}

static int up_chunk(struct up *u)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__AttachmentChunk ch = SOTTO__SERVER__ATTACHMENT_CHUNK__INIT;
    Sotto__Server__Response *rs = NULL;
    size_t n =
        (size_t)(u->ctsize - u->off < SC_ATTACH_CHUNK ? u->ctsize - u->off : SC_ATTACH_CHUNK);
    int rc = fill_chunk(u, u->off, n);
    if (rc != SOTTO_OK)
        return rc;
    ch.upload_id.data = u->id;
    ch.upload_id.len = 16;
    ch.offset = u->off;
    ch.data.data = u->chunk;
    ch.data.len = n;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_CHUNK;
    rq.attachment_chunk = &ch;
    rc = request(u->net, &rs, &rq, &u->waits);
    if (rc != SOTTO_OK)
        return rc;
    if (rs->status == ST(OK) || rs->status == ST(BAD_OFFSET)) {
        uint64_t before = u->off;
        rc = take_offset(u, rs);
        if (rc == SOTTO_OK && rs->status == ST(OK) && u->off != before + n)
            rc = SOTTO_ERR_INVALID_MESSAGE;
        if (rc == SOTTO_OK && rs->status == ST(BAD_OFFSET))
            u->net->resumed_at = u->off; /* after a reconnect: where the server is */
    } else {
        rc = status_err(rs->status);
    }
    sc_conn_response_free(rs);
    return rc;
}

static int up_finish(struct up *u)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__AttachmentFinish fin = SOTTO__SERVER__ATTACHMENT_FINISH__INIT;
    Sotto__Server__Response *rs = NULL;
    int rc;
    fin.upload_id.data = u->id;
    fin.upload_id.len = 16;
    fin.sha256.data = u->a->digest;
    fin.sha256.len = 32;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_FINISH;
    rq.attachment_finish = &fin;
    rc = request(u->net, &rs, &rq, &u->waits);
    if (rc != SOTTO_OK)
        return rc;
    if (rs->status == ST(BAD_OFFSET)) {
        rc = take_offset(u, rs); /* the server has less: send the rest */
    } else {
        rc = status_err(rs->status);
        if (rc == SOTTO_OK && (rs->attachment_done == NULL || rs->attachment_done->id.len != 16))
            rc = SOTTO_ERR_INVALID_MESSAGE;
        if (rc == SOTTO_OK) {
            memcpy(u->a->id, rs->attachment_done->id.data, 16);
            u->done = 1;
        }
    }
    sc_conn_response_free(rs);
    return rc;
}

/* One step: begin, a chunk, or finish. */
static int up_step(struct up *u)
{
    if (!u->have_id)
        return up_begin(u);
    if (u->off < u->ctsize)
        return up_chunk(u);
    return up_finish(u);
}

static int up_run(struct up *u)
{
    int tries = 0, restarts = 0;
    while (!u->done) {
        int rc = up_step(u);
        if (rc == SOTTO_OK)
            continue;
        if (rc == SOTTO_ERR_NOT_FOUND && u->have_id && restarts++ < SC_ATTACH_RETRIES) {
            /* The server lost the upload (restart, expiry): from the start,
             * with the same key, so the same bytes and digest. */
            u->have_id = 0;
            u->net->resumed_at = 0;
            continue;
        }
        if (rc != SOTTO_ERR_UNREACHABLE)
            return rc;
        rc = redial(u->net, &tries);
        if (rc != SOTTO_OK)
            return rc;
        u->net->resumed_at = u->off; /* until the server says otherwise */
    }
    return SOTTO_OK;
}

int sc_attach_upload_fd(struct sc_attach_net *net, struct sc_attach *a, int fd)
{
    struct up *u;
    struct stat sb;
    int rc;

    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if ((uint64_t)sb.st_size > SC_ATTACH_MAX ||
        sc_attach_ct_size((uint64_t)sb.st_size) > SC_ATTACH_MAX)
        return SOTTO_ERR_TOO_LARGE;
    u = calloc(1, sizeof *u);
    if (u == NULL)
        return SOTTO_ERR_NOMEM;
    u->net = net;
    u->a = a;
    u->fd = fd;
    u->rec = UINT64_MAX;
    sc_attach_new_key(a);
    a->size = (uint64_t)sb.st_size;
    u->ctsize = sc_attach_ct_size(a->size);
    st_sha256_init(&u->sha);
    net->resumed_at = 0;
    net->reconnects = 0;
    rc = up_run(u);
    st_wipe(u, sizeof *u);
    free(u);
    return rc;
}

/* ---- download ---- */

struct down {
    struct sc_attach_net *net;
    const struct sc_attach *a;
    int fd;
    uint64_t ctsize, nrec;
    struct st_sha256 sha;
    uint64_t rec; /* next record to complete */
    size_t fill;  /* its ciphertext bytes in ct so far */
    int waits;
    uint8_t ct[SC_ATTACH_CT_RECORD];
    uint8_t pt[SC_ATTACH_RECORD];
};

/* Picks up a .part file: keeps its whole records (cutting a torn one) and
 * re-encrypts them to bring the running digest up to that point; the final
 * digest check therefore covers them too. */
static int down_resume(struct down *d)
{
    struct stat sb;
    uint64_t have, k;
    if (fstat(d->fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return SOTTO_ERR_STORE;
    have = (uint64_t)sb.st_size;
    k = have > d->a->size ? 0 : have == d->a->size && have > 0 ? d->nrec : have / SC_ATTACH_RECORD;
    have = k * SC_ATTACH_RECORD < d->a->size ? k * SC_ATTACH_RECORD : d->a->size;
    if ((uint64_t)sb.st_size != have && ftruncate(d->fd, (off_t)have) != 0)
        return SOTTO_ERR_STORE;
    for (d->rec = 0; d->rec < k; d->rec++) {
        size_t len = sc_attach_record_len(d->a->size, d->rec);
        int rc = read_full(d->fd, d->pt, len, d->rec * SC_ATTACH_RECORD);
        if (rc == SOTTO_OK)
            rc = sc_attach_seal_record(d->ct, d->a, d->rec, d->pt, len);
        if (rc != SOTTO_OK)
            return rc == SOTTO_ERR_INVALID_STATE ? SOTTO_ERR_STORE : rc;
        st_sha256_update(&d->sha, d->ct, len + SC_ATTACH_TAG);
    }
    return SOTTO_OK;
}

/* Appends received ciphertext; each completed record is hashed, opened
 * (tag checked) and its plaintext written at its place. */
static int down_take(struct down *d, const uint8_t *p, size_t len)
{
    while (len > 0) {
        size_t need = sc_attach_record_len(d->a->size, d->rec) + SC_ATTACH_TAG;
        size_t take = need - d->fill < len ? need - d->fill : len;
        int rc;
        if (d->rec >= d->nrec)
            return SOTTO_ERR_TRUNCATED;
        memcpy(d->ct + d->fill, p, take);
        d->fill += take;
        p += take;
        len -= take;
        if (d->fill < need)
            continue;
        st_sha256_update(&d->sha, d->ct, need);
        rc = sc_attach_open_record(d->pt, d->a, d->rec, d->ct, need);
        if (rc == SOTTO_OK)
            rc = write_full(d->fd, d->pt, need - SC_ATTACH_TAG, d->rec * SC_ATTACH_RECORD);
        if (rc != SOTTO_OK)
            return rc;
        d->rec++;
        d->fill = 0;
    }
    return SOTTO_OK;
}

static int down_step(struct down *d)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__AttachmentGet g = SOTTO__SERVER__ATTACHMENT_GET__INIT;
    Sotto__Server__Response *rs = NULL;
    uint64_t off = d->rec * SC_ATTACH_CT_RECORD + d->fill;
    size_t want = (size_t)(d->ctsize - off < SC_ATTACH_CHUNK ? d->ctsize - off : SC_ATTACH_CHUNK);
    const Sotto__Server__AttachmentData *ad;
    int rc;

    g.id.data = (uint8_t *)d->a->id;
    g.id.len = 16;
    g.offset = off;
    g.length = (uint32_t)want;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ATTACHMENT_GET;
    rq.attachment_get = &g;
    rc = request(d->net, &rs, &rq, &d->waits);
    if (rc != SOTTO_OK)
        return rc;
    rc = status_err(rs->status);
    ad = rs->attachment_data;
    if (rc == SOTTO_OK && (ad == NULL || ad->size != d->ctsize || ad->offset != off ||
                           ad->data.len == 0 || ad->data.len > want))
        rc = SOTTO_ERR_TRUNCATED;
    if (rc == SOTTO_OK)
        rc = down_take(d, ad->data.data, ad->data.len);
    sc_conn_response_free(rs);
    return rc;
}

static int down_run(struct down *d)
{
    uint8_t digest[32];
    int tries = 0;
    while (d->rec < d->nrec) {
        int rc = down_step(d);
        if (rc == SOTTO_OK)
            continue;
        if (rc != SOTTO_ERR_UNREACHABLE)
            return rc;
        rc = redial(d->net, &tries);
        if (rc != SOTTO_OK)
            return rc;
        d->net->resumed_at = d->rec * SC_ATTACH_CT_RECORD + d->fill;
    }
    st_sha256_final(&d->sha, digest);
    if (!st_ct_equal(digest, d->a->digest, 32))
        return SOTTO_ERR_BAD_MAC;
    return fsync(d->fd) == 0 ? SOTTO_OK : SOTTO_ERR_STORE;
}

/* dir/<mid>-<safe name> into final, and the .part name into part. */
static int fetch_paths(char final[SC_ATTACH_PATH_MAX + 1], char part[SC_ATTACH_PATH_MAX + 1],
                       const struct sc_attach *a, const char *dir, const char *mid)
{
    char safe[SAFE_NAME_MAX + 1];
    int n;
    sc_attach_safe_name(safe, sizeof safe, a->name);
    n = snprintf(final, SC_ATTACH_PATH_MAX + 1, "%s/%s-%s", dir, mid, safe);
    if (n < 0 || (size_t)n >= SC_ATTACH_PATH_MAX + 1 - 5)
        return SOTTO_ERR_INVALID_ARGUMENT;
    memcpy(part, final, (size_t)n);
    memcpy(part + n, ".part", 6);
    return SOTTO_OK;
}

int sc_attach_fetch_net(struct sc_attach_net *net, struct sc_attach *a, const char *dir,
                        const char *mid)
{
    char final[SC_ATTACH_PATH_MAX + 1], part[SC_ATTACH_PATH_MAX + 1];
    struct down *d = NULL;
    int rc, fd = -1;

    a->path[0] = 0;
    net->resumed_at = 0;
    net->reconnects = 0;
    if (a->size > SC_ATTACH_MAX)
        return SOTTO_ERR_TOO_LARGE;
    rc = fetch_paths(final, part, a, dir, mid);
    if (rc == SOTTO_OK)
        rc = sc_mkdir_p(dir);
    if (rc != SOTTO_OK)
        return rc;
    fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return SOTTO_ERR_STORE;
    /* Another process fetching the same message holds the lock. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return SOTTO_ERR_INVALID_STATE;
    }
    if (fchmod(fd, 0600) != 0) { /* whoever created it, it holds plaintext */
        close(fd);
        unlink(part);
        return SOTTO_ERR_STORE;
    }
    d = calloc(1, sizeof *d);
    rc = d == NULL ? SOTTO_ERR_NOMEM : SOTTO_OK;
    if (rc == SOTTO_OK) {
        d->net = net;
        d->a = a;
        d->fd = fd;
        d->ctsize = sc_attach_ct_size(a->size);
        d->nrec = sc_attach_records(a->size);
        st_sha256_init(&d->sha);
        rc = down_resume(d);
        if (rc == SOTTO_OK && d->rec > 0)
            net->resumed_at = d->rec * SC_ATTACH_CT_RECORD;
    }
    if (rc == SOTTO_OK)
        rc = down_run(d);
    if (rc == SOTTO_OK && rename(part, final) != 0)
        rc = SOTTO_ERR_STORE;
    if (rc == SOTTO_OK)
        memcpy(a->path, final, sizeof a->path);
    /* Only a dropped connection keeps the verified records for later. */
    if (rc != SOTTO_OK && rc != SOTTO_ERR_UNREACHABLE)
        unlink(part);
    close(fd);
    if (d != NULL) {
        st_wipe(d, sizeof *d);
        free(d);
    }
    return rc;
}

int sc_attach_fetch(struct sc_conn *c, struct sc_attach *a, const char *dir, const char *mid)
{
    struct sc_attach_net net = {.conn = c};
    return sc_attach_fetch_net(&net, a, dir, mid);
}
