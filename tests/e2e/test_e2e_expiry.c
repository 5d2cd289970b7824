/*
 * Time limits: queued envelopes past message_ttl are never delivered, and a
 * registered device silent for longer than idle_timeout_ms is disconnected
 * while one that pings stays.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

/* the shipped INI (every default spelled out) under the test's overrides */
static struct tsrv srv = {.opts = {"-c", SOTTO_SOURCE_DIR "/packaging/sottod.ini", "-o",
                                   "limits.message_ttl=1", "-o", "limits.idle_timeout_ms=1000",
                                   "-o", "limits.link_timeout_ms=500", NULL}};

/* A bad setting is refused at start with a message naming it. */
static void test_bad_config(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "%s -o limits.queue_cap=0 fingerprint 2>&1 | grep -q queue_cap",
             SOTTOD_PATH);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof(cmd), "%s -o server.nonsense=1 fingerprint >/dev/null 2>&1", SOTTOD_PATH);
    CHECK(system(cmd) != 0);
}

static int ping(struct tc *c)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Ping p = SOTTO__SERVER__PING__INIT;
    Sotto__Server__Frame *f;
    int st;

    rq.body_case = SOTTO__SERVER__REQUEST__BODY_PING;
    rq.ping = &p;
    f = tc_call(c, &rq);
    st = f != NULL ? (int)f->response->status : -1;
    tc_free(f);
    return st;
}

int main(void)
{
    struct tuser alice, bob;
    struct tc a, b;
    Sotto__Server__Frame *f;
    uint8_t guid[16];
    uint32_t dev = 1, reg;

    t_init();
    test_bad_config();
    if (ts_start(&srv) != 0) {
        return 1;
    }
    tu_init(&alice, "alice", 1);
    tu_init(&bob, "bob", 1);
    reg = alice.dev[0].regid;
    CHECK(tc_connect(&a, &srv, &alice.dev[0]) == ST(OK));
    CHECK(tu_register(&a, &alice, 1) == ST(OK));
    tc_close(&a);
    CHECK(tc_connect(&b, &srv, &bob.dev[0]) == ST(OK));
    CHECK(tu_register(&b, &bob, 1) == ST(OK));
    st_random_bytes(guid, 16);
    CHECK(tu_send(&b, "alice", guid, &dev, &reg, 1, "soon stale") == ST(OK));
    /* keep bob alive with pings across more than one idle timeout */
    for (int i = 0; i < 7; i++) {
        usleep(250000);
        CHECK(ping(&b) == ST(OK));
    }
    /* 1.75 s later the envelope is past its 1 s lifetime */
    CHECK(tc_connect(&a, &srv, &alice.dev[0]) == ST(OK));
    f = tc_push(&a, 2000);
    CHECK(f != NULL && f->push->body_case == SOTTO__SERVER__PUSH__BODY_QUEUE_EMPTY);
    tc_free(f);
    /* alice stays silent: the server closes her connection */
    f = tc_read(&a, 3000);
    CHECK(f == NULL && a.dead);
    tc_free(f);
    tc_close(&a);
    tc_close(&b);
    /* an unregistered device waiting to be linked is closed after link_timeout */
    {
        struct tuser lone;
        tu_init(&lone, "lone", 1);
        CHECK(tc_connect(&a, &srv, &lone.dev[0]) == ST(OK));
        f = tc_read(&a, 3000);
        while (f != NULL) { /* no pushes expected, but skip any */
            tc_free(f);
            f = tc_read(&a, 3000);
        }
        CHECK(a.dead);
        tc_close(&a);
    }
    CHECK(ts_stop(&srv) == 0);
    ts_cleanup(&srv);
    return t_done();
}
