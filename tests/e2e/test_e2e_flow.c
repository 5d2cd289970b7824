/*
 * End to end against a real sottod on loopback: protocol version, registration
 * rules, device-list changes (signed, versioned, replay refused), prekey
 * upload and bundle fetch, send with device-set checks, live push, offline
 * queue, ack and deletion, queue cap, admin views.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"
#include "crypto/crypto.h"
#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

static struct tsrv srv = {.opts = {"-o", "limits.queue_cap=5", "-o", "limits.register_burst=6",
                                   "-o", "limits.register_per_sec=0.001", NULL}};

static void test_hello(void)
{
    struct tuser u;
    struct tc c;
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Hello h = SOTTO__SERVER__HELLO__INIT;
    Sotto__Server__Ping ping = SOTTO__SERVER__PING__INIT;
    Sotto__Server__Frame *f;

    tu_init(&u, "nobody", 1);
    /* a request before Hello is refused and the connection closed */
    CHECK_OK(tc_open(&c, &srv, &u.dev[0]));
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_PING;
    rq.ping = &ping;
    f = tc_call(&c, &rq);
    CHECK(f != NULL && f->response->status == ST(HELLO_REQUIRED));
    tc_free(f);
    tc_close(&c);
    /* an incompatible client gets a clear error */
    CHECK_OK(tc_open(&c, &srv, &u.dev[0]));
    h.min_version = 7;
    h.max_version = 9;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_HELLO;
    rq.hello = &h;
    f = tc_call(&c, &rq);
    CHECK(f != NULL && f->response->status == ST(VERSION));
    CHECK(f != NULL && strstr(f->response->message, "version 1") != NULL);
    tc_free(f);
    tc_close(&c);
    /* unregistered device: Hello fine, everything else UNAUTHENTICATED */
    CHECK(tc_connect(&c, &srv, &u.dev[0]) == ST(OK));
    CHECK(tu_upload(&c, 1, 1, 0, 0) == ST(UNAUTHENTICATED));
    tc_close(&c);
}

static void test_register(struct tuser *alice, struct tuser *bob)
{
    struct tuser evil;
    struct tc c;

    tu_init(alice, "Alice", 3);
    tu_init(bob, "bob", 2);
    CHECK(tc_connect(&c, &srv, &alice->dev[0]) == ST(OK));
    CHECK(tu_register(&c, alice, 1) == ST(OK));
    CHECK(tu_register(&c, alice, 1) == ST(FORBIDDEN)); /* already registered */
    tc_close(&c);
    /* unique ignoring case */
    tu_init(&evil, "ALICE", 1);
    CHECK(tc_connect(&c, &srv, &evil.dev[0]) == ST(OK));
    CHECK(tu_register(&c, &evil, 1) == ST(USERNAME_TAKEN));
    snprintf(evil.name, sizeof(evil.name), "9lives");
    CHECK(tu_register(&c, &evil, 1) == ST(INVALID_USERNAME));
    snprintf(evil.name, sizeof(evil.name), "eve");
    /* list signed by another key */
    memcpy(evil.acct_priv, alice->acct_priv, 32);
    CHECK(tu_register(&c, &evil, 1) == ST(BAD_SIGNATURE));
    tc_close(&c);
    /* the list must contain the registering connection's key */
    CHECK(tc_connect(&c, &srv, &bob->dev[1]) == ST(OK));
    CHECK(tu_register(&c, bob, 1) == ST(FORBIDDEN));
    tc_close(&c);
    CHECK(tc_connect(&c, &srv, &bob->dev[0]) == ST(OK));
    CHECK(tu_register(&c, bob, 1) == ST(OK));
    tc_close(&c);
    /* the 7th registration attempt from this address is over the burst of 6 */
    {
        Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
        Sotto__Server__Register g = SOTTO__SERVER__REGISTER__INIT;
        Sotto__Server__Frame *f;
        tu_init(&evil, "carol", 1);
        CHECK(tc_connect(&c, &srv, &evil.dev[0]) == ST(OK));
        g.username = evil.name;
        g.account_key = (ProtobufCBinaryData){33, evil.acct_pub};
        g.devices = tu_sdl(&evil, 1, 1);
        rq.body_case = SOTTO__SERVER__REQUEST__BODY_REGISTER;
        rq.register_ = &g;
        f = tc_call(&c, &rq);
        CHECK(f != NULL && f->response->status == ST(RATE_LIMITED) &&
              f->response->retry_after_ms > 0);
        tc_free(f);
        tu_sdl_free(g.devices);
        tc_close(&c);
    }
    alice->version = 1;
    bob->version = 1;
}

static void test_devices(struct tuser *alice)
{
    struct tc c, c2;
    Sotto__Server__SignedDeviceList *old;

    CHECK(tc_connect(&c, &srv, &alice->dev[0]) == ST(OK));
    /* stale (same version) and replayed lists are refused */
    CHECK(tu_set_devices(&c, alice, 2) == ST(STALE_VERSION));
    alice->version = 2;
    CHECK(tu_set_devices(&c, alice, 2) == ST(OK));
    CHECK(tu_set_devices(&c, alice, 2) == ST(STALE_VERSION)); /* replay */
    alice->version = 3;
    old = tu_sdl(alice, 3, 3);
    old->signature.data[5] ^= 1; /* tampered signature */
    {
        Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
        Sotto__Server__SetDevices sd = SOTTO__SERVER__SET_DEVICES__INIT;
        Sotto__Server__Frame *f;
        sd.devices = old;
        rq.body_case = SOTTO__SERVER__REQUEST__BODY_SET_DEVICES;
        rq.set_devices = &sd;
        f = tc_call(&c, &rq);
        CHECK(f != NULL && f->response->status == ST(BAD_SIGNATURE));
        tc_free(f);
    }
    tu_sdl_free(old);
    CHECK(tu_set_devices(&c, alice, 3) == ST(OK));
    /* device 2 is now a registered device */
    CHECK(tc_connect(&c2, &srv, &alice->dev[1]) == ST(OK));
    CHECK(tu_upload(&c2, 100, 5, 2, 1) == ST(OK));
    tc_close(&c2);
    CHECK(tc_connect(&c2, &srv, &alice->dev[2]) == ST(OK));
    CHECK(tu_upload(&c2, 200, 1, 0, 1) == ST(OK));
    tc_close(&c2);
    CHECK(tu_upload(&c, 1, 3, 1, 1) == ST(OK));
    tc_close(&c);
}

static Sotto__Server__Frame *fetch(struct tc *c, const char *user, uint32_t dev)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__FetchBundle fb = SOTTO__SERVER__FETCH_BUNDLE__INIT;
    fb.username = (char *)user;
    fb.device_id = dev;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_FETCH_BUNDLE;
    rq.fetch_bundle = &fb;
    return tc_call(c, &rq);
}

static void test_bundles(struct tuser *bob)
{
    struct tc c;
    Sotto__Server__Frame *f;
    uint32_t seen[4] = {0};

    CHECK(tc_connect(&c, &srv, &bob->dev[0]) == ST(OK));
    f = fetch(&c, "ALICE", 0);
    CHECK(f != NULL && f->response->status == ST(OK) && f->response->bundle != NULL);
    if (f != NULL && f->response->bundle != NULL) {
        Sotto__Server__Bundle *b = f->response->bundle;
        CHECK(b->n_devices == 3);
        CHECK(b->account != NULL && b->account->devices != NULL &&
              b->account->devices->signature.len == 64);
        CHECK(b->account != NULL && b->account->log_hash.len == 32);
        for (size_t i = 0; i < b->n_devices && i < 3; i++) {
            CHECK(b->devices[i]->signed_prekey != NULL);
            CHECK(b->devices[i]->one_time != NULL);
            CHECK(b->devices[i]->kyber != NULL);
            if (b->devices[i]->one_time != NULL) {
                seen[i] = b->devices[i]->one_time->key_id;
            }
        }
        CHECK(seen[0] == 1 && seen[1] == 100 && seen[2] == 200);
    }
    tc_free(f);
    /* device 3 had one one-time key and no one-time Kyber key */
    f = fetch(&c, "alice", 3);
    CHECK(f != NULL && f->response->status == ST(OK) && f->response->bundle != NULL &&
          f->response->bundle->n_devices == 1);
    if (f != NULL && f->response->bundle != NULL && f->response->bundle->n_devices == 1) {
        CHECK(f->response->bundle->devices[0]->one_time == NULL);
        CHECK(f->response->bundle->devices[0]->kyber_last_resort == 1);
    }
    tc_free(f);
    f = fetch(&c, "alice", 9);
    CHECK(f != NULL && f->response->status == ST(NOT_FOUND));
    tc_free(f);
    f = fetch(&c, "nosuchuser", 0);
    CHECK(f != NULL && f->response->status == ST(NOT_FOUND));
    tc_free(f);
    tc_close(&c);
}

static int mismatch_has(Sotto__Server__Frame *f, int which, uint32_t id)
{
    Sotto__Server__DeviceMismatch *m = f ? f->response->mismatch : NULL;
    uint32_t *v;
    size_t n;
    if (m == NULL) {
        return 0;
    }
    v = which == 0 ? m->missing : which == 1 ? m->extra : m->stale;
    n = which == 0 ? m->n_missing : which == 1 ? m->n_extra : m->n_stale;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == id) {
            return 1;
        }
    }
    return 0;
}

static Sotto__Server__Frame *send_raw(struct tc *c, const char *to, const uint32_t *dev,
                                      const uint32_t *reg, size_t n)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Send s = SOTTO__SERVER__SEND__INIT;
    Sotto__Server__OutEnvelope env[8], *ep[8];
    uint8_t guid[16];

    st_random_bytes(guid, 16);
    s.username = (char *)to;
    s.guid = (ProtobufCBinaryData){16, guid};
    for (size_t i = 0; i < n; i++) {
        sotto__server__out_envelope__init(&env[i]);
        env[i].device_id = dev[i];
        env[i].registration_id = reg[i];
        env[i].content = (ProtobufCBinaryData){2, (uint8_t *)"hi"};
        ep[i] = &env[i];
    }
    s.n_envelopes = n;
    s.envelopes = ep;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_SEND;
    rq.send = &s;
    return tc_call(c, &rq);
}

static void test_mismatch(struct tuser *alice, struct tuser *bob)
{
    struct tc c;
    Sotto__Server__Frame *f;
    uint32_t dev[3] = {1, 2, 7}, reg[3];

    CHECK(tc_connect(&c, &srv, &bob->dev[0]) == ST(OK));
    reg[0] = alice->dev[0].regid;
    reg[1] = alice->dev[1].regid;
    reg[2] = 5;
    /* missing device 3, extra device 7 */
    f = send_raw(&c, "alice", dev, reg, 3);
    CHECK(f != NULL && f->response->status == ST(MISMATCHED_DEVICES));
    CHECK(mismatch_has(f, 0, 3) && mismatch_has(f, 1, 7));
    tc_free(f);
    /* stale registration id */
    dev[2] = 3;
    reg[2] = alice->dev[2].regid + 1;
    f = send_raw(&c, "alice", dev, reg, 3);
    CHECK(f != NULL && f->response->status == ST(STALE_DEVICES));
    CHECK(mismatch_has(f, 2, 3));
    tc_free(f);
    /* to one's own account: every other device, not the sender's */
    bob->version = 2;
    CHECK(tu_set_devices(&c, bob, 2) == ST(OK));
    dev[0] = 2;
    reg[0] = bob->dev[1].regid;
    f = send_raw(&c, "bob", dev, reg, 1);
    CHECK(f != NULL && f->response->status == ST(OK));
    tc_free(f);
    tc_close(&c);
}

static void expect_envelopes(struct tc *c, int n, const char *from, uint8_t (*guids)[16])
{
    int got = 0;
    while (got < n) {
        Sotto__Server__Frame *f = tc_push_msg(c, 3000);
        if (f == NULL) {
            break;
        }
        if (f->push->body_case == SOTTO__SERVER__PUSH__BODY_ENVELOPE) {
            CHECK(strcmp(f->push->envelope->source, from) == 0);
            CHECK(f->push->envelope->guid.len == 16);
            memcpy(guids[got], f->push->envelope->guid.data, 16);
            got++;
        }
        tc_free(f);
    }
    CHECK(got == n);
}

/* sottod admin reads the live database */
static void test_admin(void)
{
    char cmd[1200], out[4096];
    size_t n;
    FILE *p;

    snprintf(cmd, sizeof(cmd),
             "%s -d %s/var %s admin accounts; %s -d %s/var %s admin devices alice", SOTTOD_PATH,
             srv.dir, ts_extra_opts(), SOTTOD_PATH, srv.dir, ts_extra_opts());
    p = popen(cmd, "r");
    CHECK(p != NULL);
    if (p == NULL) {
        return;
    }
    n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    CHECK(pclose(p) == 0);
    CHECK(strstr(out, "username=Alice devices=3 devlist_version=3") != NULL);
    CHECK(strstr(out, "username=bob devices=2") != NULL);
    CHECK(strstr(out, "device_id=3 registration_id=") != NULL);
    CHECK(strstr(out, "queued=5") != NULL); /* device 3 holds the full queue */
}

static void test_messages(struct tuser *alice, struct tuser *bob)
{
    struct tc a1, b1;
    uint8_t guid[16], got[8][16];
    uint32_t dev[3] = {1, 2, 3},
             reg[3] = {alice->dev[0].regid, alice->dev[1].regid, alice->dev[2].regid};
    Sotto__Server__Frame *f;

    CHECK(tc_connect(&a1, &srv, &alice->dev[0]) == ST(OK)); /* online */
    CHECK(tc_connect(&b1, &srv, &bob->dev[0]) == ST(OK));
    st_random_bytes(guid, 16);
    CHECK(tu_send(&b1, "alice", guid, dev, reg, 3, "sealed bytes") == ST(OK));
    /* live push to device 1 */
    expect_envelopes(&a1, 1, "bob", got);
    CHECK(memcmp(got[0], guid, 16) == 0);
    /* retry of the same guid is stored once */
    CHECK(tu_send(&b1, "alice", guid, dev, reg, 3, "sealed bytes") == ST(OK));
    CHECK(tu_ack(&a1, (const uint8_t(*)[16])got, 1) == ST(OK));
    tc_close(&a1);
    /* after the ack, device 1 gets nothing again; the retry was deduped */
    CHECK(tc_connect(&a1, &srv, &alice->dev[0]) == ST(OK));
    f = tc_push_msg(&a1, 1000);
    CHECK(f != NULL && f->push->body_case == SOTTO__SERVER__PUSH__BODY_QUEUE_EMPTY);
    tc_free(f);
    /* device 2 was offline: its copy waits for it */
    {
        struct tc a2;
        CHECK(tc_connect(&a2, &srv, &alice->dev[1]) == ST(OK));
        expect_envelopes(&a2, 1, "bob", got);
        CHECK(memcmp(got[0], guid, 16) == 0);
        /* unacked: a reconnect gets it again */
        tc_close(&a2);
        CHECK(tc_connect(&a2, &srv, &alice->dev[1]) == ST(OK));
        expect_envelopes(&a2, 1, "bob", got);
        CHECK(tu_ack(&a2, (const uint8_t(*)[16])got, 1) == ST(OK));
        tc_close(&a2);
    }
    /* queue cap (5 for this server): device 3 never connects */
    for (int i = 0; i < 4; i++) {
        st_random_bytes(guid, 16);
        CHECK(tu_send(&b1, "alice", guid, dev, reg, 3, "more") == ST(OK));
    }
    st_random_bytes(guid, 16);
    CHECK(tu_send(&b1, "alice", guid, dev, reg, 3, "full") == ST(QUEUE_FULL));
    tc_close(&a1);
    tc_close(&b1);
}

/* Device 3 comes back with a new identity key: its old queue and prekeys go. */
static void test_rekey(struct tuser *alice)
{
    struct tuser fresh;
    struct tc c;
    Sotto__Server__Frame *f;
    struct tdev old = alice->dev[2];

    struct tc waiting;

    tu_init(&fresh, "x", 1);
    alice->dev[2] = fresh.dev[0];
    alice->dev[2].id = 3;
    alice->version = 4;
    /* linking: the new device connects first and waits, unregistered */
    CHECK(tc_connect(&waiting, &srv, &alice->dev[2]) == ST(OK));
    CHECK(tu_upload(&waiting, 1, 1, 0, 0) == ST(UNAUTHENTICATED));
    CHECK(tc_connect(&c, &srv, &alice->dev[0]) == ST(OK));
    CHECK(tu_set_devices(&c, alice, 3) == ST(OK));
    /* ... and is device 3 as soon as the list names it */
    CHECK(tu_upload(&waiting, 500, 1, 0, 1) == ST(OK));
    tc_close(&waiting);
    f = fetch(&c, "alice", 3);
    CHECK(f != NULL && f->response->bundle != NULL && f->response->bundle->n_devices == 1 &&
          f->response->bundle->devices[0]->signed_prekey != NULL &&
          f->response->bundle->devices[0]->signed_prekey->key_id == 500); /* not the old key */
    tc_free(f);
    tc_close(&c);
    CHECK(tc_connect(&c, &srv, &alice->dev[2]) == ST(OK));
    f = tc_push_msg(&c, 2000);
    CHECK(f != NULL && f->push->body_case == SOTTO__SERVER__PUSH__BODY_QUEUE_EMPTY);
    tc_free(f);
    tc_close(&c);
    /* the old key is nobody now */
    CHECK(tc_connect(&c, &srv, &old) == ST(OK));
    CHECK(tu_upload(&c, 1, 1, 0, 0) == ST(UNAUTHENTICATED));
    tc_close(&c);
}

/* IK with the pinned key works; a wrong pinned key fails for IK and XX. */
static void test_patterns(const struct tuser *alice)
{
    struct tc c;
    uint8_t wrong[32];

    memcpy(wrong, srv.key, 32);
    wrong[0] ^= 0x40;
    CHECK(tc_open_with(&c, srv.port, SD_CHAN_IK, srv.key, &alice->dev[0]) == 0);
    CHECK(tu_upload(&c, 900, 0, 0, 0) == ST(HELLO_REQUIRED));
    tc_close(&c);
    CHECK(tc_open_with(&c, srv.port, SD_CHAN_IK, srv.key, &alice->dev[0]) == 0);
    {
        Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
        Sotto__Server__Hello h = SOTTO__SERVER__HELLO__INIT;
        Sotto__Server__Frame *f;
        h.min_version = h.max_version = 1;
        rq.body_case = SOTTO__SERVER__REQUEST__BODY_HELLO;
        rq.hello = &h;
        f = tc_call(&c, &rq);
        CHECK(f != NULL && f->response->status == ST(OK) && f->response->hello != NULL &&
              f->response->hello->registered && f->response->hello->device_id == 1 &&
              strcmp(f->response->hello->username, "Alice") == 0);
        tc_free(f);
    }
    tc_close(&c);
    CHECK(tc_open_with(&c, srv.port, SD_CHAN_IK, wrong, &alice->dev[0]) != 0);
    CHECK(tc_open_with(&c, srv.port, SD_CHAN_XX, wrong, &alice->dev[0]) != 0);
}

/* Runs `sottod admin VIEW`; its stdout into out; returns its exit status. */
static int admin_out(const char *view, char *out, size_t cap)
{
    char cmd[1200];
    size_t n;
    FILE *p;

    snprintf(cmd, sizeof(cmd), "%s -d %s/var %s admin %s", SOTTOD_PATH, srv.dir, ts_extra_opts(),
             view);
    p = popen(cmd, "r");
    if (p == NULL) {
        return -1;
    }
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    return pclose(p);
}

/* The change log is a SHA-256 chain over every accepted change, and the
 * database refuses to rewrite it. */
static void test_change_log(void)
{
    char path[200];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    uint8_t prev[32] = {0}, h[32], *buf;
    char out[512];
    int rows = 0, ok = 1;

    snprintf(path, sizeof(path), "%s/var/sotto.db", srv.dir);
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db,
                             "SELECT idx, kind, account_id, payload, prev_hash, hash FROM "
                             "change_log ORDER BY idx",
                             -1, &st, NULL) == SQLITE_OK);
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
        uint64_t acct = (uint64_t)sqlite3_column_int64(st, 2);
        size_t plen = (size_t)sqlite3_column_bytes(st, 3);
        buf = malloc(32 + 17 + plen);
        memcpy(buf, prev, 32);
        for (int i = 0; i < 8; i++) {
            buf[32 + i] = (uint8_t)(idx >> (56 - 8 * i));
            buf[32 + 9 + i] = (uint8_t)(acct >> (56 - 8 * i));
        }
        buf[32 + 8] = (uint8_t)sqlite3_column_int(st, 1);
        memcpy(buf + 49, sqlite3_column_blob(st, 3), plen);
        st_sha256(h, buf, 49 + plen);
        free(buf);
        ok &= idx == (uint64_t)rows + 1;
        ok &=
            sqlite3_column_bytes(st, 4) == 32 && memcmp(sqlite3_column_blob(st, 4), prev, 32) == 0;
        ok &= sqlite3_column_bytes(st, 5) == 32 && memcmp(sqlite3_column_blob(st, 5), h, 32) == 0;
        memcpy(prev, h, 32);
        rows++;
    }
    sqlite3_finalize(st);
    CHECK(ok);
    CHECK(rows == 6); /* Alice, bob, Alice v2, v3, bob v2, Alice v4 */
    CHECK(sqlite3_exec(db, "UPDATE change_log SET kind = 9", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM change_log", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(admin_out("verify-log", out, sizeof(out)) == 0);
    CHECK(strncmp(out, "ok entries=6 head=", 18) == 0);
    /* someone with write access to the file drops the guard and edits entry 3 */
    CHECK(sqlite3_exec(db,
                       "DROP TRIGGER change_log_no_update; UPDATE change_log SET kind = 9"
                       " WHERE idx = 3",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(admin_out("verify-log", out, sizeof(out)) != 0);
    CHECK(strncmp(out, "broken index=3", 14) == 0);
}

int main(void)
{
    struct tuser alice, bob;

    t_init();
    if (ts_start(&srv) != 0) {
        fprintf(stderr, "cannot start sottod (%s)\n", SOTTOD_PATH);
        return 1;
    }
    test_hello();
    test_register(&alice, &bob);
    test_devices(&alice);
    test_patterns(&alice);
    test_bundles(&bob);
    test_mismatch(&alice, &bob);
    test_messages(&alice, &bob);
    test_admin();
    test_rekey(&alice);
    if (!ts_store_is_postgres()) {
        test_change_log(); /* SQLite file access; tests/pg/e2e_postgres.sh checks PostgreSQL's */
    }
    CHECK(ts_stop(&srv) == 0); /* SIGTERM: clean exit */
    ts_cleanup(&srv);
    return t_done();
}
