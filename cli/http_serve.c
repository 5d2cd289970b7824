/*
 * The daemon's HTTP/1.1 listener (docs/cli.md "daemon"): every request
 * needs "Authorization: Bearer TOKEN" (http_token.c), else 401 and nothing
 * else happens.
 *   POST /api/v1/rpc                      one JSON-RPC request -> response
 *   GET  /api/v1/events?subscriber=NAME   Server-Sent Events: each journal
 *        event after the subscriber's cursor as "id: SEQ" + "data: {...}"
 *        (the same notification as on the socket); acks go through the
 *        "ack" method, so a stream that breaks loses nothing.
 * Requests are parsed by http.c under its limits; a refused request is
 * answered, the connection shut down for writing and drained for a moment
 * (so the client reads the answer, not a reset), then closed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "daemon.h"
#include "http.h"

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) ==
               127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return 0;
}

/* HOST:PORT or [V6]:PORT into host and port. */
static int split_spec(char *host, size_t hcap, char *port, size_t pcap, const char *spec)
{
    const char *colon = strrchr(spec, ':'), *h = spec;
    size_t hl;
    if (colon == NULL || colon == spec || colon[1] == 0 || strlen(colon + 1) >= pcap)
        return -1;
    hl = (size_t)(colon - spec);
    if (spec[0] == '[') {
        if (hl < 3 || spec[hl - 1] != ']')
            return -1;
        h++;
        hl -= 2;
    }
    if (hl >= hcap)
        return -1;
    memcpy(host, h, hl);
    host[hl] = 0;
    snprintf(port, pcap, "%s", colon + 1);
    return 0;
}

static int bind_first(struct addrinfo *ai)
{
    for (; ai != NULL; ai = ai->ai_next) {
        int one = 1, fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0)
            return fd;
        close(fd);
    }
    return -1;
}

int http_listen(struct cli *c, const char *spec)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char host[256], port[16], shown[INET6_ADDRSTRLEN];
    int fd, gai;
    if (split_spec(host, sizeof host, port, sizeof port, spec) != 0) {
        cli_fail(c, EXIT_USER, "usage", "give --http HOST:PORT, e.g. 127.0.0.1:8080",
                 "'%s' is not HOST:PORT", spec);
        return -1;
    }
    gai = getaddrinfo(host, port, &hints, &ai);
    if (gai != 0) {
        cli_fail(c, EXIT_USER, "usage", "give --http HOST:PORT, e.g. 127.0.0.1:8080",
                 "cannot resolve %s: %s", spec, gai_strerror(gai));
        return -1;
    }
    fd = bind_first(ai);
    freeaddrinfo(ai);
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        cli_fail(c, EXIT_SERVER, "socket", "pick a free port and an address of this machine",
                 "cannot listen on %s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, shown, sizeof shown);
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, shown, sizeof shown);
    /* The warning first: "HTTP on" is the line scripts wait for. */
    if (!is_loopback((struct sockaddr *)&ss))
        fprintf(stderr,
                "sotto daemon: WARNING: %s is not a loopback address: anyone who can "
                "reach it can try the token, and plain HTTP is not encrypted (put a "
                "TLS proxy in front)\n",
                spec);
    fprintf(stderr, "sotto daemon: HTTP on %s%s%s:%u\n", ss.ss_family == AF_INET6 ? "[" : "", shown,
            ss.ss_family == AF_INET6 ? "]" : "",
            ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)&ss)->sin_port));
    return fd;
}

void http_accept(struct daemon *d)
{
    struct timeval tv = {2, 0};
    struct dclient *cl;
    int fd = accept4(d->http_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    /* A client that stops reading cannot stall the daemon for long. */
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    cl = d->nclients < DAEMON_CLIENTS_MAX ? calloc(1, sizeof *cl) : NULL;
    if (cl == NULL) {
        static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: "
                                   "0\r\nConnection: close\r\n\r\n";
        (void)!write(fd, busy, sizeof busy - 1);
        close(fd);
        return;
    }
    cl->in_fd = cl->out_fd = fd;
    cl->kind = DC_HTTP;
    cl->since = cli_now_ms();
    d->clients[d->nclients++] = cl;
}

/* Writes a whole response. close: and shut the connection down. */
static void respond(struct dclient *cl, int status, const char *ctype, const char *extra,
                    const char *body, size_t blen, int close)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Cache-Control: no-store\r\n%sConnection: %s\r\n\r\n",
                     status, http_reason(status), ctype, blen, extra ? extra : "",
                     close ? "close" : "keep-alive");
    if (n > 0 && (size_t)n < sizeof head && daemon_write_all(cl, head, (size_t)n) == 0 && blen > 0)
        (void)daemon_write_all(cl, body, blen);
    if (close && !cl->dead) {
        shutdown(cl->out_fd, SHUT_WR);
        cl->kind = DC_CLOSING;
        cl->since = cli_now_ms();
    }
}

static void respond_error(struct dclient *cl, int status, const char *extra, const char *why)
{
    char body[256];
    int n = snprintf(body, sizeof body, "{\"error\":%d,\"message\":\"%s\"}\n", status, why);
    respond(cl, status, "application/json", extra, body, n > 0 ? (size_t)n : 0, 1);
}

static void serve_rpc(struct daemon *d, struct dclient *cl, const struct http_request *req)
{
    struct dclient cap = {.in_fd = -1, .out_fd = -1, .kind = DC_CAPTURE};
    char *body = malloc(req->content_length + 1);
    if (body == NULL) {
        respond_error(cl, 503, NULL, "out of memory");
        return;
    }
    memcpy(body, cl->buf + req->body_off, req->content_length);
    body[req->content_length] = 0;
    if (strlen(body) != req->content_length)
        rpc_error(&cap, NULL, RPC_PARSE_ERROR, "not JSON (a NUL byte)", NULL);
    else
        rpc_handle(d, &cap, body);
    free(body);
    if (cap.out_len == 0) /* a notification: JSON-RPC sends nothing back */
        respond(cl, 204, "application/json", NULL, "", 0, !req->keep_alive);
    else
        respond(cl, 200, "application/json", NULL, cap.out, cap.out_len, !req->keep_alive);
    free(cap.out);
}

static void serve_events(struct daemon *d, struct dclient *cl, const struct http_request *req)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                               "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
                               ": sotto events\n\n";
    char sub[SC_NAME_MAX + 1];
    int64_t cur;
    if (http_query_param(sub, sizeof sub, req->target, "subscriber") != 0 || !sc_name_valid(sub)) {
        respond_error(cl, 400, NULL, "give ?subscriber=NAME (a-z 0-9 . _ -)");
        return;
    }
    if (sc_store_cursor_get(d->c->store, &cur, sub) != SOTTO_OK) {
        respond_error(cl, 503, NULL, "cannot read the cursor");
        return;
    }
    /* An EventSource reconnecting says what it already got. */
    if (req->has_last_event_id && req->last_event_id > cur)
        cur = req->last_event_id;
    if (daemon_write_all(cl, head, sizeof head - 1) != 0)
        return;
    cl->kind = DC_SSE;
    cl->since = cli_now_ms();
    snprintf(cl->subscriber, sizeof cl->subscriber, "%s", sub);
    cl->sent_upto = cur;
    rpc_push_events(d, cl);
}

static int authorized(const struct daemon *d, const struct http_request *req)
{
    return !req->auth_too_long && http_token_ok(d, req->authorization);
}

static void unauthorized(struct dclient *cl)
{
    respond_error(cl, 401, "WWW-Authenticate: Bearer realm=\"sotto\"\r\n",
                  "a valid Authorization: Bearer TOKEN is required");
}

static void route(struct daemon *d, struct dclient *cl, const struct http_request *req)
{
    if (!authorized(d, req)) {
        unauthorized(cl);
        return;
    }
    if (http_path_is(req->target, "/api/v1/rpc")) {
        if (req->method == HTTP_POST)
            serve_rpc(d, cl, req);
        else
            respond_error(cl, 405, "Allow: POST\r\n", "use POST");
    } else if (http_path_is(req->target, "/api/v1/events")) {
        if (req->method == HTTP_GET)
            serve_events(d, cl, req);
        else
            respond_error(cl, 405, "Allow: GET\r\n", "use GET");
    } else {
        respond_error(cl, 404, NULL, "no such endpoint");
    }
}

/* Appends what the socket has to cl->buf (bounded); 1 data, 0 none, -1 EOF. */
static int fill(struct dclient *cl, size_t max)
{
    char chunk[8192];
    ssize_t n = read(cl->in_fd, chunk, sizeof chunk);
    char *g;
    if (n < 0 && errno == EINTR)
        return 0;
    if (n <= 0)
        return -1;
    if (cl->kind != DC_HTTP)
        return 1; /* streaming or closing: input is read and dropped */
    if (cl->len + (size_t)n > max)
        n = (ssize_t)(max - cl->len); /* the parser refuses it below */
    g = realloc(cl->buf, cl->len + (size_t)n + 1);
    if (g == NULL)
        return -1;
    memcpy(g + cl->len, chunk, (size_t)n);
    cl->buf = g;
    cl->len += (size_t)n;
    return 1;
}

int http_client_read(struct daemon *d, struct dclient *cl)
{
    const size_t max = HTTP_HEAD_MAX + DAEMON_LINE_MAX;
    struct http_request req;
    size_t used;
    int r = fill(cl, max);
    if (r < 0)
        return -1;
    while (cl->kind == DC_HTTP && cl->len > 0 && !cl->dead) {
        enum http_result pr = http_parse(&req, (const uint8_t *)cl->buf, cl->len, DAEMON_LINE_MAX);
        if (pr == HTTP_NEED_MORE && req.body_off > 0 && !authorized(d, &req)) {
            unauthorized(cl); /* before reading a body for a stranger */
            break;
        }
        if (pr == HTTP_NEED_MORE && req.body_off > 0 && req.expect_continue && !cl->continued) {
            static const char go[] = "HTTP/1.1 100 Continue\r\n\r\n";
            cl->continued = 1; /* RFC 9110 10.1.1: the client waits for this */
            (void)daemon_write_all(cl, go, sizeof go - 1);
        }
        if (pr == HTTP_NEED_MORE)
            break;
        if (pr == HTTP_ERROR) {
            respond_error(cl, req.status, NULL, http_reason(req.status));
            break;
        }
        route(d, cl, &req);
        cl->since = cli_now_ms(); /* the next request has its own 30 s */
        cl->continued = 0;
        used = req.consumed;
        /* The request held the token: wipe it before the bytes move. */
        st_wipe(cl->buf, used);
        memmove(cl->buf, cl->buf + used, cl->len - used);
        cl->len -= used;
    }
    st_wipe(&req, sizeof req); /* it may hold the token */
    return cl->dead ? -1 : 0;
}

int http_client_tick(struct daemon *d, struct dclient *cl, int64_t now)
{
    (void)d;
    switch (cl->kind) {
    case DC_HTTP:
        if (now - cl->since < DAEMON_HTTP_IDLE_MS)
            return 0;
        if (cl->len > 0)
            respond_error(cl, 408, NULL, "the request took too long");
        return -1;
    case DC_CLOSING:
        return now - cl->since < DAEMON_HTTP_LINGER_MS ? 0 : -1;
    case DC_SSE:
        if (now - cl->since >= DAEMON_SSE_KEEPALIVE_MS) {
            cl->since = now;
            if (daemon_write_all(cl, ": keep-alive\n\n", 14) != 0)
                return -1;
        }
        return 0;
    default:
        return 0;
    }
}
