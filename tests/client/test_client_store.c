/*
 * The client's local store: encrypted at rest (no plaintext message, name or
 * private key anywhere in the database files), values bound to their row,
 * wrong passphrase refused, trust transitions, outbox order and backoff,
 * journal cursors, key-file permissions.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/store.h"
#include "testutil.h"

static const char secret_text[] = "the eagle lands at midnight by the old mill";
static const char contact_name[] = "zebedee-contact";

static char dir[256], db[300];

/* 1 if needle occurs in the file at path. */
static int file_contains(const char *path, const void *needle, size_t n)
{
    FILE *f = fopen(path, "rb");
    size_t len = 0, cap = 0;
    uint8_t *buf = NULL;
    int found = 0;
    if (f == NULL)
        return 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        if (r == 0)
            break;
        len += r;
    }
    fclose(f);
    for (size_t i = 0; i + n <= len && !found; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
}

static int any_db_file_contains(const void *needle, size_t n)
{
    char p[320];
    int found = file_contains(db, needle, n);
    snprintf(p, sizeof p, "%s-wal", db);
    found |= file_contains(p, needle, n);
    snprintf(p, sizeof p, "%s-shm", db);
    found |= file_contains(p, needle, n);
    return found;
}

static void msg(struct sc_message *m, const char *peer, const char *body, int64_t ts)
{
    memset(m, 0, sizeof *m);
    sc_new_mid(m->mid);
    snprintf(m->peer, sizeof m->peer, "%s", peer);
    m->outgoing = 1;
    m->ts = ts;
    m->status = SC_MSG_QUEUED;
    m->body = (uint8_t *)body;
    m->body_len = strlen(body);
}

static int count_cb(void *ctx, const struct sc_message *m)
{
    (void)m;
    (*(int *)ctx)++;
    return 0;
}

static void test_at_rest(void)
{
    struct sc_store *s;
    uint8_t priv[32];
    struct sc_message m;
    struct sc_contact c;
    uint8_t *v;
    size_t n;

    for (size_t i = 0; i < sizeof priv; i++)
        priv[i] = (uint8_t)(0xA0 + i);
    CHECK_OK(sc_store_open(&s, db));
    CHECK(sc_store_is_new(s));
    CHECK(sc_store_schema_version(s) == SC_SCHEMA_VERSION);
    CHECK(sc_store_secret_put(s, "x", priv, 32) == SOTTO_ERR_INVALID_STATE); /* locked */
    CHECK_OK(sc_store_unlock_passphrase(s, "correct horse", 13));
    CHECK(!sc_store_is_new(s));
    CHECK_OK(sc_store_secret_put(s, "device_private", priv, sizeof priv));
    memset(&c, 0, sizeof c);
    snprintf(c.name, sizeof c.name, "%s", contact_name);
    CHECK_OK(sc_store_contact_put(s, &c));
    msg(&m, contact_name, secret_text, 1000);
    CHECK_OK(sc_store_outbox_add(s, &m));
    CHECK(sc_store_outbox_add(s, &m) == SOTTO_ERR_DUPLICATE_MESSAGE);
    sc_store_close(s);

    CHECK(!any_db_file_contains(secret_text, strlen(secret_text)));
    CHECK(!any_db_file_contains(priv, sizeof priv));
    CHECK(!any_db_file_contains(priv, 8));
    CHECK(!any_db_file_contains(contact_name, strlen(contact_name)));
    {
        struct stat sb;
        CHECK(stat(db, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    }

    /* Wrong passphrase: refused, store stays locked. */
    CHECK_OK(sc_store_open(&s, db));
    CHECK(sc_store_unlock_passphrase(s, "wrong horse", 11) == SOTTO_ERR_BAD_MAC);
    CHECK(sc_store_secret_get(s, &v, &n, "device_private") == SOTTO_ERR_INVALID_STATE);
    CHECK_OK(sc_store_unlock_passphrase(s, "correct horse", 13));
    CHECK_OK(sc_store_secret_get(s, &v, &n, "device_private"));
    CHECK(n == 32 && memcmp(v, priv, 32) == 0);
    sc_free_secret(v, n);
    CHECK(sc_store_secret_get(s, &v, &n, "nope") == SOTTO_ERR_NOT_FOUND);
    {
        struct sc_message g;
        CHECK_OK(sc_store_message_get(s, &g, m.mid));
        CHECK(g.body_len == strlen(secret_text) && memcmp(g.body, secret_text, g.body_len) == 0);
        CHECK(strcmp(g.peer, contact_name) == 0 && g.status == SC_MSG_QUEUED);
        sc_message_clear(&g);
    }
    sc_store_close(s);
}

/* A sealed value moved to another row does not open. */
static void test_swap(void)
{
    struct sc_store *s;
    struct sc_message a, b, g;
    sqlite3 *raw;

    CHECK_OK(sc_store_open(&s, db));
    CHECK_OK(sc_store_unlock_passphrase(s, "correct horse", 13));
    msg(&a, "alice", "message A", 2000);
    msg(&b, "alice", "message B", 2001);
    CHECK_OK(sc_store_message_add(s, &a));
    CHECK_OK(sc_store_message_add(s, &b));
    CHECK(sqlite3_open(db, &raw) == SQLITE_OK);
    {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "UPDATE messages SET body = (SELECT body FROM messages WHERE mid = '%s')"
                 " WHERE mid = '%s'",
                 a.mid, b.mid);
        CHECK(sqlite3_exec(raw, sql, NULL, NULL, NULL) == SQLITE_OK);
    }
    sqlite3_close(raw);
    CHECK(sc_store_message_get(s, &g, b.mid) == SOTTO_ERR_BAD_MAC);
    CHECK_OK(sc_store_message_get(s, &g, a.mid));
    sc_message_clear(&g);
    sc_store_close(s);
}

static void test_trust(struct sc_store *s)
{
    uint8_t k1[SC_IDKEY_BYTES] = {5, 1}, k2[SC_IDKEY_BYTES] = {5, 2};
    struct sc_contact c;
    int changed;

    CHECK_OK(sc_store_contact_observe_key(s, &changed, "bob", k1, 10));
    CHECK(changed == 0);
    CHECK_OK(sc_store_contact_get(s, &c, "bob"));
    CHECK(c.has_key && c.trust == SC_TRUST_UNVERIFIED && memcmp(c.identity_key, k1, 33) == 0);
    c.trust = SC_TRUST_VERIFIED;
    CHECK_OK(sc_store_contact_put(s, &c));
    CHECK_OK(sc_store_contact_observe_key(s, &changed, "bob", k1, 11));
    CHECK(changed == 0);
    CHECK_OK(sc_store_contact_observe_key(s, &changed, "bob", k2, 12));
    CHECK(changed == 1);
    CHECK_OK(sc_store_contact_get(s, &c, "bob"));
    CHECK(c.trust == SC_TRUST_CHANGED && c.key_changed_at == 12);
    CHECK(memcmp(c.identity_key, k2, 33) == 0);
    CHECK(sc_store_contact_get(s, &c, "nobody") == SOTTO_ERR_NOT_FOUND);
    strcpy(c.name, "Bad Name");
    CHECK(sc_store_contact_put(s, &c) == SOTTO_ERR_INVALID_ARGUMENT);
    {
        struct sc_device d[2] = {{1, 111, {5, 9}}, {2, 222, {5, 8}}}, out[4];
        size_t n;
        CHECK_OK(sc_store_devices_set(s, "bob", d, 2));
        CHECK_OK(sc_store_devices_get(s, out, 4, &n, "bob"));
        CHECK(n == 2 && out[1].id == 2 && out[1].registration_id == 222 &&
              out[1].identity_key[1] == 8);
        CHECK_OK(sc_store_devices_set(s, "bob", d, 1));
        CHECK_OK(sc_store_devices_get(s, out, 4, &n, "bob"));
        CHECK(n == 1);
    }
}

static void test_outbox(struct sc_store *s)
{
    struct sc_message b1, b2, c1;
    struct sc_outbox_item it;
    size_t n;
    int count = 0;

    /* Drain what earlier tests queued. */
    while (sc_store_outbox_next(s, &it, 0) == SOTTO_OK) {
        CHECK_OK(sc_store_outbox_done(s, it.mid));
        sc_outbox_item_clear(&it);
    }
    msg(&b1, "bob", "b1", 100);
    msg(&b2, "bob", "b2", 101);
    msg(&c1, "carol", "c1", 102);
    CHECK_OK(sc_store_outbox_add(s, &b1));
    CHECK_OK(sc_store_outbox_add(s, &b2));
    CHECK_OK(sc_store_outbox_add(s, &c1));
    CHECK_OK(sc_store_outbox_next(s, &it, 200));
    CHECK(strcmp(it.mid, b1.mid) == 0 && it.body_len == 2 && memcmp(it.body, "b1", 2) == 0);
    sc_outbox_item_clear(&it);
    /* b1 fails: b2 must wait behind it; carol's goes. */
    CHECK_OK(sc_store_outbox_retry(s, b1.mid, 200, "server down"));
    CHECK_OK(sc_store_outbox_next(s, &it, 200));
    CHECK(strcmp(it.mid, c1.mid) == 0);
    sc_outbox_item_clear(&it);
    CHECK_OK(sc_store_outbox_done(s, c1.mid));
    CHECK(sc_store_outbox_next(s, &it, 200) == SOTTO_ERR_NOT_FOUND);
    CHECK_OK(sc_store_outbox_next(s, &it, 200 + sc_backoff_ms(1)));
    CHECK(strcmp(it.mid, b1.mid) == 0 && it.attempts == 1);
    sc_outbox_item_clear(&it);
    /* Held (key changed): nothing to bob until released. */
    CHECK_OK(sc_store_outbox_hold(s, "bob"));
    CHECK(sc_store_outbox_next(s, &it, 1000000) == SOTTO_ERR_NOT_FOUND);
    CHECK_OK(sc_store_outbox_release(s, "bob"));
    CHECK_OK(sc_store_outbox_next(s, &it, 0));
    sc_outbox_item_clear(&it);
    CHECK_OK(sc_store_outbox_count(s, &n));
    CHECK(n == 2);
    CHECK(sc_backoff_ms(1) == 1000 && sc_backoff_ms(3) == 4000 && sc_backoff_ms(40) == 300000);
    CHECK_OK(sc_store_message_list(s, "bob", 0, count_cb, &count));
    CHECK(count == 2);
    count = 0;
    CHECK_OK(sc_store_message_list(s, "bob", 1, count_cb, &count));
    CHECK(count == 1);
    /* The row tampered with in test_swap makes a full listing fail loudly. */
    count = 0;
    CHECK(sc_store_message_list(s, NULL, 0, count_cb, &count) == SOTTO_ERR_BAD_MAC);
    {
        struct sc_message g;
        CHECK_OK(sc_store_message_get(s, &g, c1.mid));
        CHECK(g.status == SC_MSG_SENT);
        sc_message_clear(&g);
    }
}

struct jctx {
    int n;
    int64_t last;
};

static int journal_cb(void *ctx, int64_t seq, const char *kind, const char *json)
{
    struct jctx *j = ctx;
    CHECK(strcmp(kind, "message") == 0 && json[0] == '{');
    j->n++;
    j->last = seq;
    return 0;
}

static void test_journal(struct sc_store *s)
{
    int64_t seq1, seq2, cur;
    struct jctx j = {0, 0};
    CHECK_OK(sc_store_journal_append(s, &seq1, "message", "{\"n\":1}"));
    CHECK_OK(sc_store_journal_append(s, &seq2, "message", "{\"n\":2}"));
    CHECK(seq2 == seq1 + 1);
    CHECK_OK(sc_store_cursor_get(s, &cur, "tui"));
    CHECK(cur == 0);
    CHECK_OK(sc_store_journal_read(s, cur, 0, journal_cb, &j));
    CHECK(j.n == 2 && j.last == seq2);
    CHECK_OK(sc_store_cursor_set(s, "tui", seq1));
    CHECK_OK(sc_store_cursor_set(s, "tui", 0)); /* never backwards */
    CHECK_OK(sc_store_cursor_get(s, &cur, "tui"));
    CHECK(cur == seq1);
    j.n = 0;
    CHECK_OK(sc_store_journal_read(s, cur, 0, journal_cb, &j));
    CHECK(j.n == 1 && j.last == seq2);
}

/* Pruning: what every subscriber acked goes (but the newest keep_acked
 * stay); keep_max bounds the journal even with a subscriber that never acks. */
static void test_journal_prune(struct sc_store *s)
{
    int64_t first = 0, seq = 0;
    struct jctx j = {0, 0};
    size_t n;
    for (int i = 0; i < 50; i++) {
        CHECK_OK(sc_store_journal_append(s, &seq, "message", "{\"n\":0}"));
        if (i == 0)
            first = seq;
    }
    CHECK_OK(sc_store_cursor_set(s, "a", first + 29));
    CHECK_OK(sc_store_cursor_set(s, "tui", first + 19)); /* the slowest */
    CHECK_OK(sc_store_journal_prune(s, 5, 1000, &n));
    CHECK_OK(sc_store_journal_read(s, 0, 0, journal_cb, &j));
    CHECK(j.n == 30); /* first+20 .. first+49: what "tui" has not acked */
    CHECK_OK(sc_store_cursor_set(s, "tui", seq));
    CHECK_OK(sc_store_cursor_set(s, "a", seq));
    CHECK_OK(sc_store_journal_prune(s, 5, 1000, &n));
    j.n = 0;
    CHECK_OK(sc_store_journal_read(s, 0, 0, journal_cb, &j));
    CHECK(j.n == 5 && j.last == seq); /* all acked: the newest 5 stay */
    for (int i = 0; i < 20; i++)
        CHECK_OK(sc_store_journal_append(s, &seq, "message", "{\"n\":0}"));
    CHECK_OK(sc_store_journal_prune(s, 5, 10, &n)); /* nobody acked these */
    j.n = 0;
    CHECK_OK(sc_store_journal_read(s, 0, 0, journal_cb, &j));
    CHECK(j.n == 10 && j.last == seq);
}

static void test_keyfile(void)
{
    char path[320];
    uint8_t k[SC_KEY_BYTES], k2[SC_KEY_BYTES];
    struct sc_store *s;
    snprintf(path, sizeof path, "%s/store.key", dir);
    CHECK_OK(sc_keyfile_create(k, path));
    CHECK(sc_keyfile_create(k2, path) == SOTTO_ERR_INVALID_STATE); /* never overwrite */
    CHECK_OK(sc_keyfile_load(k2, path));
    CHECK(memcmp(k, k2, sizeof k) == 0);
    CHECK(chmod(path, 0644) == 0);
    CHECK(sc_keyfile_load(k2, path) == SOTTO_ERR_INVALID_STATE);
    CHECK(chmod(path, 0600) == 0);
    snprintf(path, sizeof path, "%s/k.db", dir);
    CHECK_OK(sc_store_open(&s, path));
    CHECK_OK(sc_store_unlock_key(s, k));
    CHECK(sc_store_uses_keyfile(s));
    sc_store_close(s);
    CHECK_OK(sc_store_open(&s, path));
    k[0] ^= 1;
    CHECK(sc_store_unlock_key(s, k) == SOTTO_ERR_BAD_MAC);
    k[0] ^= 1;
    CHECK_OK(sc_store_unlock_key(s, k));
    sc_store_close(s);
}

/* Reactions keep kind and target; a conversation timer sets expires_at;
 * expired rows go, except while still in the outbox. */
static void test_expiry(struct sc_store *s)
{
    struct sc_message a, r, q, g;
    struct sc_contact c;
    size_t n;

    memset(&c, 0, sizeof c);
    strcpy(c.name, "erin");
    c.timer_s = 2;
    CHECK_OK(sc_store_contact_put(s, &c));
    CHECK_OK(sc_store_contact_get(s, &c, "erin"));
    CHECK(c.timer_s == 2);
    msg(&a, "erin", "short-lived", 1000);
    a.outgoing = 0;
    a.status = SC_MSG_RECEIVED;
    CHECK_OK(sc_store_message_add(s, &a));
    msg(&r, "erin", "+1", 1001);
    r.kind = SC_KIND_REACTION;
    memcpy(r.target, a.mid, sizeof r.target);
    r.expires_at = 99999; /* explicit: wins over the timer */
    CHECK_OK(sc_store_message_add(s, &r));
    msg(&q, "erin", "queued", 1002);
    CHECK_OK(sc_store_outbox_add(s, &q));
    CHECK_OK(sc_store_message_get(s, &g, a.mid));
    CHECK(g.expires_at == 3000 && g.kind == SC_KIND_TEXT);
    sc_message_clear(&g);
    CHECK_OK(sc_store_message_get(s, &g, r.mid));
    CHECK(g.kind == SC_KIND_REACTION && strcmp(g.target, a.mid) == 0 && g.expires_at == 99999);
    sc_message_clear(&g);
    r.kind = SC_KIND_REACTION;
    r.target[0] = 0;
    sc_new_mid(r.mid);
    CHECK(sc_store_message_add(s, &r) == SOTTO_ERR_INVALID_ARGUMENT); /* no target */
    CHECK_OK(sc_store_message_expire(s, 2999, &n));
    CHECK(n == 0);
    CHECK_OK(sc_store_message_expire(s, 5000, &n));
    CHECK(n == 1); /* a; q is still in the outbox */
    CHECK(sc_store_message_get(s, &g, a.mid) == SOTTO_ERR_NOT_FOUND);
    CHECK_OK(sc_store_message_get(s, &g, q.mid));
    sc_message_clear(&g);
    CHECK_OK(sc_store_outbox_done(s, q.mid));
    CHECK_OK(sc_store_message_expire(s, 5000, &n));
    CHECK(n == 1);
    CHECK_OK(sc_store_message_expire(s, 100000, &n));
    CHECK(n == 1 && sc_store_message_get(s, &g, r.mid) == SOTTO_ERR_NOT_FOUND);
}

int main(void)
{
    struct sc_store *s;
    t_init();
    snprintf(dir, sizeof dir, "/tmp/sotto-store-test.XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 2;
    snprintf(db, sizeof db, "%s/store.db", dir);
    test_at_rest();
    test_swap();
    CHECK_OK(sc_store_open(&s, db));
    CHECK_OK(sc_store_unlock_passphrase(s, "correct horse", 13));
    test_trust(s);
    test_outbox(s);
    test_journal(s);
    test_journal_prune(s);
    test_expiry(s);
    sc_store_close(s);
    CHECK(!any_db_file_contains("carol", 5));
    test_keyfile();
    {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    return t_done();
}
