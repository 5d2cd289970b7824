/*
 * Attachments (docs/cli.md "Attachments"): the file is encrypted with a
 * fresh random 32-byte key under XChaCha20-Poly1305 in 64 KiB records;
 * record i uses the random 24-byte base nonce with its last 8 bytes XORed
 * with big-endian i, and AAD "sotto attachment v1" || be64(i) || last-flag
 * (1 for the final record), so truncation, reordering and appending are
 * detected. The ciphertext (sum of records, each + 16-byte tag; an empty
 * file is one empty record) is uploaded to sottod in 256 KiB chunks; the
 * descriptor travels inside the end-to-end encrypted message (content kind
 * 7): id(16) key(32) nonce(24) be64 plaintext size, SHA-256 of the
 * ciphertext(32), name length(1) name, be16 caption length, caption.
 * In the store (sealed body of a message of kind SC_KIND_ATTACHMENT) the
 * descriptor is followed by be16 path length and the local path.
 */
#ifndef SC_ATTACH_H
#define SC_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

struct sc_conn;

enum {
    SC_ATTACH_RECORD = 64 * 1024,
    SC_ATTACH_CHUNK = 256 * 1024,
    SC_ATTACH_NAME_MAX = 255,
    SC_ATTACH_CAPTION_MAX = 4096,
    SC_ATTACH_PATH_MAX = 4095,
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

/* Ciphertext size for a plaintext of size bytes. */
uint64_t sc_attach_ct_size(uint64_t size);
/* Encodes a (with the path trailer when with_path) into a malloc'd buffer. */
SOTTO_MUST_CHECK int sc_attach_encode(uint8_t **out, size_t *len, const struct sc_attach *a,
                                      int with_path);
/* Decodes; with_path: a path trailer may follow. Empty names, NULs in name
 * or caption, sizes over SC_ATTACH_MAX, bad lengths:
 * SOTTO_ERR_INVALID_MESSAGE. The name is the sender's: pass it through
 * sc_attach_safe_name before using it as a file name. */
SOTTO_MUST_CHECK int sc_attach_decode(struct sc_attach *a, const uint8_t *in, size_t len,
                                      int with_path);
/* Fresh key and nonce in a, encrypts pt into *ct (malloc'd), sets size
 * and digest. */
SOTTO_MUST_CHECK int sc_attach_seal(uint8_t **ct, size_t *ctlen, struct sc_attach *a,
                                    const uint8_t *pt, size_t len);
/* Checks the digest and every record; *pt malloc'd (a->size bytes). */
SOTTO_MUST_CHECK int sc_attach_open(uint8_t **pt, const struct sc_attach *a, const uint8_t *ct,
                                    size_t ctlen);
/* Uploads ct; a->id gets the attachment id. SOTTO_ERR_TOO_LARGE when the
 * server's attachment_max is exceeded. */
SOTTO_MUST_CHECK int sc_attach_upload(struct sc_conn *c, struct sc_attach *a, const uint8_t *ct,
                                      size_t ctlen);
/* Downloads a's ciphertext (exactly sc_attach_ct_size(a->size) bytes). */
SOTTO_MUST_CHECK int sc_attach_download(struct sc_conn *c, uint8_t **ct, size_t *ctlen,
                                        const struct sc_attach *a);
/* A safe file name from a sender's name: the part after the last '/',
 * characters outside [A-Za-z0-9._-] replaced by '_', "", "." and ".."
 * replaced by "attachment". */
void sc_attach_safe_name(char *out, size_t cap, const char *name);
/* Downloads, verifies and saves to dir/<mid>-<safe name> (mode 0600, dir
 * created 0700, never overwriting); a->path gets the path. */
SOTTO_MUST_CHECK int sc_attach_fetch(struct sc_conn *c, struct sc_attach *a, const char *dir,
                                     const char *mid);

#endif
