/*
 * Message content (client/content.h): every kind decodes; transcripts keep
 * the message id and their inner content; history batches round-trip and
 * skip what must not be transferred; truncations, bad names, bad statuses,
 * wrong counts and over-long fields are refused.
 */
#include <stdlib.h>
#include <string.h>

#include "client/attach.h"
#include "client/content.h"
#include "crypto/crypto.h"
#include "testutil.h"

static const char MID[] = "00112233445566778899aabbccddeeff";

static int decodes(const uint8_t *p, size_t len)
{
    struct sc_content c;
    return sc_content_decode(&c, p, len) == SOTTO_OK;
}

/* Every proper prefix of a valid content is refused (or, for kinds whose
 * body is free text, still decodes to a shorter body: not a crash). */
static void prefixes_bounded(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t *copy = malloc(i + 1);
        memcpy(copy, p, i);
        (void)decodes(copy, i);
        free(copy);
    }
}

static void test_simple_kinds(void)
{
    struct sc_content c;
    uint8_t text[] = {SC_CONTENT_TEXT, 'h', 'i'};
    uint8_t typing[] = {SC_CONTENT_TYPING, 1};
    uint8_t timer[] = {SC_CONTENT_TIMER, 0, 0, 0x0e, 0x10};
    uint8_t bigtimer[] = {SC_CONTENT_TIMER, 0xff, 0, 0, 0};
    uint8_t receipt[2 + 32] = {SC_CONTENT_RECEIPT, SC_RECEIPT_READ};
    uint8_t reaction[17 + 4] = {SC_CONTENT_REACTION};

    CHECK_OK(sc_content_decode(&c, text, sizeof text));
    CHECK(c.kind == SC_CONTENT_TEXT && c.body_len == 2 && memcmp(c.body, "hi", 2) == 0);
    CHECK_OK(sc_content_decode(&c, typing, sizeof typing));
    CHECK(c.kind == SC_CONTENT_TYPING && c.typing == 1);
    typing[1] = 2;
    CHECK(!decodes(typing, sizeof typing));
    CHECK_OK(sc_content_decode(&c, timer, sizeof timer));
    CHECK(c.timer_s == 3600);
    CHECK(!decodes(bigtimer, sizeof bigtimer));
    CHECK(!decodes(timer, 4));
    CHECK_OK(sc_content_decode(&c, receipt, sizeof receipt));
    CHECK(c.receipt == SC_RECEIPT_READ && c.n_ids == 2);
    CHECK(!decodes(receipt, sizeof receipt - 1)); /* not a whole id */
    CHECK(!decodes(receipt, 2));                  /* no ids */
    receipt[1] = 7;
    CHECK(!decodes(receipt, sizeof receipt));
    memcpy(reaction + 17, "\xf0\x9f\x91\x8d", 4);
    CHECK_OK(sc_content_decode(&c, reaction, sizeof reaction));
    CHECK(c.kind == SC_CONTENT_REACTION && c.body_len == 4);
    CHECK(!decodes(reaction, 17)); /* no emoji */
    CHECK(!decodes((const uint8_t *)"", 0));
    CHECK(!decodes((const uint8_t *)"\x63", 1)); /* unknown kind */
}

static void test_transcript(void)
{
    struct sc_content c;
    uint8_t *inner, *t;
    size_t il, tl;
    char hex[SC_MID_LEN + 1];
    uint8_t timer[] = {SC_CONTENT_TIMER, 0, 0, 0, 60};

    CHECK_OK(sc_content_for_message(&inner, &il, SC_KIND_REACTION, (const uint8_t *)"+1", 2, MID));
    CHECK_OK(sc_content_transcript(&t, &tl, "bob", MID, inner, il));
    CHECK_OK(sc_content_decode(&c, t, tl));
    CHECK(c.kind == SC_CONTENT_TRANSCRIPT && c.inner_kind == SC_CONTENT_REACTION);
    CHECK(strcmp(c.dest, "bob") == 0 && c.body_len == 2);
    sc_mid_from_bytes(hex, c.mid);
    CHECK(strcmp(hex, MID) == 0);
    sc_mid_from_bytes(hex, c.target);
    CHECK(strcmp(hex, MID) == 0);
    prefixes_bounded(t, tl);
    CHECK(!decodes(t, 2 + 3 + 16)); /* no inner content */
    t[2] = 'B';                     /* not a valid account name */
    CHECK(!decodes(t, tl));
    free(t);
    free(inner);

    CHECK_OK(sc_content_transcript(&t, &tl, "carol", MID, timer, sizeof timer));
    CHECK_OK(sc_content_decode(&c, t, tl));
    CHECK(c.inner_kind == SC_CONTENT_TIMER && c.timer_s == 60);
    free(t);
    /* A transcript inside a transcript, or a receipt inside one: refused. */
    CHECK_OK(sc_content_transcript(&inner, &il, "bob", MID, (const uint8_t *)"\x01x", 2));
    CHECK_OK(sc_content_transcript(&t, &tl, "bob", MID, inner, il));
    CHECK(!decodes(t, tl));
    free(t);
    free(inner);
    CHECK(sc_content_transcript(&t, &tl, "Bad Name", MID, timer, sizeof timer) != SOTTO_OK);
    CHECK(sc_content_transcript(&t, &tl, "bob", "nothex", timer, sizeof timer) != SOTTO_OK);
}

static void message(struct sc_message *m, const char *peer, int outgoing, int status, int kind,
                    const char *body)
{
    memset(m, 0, sizeof *m);
    sc_new_mid(m->mid);
    snprintf(m->peer, sizeof m->peer, "%s", peer);
    m->outgoing = outgoing;
    m->status = status;
    m->kind = kind;
    m->ts = 1700000000000;
    m->body = (uint8_t *)body;
    m->body_len = strlen(body);
    if (kind == SC_KIND_REACTION)
        memcpy(m->target, MID, sizeof m->target);
}

static void test_history(void)
{
    uint8_t *buf = malloc(7 + 4096), *p;
    struct sc_message m[4], att;
    struct sc_history_item it;
    struct sc_content c;
    struct sc_attach a;
    uint8_t *desc;
    size_t len = 0, left, dl;
    const uint8_t *q;

    message(&m[0], "bob", 1, SC_MSG_READ, SC_KIND_TEXT, "hello bob");
    message(&m[1], "bob", 0, SC_MSG_RECEIVED, SC_KIND_TEXT, "hi alice");
    message(&m[2], "bob", 0, SC_MSG_RECEIVED, SC_KIND_REACTION, "+1");
    message(&m[3], "carol", 1, SC_MSG_QUEUED, SC_KIND_TEXT, "not sent yet");
    m[1].expires_at = 1700000060000;
    for (int i = 0; i < 3; i++)
        CHECK_OK(sc_history_append(buf + 7, 4096, &len, &m[i]));
    CHECK(sc_history_append(buf + 7, 4096, &len, &m[3]) == SOTTO_ERR_NOT_FOUND);
    CHECK(sc_history_append(buf + 7, 40, &(size_t){0}, &m[0]) == SOTTO_ERR_TOO_LARGE);

    /* An attachment goes without our local path. */
    memset(&a, 0, sizeof a);
    st_random_bytes(a.id, sizeof a.id);
    a.size = 5;
    snprintf(a.name, sizeof a.name, "x.bin");
    snprintf(a.path, sizeof a.path, "/home/alice/private/x.bin");
    CHECK_OK(sc_attach_encode(&desc, &dl, &a, 1));
    message(&att, "bob", 1, SC_MSG_SENT, SC_KIND_ATTACHMENT, "");
    att.body = desc;
    att.body_len = dl;
    CHECK_OK(sc_history_append(buf + 7, 4096, &len, &att));
    CHECK(memmem(buf + 7, len, "/home/alice", 11) == NULL);

    buf[0] = SC_CONTENT_HISTORY;
    memcpy(buf + 1, "\0\0\0\x02\0\x04", 6); /* device 2, 4 items */
    CHECK_OK(sc_content_decode(&c, buf, 7 + len));
    CHECK(c.for_device == 2 && c.n_items == 4);
    q = c.items;
    left = c.items_len;
    for (int i = 0; i < 3; i++) {
        CHECK_OK(sc_history_next(&it, &q, &left));
        CHECK(strcmp(it.mid, m[i].mid) == 0 && strcmp(it.peer, m[i].peer) == 0);
        CHECK(it.outgoing == m[i].outgoing && it.status == m[i].status && it.kind == m[i].kind);
        CHECK(it.body_len == m[i].body_len && memcmp(it.body, m[i].body, it.body_len) == 0);
        CHECK(it.ts == m[i].ts && it.expires_at == m[i].expires_at);
    }
    CHECK(strcmp(it.target, MID) == 0);
    CHECK_OK(sc_history_next(&it, &q, &left));
    CHECK(it.kind == SC_KIND_ATTACHMENT);
    CHECK_OK(sc_attach_decode(&a, it.body, it.body_len, 0));
    CHECK(strcmp(a.name, "x.bin") == 0 && a.path[0] == 0);
    CHECK(sc_history_next(&it, &q, &left) == SOTTO_ERR_NOT_FOUND);

    /* A wrong count, a truncated batch, a bad status: the whole batch is refused. */
    buf[6] = 5;
    CHECK(!decodes(buf, 7 + len));
    buf[6] = 4;
    CHECK(!decodes(buf, 7 + len - 1));
    prefixes_bounded(buf, 7 + len);
    p = buf + 7;
    p[1] = SC_MSG_QUEUED; /* an outgoing item must have been sent */
    CHECK(!decodes(buf, 7 + len));
    free(desc);
    free(buf);
}

/* Group state (11), sender key (12), group message (13) and a group
 * message inside a transcript. */
static void test_group_kinds(void)
{
    struct sc_group g, back;
    struct sc_content c;
    uint8_t buf[1 + SC_GROUP_STATE_MAX], msg[1 + 32 + 3], skd[1 + 16 + 4], tr[80];
    size_t n, tl;

    memset(&g, 0, sizeof g);
    memset(g.id, 0xab, sizeof g.id);
    g.version = 7;
    strcpy(g.name, "team");
    strcpy(g.members[0], "alice");
    strcpy(g.members[1], "bob");
    g.n_members = 2;
    CHECK_OK(sc_group_encode(buf + 1, sizeof buf - 1, &n, &g));
    buf[0] = SC_CONTENT_GROUP_STATE;
    CHECK_OK(sc_content_decode(&c, buf, 1 + n));
    CHECK(c.kind == SC_CONTENT_GROUP_STATE && c.has_gid && c.gid[0] == 0xab);
    CHECK_OK(sc_group_decode(&back, c.body, c.body_len));
    CHECK(back.version == 7 && back.n_members == 2 && strcmp(back.members[1], "bob") == 0 &&
          strcmp(back.name, "team") == 0 && sc_group_has(&back, "alice") &&
          !sc_group_has(&back, "carol"));
    prefixes_bounded(buf, 1 + n);
    for (size_t i = 1; i < 1 + n; i++)
        CHECK(!decodes(buf, i)); /* every truncation is refused */
    buf[1 + n] = 0;
    CHECK(!decodes(buf, 2 + n)); /* trailing byte */
    /* must-fail encodings: duplicate member, bad member name, empty or
     * control-character name, no members, too many */
    strcpy(g.members[1], "alice");
    CHECK(sc_group_encode(buf + 1, sizeof buf - 1, &n, &g) == SOTTO_ERR_INVALID_ARGUMENT);
    strcpy(g.members[1], "Bob!");
    CHECK(sc_group_encode(buf + 1, sizeof buf - 1, &n, &g) == SOTTO_ERR_INVALID_ARGUMENT);
    strcpy(g.members[1], "bob");
    strcpy(g.name, "a\nb");
    CHECK(sc_group_encode(buf + 1, sizeof buf - 1, &n, &g) == SOTTO_ERR_INVALID_ARGUMENT);
    g.name[0] = 0;
    CHECK(sc_group_encode(buf + 1, sizeof buf - 1, &n, &g) == SOTTO_ERR_INVALID_ARGUMENT);
    strcpy(g.name, "team");
    g.n_members = 0;
    CHECK(sc_group_encode(buf + 1, sizeof buf - 1, &n, &g) == SOTTO_ERR_INVALID_ARGUMENT);
    g.n_members = SC_GROUP_MEMBERS_MAX + 1;
    CHECK(sc_group_encode(buf + 1, sizeof buf - 1, &n, &g) == SOTTO_ERR_INVALID_ARGUMENT);
    /* a hand-made state with a member count of 33 */
    {
        uint8_t bad[1 + 16 + 4 + 1 + 1 + 1] = {SC_CONTENT_GROUP_STATE};
        bad[21] = 1;
        bad[22] = 'x';
        bad[23] = SC_GROUP_MEMBERS_MAX + 1;
        CHECK(!decodes(bad, sizeof bad));
    }

    memset(skd, 0x33, sizeof skd);
    skd[0] = SC_CONTENT_SENDER_KEY;
    CHECK_OK(sc_content_decode(&c, skd, sizeof skd));
    CHECK(c.kind == SC_CONTENT_SENDER_KEY && c.has_gid && c.body_len == 4);
    CHECK(!decodes(skd, 17)); /* no SKDM */

    msg[0] = SC_CONTENT_GROUP_MESSAGE;
    memset(msg + 1, 0xcd, 16);
    memset(msg + 17, 0xef, 16);
    msg[33] = SC_CONTENT_TEXT;
    msg[34] = 'h';
    msg[35] = 'i';
    CHECK_OK(sc_content_decode(&c, msg, sizeof msg));
    CHECK(c.kind == SC_CONTENT_GROUP_MESSAGE && c.inner_kind == SC_CONTENT_TEXT && c.has_gid &&
          c.gid[15] == 0xcd && c.mid[0] == 0xef && c.body_len == 2);
    CHECK(!decodes(msg, 33));
    msg[33] = SC_CONTENT_TIMER; /* no timers in groups */
    CHECK(!decodes(msg, sizeof msg));
    msg[33] = SC_CONTENT_GROUP_MESSAGE; /* no nesting */
    CHECK(!decodes(msg, sizeof msg));
    msg[33] = SC_CONTENT_TEXT;

    /* our own group message as a transcript */
    {
        uint8_t *t = NULL;
        CHECK_OK(sc_content_transcript(&t, &tl, "alice", MID, msg, sizeof msg));
        CHECK(tl <= sizeof tr);
        memcpy(tr, t, tl);
        free(t);
    }
    CHECK_OK(sc_content_decode(&c, tr, tl));
    CHECK(c.kind == SC_CONTENT_TRANSCRIPT && c.has_gid && c.gid[0] == 0xcd &&
          c.inner_kind == SC_CONTENT_TEXT && strcmp(c.dest, "alice") == 0 && c.body_len == 2);
    prefixes_bounded(tr, tl);
}

static void test_mid_hex(void)
{
    uint8_t b[16];
    char hex[SC_MID_LEN + 1];
    CHECK_OK(sc_mid_to_bytes(b, MID));
    sc_mid_from_bytes(hex, b);
    CHECK(strcmp(hex, MID) == 0);
    CHECK(sc_mid_to_bytes(b, "0011") != SOTTO_OK);
    CHECK(sc_mid_to_bytes(b, "zz112233445566778899aabbccddeeff") != SOTTO_OK);
    CHECK(sc_mid_to_bytes(b, NULL) != SOTTO_OK);
}

int main(void)
{
    t_init();
    t_seed_random(11);
    test_simple_kinds();
    test_transcript();
    test_history();
    test_mid_hex();
    test_group_kinds();
    return t_done();
}
