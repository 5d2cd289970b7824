/*
 * Concurrent bundle fetches: six client processes, released together, fetch
 * one account's bundle more often than it has one-time prekeys. Every
 * one-time key must be handed out exactly once, the rest get none (and the
 * last-resort Kyber key), and the owner hears that its keys ran low.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

enum { CHILDREN = 6, FETCHES = 30, KEYS = 150 };

static struct tsrv srv;

static uint32_t fetch_one(struct tc *c)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__FetchBundle fb = SOTTO__SERVER__FETCH_BUNDLE__INIT;
    Sotto__Server__Frame *f;
    uint32_t id = 0xFFFFFFFFu; /* error marker */

    fb.username = "alice";
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_FETCH_BUNDLE;
    rq.fetch_bundle = &fb;
    f = tc_call(c, &rq);
    if (f != NULL && f->response->status == ST(OK) && f->response->bundle != NULL &&
        f->response->bundle->n_devices == 1) {
        Sotto__Server__DeviceBundle *d = f->response->bundle->devices[0];
        id = d->one_time != NULL ? d->one_time->key_id : 0;
        if (d->kyber == NULL) {
            id = 0xFFFFFFFFu;
        }
    }
    tc_free(f);
    return id;
}

static void child(int n, int go, int out)
{
    struct tuser u;
    struct tc c;
    char name[16], b;
    uint32_t ids[FETCHES];

    snprintf(name, sizeof(name), "fetcher%d", n);
    tu_init(&u, name, 1);
    if (tc_connect(&c, &srv, &u.dev[0]) != ST(OK) || tu_register(&c, &u, 1) != ST(OK)) {
        _exit(2);
    }
    if (read(go, &b, 1) != 1) {
        _exit(3);
    }
    for (int i = 0; i < FETCHES; i++) {
        ids[i] = fetch_one(&c);
    }
    if (write(out, ids, sizeof(ids)) != (ssize_t)sizeof(ids)) {
        _exit(4);
    }
    tc_close(&c);
    _exit(0);
}

int main(void)
{
    struct tuser alice;
    struct tc a;
    int go[2], out[2], st, handed = 0, none = 0, errors = 0, low = 0;
    static uint8_t seen[KEYS + 2];
    pid_t kids[CHILDREN];
    Sotto__Server__Frame *f;

    t_init();
    if (ts_start(&srv) != 0 || pipe(go) != 0 || pipe(out) != 0) {
        return 1;
    }
    tu_init(&alice, "alice", 1);
    CHECK(tc_connect(&a, &srv, &alice.dev[0]) == ST(OK));
    CHECK(tu_register(&a, &alice, 1) == ST(OK));
    CHECK(tu_upload(&a, 1, KEYS, 0, 1) == ST(OK));
    for (int i = 0; i < CHILDREN; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            child(i, go[0], out[1]);
        }
    }
    sleep(1); /* let every child connect and register */
    for (int i = 0; i < CHILDREN; i++) {
        CHECK(write(go[1], "g", 1) == 1);
    }
    for (int i = 0; i < CHILDREN; i++) {
        uint32_t ids[FETCHES];
        CHECK(read(out[0], ids, sizeof(ids)) == (ssize_t)sizeof(ids));
        for (int k = 0; k < FETCHES; k++) {
            if (ids[k] == 0xFFFFFFFFu || ids[k] > KEYS) {
                errors++;
            } else if (ids[k] == 0) {
                none++;
            } else {
                CHECK(seen[ids[k]] == 0); /* never handed out twice */
                seen[ids[k]]++;
                handed++;
            }
        }
    }
    for (int i = 0; i < CHILDREN; i++) {
        CHECK(waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    printf("bundles: %d keys handed out once each, %d fetches found none, %d errors\n", handed,
           none, errors);
    CHECK(handed == KEYS);
    CHECK(none == CHILDREN * FETCHES - KEYS);
    CHECK(errors == 0);
    /* the owner was told its keys ran low */
    while ((f = tc_push(&a, 500)) != NULL) {
        low += f->push->body_case == SOTTO__SERVER__PUSH__BODY_KEYS_LOW;
        tc_free(f);
    }
    CHECK(low > 0);
    tc_close(&a);
    CHECK(ts_stop(&srv) == 0);
    ts_cleanup(&srv);
    return t_done();
}
