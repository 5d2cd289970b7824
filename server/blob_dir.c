/*
 * Directory backend of the attachment store (blob.h). A blob is the file
 * <dir>/<32 hex digits of its id>; uploads go to <dir>/tmp-<hex>, are
 * fsync'd, renamed to their id and the directory fsync'd, so a blob is
 * either absent or whole. Expiry goes by the file's mtime (commit time).
 */
#include "blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "log.h"

enum { NAME_MAX_LEN = 48, PATH_LEN = 700 };

struct dir_blobs {
    struct sd_blobs base;
    int dirfd;
    char dir[PATH_LEN];
};

struct sd_blob_tmp {
    int fd;
    char name[NAME_MAX_LEN];
};

static void id_hex(char out[2 * SD_BLOB_ID_BYTES + 1], const uint8_t id[SD_BLOB_ID_BYTES])
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < SD_BLOB_ID_BYTES; i++) {
        out[2 * i] = hx[id[i] >> 4];
        out[2 * i + 1] = hx[id[i] & 15];
    }
    out[2 * SD_BLOB_ID_BYTES] = '\0';
}

static int is_blob_name(const char *n)
{
    size_t i;
    for (i = 0; n[i] != '\0'; i++) {
        if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f'))) {
            return 0;
        }
    }
    return i == 2 * SD_BLOB_ID_BYTES;
}

static void fail_log(const char *what, const char *name)
{
    sd_log(SD_LOG_ERROR, "blob store failure", "op=%s file=%s err=\"%s\"", what, name,
           strerror(errno));
}

static void dir_close(struct sd_blobs *b)
{
    struct dir_blobs *d = (struct dir_blobs *)b;
    if (d != NULL) {
        close(d->dirfd);
        free(d);
    }
}

static int tmp_open(struct sd_blobs *b, struct sd_blob_tmp **out)
{
    struct dir_blobs *d = (struct dir_blobs *)b;
    struct sd_blob_tmp *t = calloc(1, sizeof(*t));
    uint8_t rnd[SD_BLOB_ID_BYTES];
    char hex[2 * SD_BLOB_ID_BYTES + 1];

    *out = NULL;
    if (t == NULL) {
        return SD_BS_ERROR;
    }
    st_random_bytes(rnd, sizeof(rnd));
    id_hex(hex, rnd);
    snprintf(t->name, sizeof(t->name), "tmp-%s", hex);
    t->fd = openat(d->dirfd, t->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (t->fd < 0) {
        fail_log("create", t->name);
        free(t);
        return SD_BS_ERROR;
    }
    *out = t;
    return SD_BS_OK;
}

static int tmp_write(struct sd_blobs *b, struct sd_blob_tmp *t, const uint8_t *p, size_t n)
{
    (void)b;
    while (n > 0) {
        ssize_t w = write(t->fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            fail_log("write", t->name);
            return SD_BS_ERROR;
        }
        p += w;
        n -= (size_t)w;
    }
    return SD_BS_OK;
}

static void tmp_release(struct dir_blobs *d, struct sd_blob_tmp *t, int unlink_it)
{
    if (t->fd >= 0) {
        close(t->fd);
    }
    if (unlink_it) {
        (void)unlinkat(d->dirfd, t->name, 0);
    }
    free(t);
}

static void tmp_abort(struct sd_blobs *b, struct sd_blob_tmp *t)
{
    if (t != NULL) {
        tmp_release((struct dir_blobs *)b, t, 1);
    }
}

static int tmp_commit(struct sd_blobs *b, struct sd_blob_tmp *t, uint8_t id[SD_BLOB_ID_BYTES])
{
    struct dir_blobs *d = (struct dir_blobs *)b;
    char hex[2 * SD_BLOB_ID_BYTES + 1];

    st_random_bytes(id, SD_BLOB_ID_BYTES);
    id_hex(hex, id);
    if (fsync(t->fd) != 0) {
        fail_log("fsync", t->name);
        goto fail;
    }
    /* renameat2 RENAME_NOREPLACE would refuse a (2^-128) collision; a plain
     * rename is portable and the id is fresh randomness */
    if (renameat(d->dirfd, t->name, d->dirfd, hex) != 0) {
        fail_log("rename", t->name);
        goto fail;
    }
    if (fsync(d->dirfd) != 0) {
        fail_log("fsync", ".");
        tmp_release(d, t, 0);
        (void)unlinkat(d->dirfd, hex, 0);
        return SD_BS_ERROR;
    }
    tmp_release(d, t, 0);
    return SD_BS_OK;
fail:
    tmp_release(d, t, 1);
    return SD_BS_ERROR;
}

static int dir_read(struct sd_blobs *b, uint8_t *out, size_t *n, uint64_t *total,
                    const uint8_t id[SD_BLOB_ID_BYTES], uint64_t offset, size_t len)
{
    struct dir_blobs *d = (struct dir_blobs *)b;
    char hex[2 * SD_BLOB_ID_BYTES + 1];
    struct stat sb;
    size_t got = 0;
    int fd, rc = SD_BS_ERROR;

    *n = 0;
    *total = 0;
    id_hex(hex, id);
    fd = openat(d->dirfd, hex, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? SD_BS_NOT_FOUND : (fail_log("open", hex), SD_BS_ERROR);
    }
    if (fstat(fd, &sb) != 0) {
        fail_log("stat", hex);
        goto out;
    }
    *total = (uint64_t)sb.st_size;
    while (offset < *total && got < len) {
        ssize_t r = pread(fd, out + got, len - got, (off_t)(offset + got));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            fail_log("read", hex);
            goto out;
        }
        if (r == 0) {
            break;
        }
        got += (size_t)r;
    }
    *n = got;
    rc = SD_BS_OK;
out:
    close(fd);
    return rc;
}

static uint64_t mtime_ms(const struct stat *sb)
{
    return (uint64_t)sb->st_mtim.tv_sec * 1000 + (uint64_t)sb->st_mtim.tv_nsec / 1000000;
}

/* Deletes blobs older than cutoff_ms, or (tmp = 1) every temp file. */
static int scan(struct dir_blobs *d, uint64_t cutoff_ms, int tmp, uint64_t *n_deleted)
{
    int fd = dup(d->dirfd);
    DIR *dp = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    struct stat sb;

    *n_deleted = 0;
    if (dp == NULL) {
        if (fd >= 0) {
            close(fd);
        }
        fail_log("opendir", ".");
        return SD_BS_ERROR;
    }
    rewinddir(dp);
    while ((e = readdir(dp)) != NULL) {
        int victim = tmp ? strncmp(e->d_name, "tmp-", 4) == 0
                         : is_blob_name(e->d_name) && fstatat(d->dirfd, e->d_name, &sb, 0) == 0 &&
                               mtime_ms(&sb) < cutoff_ms;
        if (victim && unlinkat(d->dirfd, e->d_name, 0) == 0) {
            (*n_deleted)++;
        }
    }
    closedir(dp);
    return SD_BS_OK;
}

static int dir_sweep(struct sd_blobs *b, uint64_t cutoff_ms, uint64_t *n_deleted)
{
    return scan((struct dir_blobs *)b, cutoff_ms, 0, n_deleted);
}

static const struct sd_blobs_ops dir_ops = {
    .close = dir_close,
    .tmp_open = tmp_open,
    .tmp_write = tmp_write,
    .tmp_commit = tmp_commit,
    .tmp_abort = tmp_abort,
    .read = dir_read,
    .sweep = dir_sweep,
};

int sd_blobs_dir_open(struct sd_blobs **out, const char *dir)
{
    struct dir_blobs *d = calloc(1, sizeof(*d));
    uint64_t n = 0;

    *out = NULL;
    if (d == NULL) {
        return SD_BS_ERROR;
    }
    d->base.ops = &dir_ops;
    snprintf(d->dir, sizeof(d->dir), "%s", dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fail_log("mkdir", dir);
        free(d);
        return SD_BS_ERROR;
    }
    d->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->dirfd < 0) {
        fail_log("open", dir);
        free(d);
        return SD_BS_ERROR;
    }
    if (scan(d, 0, 1, &n) != SD_BS_OK) {
        dir_close(&d->base);
        return SD_BS_ERROR;
    }
    if (n > 0) {
        sd_log(SD_LOG_INFO, "unfinished attachment uploads dropped", "count=%llu",
               (unsigned long long)n);
    }
    *out = &d->base;
    return SD_BS_OK;
}
