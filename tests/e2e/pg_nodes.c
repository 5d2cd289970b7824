/*
 * Two sottod nodes on one PostgreSQL database (run by tests/pg/e2e_postgres.sh
 * with SOTTO_E2E_SERVER_OPTS naming the database; not a ctest test of its
 * own: it needs the cluster). Accounts are created on node A only (each
 * node keeps the transparency tree in memory, docs/architecture.md), then:
 * - client processes fetch one account's bundle concurrently, half through
 *   node A and half through node B, more often than it has one-time keys:
 *   every key is handed out exactly once across both nodes;
 * - a message sent through node B is stored once and delivered by node A.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

enum { CHILDREN = 6, FETCHES = 30, KEYS = 120 };

static struct tsrv node[2];

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
    }
    tc_free(f);
    return id;
}

/* Fetcher n (registered on node A) fetches through node n % 2. */
static void child(const struct tuser *u, int n, int go, int out)
{
    struct tc c;
    char b;
    uint32_t ids[FETCHES];

    if (tc_connect(&c, &node[n % 2], &u->dev[0]) != ST(OK) || read(go, &b, 1) != 1) {
        _exit(2);
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

static void tally(int out, int *handed, int *none, int *errors)
{
    static uint8_t seen[KEYS + 1];

    for (int i = 0; i < CHILDREN; i++) {
        uint32_t ids[FETCHES];
        CHECK(read(out, ids, sizeof(ids)) == (ssize_t)sizeof(ids));
        for (int k = 0; k < FETCHES; k++) {
            if (ids[k] == 0xFFFFFFFFu || ids[k] > KEYS) {
                (*errors)++;
            } else if (ids[k] == 0) {
                (*none)++;
            } else {
                CHECK(seen[ids[k]] == 0); /* never handed out twice, on either node */
                seen[ids[k]]++;
                (*handed)++;
            }
        }
    }
}

static struct tuser fetcher[CHILDREN], bob;

/* Every account exists before node B starts: B reads the transparency tree
 * once, at start, and cannot prove leaves appended through A after that. */
static void accounts(void)
{
    for (int i = 0; i <= CHILDREN; i++) {
        struct tuser *u = i < CHILDREN ? &fetcher[i] : &bob;
        struct tc c;
        char name[16];
        snprintf(name, sizeof(name), i < CHILDREN ? "fetcher%d" : "bob", i);
        tu_init(u, name, 1);
        CHECK(tc_connect(&c, &node[0], &u->dev[0]) == ST(OK));
        CHECK(tu_register(&c, u, 1) == ST(OK));
        tc_close(&c);
    }
}

static void test_bundles(struct tc *a)
{
    struct tuser *f = fetcher;
    int go[2], out[2], st, handed = 0, none = 0, errors = 0;
    pid_t kids[CHILDREN];

    CHECK(pipe(go) == 0 && pipe(out) == 0);
    CHECK(tu_upload(a, 1, KEYS, 0, 1) == ST(OK));
    for (int i = 0; i < CHILDREN; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            child(&f[i], i, go[0], out[1]);
        }
    }
    sleep(1); /* let every child connect */
    for (int i = 0; i < CHILDREN; i++) {
        CHECK(write(go[1], "g", 1) == 1);
    }
    tally(out[0], &handed, &none, &errors);
    for (int i = 0; i < CHILDREN; i++) {
        CHECK(waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    printf("two nodes: %d keys handed out once each, %d fetches found none, %d errors\n", handed,
           none, errors);
    CHECK(handed == KEYS);
    CHECK(none == CHILDREN * FETCHES - KEYS);
    CHECK(errors == 0);
}

static void test_message(const struct tuser *alice)
{
    struct tc b, a;
    uint8_t guid[16];
    uint32_t dev = 1, reg = alice->dev[0].regid;
    int extra = 0;
    Sotto__Server__Frame *f;

    CHECK(tc_connect(&b, &node[1], &bob.dev[0]) == ST(OK));
    st_random_bytes(guid, 16);
    CHECK(tu_send(&b, "alice", guid, &dev, &reg, 1, "through node B") == ST(OK));
    CHECK(tu_send(&b, "alice", guid, &dev, &reg, 1, "through node B") == ST(OK)); /* retry */
    tc_close(&b);
    CHECK(tc_connect(&a, &node[0], &alice->dev[0]) == ST(OK));
    f = tc_push_msg(&a, 3000);
    CHECK(f != NULL && f->push->body_case == SOTTO__SERVER__PUSH__BODY_ENVELOPE &&
          f->push->envelope->guid.len == 16 && memcmp(f->push->envelope->guid.data, guid, 16) == 0);
    tc_free(f);
    CHECK(tu_ack(&a, (const uint8_t(*)[16])guid, 1) == ST(OK));
    /* stored once: the retry was not queued again (QueueEmpty pushes are fine) */
    while ((f = tc_push_msg(&a, 500)) != NULL) {
        extra += f->push->body_case == SOTTO__SERVER__PUSH__BODY_ENVELOPE;
        tc_free(f);
    }
    CHECK(extra == 0);
    tc_close(&a);
}

/* Node B gets node A's server and log keys: the nodes are one service, and
 * a node refuses a stored checkpoint another key signed. */
static int share_keys(void)
{
    char cmd[600];

    snprintf(node[1].dir, sizeof(node[1].dir), "/tmp/sotto-e2e-XXXXXX");
    if (mkdtemp(node[1].dir) == NULL) {
        return -1;
    }
    snprintf(cmd, sizeof(cmd),
             "mkdir -m 700 %s/var && cp -p %s/var/server.key %s/var/log.key %s/var/", node[1].dir,
             node[0].dir, node[0].dir, node[1].dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    struct tuser alice;
    struct tc a;

    t_init();
    if (!ts_store_is_postgres()) {
        fprintf(stderr, "pg_nodes: run it from tests/pg/e2e_postgres.sh (needs a database)\n");
        return 1;
    }
    if (ts_start(&node[0]) != 0) {
        fprintf(stderr, "cannot start sottod (%s)\n", SOTTOD_PATH);
        return 1;
    }
    tu_init(&alice, "alice", 1);
    CHECK(tc_connect(&a, &node[0], &alice.dev[0]) == ST(OK));
    CHECK(tu_register(&a, &alice, 1) == ST(OK));
    accounts();
    if (share_keys() != 0 || ts_start(&node[1]) != 0) {
        fprintf(stderr, "cannot start the second node\n");
        return 1;
    }
    test_bundles(&a);
    tc_close(&a);
    test_message(&alice);
    CHECK(ts_stop(&node[0]) == 0);
    CHECK(ts_stop(&node[1]) == 0);
    ts_cleanup(&node[0]);
    ts_cleanup(&node[1]);
    return t_done();
}
