/*
 * sottod resident memory per idle authenticated connection (not a test; run
 * by hand: build/tests/e2e/bench_idle [connections]). Starts sottod on
 * loopback, registers one account with one device, then opens N
 * connections from 127.0.0.1..127.0.0.8 (bound before connect, so the
 * ephemeral ports of one source address are not exhausted), each doing
 * the Noise XX handshake with that device's key and a Hello (the server
 * allows several connections per device). A single non-blocking epoll loop
 * keeps at most WINDOW handshakes in flight. Prints sottod's VmRSS before,
 * with all N connections idle, and (after - before) / N.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "frame.h"
#include "sdlimits.h"
#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

enum { WINDOW = 256, NSRC = 8, INBUF = 2048 };
enum { S_CONNECTING = 0, S_HANDSHAKE, S_HELLO, S_DONE, S_FAILED };

struct lconn {
    int fd;
    int state;
    struct sd_chan *chan;
    uint8_t *in; /* INBUF bytes while active */
    size_t have;
};

static struct tsrv srv;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long vmrss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
        }
    }
    fclose(f);
    return kib;
}

static int send_frame(int fd, const uint8_t *p, size_t len)
{
    uint8_t buf[2 + 1024];
    if (len > 1024) {
        return -1;
    }
    sd_frame_header(buf, len);
    memcpy(buf + 2, p, len);
    /* a fresh socket's buffer always takes a frame this small at once */
    return send(fd, buf, len + 2, MSG_NOSIGNAL) == (ssize_t)(len + 2) ? 0 : -1;
}

static int send_hello(struct lconn *c)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Hello h = SOTTO__SERVER__HELLO__INIT;
    Sotto__Server__Frame f = SOTTO__SERVER__FRAME__INIT;
    uint8_t pt[512], ct[512 + SD_NOISE_TAG];
    size_t len, clen = 0;

    h.min_version = 1;
    h.max_version = 1;
    h.agent = "bench-idle";
    rq.id = 1;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_HELLO;
    rq.hello = &h;
    f.kind_case = SOTTO__SERVER__FRAME__KIND_REQUEST;
    f.request = &rq;
    len = sotto__server__frame__get_packed_size(&f);
    if (len + 1 > sizeof(pt)) {
        return -1;
    }
    pt[0] = 0;
    sotto__server__frame__pack(&f, pt + 1);
    if (sd_chan_encrypt(c->chan, ct, &clen, pt, len + 1) != SD_CHAN_OK) {
        return -1;
    }
    return send_frame(c->fd, ct, clen);
}

/* One complete frame from the server; 1 = Hello done, 0 = go on, -1 = fail. */
static int on_frame(struct lconn *c, const uint8_t *p, size_t len)
{
    static uint8_t out[SD_FRAME_MAX];
    uint8_t pt[INBUF];
    size_t outlen = 0, ptlen = 0;
    int done = 0;

    if (c->state == S_HANDSHAKE) {
        if (sd_chan_step(c->chan, out, &outlen, p, len, &done) != SD_CHAN_OK ||
            (outlen > 0 && send_frame(c->fd, out, outlen) != 0)) {
            return -1;
        }
        if (done) {
            c->state = S_HELLO;
            return send_hello(c) == 0 ? 0 : -1;
        }
        return 0;
    }
    if (len > sizeof(pt) || sd_chan_decrypt(c->chan, pt, &ptlen, p, len) != SD_CHAN_OK ||
        ptlen < 1 || pt[0] != 0) {
        return -1;
    }
    {
        Sotto__Server__Frame *f = sotto__server__frame__unpack(NULL, ptlen - 1, pt + 1);
        int rc = 0;
        if (f == NULL) {
            return -1;
        }
        if (f->kind_case == SOTTO__SERVER__FRAME__KIND_RESPONSE) {
            rc = f->response->status == ST(OK) && f->response->hello != NULL &&
                         f->response->hello->registered
                     ? 1
                     : -1;
        }
        sotto__server__frame__free_unpacked(f, NULL);
        return rc;
    }
}

/* Reads what is there; returns 1 when the Hello answer came, -1 on failure. */
static int on_readable(struct lconn *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->in + c->have, INBUF - c->have, 0);
        size_t off = 0;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return 0;
        }
        if (n <= 0) {
            return -1;
        }
        c->have += (size_t)n;
        while (c->have - off >= 2) {
            size_t flen = (size_t)c->in[off] << 8 | c->in[off + 1];
            int rc;
            if (flen + 2 > INBUF) {
                return -1;
            }
            if (c->have - off < flen + 2) {
                break;
            }
            rc = on_frame(c, c->in + off + 2, flen);
            off += flen + 2;
            if (rc != 0) {
                return rc;
            }
        }
        memmove(c->in, c->in + off, c->have - off);
        c->have -= off;
    }
}

static int start_conn(struct lconn *c, int ep, size_t i, const struct tdev *d)
{
    struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
    struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = i};
    int one = 1;

    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)(i % NSRC));
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    dst.sin_port = htons((uint16_t)srv.port);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        perror("socket");
        return -1;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    if (bind(c->fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
        (connect(c->fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 && errno != EINPROGRESS)) {
        perror("bind/connect");
        return -1;
    }
    c->in = malloc(INBUF);
    c->have = 0;
    c->state = S_CONNECTING;
    if (c->in == NULL || sd_chan_connect(&c->chan, SD_CHAN_XX, d->priv, srv.key) != SD_CHAN_OK) {
        return -1;
    }
    return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void finish(struct lconn *c, int ep, int state)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    sd_chan_free(c->chan);
    c->chan = NULL;
    free(c->in);
    c->in = NULL;
    c->state = state;
    if (state == S_FAILED) {
        close(c->fd);
        c->fd = -1;
    }
}

/* Opens conns[0..n) and waits until each is idle after its Hello. */
static size_t open_all(struct lconn *conns, size_t n, const struct tdev *d, double *ms)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    size_t next = 0, active = 0, ok = 0, failed = 0;
    double t0 = now_ms(), last = t0;
    struct epoll_event evs[256];

    while (ok + failed < n) {
        while (active < WINDOW && next < n) {
            if (start_conn(&conns[next], ep, next, d) != 0) {
                *ms = now_ms() - t0;
                close(ep);
                return ok;
            }
            next++;
            active++;
        }
        int k = epoll_wait(ep, evs, 256, 1000);
        if (k == 0 && now_ms() - last > 15000) {
            fprintf(stderr, "stalled with %zu active\n", active);
            break;
        }
        for (int j = 0; j < k; j++) {
            struct lconn *c = &conns[evs[j].data.u64];
            int rc = 0;
            last = now_ms();
            if (c->state == S_CONNECTING) {
                static uint8_t out[SD_FRAME_MAX];
                size_t outlen = 0;
                int err = 0, done = 0;
                socklen_t sl = sizeof(err);
                struct epoll_event ev = {.events = EPOLLIN, .data.u64 = evs[j].data.u64};
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl);
                if (err != 0 || sd_chan_step(c->chan, out, &outlen, NULL, 0, &done) != SD_CHAN_OK ||
                    send_frame(c->fd, out, outlen) != 0 ||
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
                    rc = -1;
                } else {
                    c->state = S_HANDSHAKE;
                }
            } else {
                rc = on_readable(c);
            }
            if (rc != 0) {
                finish(c, ep, rc > 0 ? S_DONE : S_FAILED);
                active--;
                if (rc > 0) {
                    ok++;
                } else if (failed++ < 5) {
                    fprintf(stderr, "connection %zu failed\n", (size_t)evs[j].data.u64);
                }
            }
        }
    }
    *ms = now_ms() - t0;
    close(ep);
    if (failed > 0) {
        fprintf(stderr, "%zu connections failed\n", failed);
    }
    return ok;
}

static void raise_nofile(size_t n)
{
    struct rlimit rl = {.rlim_cur = (rlim_t)n + 1024, .rlim_max = (rlim_t)n + 1024};
    struct rlimit cur;
    getrlimit(RLIMIT_NOFILE, &cur);
    if (cur.rlim_cur >= rl.rlim_cur) {
        return;
    }
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) { /* the hard limit needs root */
        rl.rlim_cur = cur.rlim_max;
        rl.rlim_max = cur.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        fprintf(stderr,
                "RLIMIT_NOFILE stays at %llu (raising the hard limit needs CAP_SYS_RESOURCE)\n",
                (unsigned long long)cur.rlim_max);
    }
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000, ok, half;
    struct tuser alice;
    struct tc a;
    struct lconn *conns = calloc(n, sizeof(*conns));
    long before, mid, after, closed;
    double ms = 0, ms2 = 0;
    static char maxc[64];

    t_init();
    raise_nofile(n); /* sottod inherits it through fork/exec */
    snprintf(maxc, sizeof(maxc), "server.max_connections=%zu", n + 100);
    srv.opts[0] = "-o";
    srv.opts[1] = maxc;
    srv.opts[2] = "-o";
    srv.opts[3] = "limits.connect_per_sec=1000000";
    srv.opts[4] = "-o";
    srv.opts[5] = "limits.connect_burst=1000000";
    srv.opts[6] = "-o";
    srv.opts[7] = "limits.idle_timeout_ms=3600000";
    srv.opts[8] = "--log-level";
    srv.opts[9] = "warn";
    if (conns == NULL || ts_start(&srv) != 0) {
        fprintf(stderr, "sottod did not start\n");
        return 1;
    }
    tu_init(&alice, "alice", 1);
    if (tc_connect(&a, &srv, &alice.dev[0]) != ST(OK) || tu_register(&a, &alice, 1) != ST(OK)) {
        fprintf(stderr, "register failed\n");
        return 1;
    }
    tc_close(&a);
    usleep(200 * 1000);
    before = vmrss_kib(srv.pid);
    half = n / 2;
    ok = open_all(conns, half, &alice.dev[0], &ms);
    usleep(500 * 1000);
    mid = vmrss_kib(srv.pid);
    ok += open_all(conns + half, n - half, &alice.dev[0], &ms2);
    usleep(500 * 1000);
    after = vmrss_kib(srv.pid);
    printf("connections idle after Hello: %zu of %zu (%.0f handshakes/s)\n", ok, n,
           (double)ok / (ms + ms2) * 1e3);
    printf("sottod VmRSS: before %ld KiB, at %zu %ld KiB, at %zu %ld KiB\n", before, half, mid, n,
           after);
    printf("per idle connection: (after - before) / N = %.2f KiB; second half only %.2f KiB\n",
           (double)(after - before) / (double)ok,
           (double)(after - mid) / (double)(n - half > 0 ? n - half : 1));
    for (size_t i = 0; i < n; i++) {
        if (conns[i].fd >= 0 && conns[i].state == S_DONE) {
            close(conns[i].fd);
        }
    }
    sleep(2);
    closed = vmrss_kib(srv.pid);
    printf("sottod VmRSS 2 s after closing them all: %ld KiB\n", closed);
    ts_stop(&srv);
    ts_cleanup(&srv);
    free(conns);
    return ok == n ? 0 : 1;
}
