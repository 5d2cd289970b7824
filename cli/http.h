/*
 * A small, strict HTTP/1.1 request parser for the daemon's --http listener
 * (RFC 9112). Pure: bytes in, a parsed request, "need more" or an error
 * status out; no I/O, no allocation, so tests/fuzz/fuzz_daemon_http.c can
 * drive it directly.
 *
 * Limits: request line + headers at most HTTP_HEAD_MAX bytes (else 431), a
 * target of at most HTTP_TARGET_MAX bytes (414), at most HTTP_HEADERS_MAX
 * header lines (431), a body of at most the caller's body_max (413). Only
 * Content-Length framing: a POST without it is 411, any Transfer-Encoding
 * is 411 (or 400 together with Content-Length, the request-smuggling
 * shape), duplicate or non-decimal Content-Length is 400. Lines end in
 * CRLF; bare CR or LF, obsolete line folding, whitespace before a header's
 * colon and control characters are 400.
 */
#ifndef SOTTO_CLI_HTTP_H
#define SOTTO_CLI_HTTP_H

#include <stddef.h>
#include <stdint.h>

enum {
    HTTP_HEAD_MAX = 8192,
    HTTP_TARGET_MAX = 1024,
    HTTP_AUTH_MAX = 512,
    HTTP_HEADERS_MAX = 64,
};

enum http_result {
    HTTP_ERROR = -1,    /* req->status says which 4xx/5xx to answer; then close */
    HTTP_NEED_MORE = 0, /* the request is not complete yet; when body_off > 0
                         * the head is, and req's fields are set (only the
                         * body is missing), e.g. to refuse a stranger early */
    HTTP_DONE = 1,      /* req is complete: req->consumed bytes of the input */
};

enum http_method { HTTP_OTHER = 0, HTTP_GET, HTTP_POST };

struct http_request {
    enum http_method method;
    char target[HTTP_TARGET_MAX + 1];
    /* Authorization's value ("" if absent; auth_too_long if it did not fit,
     * which no valid token does). */
    char authorization[HTTP_AUTH_MAX + 1];
    int auth_too_long;
    int has_length;
    size_t content_length;
    int has_last_event_id;
    int64_t last_event_id; /* Last-Event-ID (SSE reconnects), if decimal */
    int keep_alive;        /* HTTP/1.1 without "Connection: close" */
    int expect_continue;   /* "Expect: 100-continue": answer 100 before the body */
    size_t body_off;       /* the body is input[body_off .. body_off + content_length) */
    size_t consumed;       /* head + body */
    int status;            /* HTTP_ERROR: the status to answer */
};

/* Parses the request at the start of in[0..len). HTTP_DONE fills req;
 * HTTP_NEED_MORE when more bytes are needed (len never needs to exceed
 * HTTP_HEAD_MAX + body_max); HTTP_ERROR with req->status. */
enum http_result http_parse(struct http_request *req, const uint8_t *in, size_t len,
                            size_t body_max);

/* The value of query parameter name in target ("/path?a=1&b=2") copied
 * to out (no percent-decoding: a '%' makes it invalid). 0, or -1 when
 * absent, invalid or longer than cap - 1. */
int http_query_param(char *out, size_t cap, const char *target, const char *name);

/* The path part of target (up to '?') equals path. */
int http_path_is(const char *target, const char *path);

/* "Bad Request" and so on for the statuses the daemon answers. */
const char *http_reason(int status);

#endif
