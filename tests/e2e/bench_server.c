/*
 * sottod throughput and latency on loopback (not a test; run by hand:
 * build/tests/e2e/bench_server [messages]). One sender pipelines sends to a
 * one-device recipient that is offline, then the recipient drains its queue
 * with batched acks. Prints sends/s at window 1 and 64, per-send latency
 * percentiles, envelopes delivered/s and sends per group commit.
 *
 * build/tests/e2e/bench_server drain [N [BATCH]] instead fills the offline
 * recipient's queue with N envelopes (default 100000, window-64 sender),
 * then times the drain from connect (handshake + Hello included) to the
 * answer of the last ack. Acks carry BATCH guids (default 32) and are
 * pipelined: the client does not wait for an ack's answer before reading
 * on, so the server's push window (64 unacked) is the only throttle.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

static struct tsrv srv;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* n sends with `window` in flight; fills lat[] (ms); returns elapsed ms. */
static double run_sends(struct tc *c, uint32_t regid, int n, int window, int base, double *lat)
{
    uint64_t ids[256];
    double sent_at[256];
    double t0 = now_ms();
    uint32_t dev = 1;

    for (int i = 0; i < n; i += window) {
        int k = i + window <= n ? window : n - i;
        for (int j = 0; j < k; j++) {
            Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
            Sotto__Server__Send s = SOTTO__SERVER__SEND__INIT;
            Sotto__Server__OutEnvelope env = SOTTO__SERVER__OUT_ENVELOPE__INIT, *ep = &env;
            static uint8_t content[200];
            uint8_t guid[16] = {0};
            int m = base + i + j;
            memcpy(guid, &m, sizeof(m));
            env.device_id = dev;
            env.registration_id = regid;
            env.content = (ProtobufCBinaryData){sizeof(content), content};
            s.username = "bob";
            s.guid = (ProtobufCBinaryData){16, guid};
            s.n_envelopes = 1;
            s.envelopes = &ep;
            rq.body_case = SOTTO__SERVER__REQUEST__BODY_SEND;
            rq.send = &s;
            sent_at[j] = now_ms();
            ids[j] = tc_send_req(c, &rq);
        }
        for (int j = 0; j < k; j++) {
            Sotto__Server__Frame *f = tc_wait(c, ids[j], 10000);
            if (f == NULL || f->response->status != ST(OK)) {
                fprintf(stderr, "send failed\n");
                exit(1);
            }
            lat[i + j] = now_ms() - sent_at[j];
            tc_free(f);
        }
    }
    return now_ms() - t0;
}

static void report(const char *label, int n, double ms, double *lat)
{
    qsort(lat, (size_t)n, sizeof(double), cmp);
    printf("%-22s %7.0f sends/s   latency p50 %6.2f ms  p99 %6.2f ms\n", label, n / ms * 1e3,
           lat[n / 2], lat[n * 99 / 100]);
}

/* Sends an Ack without waiting for its answer; 0 or -1. */
static int tu_ack_send(struct tc *c, uint8_t (*guids)[16], size_t n)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Ack a = SOTTO__SERVER__ACK__INIT;
    ProtobufCBinaryData g[1000];

    for (size_t i = 0; i < n; i++) {
        g[i] = (ProtobufCBinaryData){16, guids[i]};
    }
    a.n_guids = n;
    a.guids = g;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ACK;
    rq.ack = &a;
    return tc_send_req(c, &rq) != 0 ? 0 : -1;
}

/* Pipelined drain of n envelopes; returns ms from connect to the last ack
 * answer, or -1. */
static double drain(struct tc *b, const struct tuser *bob, int n, size_t batch, double *first_ms)
{
    uint8_t(*guids)[16] = calloc(1000, 16);
    size_t k = 0;
    int pushed = 0, acked = 0, acks_out = 0;
    double t0 = now_ms();

    *first_ms = -1;
    if (guids == NULL || batch < 1 || batch > 1000 || tc_connect(b, &srv, &bob->dev[0]) != ST(OK)) {
        free(guids);
        return -1;
    }
    while (acked < n || acks_out > 0) {
        struct pollfd pf = {.fd = b->fd, .events = POLLIN};
        int ready = poll(&pf, 1, 0) > 0;
        Sotto__Server__Frame *f;
        if (!ready && k > 0) { /* nothing more to read now: ack what we have */
            if (tu_ack_send(b, guids, k) != 0) {
                break;
            }
            acks_out++;
            acked += (int)k;
            k = 0;
            continue;
        }
        f = tc_read(b, 5000); /* whole frames: the server writes them at once */
        if (f == NULL) {
            fprintf(stderr, "drain stalled: %d pushed, %d acked, %d acks unanswered\n", pushed,
                    acked, acks_out);
            break;
        }
        if (f->kind_case == SOTTO__SERVER__FRAME__KIND_RESPONSE) {
            if (f->response->status != ST(OK)) {
                fprintf(stderr, "ack failed\n");
                tc_free(f);
                break;
            }
            acks_out--;
        } else if (f->kind_case == SOTTO__SERVER__FRAME__KIND_PUSH &&
                   f->push->body_case == SOTTO__SERVER__PUSH__BODY_ENVELOPE) {
            if (pushed++ == 0) {
                *first_ms = now_ms() - t0;
            }
            memcpy(guids[k++], f->push->envelope->guid.data, 16);
            if (k == batch) {
                if (tu_ack_send(b, guids, k) != 0) {
                    tc_free(f);
                    break;
                }
                acks_out++;
                acked += (int)k;
                k = 0;
            }
        }
        tc_free(f);
    }
    free(guids);
    return acked == n && acks_out == 0 ? now_ms() - t0 : -1;
}

static int drain_main(int n, size_t batch)
{
    struct tuser alice, bob;
    struct tc a, b;
    double *lat = calloc((size_t)n, sizeof(double)), ms, first;
    static char cap[64];

    snprintf(cap, sizeof(cap), "limits.queue_cap=%d", n + 1000);
    srv.opts[0] = "-o";
    srv.opts[1] = "limits.send_burst=1000000";
    srv.opts[2] = "-o";
    srv.opts[3] = cap;
    srv.opts[4] = "--log-level";
    srv.opts[5] = "warn";
    if (lat == NULL || ts_start(&srv) != 0) {
        return 1;
    }
    tu_init(&alice, "alice", 1);
    tu_init(&bob, "bob", 1);
    if (tc_connect(&b, &srv, &bob.dev[0]) != ST(OK) || tu_register(&b, &bob, 1) != ST(OK) ||
        tc_connect(&a, &srv, &alice.dev[0]) != ST(OK) || tu_register(&a, &alice, 1) != ST(OK)) {
        return 1;
    }
    tc_close(&b);
    ms = run_sends(&a, bob.dev[0].regid, n, 64, 0, lat);
    report("fill, window 64", n, ms, lat);
    tc_close(&a);
    sleep(1);
    ms = drain(&b, &bob, n, batch, &first);
    if (ms < 0) {
        printf("drain failed\n");
    } else {
        printf("%-22s %7.0f envelopes/s (%d in %.0f ms from connect to the last ack answer; "
               "first push after %.1f ms; acks of %zu)\n",
               "drain", n / ms * 1e3, n, ms, first, batch);
    }
    tc_close(&b);
    ts_stop(&srv);
    ts_cleanup(&srv);
    free(lat);
    return ms < 0;
}

int main(int argc, char **argv)
{
    int n, got = 0;
    struct tuser alice, bob;
    struct tc a, b;
    double *lat, ms, t0;
    uint8_t(*guids)[16] = calloc(256, 16);

    t_init();
    if (argc > 1 && strcmp(argv[1], "drain") == 0) {
        return drain_main(argc > 2 ? atoi(argv[2]) : 100000, argc > 3 ? (size_t)atoi(argv[3]) : 32);
    }
    n = argc > 1 ? atoi(argv[1]) : 5000;
    lat = calloc((size_t)n, sizeof(double));
    srv.opts[0] = "-o";
    srv.opts[1] = "limits.send_burst=1000000";
    srv.opts[2] = "--log-level";
    srv.opts[3] = "warn";
    if (ts_start(&srv) != 0) {
        return 1;
    }
    tu_init(&alice, "alice", 1);
    tu_init(&bob, "bob", 1);
    if (tc_connect(&b, &srv, &bob.dev[0]) != ST(OK) || tu_register(&b, &bob, 1) != ST(OK) ||
        tc_connect(&a, &srv, &alice.dev[0]) != ST(OK) || tu_register(&a, &alice, 1) != ST(OK)) {
        return 1;
    }
    tc_close(&b);
    ms = run_sends(&a, bob.dev[0].regid, n / 10, 1, 0, lat);
    report("window 1", n / 10, ms, lat);
    ms = run_sends(&a, bob.dev[0].regid, n, 64, n, lat);
    report("window 64", n, ms, lat);
    /* drain: bob connects, acks in batches */
    CHECK(tc_connect(&b, &srv, &bob.dev[0]) == ST(OK));
    t0 = now_ms();
    while (got < n + n / 10) {
        size_t k = 0;
        Sotto__Server__Frame *f;
        while (k < 64 && (f = tc_push_msg(&b, k == 0 ? 5000 : 0)) != NULL) {
            if (f->push->body_case == SOTTO__SERVER__PUSH__BODY_ENVELOPE) {
                memcpy(guids[k++], f->push->envelope->guid.data, 16);
            }
            tc_free(f);
        }
        if (k == 0 || tu_ack(&b, (const uint8_t(*)[16])guids, k) != ST(OK)) {
            break;
        }
        got += (int)k;
    }
    ms = now_ms() - t0;
    printf("%-22s %7.0f envelopes/s (%d pushed and acked)\n", "delivery", got / ms * 1e3, got);
    {
        char cmd[300];
        snprintf(cmd, sizeof(cmd),
                 "curl -s localhost:%d/metrics | grep -E '^sotto_(commit_batches|sends)_total'",
                 srv.http_port);
        if (system(cmd) != 0) {
            printf("(curl not available for metrics)\n");
        }
    }
    tc_close(&a);
    tc_close(&b);
    ts_stop(&srv);
    ts_cleanup(&srv);
    free(lat);
    free(guids);
    return 0;
}
