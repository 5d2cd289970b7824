/*
 * sottod attachment store: a table of function pointers (like store/store.h)
 * over opaque, client-encrypted blobs named by a random 128-bit id. The
 * first backend is a directory (blob_dir.c). A blob is written to a temp
 * object first and becomes visible under its id only when committed, whole
 * and durable: a crash never leaves a partial blob readable. Temp objects do
 * not survive a restart.
 */
#ifndef SD_BLOB_H
#define SD_BLOB_H

#include <stddef.h>
#include <stdint.h>

enum { SD_BLOB_ID_BYTES = 16 };

enum sd_blobs_status {
    SD_BS_OK = 0,
    SD_BS_NOT_FOUND,
    SD_BS_ERROR, /* I/O failure (logged by the backend) */
};

struct sd_blobs;
struct sd_blob_tmp; /* one blob being written */

struct sd_blobs_ops {
    void (*close)(struct sd_blobs *b);
    int (*tmp_open)(struct sd_blobs *b, struct sd_blob_tmp **out);
    /* Appends n bytes. */
    int (*tmp_write)(struct sd_blobs *b, struct sd_blob_tmp *t, const uint8_t *p, size_t n);
    /* Makes the blob durable and visible under a fresh random id; t is
     * released whatever the outcome. */
    int (*tmp_commit)(struct sd_blobs *b, struct sd_blob_tmp *t, uint8_t id[SD_BLOB_ID_BYTES]);
    /* Drops an unfinished blob; t is released. */
    void (*tmp_abort)(struct sd_blobs *b, struct sd_blob_tmp *t);
    /* Reads up to len bytes at offset into out (*n may be less at the end);
     * *total is the blob's size. SD_BS_NOT_FOUND for unknown ids. */
    int (*read)(struct sd_blobs *b, uint8_t *out, size_t *n, uint64_t *total,
                const uint8_t id[SD_BLOB_ID_BYTES], uint64_t offset, size_t len);
    /* Deletes blobs committed before cutoff_ms (wall clock). */
    int (*sweep)(struct sd_blobs *b, uint64_t cutoff_ms, uint64_t *n_deleted);
};

struct sd_blobs {
    const struct sd_blobs_ops *ops;
};

/* Opens (creating) the directory backend; removes temp files left by a
 * previous run. */
int sd_blobs_dir_open(struct sd_blobs **out, const char *dir);

#endif
