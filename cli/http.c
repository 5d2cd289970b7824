/*
 * Strict, bounded HTTP/1.1 request parser (see http.h; RFC 9112 sections
 * 2-3 for the request line, 5 for fields, 6.3 for the body length). Every
 * call parses from the start of the buffer: the head is at most 8 KiB, so
 * that stays cheap, and the function keeps no state between calls.
 */
#include <string.h>
#include <strings.h>

#include "http.h"

/* A cursor over the head that cannot pass its end. */
struct cur {
    const uint8_t *p, *end;
};

static int is_tchar(uint8_t ch)
{
    /* RFC 9110 5.6.2 token characters. */
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static int is_field_char(uint8_t ch)
{
    return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

/* The next line (without CRLF) as [*s, *s + *n); 0, or -1 at the end. */
static int next_line(struct cur *c, const uint8_t **s, size_t *n)
{
    const uint8_t *p = c->p;
    while (p + 1 < c->end && !(p[0] == '\r' && p[1] == '\n'))
        p++;
    if (p + 1 >= c->end)
        return -1;
    *s = c->p;
    *n = (size_t)(p - c->p);
    c->p = p + 2;
    return 0;
}

/* Bare CR or LF, or NUL, anywhere in the bytes seen so far: 400 now rather
 * than waiting for a CRLFCRLF that a confused client never sends. */
static int bad_bytes(const uint8_t *in, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (in[i] == 0)
            return 1;
        if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
            return 1;
        if (in[i] == '\r' && i + 1 < len && in[i + 1] != '\n')
            return 1;
    }
    return 0;
}

/* Position just after the CRLFCRLF ending the head, or 0. */
static size_t head_end(const uint8_t *in, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (in[i] == '\n' && in[i - 1] == '\r' && in[i - 2] == '\n' && in[i - 3] == '\r')
            return i + 1;
    return 0;
}

static int fail(struct http_request *req, int status)
{
    req->status = status;
    return HTTP_ERROR;
}

static int parse_request_line(struct http_request *req, const uint8_t *s, size_t n)
{
    const uint8_t *sp1 = memchr(s, ' ', n), *sp2;
    size_t mlen, tlen, vlen;
    if (sp1 == NULL || sp1 == s)
        return fail(req, 400);
    mlen = (size_t)(sp1 - s);
    for (size_t i = 0; i < mlen; i++)
        if (!is_tchar(s[i]))
            return fail(req, 400);
    sp2 = memchr(sp1 + 1, ' ', n - mlen - 1);
    if (sp2 == NULL)
        return fail(req, 400);
    tlen = (size_t)(sp2 - sp1 - 1);
    vlen = n - mlen - tlen - 2;
    if (tlen == 0 || sp1[1] != '/')
        return fail(req, 400);
    if (tlen > HTTP_TARGET_MAX)
        return fail(req, 414);
    for (size_t i = 0; i < tlen; i++)
        if (sp1[1 + i] <= 0x20 || sp1[1 + i] >= 0x7f)
            return fail(req, 400);
    if (vlen != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
        return fail(req, 400);
    if (sp2[8] != '1' && sp2[8] != '0')
        return fail(req, 505);
    req->keep_alive = sp2[8] == '1';
    if (mlen == 3 && memcmp(s, "GET", 3) == 0)
        req->method = HTTP_GET;
    else if (mlen == 4 && memcmp(s, "POST", 4) == 0)
        req->method = HTTP_POST;
    else
        req->method = HTTP_OTHER;
    memcpy(req->target, sp1 + 1, tlen);
    req->target[tlen] = 0;
    return 0;
}

/* Decimal digits only, no sign, no overflow past what a size_t holds. */
static int parse_decimal(uint64_t *out, const uint8_t *v, size_t n)
{
    uint64_t x = 0;
    if (n == 0 || n > 18)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return 0;
}

/* "close" or "keep-alive" among Connection's comma-separated tokens. */
static void parse_connection(struct http_request *req, const uint8_t *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        while (i < j && (v[i] == ' ' || v[i] == '\t'))
            i++;
        size_t e = j;
        while (e > i && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - i == 5 && strncasecmp((const char *)v + i, "close", 5) == 0)
            req->keep_alive = 0;
        else if (e - i == 10 && strncasecmp((const char *)v + i, "keep-alive", 10) == 0)
            req->keep_alive = 1;
        i = j + 1;
    }
}

static int name_is(const uint8_t *s, size_t n, const char *name)
{
    return n == strlen(name) && strncasecmp((const char *)s, name, n) == 0;
}

struct seen {
    int te, auth;
};

static int parse_field(struct http_request *req, struct seen *seen, const uint8_t *s, size_t n)
{
    const uint8_t *colon = memchr(s, ':', n), *v;
    size_t nlen, vlen;
    uint64_t x;
    if (colon == NULL || colon == s)
        return fail(req, 400); /* also obs-fold: a line starting with SP/HT */
    nlen = (size_t)(colon - s);
    for (size_t i = 0; i < nlen; i++)
        if (!is_tchar(s[i]))
            return fail(req, 400); /* whitespace before the colon included */
    v = colon + 1;
    vlen = n - nlen - 1;
    for (size_t i = 0; i < vlen; i++)
        if (!is_field_char(v[i]))
            return fail(req, 400);
    while (vlen > 0 && (v[0] == ' ' || v[0] == '\t'))
        v++, vlen--;
    while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;
    if (name_is(s, nlen, "content-length")) {
        if (req->has_length || parse_decimal(&x, v, vlen) != 0)
            return fail(req, 400);
        req->has_length = 1;
        req->content_length = (size_t)x;
    } else if (name_is(s, nlen, "transfer-encoding")) {
        seen->te = 1;
    } else if (name_is(s, nlen, "authorization")) {
        if (seen->auth++)
            return fail(req, 400);
        if (vlen > HTTP_AUTH_MAX) {
            req->auth_too_long = 1;
        } else {
            memcpy(req->authorization, v, vlen);
            req->authorization[vlen] = 0;
        }
    } else if (name_is(s, nlen, "connection")) {
        parse_connection(req, v, vlen);
    } else if (name_is(s, nlen, "expect")) {
        req->expect_continue = name_is(v, vlen, "100-continue");
    } else if (name_is(s, nlen, "last-event-id")) {
        if (parse_decimal(&x, v, vlen) == 0) {
            req->has_last_event_id = 1;
            req->last_event_id = (int64_t)x;
        }
    }
    return 0;
}

enum http_result http_parse(struct http_request *req, const uint8_t *in, size_t len,
                            size_t body_max)
{
    struct seen seen = {0, 0};
    struct cur c;
    const uint8_t *s;
    size_t n, end, nfields = 0;

    memset(req, 0, sizeof *req);
    end = head_end(in, len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX);
    if (bad_bytes(in, end ? end : (len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX)))
        return fail(req, 400);
    if (end == 0)
        return len >= HTTP_HEAD_MAX ? fail(req, 431) : HTTP_NEED_MORE;
    c = (struct cur){in, in + end};
    if (next_line(&c, &s, &n) != 0 || parse_request_line(req, s, n) != 0)
        return req->status ? HTTP_ERROR : fail(req, 400);
    while (next_line(&c, &s, &n) == 0 && n > 0) {
        if (++nfields > HTTP_HEADERS_MAX)
            return fail(req, 431);
        if (parse_field(req, &seen, s, n) != 0)
            return HTTP_ERROR;
    }
    if (seen.te)
        return fail(req, req->has_length ? 400 : 411);
    if (req->method == HTTP_POST && !req->has_length)
        return fail(req, 411);
    if (req->content_length > body_max)
        return fail(req, 413);
    req->body_off = end;
    if (len - end < req->content_length)
        return HTTP_NEED_MORE;
    req->consumed = end + req->content_length;
    return HTTP_DONE;
}

int http_query_param(char *out, size_t cap, const char *target, const char *name)
{
    const char *q = strchr(target, '?');
    size_t nl = strlen(name);
    if (cap > 0)
        out[0] = 0;
    while (q != NULL) {
        const char *p = q + 1, *amp = strchr(p, '&');
        size_t plen = amp ? (size_t)(amp - p) : strlen(p);
        if (plen > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vlen = plen - nl - 1;
            if (vlen + 1 > cap || memchr(p + nl + 1, '%', vlen) != NULL)
                return -1;
            memcpy(out, p + nl + 1, vlen);
            out[vlen] = 0;
            return 0;
        }
        q = amp;
    }
    return -1;
}

int http_path_is(const char *target, const char *path)
{
    size_t n = strcspn(target, "?");
    return n == strlen(path) && strncmp(target, path, n) == 0;
}

const char *http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}
