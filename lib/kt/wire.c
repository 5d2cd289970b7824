/*
 * A bounded writer and reader for lib/kt's canonical encodings: big-endian
 * integers and u16-length-prefixed byte strings. Errors are sticky, so a
 * parser reads like the schema and checks once at the end.
 */
#include <string.h>

#include "kt_internal.h"

void st_kt_w_init(struct st_kt_w *w, uint8_t *out, size_t cap)
{
    w->p = out;
    w->len = 0;
    w->cap = cap;
    w->err = SOTTO_OK;
}

void st_kt_w_bytes(struct st_kt_w *w, const uint8_t *in, size_t len)
{
    if (w->err != SOTTO_OK)
        return;
    if (len > w->cap - w->len) {
        w->err = SOTTO_ERR_TOO_LARGE;
        return;
    }
    if (len)
        memcpy(w->p + w->len, in, len);
    w->len += len;
}

static void put_be(struct st_kt_w *w, uint64_t v, size_t n)
{
    uint8_t b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    st_kt_w_bytes(w, b, n);
}

void st_kt_w_u8(struct st_kt_w *w, uint8_t v)
{
    put_be(w, v, 1);
}

void st_kt_w_u16(struct st_kt_w *w, uint16_t v)
{
    put_be(w, v, 2);
}

void st_kt_w_u32(struct st_kt_w *w, uint32_t v)
{
    put_be(w, v, 4);
}

void st_kt_w_u64(struct st_kt_w *w, uint64_t v)
{
    put_be(w, v, 8);
}

void st_kt_w_lv(struct st_kt_w *w, const uint8_t *in, size_t len)
{
    if (len > UINT16_MAX && w->err == SOTTO_OK)
        w->err = SOTTO_ERR_TOO_LARGE;
    st_kt_w_u16(w, (uint16_t)len);
    st_kt_w_bytes(w, in, len);
}

void st_kt_r_init(struct st_kt_r *r, const uint8_t *in, size_t len)
{
    r->p = in;
    r->len = len;
    r->off = 0;
    r->err = SOTTO_OK;
}

void st_kt_r_bytes(struct st_kt_r *r, uint8_t *out, size_t len)
{
    if (r->err != SOTTO_OK) {
        memset(out, 0, len);
        return;
    }
    if (len > r->len - r->off) {
        r->err = SOTTO_ERR_TRUNCATED;
        memset(out, 0, len);
        return;
    }
    if (len)
        memcpy(out, r->p + r->off, len);
    r->off += len;
}

static uint64_t get_be(struct st_kt_r *r, size_t n)
{
    uint8_t b[8];
    uint64_t v = 0;
    st_kt_r_bytes(r, b, n);
    for (size_t i = 0; i < n; i++)
        v = v << 8 | b[i];
    return v;
}

uint8_t st_kt_r_u8(struct st_kt_r *r)
{
    return (uint8_t)get_be(r, 1);
}

uint16_t st_kt_r_u16(struct st_kt_r *r)
{
    return (uint16_t)get_be(r, 2);
}

uint32_t st_kt_r_u32(struct st_kt_r *r)
{
    return (uint32_t)get_be(r, 4);
}

uint64_t st_kt_r_u64(struct st_kt_r *r)
{
    return get_be(r, 8);
}

void st_kt_r_lv_exact(struct st_kt_r *r, uint8_t *out, size_t len)
{
    uint16_t n = st_kt_r_u16(r);
    if (r->err == SOTTO_OK && n != len)
        r->err = n > len ? SOTTO_ERR_TOO_LARGE : SOTTO_ERR_INVALID_MESSAGE;
    st_kt_r_bytes(r, out, len);
}

void st_kt_r_lv_max(struct st_kt_r *r, uint8_t *out, size_t max, size_t *got)
{
    uint16_t n = st_kt_r_u16(r);
    *got = 0;
    if (r->err == SOTTO_OK && n > max)
        r->err = SOTTO_ERR_TOO_LARGE;
    if (r->err != SOTTO_OK)
        return;
    st_kt_r_bytes(r, out, n);
    if (r->err == SOTTO_OK)
        *got = n;
}

int st_kt_r_end(const struct st_kt_r *r)
{
    if (r->err != SOTTO_OK)
        return r->err;
    if (r->off != r->len)
        return SOTTO_ERR_INVALID_MESSAGE;
    return SOTTO_OK;
}

size_t st_kt_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != '\0')
        n++;
    return n;
}
