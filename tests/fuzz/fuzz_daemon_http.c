/*
 * libFuzzer target for the daemon's HTTP/1.1 request parser (cli/http.c),
 * fed as the daemon feeds it: the stream arrives in chunks, the parser
 * runs on everything buffered after each chunk, complete requests are
 * consumed (keep-alive), an error ends the connection. Input: 1 byte chunk
 * size, then the stream. Invariants: a complete request lies inside the
 * buffer, its head within HTTP_HEAD_MAX and its body within body_max; the
 * parser never asks for more than head + body limits; errors carry a
 * 4xx/5xx status; query parameters stay inside their buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "../../cli/http.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { BODY_MAX = 4096 };

static void check_request(const struct http_request *r, size_t len)
{
    char sub[65];
    if (r->consumed > len || r->body_off > HTTP_HEAD_MAX || r->content_length > BODY_MAX ||
        r->body_off + r->content_length != r->consumed)
        abort();
    if (r->target[0] != '/' || strlen(r->target) > HTTP_TARGET_MAX ||
        strlen(r->authorization) > HTTP_AUTH_MAX)
        abort();
    if (http_query_param(sub, sizeof sub, r->target, "subscriber") == 0 &&
        strlen(sub) >= sizeof sub)
        abort();
    (void)http_path_is(r->target, "/api/v1/rpc");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf;
    size_t chunk, len = 0;
    if (size < 1)
        return 0;
    chunk = (size_t)data[0] + 1;
    data++;
    size--;
    buf = malloc(size + 1);
    if (buf == NULL)
        return 0;
    while (size > 0) {
        size_t n = size < chunk ? size : chunk;
        struct http_request r;
        enum http_result pr = HTTP_NEED_MORE;
        memcpy(buf + len, data, n);
        len += n;
        data += n;
        size -= n;
        while (len > 0 && (pr = http_parse(&r, buf, len, BODY_MAX)) == HTTP_DONE) {
            check_request(&r, len);
            memmove(buf, buf + r.consumed, len - r.consumed);
            len -= r.consumed;
        }
        if (len > 0 && pr == HTTP_NEED_MORE && r.body_off > 0 &&
            (r.body_off > len || r.body_off > HTTP_HEAD_MAX || r.target[0] != '/'))
            abort(); /* a complete head reported before the body */
        if (len > 0 && pr == HTTP_ERROR) {
            if (r.status < 400 || r.status > 599)
                abort();
            break;
        }
        if (len >= HTTP_HEAD_MAX + BODY_MAX)
            abort(); /* NEED_MORE past both limits */
    }
    free(buf);
    return 0;
}
