/*
 * Session limits and responder refusals: at most 40 archived states and 5
 * receiver chains, a message from a dropped chain fails, unknown signed /
 * one-time / Kyber prekey ids, a non-canonical base key, a v4 PreKey
 * message without its Kyber fields, every byte of a PQXDH PreKey message
 * tampered (nothing consumed), and bounded record parsing.
 */
#include "session_party.h"
#include "session/session.h"
#include "wire.pb-c.h"

static const char *A_NAME = "1a2b3c4d-0000-4000-8000-00000000000a";
static const char *B_NAME = "1a2b3c4d-0000-4000-8000-00000000000b";

static struct sotto_session_record *record_of(struct party *p, struct party *peer)
{
    struct sotto_buf ser = party_record(p, peer);
    struct sotto_session_record *rec = NULL;

    CHECK_OK(sotto_session_record_parse(&rec, ser.data, ser.len));
    sotto_buf_free(&ser);
    return rec;
}

static void test_archive_limit(void)
{
    struct party a, b;
    struct sotto_prekey_bundle bundle;
    struct sotto_session_record *rec;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    for (int i = 0; i < ST_ARCHIVED_STATES_MAX + 5; i++) {
        party_bundle(&b, &bundle, 0, 0);
        CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000));
    }
    rec = record_of(&a, &b);
    CHECK(rec->current != NULL && rec->narchived == ST_ARCHIVED_STATES_MAX);
    sotto_session_record_free(rec);
    party_free(&a);
    party_free(&b);
}

static void test_receiver_chains(void)
{
    struct party a, b;
    struct sotto_prekey_bundle bundle;
    struct sotto_session_record *rec;
    struct sotto_buf early, m;
    int t_early, t;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    party_bundle(&b, &bundle, 0, 1);
    CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000));
    m = party_send(&a, &b, "start", &t);
    CHECK_OK(party_recv(&b, &a, t, &m, "start"));
    sotto_buf_free(&m);
    early = party_send(&a, &b, "held back", &t_early);
    for (int i = 0; i < 8; i++) {
        m = party_send(&b, &a, "ping", &t);
        CHECK_OK(party_recv(&a, &b, t, &m, "ping"));
        sotto_buf_free(&m);
        m = party_send(&a, &b, "pong", &t);
        CHECK_OK(party_recv(&b, &a, t, &m, "pong"));
        sotto_buf_free(&m);
    }
    rec = record_of(&b, &a);
    CHECK(rec->current->nrecv == ST_MAX_RECEIVER_CHAINS);
    sotto_session_record_free(rec);
    /* its chain was dropped: the held-back message cannot be read */
    CHECK(party_recv(&b, &a, t_early, &early, NULL) != SOTTO_OK);
    sotto_buf_free(&early);
    party_free(&a);
    party_free(&b);
}

/* The newest 2000 skipped keys survive, across several jumps. */
static void test_skipped_window(void)
{
    enum { N = 2502 };
    struct party a, b;
    struct sotto_prekey_bundle bundle;
    struct sotto_buf *m = calloc(N, sizeof(*m)), x;
    int *t = calloc(N, sizeof(*t)), tx;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    party_bundle(&b, &bundle, 0, 1);
    CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000));
    x = party_send(&a, &b, "setup", &tx);
    CHECK_OK(party_recv(&b, &a, tx, &x, "setup"));
    sotto_buf_free(&x);
    x = party_send(&b, &a, "ack", &tx);
    CHECK_OK(party_recv(&a, &b, tx, &x, "ack"));
    sotto_buf_free(&x);
    for (int i = 0; i < N; i++)
        m[i] = party_send(&a, &b, "n", &t[i]);
    /* skip 0..1499, then 1501..2500: 2500 skipped, the oldest 500 dropped */
    CHECK_OK(party_recv(&b, &a, t[1500], &m[1500], "n"));
    CHECK_OK(party_recv(&b, &a, t[2501], &m[2501], "n"));
    CHECK(party_recv(&b, &a, t[499], &m[499], NULL) == SOTTO_ERR_DUPLICATE_MESSAGE);
    CHECK_OK(party_recv(&b, &a, t[500], &m[500], "n"));
    CHECK_OK(party_recv(&b, &a, t[1499], &m[1499], "n"));
    CHECK_OK(party_recv(&b, &a, t[1501], &m[1501], "n"));
    CHECK_OK(party_recv(&b, &a, t[2500], &m[2500], "n"));
    for (int i = 0; i < N; i++)
        sotto_buf_free(&m[i]);
    free(m);
    free(t);
    party_free(&a);
    party_free(&b);
}

/* previous_counter is the counter of the last message sent on the old
 * chain (libsignal), not the spec's count of messages: 0 when none. */
static void test_previous_counter(void)
{
    struct party a, b;
    struct sotto_prekey_bundle bundle;
    struct st_signal_msg parsed;
    struct sotto_buf x;
    int tx;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    party_bundle(&b, &bundle, 0, 1);
    CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000));
    x = party_send(&a, &b, "setup", &tx);
    CHECK_OK(party_recv(&b, &a, tx, &x, "setup"));
    sotto_buf_free(&x);
    for (int round = 0; round < 2; round++) {
        int sent = round == 0 ? 3 : 1;
        x = party_send(&b, &a, "turn", &tx);
        CHECK_OK(party_recv(&a, &b, tx, &x, "turn"));
        sotto_buf_free(&x);
        for (int i = 0; i < sent; i++) {
            x = party_send(&a, &b, "m", &tx);
            CHECK_OK(st_signal_msg_parse(&parsed, x.data, x.len));
            CHECK(parsed.counter == (uint32_t)i);
            /* round 0: only "setup" (counter 0) before; round 1: 0..2 */
            CHECK(parsed.previous_counter == (round == 0 ? 0u : 2u));
            st_signal_msg_clear(&parsed);
            CHECK_OK(party_recv(&b, &a, tx, &x, "m"));
            sotto_buf_free(&x);
        }
    }
    /* B's next reply: B sent one message ("turn") per chain, so 0. */
    x = party_send(&b, &a, "turn", &tx);
    CHECK_OK(st_signal_msg_parse(&parsed, x.data, x.len));
    CHECK(parsed.previous_counter == 0);
    st_signal_msg_clear(&parsed);
    CHECK_OK(party_recv(&a, &b, tx, &x, "turn"));
    sotto_buf_free(&x);
    /* A sent counters 0..0 on its last chain; before that 0..2. */
    x = party_send(&a, &b, "m", &tx);
    CHECK_OK(st_signal_msg_parse(&parsed, x.data, x.len));
    CHECK(parsed.previous_counter == 0 && parsed.counter == 0);
    st_signal_msg_clear(&parsed);
    sotto_buf_free(&x);
    party_free(&a);
    party_free(&b);
}

/* Field numbers of a protobuf, in wire order; -1 on a parse error. */
static int field_order(int *out, int max, const uint8_t *p, size_t len)
{
    size_t i = 0;
    int n = 0;

    while (i < len && n < max) {
        uint64_t key = 0, v = 0;
        int shift = 0;
        do {
            key |= (uint64_t)(p[i] & 0x7f) << shift;
            shift += 7;
        } while (p[i++] & 0x80 && i < len);
        out[n++] = (int)(key >> 3);
        shift = 0;
        if ((key & 7) == 0 || (key & 7) == 2) {
            do {
                v |= (uint64_t)(p[i] & 0x7f) << shift;
                shift += 7;
            } while (p[i++] & 0x80 && i < len);
            if ((key & 7) == 2)
                i += (size_t)v;
        } else {
            return -1;
        }
    }
    return i == len ? n : -1;
}

/* Fields go out in ascending number order, as prost writes them. */
static void test_field_order(void)
{
    struct party a, b;
    struct sotto_prekey_bundle bundle;
    struct sotto_buf m;
    int t, f[16], n;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    party_bundle(&b, &bundle, kem_available(), 1);
    CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000));
    m = party_send(&a, &b, "order", &t);
    n = field_order(f, 16, m.data + 1, m.len - 1);
    CHECK(n == (kem_available() ? 8 : 6));
    for (int i = 1; i < n; i++)
        CHECK(f[i] > f[i - 1]);
    CHECK_OK(party_recv(&b, &a, t, &m, "order"));
    sotto_buf_free(&m);
    m = party_send(&b, &a, "whisper", &t);
    n = field_order(f, 16, m.data + 1, m.len - 1 - 8);
    CHECK(n == 4 && f[0] == 1 && f[1] == 2 && f[2] == 3 && f[3] == 4);
    sotto_buf_free(&m);
    party_free(&a);
    party_free(&b);
}

/* Re-encode a PreKey message with one change. */
static struct sotto_buf reencode(const struct sotto_buf *in,
                                 void (*edit)(SignalWire__PreKeySignalMessage *))
{
    SignalWire__PreKeySignalMessage *pb =
        signal_wire__pre_key_signal_message__unpack(NULL, in->len - 1, in->data + 1);
    struct sotto_buf out = {NULL, 0};

    CHECK(pb != NULL);
    if (pb == NULL)
        return out;
    edit(pb);
    out.len = 1 + signal_wire__pre_key_signal_message__get_packed_size(pb);
    out.data = malloc(out.len);
    out.data[0] = in->data[0];
    signal_wire__pre_key_signal_message__pack(pb, out.data + 1);
    signal_wire__pre_key_signal_message__free_unpacked(pb, NULL);
    return out;
}

static void bad_signed_id(SignalWire__PreKeySignalMessage *pb)
{
    pb->signed_pre_key_id += 1000;
}
static void bad_prekey_id(SignalWire__PreKeySignalMessage *pb)
{
    pb->pre_key_id += 1000;
}
static void bad_kyber_id(SignalWire__PreKeySignalMessage *pb)
{
    pb->kyber_pre_key_id += 1000;
}
static void no_kyber(SignalWire__PreKeySignalMessage *pb)
{
    pb->has_kyber_pre_key_id = pb->has_kyber_ciphertext = 0;
}
static void only_kyber_id(SignalWire__PreKeySignalMessage *pb)
{
    pb->has_kyber_ciphertext = 0;
}
static void non_canonical_base(SignalWire__PreKeySignalMessage *pb)
{
    pb->base_key.data[32] |= 0x80; /* top bit of u set */
}

/* Offset of the registration_id field (tag and a 1-byte varint). */
static size_t reg_id_offset(const struct sotto_buf *m)
{
    SignalWire__PreKeySignalMessage *pb =
        signal_wire__pre_key_signal_message__unpack(NULL, m->len - 1, m->data + 1);
    size_t off;

    CHECK(pb != NULL && pb->has_registration_id && pb->registration_id < 128);
    pb->has_registration_id = pb->has_signed_pre_key_id = 0;
    pb->has_kyber_pre_key_id = pb->has_kyber_ciphertext = 0;
    off = 1 + signal_wire__pre_key_signal_message__get_packed_size(pb);
    signal_wire__pre_key_signal_message__free_unpacked(pb, NULL);
    return off;
}

static void test_responder_refusals(void)
{
    static const struct {
        void (*edit)(SignalWire__PreKeySignalMessage *);
        int want;
    } cases[] = {
        {bad_signed_id, SOTTO_ERR_INVALID_PREKEY},  {bad_prekey_id, SOTTO_ERR_INVALID_PREKEY},
        {bad_kyber_id, SOTTO_ERR_INVALID_PREKEY},   {no_kyber, SOTTO_ERR_INVALID_MESSAGE},
        {only_kyber_id, SOTTO_ERR_INVALID_MESSAGE}, {non_canonical_base, SOTTO_ERR_INVALID_KEY},
    };
    struct party a, b;
    struct sotto_prekey_bundle bundle;
    struct sotto_buf m, bad;
    size_t reg;
    int t;

    party_init(&a, A_NAME, 1);
    party_init(&b, B_NAME, 2);
    party_bundle(&b, &bundle, 1, 1);
    CHECK_OK(sotto_session_process_bundle(&a.st, &b.addr, &bundle, 1000));
    m = party_send(&a, &b, "pqxdh", &t);
    CHECK(t == SOTTO_MSG_PREKEY && m.data[0] == 0x44);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bad = reencode(&m, cases[i].edit);
        CHECK(party_recv(&b, &a, t, &bad, NULL) == cases[i].want);
        sotto_buf_free(&bad);
    }
    /* every byte flipped: refused, nothing consumed, no session. The
     * registration id (field 5) is not authenticated, in libsignal either. */
    reg = reg_id_offset(&m);
    for (size_t i = 0; i < m.len; i += (i < 200 || i > m.len - 200) ? 1 : 13) {
        if (i >= reg && i < reg + 2)
            continue;
        m.data[i] ^= 0x20;
        CHECK(party_recv(&b, &a, t, &m, NULL) != SOTTO_OK);
        m.data[i] ^= 0x20;
    }
    CHECK(b.ms.sessions == NULL && b.ms.prekeys != NULL && b.ms.kyber_prekeys != NULL);
    CHECK_OK(party_recv(&b, &a, t, &m, "pqxdh"));
    CHECK(b.ms.prekeys == NULL && b.ms.kyber_prekeys == NULL);
    sotto_buf_free(&m);
    party_free(&a);
    party_free(&b);
}

static void test_record_bounds(void)
{
    static const uint8_t junk[] = {0x08, 0x01, 0x12, 0x05, 1, 2, 3, 4, 5};
    struct sotto_session_record *rec = NULL;
    uint8_t *big;
    size_t n = 0;

    CHECK(sotto_session_record_parse(&rec, junk, sizeof(junk)) != SOTTO_OK && rec == NULL);
    CHECK(sotto_session_record_parse(&rec, junk, 0) != SOTTO_OK);
    /* format 1 and 41 archived (empty) states: too many */
    big = malloc(2 + 41 * 2);
    big[n++] = 0x08;
    big[n++] = 0x01;
    for (int i = 0; i < 41; i++) {
        big[n++] = 0x1a;
        big[n++] = 0x00;
    }
    CHECK(sotto_session_record_parse(&rec, big, n) == SOTTO_ERR_TOO_LARGE);
    free(big);
}

int main(void)
{
    t_init();
    t_seed_random(4242);
    test_archive_limit();
    test_receiver_chains();
    test_skipped_window();
    test_previous_counter();
    test_field_order();
    if (kem_available())
        test_responder_refusals();
    test_record_bounds();
    return t_done();
}
