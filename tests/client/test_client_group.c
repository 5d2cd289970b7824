/*
 * Groups on the receive side (client/sync_group.c, client/group.h) over
 * real stores, without a server: states are taken only from members and
 * only when newer; sender keys only from members and only for the group's
 * distribution id; a SenderKeyMessage is refused from a non-member, for an
 * unknown key, or under another group's key; after a rotation a removed
 * member's old key cannot decrypt what follows. Also the store migration
 * (groups, sender keys, a message's group).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/group.h"
#include "client/hex.h"
#include "client/sync_internal.h"
#include "crypto/crypto.h"
#include "testutil.h"

struct who {
    struct sc_store *st;
    struct sc_sync s;
    char path[128];
};

static void open_who(struct who *w, const char *dir, const char *name)
{
    uint8_t key[SC_KEY_BYTES];
    memset(w, 0, sizeof *w);
    memset(key, name[0], sizeof key);
    snprintf(w->path, sizeof w->path, "%s/%s.db", dir, name);
    CHECK_OK(sc_store_open(&w->st, w->path));
    CHECK_OK(sc_store_unlock_key(w->st, key));
    w->s.store = w->st;
    snprintf(w->s.self, sizeof w->s.self, "%s", name);
}

static void state(struct sc_group *g, const uint8_t id[16], uint32_t v, const char *m0,
                  const char *m1, const char *m2)
{
    memset(g, 0, sizeof *g);
    memcpy(g->id, id, 16);
    g->version = v;
    strcpy(g->name, "team");
    strcpy(g->members[g->n_members++], m0);
    if (m1 != NULL)
        strcpy(g->members[g->n_members++], m1);
    if (m2 != NULL)
        strcpy(g->members[g->n_members++], m2);
}

/* Applies g as a state content from peer. */
static int apply_state(struct who *w, const char *peer, const struct sc_group *g)
{
    uint8_t buf[1 + SC_GROUP_STATE_MAX];
    struct sc_content c;
    size_t n;
    int rc = sc_group_encode(buf + 1, sizeof buf - 1, &n, g);
    buf[0] = SC_CONTENT_GROUP_STATE;
    if (rc == SOTTO_OK)
        rc = sc_content_decode(&c, buf, 1 + n);
    return rc == SOTTO_OK ? sc_sync_apply_group_state(&w->s, peer, &c) : rc;
}

/* sender's SKDM for group id (made with sender's store) as kind 12 to w. */
static int give_key(struct who *w, struct who *sender, const uint8_t id[16])
{
    struct sotto_sender_key_store ks;
    struct sc_skstore x;
    struct sc_content c;
    uint8_t buf[1 + 16 + SOTTO_GROUP_SKDM_MAX], dist[16];
    size_t n;
    int rc;
    sc_group_dist(dist, id);
    sc_skstore_init(&ks, &x, sender->st);
    rc = sotto_group_create(buf + 17, &n, sizeof buf - 17, &ks, sender->s.self, 1, dist);
    sc_skstore_clear(&x);
    buf[0] = SC_CONTENT_SENDER_KEY;
    memcpy(buf + 1, id, 16);
    if (rc == SOTTO_OK)
        rc = sc_content_decode(&c, buf, 17 + n);
    return rc == SOTTO_OK ? sc_sync_apply_sender_key(&w->s, sender->s.self, 1, &c) : rc;
}

/* A group message (text) from sender: the SKM under dist_of's key, with
 * claimed group id inside. */
static int skm(uint8_t *ct, size_t *ct_len, struct who *sender, const uint8_t dist_of[16],
               const uint8_t claimed[16], const char *text)
{
    struct sotto_sender_key_store ks;
    struct sc_skstore x;
    uint8_t pt[256], dist[16];
    size_t n = strlen(text);
    int rc;
    pt[0] = SC_CONTENT_GROUP_MESSAGE;
    memcpy(pt + 1, claimed, 16);
    st_random_bytes(pt + 17, 16); /* the message id */
    pt[33] = SC_CONTENT_TEXT;
    memcpy(pt + 34, text, n);
    sc_group_dist(dist, dist_of);
    sc_skstore_init(&ks, &x, sender->st);
    rc = sotto_group_encrypt(ct, ct_len, 512, &ks, sender->s.self, 1, dist, pt, 34 + n);
    sc_skstore_clear(&x);
    return rc;
}

static int open_msg(struct who *w, const char *sender, const uint8_t *ct, size_t ct_len,
                    const char *want)
{
    uint8_t *pt = NULL;
    size_t n = 0;
    struct sc_content c;
    int rc = sc_sync_group_open(&w->s, &pt, &n, sender, 1, ct, ct_len);
    if (rc == SOTTO_OK) {
        rc = sc_content_decode(&c, pt, n);
        if (rc == SOTTO_OK && (c.body_len != strlen(want) || memcmp(c.body, want, c.body_len)))
            rc = SOTTO_ERR_INVALID_MESSAGE;
        sc_free_secret(pt, ct_len);
    }
    return rc;
}

static void test_groups(const char *dir)
{
    struct who a, b, c, d;
    struct sc_group g;
    struct sc_group_rec r;
    uint8_t team[16], other[16], ct[512], dist[16];
    size_t cl;
    char hex[SC_GID_LEN + 1];

    open_who(&a, dir, "alice");
    open_who(&b, dir, "bob");
    open_who(&c, dir, "carol");
    open_who(&d, dir, "dave");
    CHECK(sc_store_schema_version(a.st) == SC_SCHEMA_VERSION);
    memset(team, 0x11, 16);
    memset(other, 0x22, 16);
    sc_hex_encode(hex, team, 16);

    /* states: from a member that lists us, newer only, never from outsiders */
    state(&g, team, 1, "alice", "bob", "carol");
    CHECK(apply_state(&b, "dave", &g) == SOTTO_ERR_NOT_GROUP_MEMBER); /* dave not in it */
    CHECK_OK(apply_state(&b, "alice", &g));
    CHECK_OK(apply_state(&c, "alice", &g));
    state(&g, team, 2, "dave", "bob", NULL);
    CHECK(apply_state(&b, "dave", &g) == SOTTO_ERR_NOT_GROUP_MEMBER); /* takeover refused */
    CHECK_OK(sc_group_load(b.st, &r, hex));
    CHECK(r.g.version == 1 && r.g.n_members == 3 && (r.flags & SC_GROUP_NEED_SKDM));
    state(&g, team, 1, "alice", "bob", NULL);
    CHECK_OK(apply_state(&b, "alice", &g)); /* same version: ignored */
    CHECK_OK(sc_group_load(b.st, &r, hex));
    CHECK(r.g.n_members == 3);
    state(&g, other, 1, "dave", "carol", NULL);
    CHECK(apply_state(&b, "dave", &g) == SOTTO_ERR_NOT_GROUP_MEMBER); /* bob is not in it */

    /* sender keys: alice's and carol's reach bob; dave's is refused */
    CHECK_OK(give_key(&b, &a, team));
    CHECK_OK(give_key(&c, &a, team));
    CHECK_OK(give_key(&b, &c, team));
    CHECK(give_key(&b, &d, team) == SOTTO_ERR_NOT_GROUP_MEMBER);
    /* a key for another distribution id sent as team's is refused */
    {
        struct sotto_sender_key_store ks;
        struct sc_skstore x;
        struct sc_content k;
        uint8_t buf[1 + 16 + SOTTO_GROUP_SKDM_MAX];
        size_t n;
        sc_group_dist(dist, other);
        sc_skstore_init(&ks, &x, a.st);
        CHECK_OK(sotto_group_create(buf + 17, &n, sizeof buf - 17, &ks, "alice", 1, dist));
        sc_skstore_clear(&x);
        buf[0] = SC_CONTENT_SENDER_KEY;
        memcpy(buf + 1, team, 16);
        CHECK_OK(sc_content_decode(&k, buf, 17 + n));
        CHECK(sc_sync_apply_sender_key(&b.s, "alice", 1, &k) == SOTTO_ERR_INVALID_MESSAGE);
    }

    CHECK_OK(skm(ct, &cl, &a, team, team, "hello team"));
    CHECK_OK(open_msg(&b, "alice", ct, cl, "hello team"));
    CHECK_OK(open_msg(&c, "alice", ct, cl, "hello team"));
    CHECK(open_msg(&b, "alice", ct, cl, "hello team") == SOTTO_ERR_DUPLICATE_MESSAGE);
    /* dave never sent a key: unknown sender key */
    CHECK_OK(skm(ct, &cl, &d, team, team, "let me in"));
    CHECK(open_msg(&b, "dave", ct, cl, "let me in") == SOTTO_ERR_NO_SESSION);
    /* a message under another distribution id claiming to be for team
     * (bob holds alice's key for that id too) */
    {
        struct sc_group g2;
        state(&g2, other, 1, "alice", "bob", NULL);
        CHECK_OK(apply_state(&b, "alice", &g2));
        CHECK_OK(give_key(&b, &a, other));
    }
    CHECK_OK(skm(ct, &cl, &a, other, team, "wrong key"));
    CHECK(open_msg(&b, "alice", ct, cl, "wrong key") == SOTTO_ERR_INVALID_MESSAGE);

    /* carol is removed: bob rotates; carol's later messages are refused */
    state(&g, team, 2, "alice", "bob", NULL);
    CHECK_OK(apply_state(&b, "alice", &g));
    CHECK_OK(sc_group_load(b.st, &r, hex));
    CHECK(r.flags & SC_GROUP_ROTATE);
    CHECK_OK(skm(ct, &cl, &c, team, team, "still here"));
    CHECK(open_msg(&b, "carol", ct, cl, "still here") == SOTTO_ERR_NOT_GROUP_MEMBER);
    /* alice rotates (what a send does after a removal) and gives bob the new key */
    sc_group_dist(dist, team);
    CHECK_OK(sc_store_sender_key_delete(a.st, "alice", 1, dist));
    CHECK_OK(give_key(&b, &a, team));
    CHECK_OK(skm(ct, &cl, &a, team, team, "after carol"));
    CHECK_OK(open_msg(&b, "alice", ct, cl, "after carol"));
    /* carol (told nothing, still thinking she is in) cannot decrypt it */
    {
        struct sotto_sender_key_store ks;
        struct sc_skstore x;
        uint8_t pt[512];
        size_t pl;
        sc_skstore_init(&ks, &x, c.st);
        CHECK(sotto_group_decrypt(pt, &pl, sizeof pt, &ks, "alice", 1, ct, cl) ==
              SOTTO_ERR_NO_SESSION);
        sc_skstore_clear(&x);
    }

    /* a message row keeps its group */
    {
        struct sc_message m, back;
        memset(&m, 0, sizeof m);
        sc_new_mid(m.mid);
        strcpy(m.peer, "alice");
        strcpy(m.gid, hex);
        m.ts = 1;
        m.status = SC_MSG_RECEIVED;
        m.body = (uint8_t *)"x";
        m.body_len = 1;
        {
            struct sc_contact con;
            memset(&con, 0, sizeof con);
            strcpy(con.name, "alice");
            con.timer_s = 60; /* bob's 1:1 timer with alice */
            CHECK_OK(sc_store_contact_put(b.st, &con));
        }
        CHECK_OK(sc_store_message_add(b.st, &m));
        CHECK_OK(sc_store_message_get(b.st, &back, m.mid));
        CHECK(strcmp(back.gid, hex) == 0);
        CHECK(back.expires_at == 0); /* the 1:1 timer is not the group's */
        sc_message_clear(&back);
        strcpy(m.gid, "abc");
        sc_new_mid(m.mid);
        CHECK(sc_store_message_add(b.st, &m) == SOTTO_ERR_INVALID_ARGUMENT);
    }
    sc_store_close(a.st);
    sc_store_close(b.st);
    sc_store_close(c.st);
    sc_store_close(d.st);
}

int main(void)
{
    char dir[] = "/tmp/sotto-group-test.XXXXXX";
    t_init();
    t_seed_random(5);
    CHECK(mkdtemp(dir) != NULL);
    test_groups(dir);
    {
        const char *names[] = {"alice", "bob", "carol", "dave"};
        for (size_t i = 0; i < 4; i++) {
            char p[160];
            snprintf(p, sizeof p, "%s/%s.db", dir, names[i]);
            unlink(p);
            snprintf(p, sizeof p, "%s/%s.db-wal", dir, names[i]);
            unlink(p);
            snprintf(p, sizeof p, "%s/%s.db-shm", dir, names[i]);
            unlink(p);
        }
        rmdir(dir);
    }
    return t_done();
}
