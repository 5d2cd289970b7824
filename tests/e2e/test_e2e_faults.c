/*
 * Storage failures: sottod runs with every 7th write statement failing
 * (SOTTOD_TEST_FAIL_EVERY, as if the disk had). Requests hit by a failure
 * are answered INTERNAL and change nothing; the client retries them. The
 * server keeps serving, every send it acked is delivered, a failed ack only
 * means a redelivery, and it still shuts down cleanly.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

enum { MESSAGES = 200, TRIES = 40 };

static struct tsrv srv;
static int internal; /* INTERNAL answers seen */

/* out = expr, retried while the answer is INTERNAL. */
#define RETRY(out, expr)                                                                           \
    do {                                                                                           \
        for (int t_ = 0; t_ < TRIES; t_++) {                                                       \
            (out) = (expr);                                                                        \
            if ((out) != ST(INTERNAL)) {                                                           \
                break;                                                                             \
            }                                                                                      \
            internal++;                                                                            \
        }                                                                                          \
    } while (0)

static void guid_of(uint8_t g[16], int i)
{
    memset(g, 0x5A, 16);
    g[0] = (uint8_t)(i >> 8);
    g[1] = (uint8_t)i;
}

/* Drains bob's queue, acking one by one; counts deliveries per message. */
static void drain(const struct tuser *bob, int *got)
{
    struct tc c;
    int empty = 0, st;

    CHECK(tc_connect(&c, &srv, &bob->dev[0]) == ST(OK));
    while (!empty) {
        Sotto__Server__Frame *f = tc_push(&c, 3000);
        if (f == NULL) {
            break;
        }
        if (f->push->body_case == SOTTO__SERVER__PUSH__BODY_QUEUE_EMPTY) {
            empty = 1;
        } else if (f->push->body_case == SOTTO__SERVER__PUSH__BODY_ENVELOPE &&
                   f->push->envelope->guid.len == 16) {
            uint8_t g[16];
            int i = f->push->envelope->guid.data[0] << 8 | f->push->envelope->guid.data[1];
            memcpy(g, f->push->envelope->guid.data, 16);
            if (i >= 0 && i < MESSAGES) {
                got[i]++;
            }
            RETRY(st, tu_ack(&c, (const uint8_t(*)[16])g, 1));
            CHECK(st == ST(OK));
        }
        tc_free(f);
    }
    CHECK(empty);
    tc_close(&c);
}

int main(void)
{
    struct tuser alice, bob;
    struct tc a;
    int got[MESSAGES] = {0}, missing = 0, acked = 0, st;
    uint32_t dev = 1, reg;

    t_init();
    setenv("SOTTOD_TEST_FAIL_EVERY", "7", 1);
    if (ts_start(&srv) != 0) {
        return 1;
    }
    unsetenv("SOTTOD_TEST_FAIL_EVERY");
    tu_init(&alice, "alice", 1);
    tu_init(&bob, "bob", 1);
    reg = bob.dev[0].regid;
    CHECK(tc_connect(&a, &srv, &bob.dev[0]) == ST(OK));
    RETRY(st, tu_register(&a, &bob, 1));
    CHECK(st == ST(OK));
    tc_close(&a);
    CHECK(tc_connect(&a, &srv, &alice.dev[0]) == ST(OK));
    RETRY(st, tu_register(&a, &alice, 1));
    CHECK(st == ST(OK));
    RETRY(st, tu_upload(&a, 1, 1, 0, 0)); /* 4 writes: under the period of 7 */
    CHECK(st == ST(OK));
    for (int i = 0; i < MESSAGES; i++) {
        uint8_t g[16];
        guid_of(g, i);
        RETRY(st, tu_send(&a, "bob", g, &dev, &reg, 1, "ciphertext"));
        acked += st == ST(OK);
    }
    CHECK(acked == MESSAGES);
    drain(&bob, got);
    for (int i = 0; i < MESSAGES; i++) {
        missing += got[i] == 0;
    }
    printf("faults: %d INTERNAL answers retried, %d/%d delivered\n", internal, MESSAGES - missing,
           MESSAGES);
    CHECK(internal > 20);
    CHECK(missing == 0);
    /* acked envelopes are gone: a fresh connection finds the queue empty */
    memset(got, 0, sizeof(got));
    drain(&bob, got);
    for (int i = 0; i < MESSAGES; i++) {
        CHECK(got[i] == 0);
    }
    tc_close(&a);
    CHECK(kill(srv.pid, 0) == 0);
    CHECK(ts_stop(&srv) == 0);
    ts_cleanup(&srv);
    return t_done();
}
