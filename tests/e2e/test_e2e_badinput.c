/*
 * Bad input at a real sottod, from unauthenticated and authenticated peers:
 * zero-length, garbage, oversized and truncated frames, slow peers, broken
 * fragments, undecodable protobuf, wrong field sizes. Each gets a clear
 * error or a closed connection, and a good client keeps being served.
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

static struct tsrv srv = {.opts = {"-o", "limits.handshake_timeout_ms=400", NULL}};
static struct tuser good;
static struct tc keeper; /* a registered device connected all along */

/* 1 if the server closed fd within ms (EOF or reset), draining any bytes. */
static int closed_within(int fd, int ms)
{
    char buf[4096];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;
        if (poll(&p, 1, ms) <= 0) {
            return 0;
        }
        n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) {
            return 1;
        }
    }
}

static void still_serving(const char *after)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Ping ping = SOTTO__SERVER__PING__INIT;
    Sotto__Server__Frame *f;
    int ok;

    rq.body_case = SOTTO__SERVER__REQUEST__BODY_PING;
    rq.ping = &ping;
    f = tc_call(&keeper, &rq);
    ok = f != NULL && f->response->status == ST(OK) && kill(srv.pid, 0) == 0;
    if (!ok) {
        fprintf(stderr, "server stopped serving after: %s\n", after);
    }
    CHECK(ok);
    tc_free(f);
}

static void raw_case(const char *name, const uint8_t *bytes, size_t len, int expect_close_ms)
{
    int fd = tc_tcp(srv.port);
    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    if (len > 0) {
        CHECK(tc_write_raw(fd, bytes, len) == 0);
    }
    if (!closed_within(fd, expect_close_ms)) {
        fprintf(stderr, "case %s: connection not closed\n", name);
        t_failed++;
    }
    close(fd);
    still_serving(name);
}

static void unauthenticated_raw(void)
{
    static uint8_t big[3 + 100] = {0xFF, 0xFF, 1};
    uint8_t garbage[52] = {0, 50, 1};

    st_random_bytes(garbage + 3, sizeof(garbage) - 3);
    raw_case("zero-length frame", (const uint8_t *)"\0\0", 2, 2000);
    raw_case("garbage handshake", garbage, sizeof(garbage), 2000);
    garbage[2] = 9;
    raw_case("unknown pattern byte", garbage, sizeof(garbage), 2000);
    raw_case("oversized frame, truncated", big, sizeof(big), 2000); /* handshake timeout */
    raw_case("silent peer", NULL, 0, 2000);
    raw_case("half a length header", (const uint8_t *)"\x01", 1, 2000);
}

/* Next response (pushes such as QueueEmpty after Hello are skipped). */
static Sotto__Server__Frame *next_non_push(struct tc *c)
{
    for (;;) {
        Sotto__Server__Frame *f = tc_read(c, 2000);
        if (f == NULL || f->kind_case != SOTTO__SERVER__FRAME__KIND_PUSH) {
            return f;
        }
        tc_free(f);
    }
}

/* A Noise session from a fresh (unregistered) or the good device. */
static void session_case(const char *name, const struct tdev *d, int hello,
                         void (*send)(struct tc *), int want_status)
{
    struct tc c;
    Sotto__Server__Frame *f;

    if (hello) {
        CHECK(tc_connect(&c, &srv, d) == ST(OK));
    } else {
        CHECK(tc_open(&c, &srv, d) == 0);
    }
    send(&c);
    if (want_status >= 0) {
        f = next_non_push(&c);
        CHECK(f != NULL && f->kind_case == SOTTO__SERVER__FRAME__KIND_RESPONSE &&
              (int)f->response->status == want_status);
        tc_free(f);
    }
    f = next_non_push(&c);
    if (f != NULL || !c.dead) {
        fprintf(stderr, "case %s: connection not closed\n", name);
        t_failed++;
    }
    tc_free(f);
    tc_close(&c);
    still_serving(name);
}

static void send_garbage(struct tc *c)
{
    uint8_t junk[300];
    st_random_bytes(junk, sizeof(junk));
    junk[0] = 0xFF; /* invalid protobuf tag */
    tc_write_msg(c, junk, sizeof(junk), 0);
}

static void send_truncated(struct tc *c)
{
    /* a Frame whose request field claims 200 bytes and brings 3 */
    static const uint8_t msg[] = {0x0a, 0xc8, 0x01, 0x08, 0x01, 0x12};
    tc_write_msg(c, msg, sizeof(msg), 0);
}

static void send_huge(struct tc *c)
{
    static uint8_t chunk[60000];
    /* 2 MiB in "more follows" fragments: over every message limit */
    for (int i = 0; i < 35 && !c->dead; i++) {
        tc_write_msg(c, chunk, sizeof(chunk), 1);
    }
}

static void send_bad_flag(struct tc *c)
{
    tc_write_frag_flag(c, 7);
}

static void send_bad_mac(struct tc *c)
{
    uint8_t frame[2 + 40] = {0, 40};
    st_random_bytes(frame + 2, 40);
    tc_write_raw(c->fd, frame, sizeof(frame));
}

static void authenticated(void)
{
    struct tc c;
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Send s = SOTTO__SERVER__SEND__INIT;
    Sotto__Server__Frame *f;
    uint8_t short_guid[15] = {0};

    /* wrong field sizes: clear error, the connection stays usable */
    CHECK(tc_connect(&c, &srv, &good.dev[0]) == ST(OK));
    s.username = "good";
    s.guid = (ProtobufCBinaryData){sizeof(short_guid), short_guid};
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_SEND;
    rq.send = &s;
    f = tc_call(&c, &rq);
    CHECK(f != NULL && f->response->status == ST(BAD_REQUEST) && strlen(f->response->message) > 10);
    tc_free(f);
    CHECK(tu_upload(&c, 1, 201, 0, 0) == ST(BAD_REQUEST)); /* batch too large */
    CHECK(tu_upload(&c, 1, 2, 0, 0) == ST(OK));
    tc_close(&c);
    session_case("auth garbage protobuf", &good.dev[0], 1, send_garbage, ST(BAD_REQUEST));
    session_case("auth truncated protobuf", &good.dev[0], 1, send_truncated, ST(BAD_REQUEST));
    session_case("auth oversized message", &good.dev[0], 1, send_huge, -1);
    session_case("auth bad fragment flag", &good.dev[0], 1, send_bad_flag, -1);
    session_case("auth bad MAC", &good.dev[0], 1, send_bad_mac, -1);
}

static void unauthenticated_sessions(void)
{
    struct tuser u;
    tu_init(&u, "stranger", 1);
    session_case("garbage protobuf", &u.dev[0], 0, send_garbage, ST(BAD_REQUEST));
    session_case("oversized message (unregistered)", &u.dev[0], 1, send_huge, -1);
    session_case("bad MAC (unregistered)", &u.dev[0], 0, send_bad_mac, -1);
}

/* GET path on the HTTP port; the response (headers and body) into out. */
static int http_get(const char *path, char *out, size_t cap)
{
    char req[128];
    size_t n = 0;
    int fd = tc_tcp(srv.http_port);
    ssize_t r;

    if (fd < 0) {
        return -1;
    }
    snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
    tc_write_raw(fd, req, strlen(req));
    while (n + 1 < cap && (r = recv(fd, out + n, cap - 1 - n, 0)) > 0) {
        n += (size_t)r;
    }
    out[n] = '\0';
    close(fd);
    return 0;
}

static void test_metrics(void)
{
    static char out[16384];
    const char *p;

    CHECK(http_get("/healthz", out, sizeof(out)) == 0 && strstr(out, "200 OK") != NULL);
    CHECK(http_get("/metrics", out, sizeof(out)) == 0);
    p = strstr(out, "\nsotto_bad_frames_total ");
    CHECK(p != NULL && strtol(p + 24, NULL, 10) >= 5);
    CHECK(strstr(out, "\nsotto_handshakes_failed_total ") != NULL);
    CHECK(strstr(out, "\nsotto_accounts 1") != NULL);
    CHECK(http_get("/nope", out, sizeof(out)) == 0 && strstr(out, "404") != NULL);
}

int main(void)
{
    t_init();
    if (ts_start(&srv) != 0) {
        return 1;
    }
    tu_init(&good, "good", 1);
    CHECK(tc_connect(&keeper, &srv, &good.dev[0]) == ST(OK));
    CHECK(tu_register(&keeper, &good, 1) == ST(OK));
    unauthenticated_raw();
    unauthenticated_sessions();
    authenticated();
    test_metrics();
    tc_close(&keeper);
    CHECK(ts_stop(&srv) == 0);
    ts_cleanup(&srv);
    return t_done();
}
