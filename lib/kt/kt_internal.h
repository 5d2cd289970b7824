/*
 * lib/kt internals shared by its files: the Merkle frontier, strict base64
 * (RFC 4648 section 4) and a bounded byte writer/reader for the canonical
 * encodings.
 */
#ifndef ST_KT_INTERNAL_H
#define ST_KT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/kt.h"

/* ---- Merkle frontier (merkle.c) ---- */

/* The perfect-subtree roots of a tree of `size` leaves, largest first:
 * h[0..popcount(size)-1]. */
struct st_kt_frontier {
    uint64_t size;
    sotto_kt_hash h[64];
};

void st_kt_frontier_init(struct st_kt_frontier *f);
/* Appends a leaf hash; the caller keeps size below UINT64_MAX. */
void st_kt_frontier_push(struct st_kt_frontier *f, const uint8_t leaf[SOTTO_KT_HASH_BYTES]);
void st_kt_frontier_root(const struct st_kt_frontier *f, uint8_t root[SOTTO_KT_HASH_BYTES]);
size_t st_kt_popcount(uint64_t x);

/* ---- base64 (base64.c) ---- */

/* Length of the padded encoding of len bytes (without a NUL). */
size_t st_kt_b64_len(size_t len);
/* Writes st_kt_b64_len(len) characters (no NUL). */
void st_kt_b64_encode(char *out, const uint8_t *in, size_t len);
/* Strict decoding: padded, canonical (unused bits zero), no whitespace.
 * SOTTO_ERR_INVALID_MESSAGE for bad input, SOTTO_ERR_TOO_LARGE when the
 * result exceeds cap. */
SOTTO_MUST_CHECK int st_kt_b64_decode(uint8_t *out, size_t *out_len, size_t cap, const char *in,
                                      size_t len);

/* ---- bounded writer and reader (wire.c); errors are sticky ---- */

struct st_kt_w {
    uint8_t *p;
    size_t len, cap;
    int err;
};

struct st_kt_r {
    const uint8_t *p;
    size_t len, off;
    int err;
};

void st_kt_w_init(struct st_kt_w *w, uint8_t *out, size_t cap);
void st_kt_w_bytes(struct st_kt_w *w, const uint8_t *in, size_t len);
void st_kt_w_u8(struct st_kt_w *w, uint8_t v);
void st_kt_w_u16(struct st_kt_w *w, uint16_t v);
void st_kt_w_u32(struct st_kt_w *w, uint32_t v);
void st_kt_w_u64(struct st_kt_w *w, uint64_t v);
/* u16 length || bytes */
void st_kt_w_lv(struct st_kt_w *w, const uint8_t *in, size_t len);

void st_kt_r_init(struct st_kt_r *r, const uint8_t *in, size_t len);
void st_kt_r_bytes(struct st_kt_r *r, uint8_t *out, size_t len);
uint8_t st_kt_r_u8(struct st_kt_r *r);
uint16_t st_kt_r_u16(struct st_kt_r *r);
uint32_t st_kt_r_u32(struct st_kt_r *r);
uint64_t st_kt_r_u64(struct st_kt_r *r);
/* A u16-length field whose length must be exactly len. */
void st_kt_r_lv_exact(struct st_kt_r *r, uint8_t *out, size_t len);
/* A u16-length field of at most max bytes; *got gets its length. */
void st_kt_r_lv_max(struct st_kt_r *r, uint8_t *out, size_t max, size_t *got);
/* SOTTO_OK if no error and every byte was read, else the error
 * (SOTTO_ERR_INVALID_MESSAGE for trailing bytes). */
SOTTO_MUST_CHECK int st_kt_r_end(const struct st_kt_r *r);

/* 1 if o[0..len) is a valid origin / key name (checkpoint.c). */
int st_kt_origin_ok(const char *o, size_t len);
/* Length of s, looking at no more than max bytes (strnlen is not C17). */
size_t st_kt_strnlen(const char *s, size_t max);

#endif
