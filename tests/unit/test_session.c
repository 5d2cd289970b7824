/*
 * 1:1 sessions sotto <-> sotto: X3DH v3 and PQXDH v4 setup, both roles,
 * alternating traffic, PreKey retransmission, out-of-order delivery,
 * duplicates, prekey reuse, bad signatures, untrusted identities,
 * simultaneous initiation and record round trips.
 */
#include "session_party.h"
#include "session/session.h"

static const char *A_NAME = "9d0652a6-1a1b-4f5e-8d3c-2a8e1f6f6a01";
static const char *B_NAME = "4f1c8b9e-77aa-4e2d-9b1f-0c2d3e4f5a02";

/* A processes B's bundle, two PreKey messages, then alternate. */
static void test_basic(int kyber)
{
    struct party a, b;
    struct sotto_prekey_bundle bundle;
    struct sotto_buf m1, m2, m3, m4;
    int t1, t2, t3, t4;

    party_init(&a, A_NAME, 11);
    party_init(&b, B_NAME, 22);
    party_bundle(&b, &bundle, kyber, 1);
    CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000));
    m1 = party_send(&a, &b, "hello 1", &t1);
    m2 = party_send(&a, &b, "hello 2", &t2);
    CHECK(t1 == SOTTO_MSG_PREKEY && t2 == SOTTO_MSG_PREKEY);
    CHECK(m1.data[0] == (kyber ? 0x44 : 0x34));
    /* Second PreKey message first: it builds the session, the first reuses it. */
    CHECK_OK(party_recv(&b, &a, t2, &m2, "hello 2"));
    CHECK(ms_find(b.ms.prekeys, NULL, bundle.prekey_id) == NULL);
    CHECK_OK(party_recv(&b, &a, t1, &m1, "hello 1"));
    CHECK(party_recv(&b, &a, t1, &m1, NULL) == SOTTO_ERR_DUPLICATE_MESSAGE);
    m3 = party_send(&b, &a, "reply", &t3);
    CHECK(t3 == SOTTO_MSG_WHISPER);
    CHECK_OK(party_recv(&a, &b, t3, &m3, "reply"));
    m4 = party_send(&a, &b, "after reply", &t4);
    CHECK(t4 == SOTTO_MSG_WHISPER);
    CHECK_OK(party_recv(&b, &a, t4, &m4, "after reply"));
    for (int i = 0; i < 6; i++) {
        struct sotto_buf x;
        int tx;
        x = party_send(i % 2 ? &a : &b, i % 2 ? &b : &a, "ping", &tx);
        CHECK(tx == SOTTO_MSG_WHISPER);
        CHECK_OK(party_recv(i % 2 ? &b : &a, i % 2 ? &a : &b, tx, &x, "ping"));
        sotto_buf_free(&x);
    }
    sotto_buf_free(&m1);
    sotto_buf_free(&m2);
    sotto_buf_free(&m3);
    sotto_buf_free(&m4);
    party_free(&a);
    party_free(&b);
}

/* Set up and acknowledge a session a -> b. */
static void establish(struct party *a, struct party *b, int kyber)
{
    struct sotto_prekey_bundle bundle;
    struct sotto_buf m;
    int t;

    party_bundle(b, &bundle, kyber, 1);
    CHECK_OK(sotto_session_process_bundle(&a->st, &b->addr, &bundle, 1000));
    m = party_send(a, b, "hi", &t);
    CHECK_OK(party_recv(b, a, t, &m, "hi"));
    sotto_buf_free(&m);
    m = party_send(b, a, "hi back", &t);
    CHECK_OK(party_recv(a, b, t, &m, "hi back"));
    sotto_buf_free(&m);
}

static void test_out_of_order(void)
{
    static const int order[] = {4, 0, 2, 1, 3};
    struct party a, b;
    struct sotto_buf m[5];
    int t[5];
    char text[16];

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    establish(&a, &b, 0);
    for (int i = 0; i < 5; i++) {
        snprintf(text, sizeof(text), "burst %d", i);
        m[i] = party_send(&a, &b, text, &t[i]);
    }
    for (int k = 0; k < 5; k++) {
        int i = order[k];
        snprintf(text, sizeof(text), "burst %d", i);
        CHECK_OK(party_recv(&b, &a, t[i], &m[i], text));
    }
    for (int i = 0; i < 5; i++) {
        CHECK(party_recv(&b, &a, t[i], &m[i], NULL) == SOTTO_ERR_DUPLICATE_MESSAGE);
        sotto_buf_free(&m[i]);
    }
    /* A reply after the burst, then a message from A's old chain late. */
    m[0] = party_send(&a, &b, "old chain", &t[0]);
    m[1] = party_send(&b, &a, "new chain", &t[1]);
    CHECK_OK(party_recv(&a, &b, t[1], &m[1], "new chain"));
    m[2] = party_send(&a, &b, "after ratchet", &t[2]);
    CHECK_OK(party_recv(&b, &a, t[2], &m[2], "after ratchet"));
    CHECK_OK(party_recv(&b, &a, t[0], &m[0], "old chain"));
    for (int i = 0; i < 3; i++)
        sotto_buf_free(&m[i]);
    party_free(&a);
    party_free(&b);
}

/* Flipping any byte fails, and a failure leaves the record as it was. */
static void test_tamper(void)
{
    struct party a, b;
    struct sotto_buf m, before, after;
    int t, failures = 0, unchanged = 1;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    establish(&a, &b, 0);
    m = party_send(&a, &b, "tamper with me", &t);
    before = party_record(&b, &a);
    for (size_t i = 0; i < m.len; i++) {
        m.data[i] ^= 0x01;
        if (party_recv(&b, &a, t, &m, NULL) != SOTTO_OK)
            failures++;
        m.data[i] ^= 0x01;
        after = party_record(&b, &a);
        if (after.len != before.len || memcmp(after.data, before.data, before.len) != 0)
            unchanged = 0;
        sotto_buf_free(&after);
    }
    CHECK(failures == (int)m.len);
    CHECK(unchanged);
    CHECK_OK(party_recv(&b, &a, t, &m, "tamper with me"));
    CHECK(party_recv(&b, &a, t, &m, NULL) == SOTTO_ERR_DUPLICATE_MESSAGE);
    CHECK(party_recv(&b, &a, SOTTO_MSG_PREKEY, &m, NULL) != SOTTO_OK);
    CHECK(party_recv(&b, &a, 9, &m, NULL) == SOTTO_ERR_INVALID_MESSAGE);
    sotto_buf_free(&before);
    sotto_buf_free(&m);
    party_free(&a);
    party_free(&b);
}

/* Counter jumps: 25000 ahead is fine, 25001 is refused. */
static void test_too_far_ahead(void)
{
    struct party a, b;
    struct sotto_session_record *rec;
    struct sotto_buf ser, m, skip;
    int t;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    establish(&a, &b, 0);
    /* B's chain for A's current key has index 0; move A's counter on. */
    ser = party_record(&a, &b);
    CHECK_OK(sotto_session_record_parse(&rec, ser.data, ser.len));
    for (int i = 0; i < ST_MAX_FORWARD_JUMPS + 1; i++) {
        CHECK_OK(st_ratchet_encrypt(&skip, rec->current, (const uint8_t *)"x", 1));
        sotto_buf_free(&skip);
    }
    sotto_buf_free(&ser);
    CHECK_OK(sotto_session_record_serialize(&ser, rec));
    CHECK_OK(ms_put(&a.ms.sessions, b.addr.name, b.addr.device_id, ser.data, ser.len));
    sotto_buf_free(&ser);
    sotto_session_record_free(rec);
    m = party_send(&a, &b, "far", &t); /* counter 25001 */
    CHECK(party_recv(&b, &a, t, &m, NULL) == SOTTO_ERR_TOO_FAR_AHEAD);
    sotto_buf_free(&m);
    party_free(&a);
    party_free(&b);

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    establish(&a, &b, 0);
    ser = party_record(&a, &b);
    CHECK_OK(sotto_session_record_parse(&rec, ser.data, ser.len));
    for (int i = 0; i < ST_MAX_FORWARD_JUMPS; i++) {
        CHECK_OK(st_ratchet_encrypt(&skip, rec->current, (const uint8_t *)"x", 1));
        sotto_buf_free(&skip);
    }
    sotto_buf_free(&ser);
    CHECK_OK(sotto_session_record_serialize(&ser, rec));
    CHECK_OK(ms_put(&a.ms.sessions, b.addr.name, b.addr.device_id, ser.data, ser.len));
    sotto_buf_free(&ser);
    sotto_session_record_free(rec);
    m = party_send(&a, &b, "just in reach", &t); /* counter 25000 */
    CHECK_OK(party_recv(&b, &a, t, &m, "just in reach"));
    /* 2000 skipped keys kept at most. */
    ser = party_record(&b, &a);
    CHECK_OK(sotto_session_record_parse(&rec, ser.data, ser.len));
    CHECK(rec->current->recv[rec->current->nrecv - 1].nskipped == ST_MAX_MESSAGE_KEYS);
    sotto_session_record_free(rec);
    sotto_buf_free(&ser);
    sotto_buf_free(&m);
    party_free(&a);
    party_free(&b);
}

/* Serialize -> parse -> serialize is the identity. */
static void test_record_round_trip(void)
{
    struct party a, b;
    struct sotto_session_record *rec;
    struct sotto_buf ser, again, m;
    int t;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    establish(&a, &b, 0);
    /* skipped keys and an archived state in the record */
    m = party_send(&a, &b, "lost", &t);
    sotto_buf_free(&m);
    m = party_send(&a, &b, "kept", &t);
    CHECK_OK(party_recv(&b, &a, t, &m, "kept"));
    sotto_buf_free(&m);
    ser = party_record(&b, &a);
    CHECK_OK(sotto_session_record_parse(&rec, ser.data, ser.len));
    CHECK(sotto_session_record_has_current(rec));
    CHECK(sotto_session_record_version(rec) == 3);
    CHECK_OK(sotto_session_record_serialize(&again, rec));
    CHECK(again.len == ser.len && memcmp(again.data, ser.data, ser.len) == 0);
    sotto_buf_free(&again);
    /* archiving: no current state, one more archived; still a record */
    {
        size_t n = rec->narchived;
        CHECK_OK(sotto_session_record_archive_current(rec));
        CHECK(!sotto_session_record_has_current(rec) && rec->narchived == n + 1);
        CHECK_OK(sotto_session_record_archive_current(rec));
        CHECK(rec->narchived == n + 1);
    }
    CHECK_OK(sotto_session_record_serialize(&again, rec));
    for (size_t cut = 0; cut < ser.len; cut += 7) {
        struct sotto_session_record *r2 = NULL;
        if (sotto_session_record_parse(&r2, ser.data, cut) == SOTTO_OK)
            sotto_session_record_free(r2);
    }
    sotto_session_record_free(rec);
    sotto_buf_free(&ser);
    sotto_buf_free(&again);
    party_free(&a);
    party_free(&b);
}

/* A one-time prekey works once; bad signatures and unknown ids fail. */
static void test_prekey_rules(void)
{
    struct party a, b, c;
    struct sotto_prekey_bundle bundle, bad;
    struct sotto_buf m;
    int t;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    party_init(&c, "0b7e5c2a-3d4e-4f60-8a9b-1c2d3e4f5a03", 3);
    party_bundle(&b, &bundle, 0, 1);
    bad = bundle;
    bad.signed_prekey_signature[5] ^= 1;
    CHECK(sotto_session_process_bundle(&a.st, &b.addr, &bad, 1000) == SOTTO_ERR_INVALID_SIGNATURE);
    bad = bundle;
    bad.identity_key[0] = 0x06;
    CHECK(sotto_session_process_bundle(&a.st, &b.addr, &bad, 1000) == SOTTO_ERR_INVALID_KEY);
    CHECK(sotto_session_encrypt(&m, &t, &a.st, &b.addr, (const uint8_t *)"x", 1, 0) ==
          SOTTO_ERR_NO_SESSION);
    CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000));
    CHECK_OK(sotto_session_process_bundle(&c.st, &b.addr, &bundle, 1000));
    m = party_send(&a, &b, "first", &t);
    CHECK_OK(party_recv(&b, &a, t, &m, "first"));
    sotto_buf_free(&m);
    /* c used the same one-time prekey: it is gone now. */
    m = party_send(&c, &b, "second", &t);
    CHECK(party_recv(&b, &c, t, &m, NULL) == SOTTO_ERR_INVALID_PREKEY);
    sotto_buf_free(&m);
    /* 30 days unacknowledged: no more sending. */
    CHECK(sotto_session_encrypt(&m, &t, &c.st, &b.addr, (const uint8_t *)"x", 1,
                                1000 + ST_MAX_UNACK_SESSION_AGE_MS + 1) == SOTTO_ERR_NO_SESSION);
    /* a changed identity for a known peer is refused */
    party_free(&b);
    party_init(&b, B_NAME, 2);
    party_bundle(&b, &bundle, 0, 1);
    CHECK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000) ==
          SOTTO_ERR_UNTRUSTED_IDENTITY);
    party_free(&a);
    party_free(&b);
    party_free(&c);
}

/* Both sides start a session at once; both keep working. */
static void test_simultaneous(int kyber)
{
    struct party a, b;
    struct sotto_prekey_bundle ba, bb;
    struct sotto_buf ma, mb, x;
    int ta, tb, tx;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    party_bundle(&a, &ba, kyber, 1);
    party_bundle(&b, &bb, kyber, 1);
    CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bb, 1000));
    CHECK_OK(sotto_session_process_bundle(&b.st, &a.addr, &ba, 1000));
    ma = party_send(&a, &b, "from a", &ta);
    mb = party_send(&b, &a, "from b", &tb);
    CHECK_OK(party_recv(&b, &a, ta, &ma, "from a"));
    CHECK_OK(party_recv(&a, &b, tb, &mb, "from b"));
    /* Each side's current state is now the one the other started. */
    for (int i = 0; i < 4; i++) {
        x = party_send(i % 2 ? &a : &b, i % 2 ? &b : &a, "more", &tx);
        CHECK_OK(party_recv(i % 2 ? &b : &a, i % 2 ? &a : &b, tx, &x, "more"));
        sotto_buf_free(&x);
    }
    sotto_buf_free(&ma);
    sotto_buf_free(&mb);
    party_free(&a);
    party_free(&b);
}

int main(void)
{
    t_init();
    t_seed_random(20261127);
    test_basic(0);
    test_out_of_order();
    test_tamper();
    test_too_far_ahead();
    test_record_round_trip();
    test_prekey_rules();
    test_simultaneous(0);
    if (kem_available()) {
        test_basic(1);
        test_simultaneous(1);
    } else {
        fprintf(stderr, "KEM unavailable: PQXDH v4 cases skipped\n");
    }
    return t_done();
}
