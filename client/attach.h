/*
 * Attachments (docs/cli.md "Attachments"): the file is encrypted with a
 * fresh random 32-byte key under XChaCha20-Poly1305 in 64 KiB records;
 * record i uses the random 24-byte base nonce with its last 8 bytes XORed
 * with big-endian i, and AAD "sotto attachment v1" || be64(i) || last-flag
 * (1 for the final record), so truncation, reordering and appending are
 * detected. The ciphertext (the records in order, each + 16-byte tag; an
 * empty file is one empty record) is uploaded to sottod in 256 KiB chunks;
 * the descriptor travels inside the end-to-end encrypted message (content
 * kind 7): id(16) key(32) nonce(24) be64 plaintext size, SHA-256 of the
 * ciphertext(32), name length(1) name, be16 caption length, caption.
 * In the store (sealed body of a message of kind SC_KIND_ATTACHMENT) the
 * descriptor is followed by be16 path length and the local path.
 *
 * Three layers:
 *   - records and descriptors (attach.c): pure functions. The record
 *     functions are what the streams use; sc_attach_seal/open do a whole
 *     buffer with them (tests, small data).
 *   - transfers (attach_net.c): sc_attach_upload_fd streams a file (read a
 *     record, seal, hash, send) and sc_attach_fetch streams the download
 *     into <path>.part (verify each record's tag, write its plaintext, hash
 *     the ciphertext; at the end check the digest, fsync, rename). Memory
 *     use does not grow with the file. A dropped connection is redialled
 *     through sc_attach_net.reconnect (when set) up to SC_ATTACH_RETRIES
 *     times: an upload resumes at the server's next_offset (from the start
 *     when the server lost the upload, e.g. on restart), a download at the
 *     bytes already written.
 *   - the .part file holds only plaintext of records whose tag verified.
 *     When the connection cannot be restored it is kept, and the next fetch
 *     of the same message resumes from it (it re-encrypts what it holds to
 *     rebuild the running digest, so the final digest check covers it);
 *     any other failure (tampering, truncation, expiry, disk) deletes it.
 */
#ifndef SC_ATTACH_H
#define SC_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

struct sc_conn;

enum {
    SC_ATTACH_RECORD = 64 * 1024,                           /* plaintext bytes per record */
    SC_ATTACH_TAG = 16,                                     /* Poly1305 tag per record */
    SC_ATTACH_CT_RECORD = SC_ATTACH_RECORD + SC_ATTACH_TAG, /* a full sealed record */
    SC_ATTACH_CHUNK = 256 * 1024,                           /* bytes per upload chunk or read */
    SC_ATTACH_NAME_MAX = 255,
    SC_ATTACH_CAPTION_MAX = 4096,
    SC_ATTACH_PATH_MAX = 4095,
    SC_ATTACH_RETRIES = 6, /* reconnections per transfer */
};
#define SC_ATTACH_MAX ((uint64_t)100 << 20) /* sottod's default attachment_max */

struct sc_attach {
    uint8_t id[16];
    uint8_t key[32];
    uint8_t nonce[24];
    uint8_t digest[32]; /* SHA-256 of the ciphertext */
    uint64_t size;      /* plaintext bytes */
    char name[SC_ATTACH_NAME_MAX + 1];
    char caption[SC_ATTACH_CAPTION_MAX + 1];
    char path[SC_ATTACH_PATH_MAX + 1]; /* local copy; "" when not saved */
};

/* ---- records and descriptors (pure) ---- */

/* Ciphertext size for a plaintext of size bytes. */
uint64_t sc_attach_ct_size(uint64_t size);
/* Number of records for size bytes (an empty file is one record). */
uint64_t sc_attach_records(uint64_t size);
/* Plaintext bytes in record i of a size-byte file (0 past the end). */
size_t sc_attach_record_len(uint64_t size, uint64_t i);
/* Fresh random key and nonce in a. */
void sc_attach_new_key(struct sc_attach *a);
/* Seals record i of a (a->key, a->nonce, a->size): pt has exactly
 * sc_attach_record_len(a->size, i) bytes, ct gets that + 16. Deterministic:
 * the same record always seals to the same bytes. Errors:
 * SOTTO_ERR_INVALID_ARGUMENT for a wrong length or i past the end. */
SOTTO_MUST_CHECK int sc_attach_seal_record(uint8_t *ct, const struct sc_attach *a, uint64_t i,
                                           const uint8_t *pt, size_t len);
/* Opens record i: ct has exactly sc_attach_record_len(a->size, i) + 16
 * bytes (else SOTTO_ERR_TRUNCATED), pt gets the plaintext only if the tag
 * verifies (else SOTTO_ERR_BAD_MAC, pt untouched). */
SOTTO_MUST_CHECK int sc_attach_open_record(uint8_t *pt, const struct sc_attach *a, uint64_t i,
                                           const uint8_t *ct, size_t ctlen);
/* Encodes a (with the path trailer when with_path) into a malloc'd buffer. */
SOTTO_MUST_CHECK int sc_attach_encode(uint8_t **out, size_t *len, const struct sc_attach *a,
                                      int with_path);
/* Decodes; with_path: a path trailer may follow. Empty names, NULs in name,
 * caption or path, sizes over SC_ATTACH_MAX, bad lengths:
 * SOTTO_ERR_INVALID_MESSAGE. The name is the sender's: pass it through
 * sc_attach_safe_name before using it as a file name. */
SOTTO_MUST_CHECK int sc_attach_decode(struct sc_attach *a, const uint8_t *in, size_t len,
                                      int with_path);
/* Whole-buffer forms: fresh key and nonce in a, encrypts pt into *ct
 * (malloc'd), sets size and digest. */
SOTTO_MUST_CHECK int sc_attach_seal(uint8_t **ct, size_t *ctlen, struct sc_attach *a,
                                    const uint8_t *pt, size_t len);
/* Checks the digest and every record; *pt malloc'd (a->size bytes). */
SOTTO_MUST_CHECK int sc_attach_open(uint8_t **pt, const struct sc_attach *a, const uint8_t *ct,
                                    size_t ctlen);
/* A safe file name from a sender's name: the part after the last '/',
 * characters outside [A-Za-z0-9._-] replaced by '_', "", "." and ".."
 * replaced by "attachment". */
void sc_attach_safe_name(char *out, size_t cap, const char *name);

/* ---- transfers (attach_net.c) ---- */

/* The connection a transfer uses. When a request fails with
 * SOTTO_ERR_UNREACHABLE and reconnect is set, the transfer closes conn,
 * waits (250 ms doubling, at most 4 s), calls reconnect(ctx, &conn) for a
 * new one and resumes; after SC_ATTACH_RETRIES failed tries it returns
 * SOTTO_ERR_UNREACHABLE. conn stays the caller's to close (it may be NULL
 * afterwards). Without reconnect, conn is never closed or replaced.
 * resumed_at: the offset (ciphertext bytes) the last resumption restarted
 * from, and reconnects: how many there were, for the caller to report. */
struct sc_attach_net {
    struct sc_conn *conn;
    int (*reconnect)(void *ctx, struct sc_conn **conn);
    void *ctx;
    uint64_t resumed_at;
    int reconnects;
};

/* Streams the regular file open on fd (from offset 0, size from fstat):
 * fresh key and nonce, each record read, sealed, hashed and sent in
 * SC_ATTACH_CHUNK pieces. a->name, caption and path are the caller's; a->id,
 * key, nonce, size and digest are set here. Errors: SOTTO_ERR_TOO_LARGE
 * (over SC_ATTACH_MAX or the server's attachment_max),
 * SOTTO_ERR_INVALID_STATE (the file shrank or could not be read while
 * sending), SOTTO_ERR_UNREACHABLE, SOTTO_ERR_RATE_LIMITED, server refusals. */
SOTTO_MUST_CHECK int sc_attach_upload_fd(struct sc_attach_net *net, struct sc_attach *a, int fd);
/* Downloads, verifies and saves to dir/<mid>-<safe name> (dir created 0700,
 * file 0600, an earlier copy at that path replaced), through
 * dir/<mid>-<safe name>.part as described above; a->path gets the path.
 * Errors: SOTTO_ERR_BAD_MAC (a record or the digest does not verify),
 * SOTTO_ERR_TRUNCATED (the server's blob has the wrong size),
 * SOTTO_ERR_NOT_FOUND (expired on the server), SOTTO_ERR_STORE (disk),
 * SOTTO_ERR_UNREACHABLE (the .part file is kept for a later fetch). */
SOTTO_MUST_CHECK int sc_attach_fetch_net(struct sc_attach_net *net, struct sc_attach *a,
                                         const char *dir, const char *mid);
/* sc_attach_fetch_net on c without reconnecting (sync: during receive). */
SOTTO_MUST_CHECK int sc_attach_fetch(struct sc_conn *c, struct sc_attach *a, const char *dir,
                                     const char *mid);

#endif
