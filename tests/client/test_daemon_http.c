/*
 * The daemon's HTTP/1.1 request parser (cli/http.c): one line per case,
 * with the result and status expected, including must-fail framing
 * (smuggling shapes, missing lengths, oversized heads and bodies, bare LF,
 * obs-fold, whitespace before a colon), then byte-at-a-time feeding and
 * pipelined requests, and the query helper.
 */
#include <stdio.h>
#include <string.h>

#include "../../cli/http.c"
#include "testutil.h"

struct tcase {
    const char *in;
    int result;
    int status; /* HTTP_ERROR: expected status */
};

#define T(in, r, s)                                                                                \
    {                                                                                              \
        in, r, s                                                                                   \
    }
static const struct tcase cases[] = {
    T("GET /a HTTP/1.1\r\n\r\n", HTTP_DONE, 0),
    T("POST /api/v1/rpc HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", HTTP_DONE, 0),
    T("POST /api/v1/rpc HTTP/1.1\r\nContent-Length: 2\r\n\r\n{", HTTP_NEED_MORE, 0),
    T("GET /a HTTP/1.1\r\nHost: x\r\n", HTTP_NEED_MORE, 0),
    T("POST /a HTTP/1.1\r\n\r\n", HTTP_ERROR, 411),
    T("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_ERROR, 411),
    T("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\nx", HTTP_ERROR,
      400),
    T("POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", HTTP_ERROR, 400),
    T("POST /a HTTP/1.1\r\nContent-Length: +1\r\n\r\nx", HTTP_ERROR, 400),
    T("POST /a HTTP/1.1\r\nContent-Length: 1 1\r\n\r\nx", HTTP_ERROR, 400),
    T("POST /a HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", HTTP_ERROR, 400),
    T("POST /a HTTP/1.1\r\nContent-Length: 1025\r\n\r\n", HTTP_ERROR, 413),
    T("GET /a HTTP/1.1\nHost: x\n\n", HTTP_ERROR, 400),
    T("GET /a HTTP/1.1\r\nHost: x\rY\r\n\r\n", HTTP_ERROR, 400),
    T("GET /a HTTP/1.1\r\nHost : x\r\n\r\n", HTTP_ERROR, 400),
    T("GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", HTTP_ERROR, 400),
    T("GET /a HTTP/1.1\r\nX: a\x01b\r\n\r\n", HTTP_ERROR, 400),
    T("GET a HTTP/1.1\r\n\r\n", HTTP_ERROR, 400),
    T("GET /a b HTTP/1.1\r\n\r\n", HTTP_ERROR, 400),
    T("GET /a HTTP/2.0\r\n\r\n", HTTP_ERROR, 400),
    T("GET /a HTTP/1.2\r\n\r\n", HTTP_ERROR, 505),
    T("GET  /a HTTP/1.1\r\n\r\n", HTTP_ERROR, 400),
    T("G(T /a HTTP/1.1\r\n\r\n", HTTP_ERROR, 400),
    T("\r\n\r\n", HTTP_ERROR, 400),
};

static void table(void)
{
    struct http_request r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = http_parse(&r, (const uint8_t *)cases[i].in, strlen(cases[i].in), 1024);
        if (got != cases[i].result || (got == HTTP_ERROR && r.status != cases[i].status)) {
            fprintf(stderr, "case %zu: got %d/%d\n", i, got, r.status);
            CHECK(0);
        }
    }
}

static void fields(void)
{
    const char *in = "POST /api/v1/events?x=1&subscriber=web HTTP/1.0\r\n"
                     "authorization:   Bearer abc  \r\nConnection: foo, Keep-Alive\r\n"
                     "Last-Event-ID: 42\r\ncontent-length: 3\r\n\r\nxyzGET";
    struct http_request r;
    char sub[8];
    CHECK(http_parse(&r, (const uint8_t *)in, strlen(in), 1024) == HTTP_DONE);
    CHECK(r.method == HTTP_POST);
    CHECK(strcmp(r.authorization, "Bearer abc") == 0);
    CHECK(r.keep_alive == 1 && r.has_last_event_id && r.last_event_id == 42);
    CHECK(r.content_length == 3 && memcmp(in + r.body_off, "xyz", 3) == 0);
    CHECK(r.consumed == strlen(in) - 3);
    CHECK(http_path_is(r.target, "/api/v1/events") && !http_path_is(r.target, "/api/v1"));
    CHECK(http_query_param(sub, sizeof sub, r.target, "subscriber") == 0);
    CHECK(strcmp(sub, "web") == 0);
    CHECK(http_query_param(sub, sizeof sub, r.target, "nope") == -1);
    CHECK(http_query_param(sub, 3, r.target, "subscriber") == -1);
    CHECK(http_query_param(sub, sizeof sub, "/a?s=%41", "s") == -1);
    /* The head alone: NEED_MORE, but its fields are there (auth early). */
    in = "POST /r HTTP/1.1\r\nAuthorization: Bearer t\r\nContent-Length: 9\r\n\r\n{";
    CHECK(http_parse(&r, (const uint8_t *)in, strlen(in), 1024) == HTTP_NEED_MORE);
    CHECK(r.body_off == strlen(in) - 1 && strcmp(r.authorization, "Bearer t") == 0);
    CHECK(http_parse(&r, (const uint8_t *)in, 10, 1024) == HTTP_NEED_MORE && r.body_off == 0);
    CHECK(!r.expect_continue);
    in = "POST /r HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 9\r\n\r\n";
    CHECK(http_parse(&r, (const uint8_t *)in, strlen(in), 1024) == HTTP_NEED_MORE);
    CHECK(r.expect_continue && r.body_off == strlen(in));
}

static void limits(void)
{
    static uint8_t big[HTTP_HEAD_MAX + 64];
    struct http_request r;
    size_t n;
    memset(big, 'a', sizeof big);
    n = (size_t)snprintf((char *)big, 64, "GET /a HTTP/1.1\r\nX: ");
    big[n] = 'a'; /* the NUL snprintf left */
    CHECK(http_parse(&r, big, HTTP_HEAD_MAX - 1, 1024) == HTTP_NEED_MORE);
    CHECK(http_parse(&r, big, HTTP_HEAD_MAX, 1024) == HTTP_ERROR && r.status == 431);
    memcpy(big, "GET /", 5);
    memset(big + 5, 'b', HTTP_TARGET_MAX + 1);
    memcpy(big + 6 + HTTP_TARGET_MAX, " HTTP/1.1\r\n\r\n", 13);
    CHECK(http_parse(&r, big, 19 + HTTP_TARGET_MAX, 1024) == HTTP_ERROR && r.status == 414);
    n = (size_t)snprintf((char *)big, sizeof big, "GET /a HTTP/1.1\r\nAuthorization: ");
    memset(big + n, 'c', HTTP_AUTH_MAX + 1);
    memcpy(big + n + HTTP_AUTH_MAX + 1, "\r\n\r\n", 4);
    CHECK(http_parse(&r, big, n + HTTP_AUTH_MAX + 5, 1024) == HTTP_DONE && r.auth_too_long &&
          r.authorization[0] == 0);
    n = (size_t)snprintf((char *)big, sizeof big, "GET /a HTTP/1.1\r\n");
    for (int i = 0; i <= HTTP_HEADERS_MAX; i++)
        n += (size_t)snprintf((char *)big + n, sizeof big - n, "X: 1\r\n");
    n += (size_t)snprintf((char *)big + n, sizeof big - n, "\r\n");
    CHECK(http_parse(&r, big, n, 1024) == HTTP_ERROR && r.status == 431);
}

/* Byte by byte, two pipelined requests: NEED_MORE until each is whole. */
static void incremental(void)
{
    const char *in = "POST /r HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcdGET /e HTTP/1.1\r\n\r\n";
    size_t len = strlen(in), off = 0, done = 0;
    struct http_request r;
    for (size_t n = 1; off + n <= len; n++) {
        int got = http_parse(&r, (const uint8_t *)in + off, n, 1024);
        CHECK(got != HTTP_ERROR);
        if (got == HTTP_DONE) {
            CHECK(r.consumed == n);
            off += n;
            n = 0;
            done++;
        }
    }
    CHECK(done == 2 && off == len);
}

int main(void)
{
    t_init();
    table();
    fields();
    limits();
    incremental();
    return t_done();
}
