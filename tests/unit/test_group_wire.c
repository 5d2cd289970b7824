/*
 * Sender keys on the wire, checked independently of lib/group: messages
 * decoded with a small protobuf reader written here, the chain and message
 * keys recomputed from signal-wire.md section 6 with OpenSSL (HMAC, HKDF by
 * RFC 5869 steps, AES-256-CBC), and messages built by hand that the library
 * must accept. Then must-fail tables for both parsers and for stored
 * records.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "crypto/crypto.h"
#include "group/sender_key.h"
#include "sotto/group.h"
#include "sotto/sotto.h"
#include "test_group_store.h"
#include "testutil.h"

static uint8_t DIST[16];

/* ---- a minimal protobuf writer and reader ---- */

struct buf {
    uint8_t b[4096];
    size_t n;
};

static void put_varint(struct buf *o, uint64_t v)
{
    do {
        o->b[o->n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        v >>= 7;
    } while (v);
}

static void put_uint(struct buf *o, unsigned field, uint64_t v)
{
    put_varint(o, field << 3);
    put_varint(o, v);
}

static void put_bytes(struct buf *o, unsigned field, const uint8_t *d, size_t len)
{
    put_varint(o, field << 3 | 2);
    put_varint(o, len);
    memcpy(o->b + o->n, d, len);
    o->n += len;
}

struct field {
    unsigned num, wire;
    uint64_t v;
    const uint8_t *d;
    size_t len;
};

static int get_varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
    *v = 0;
    for (int s = 0; s < 64 && *i < len; s += 7) {
        uint8_t c = p[(*i)++];
        *v |= (uint64_t)(c & 0x7f) << s;
        if (!(c & 0x80))
            return 1;
    }
    return 0;
}

/* Splits a protobuf into at most max fields; returns the count or -1. */
static int read_fields(struct field *f, int max, const uint8_t *p, size_t len)
{
    size_t i = 0;
    int n = 0;
    while (i < len && n < max) {
        uint64_t key, v;
        if (!get_varint(p, len, &i, &key))
            return -1;
        f[n].num = (unsigned)(key >> 3);
        f[n].wire = (unsigned)(key & 7);
        if (f[n].wire == 0) {
            if (!get_varint(p, len, &i, &f[n].v))
                return -1;
        } else if (f[n].wire == 2) {
            if (!get_varint(p, len, &i, &v) || v > len - i)
                return -1;
            f[n].d = p + i;
            f[n].len = (size_t)v;
            i += (size_t)v;
        } else {
            return -1;
        }
        n++;
    }
    return i == len ? n : -1;
}

/* ---- the spec's derivations, with OpenSSL directly ---- */

static void hmac(uint8_t out[32], const uint8_t *key, size_t klen, const uint8_t *m, size_t mlen)
{
    unsigned int olen = 32;
    HMAC(EVP_sha256(), key, (int)klen, m, mlen, out, &olen);
}

/* HKDF-SHA256 with no salt, RFC 5869: PRK = HMAC(0^32, IKM), T(i). */
static void hkdf48(uint8_t out[48], const uint8_t ikm[32], const char *info)
{
    uint8_t zero[32] = {0}, prk[32], t[32 + 64], ti[32];
    size_t ilen = strlen(info), tlen = 0;

    hmac(prk, zero, 32, ikm, 32);
    for (uint8_t c = 1; c <= 2; c++) {
        uint8_t in[32 + 64 + 1];
        size_t n = 0;
        memcpy(in, t, tlen), n += tlen;
        memcpy(in + n, info, ilen), n += ilen;
        in[n++] = c;
        hmac(ti, prk, 32, in, n);
        memcpy(t, ti, 32);
        tlen = 32;
        memcpy(out + 32 * (c - 1), ti, c == 1 ? 32 : 16);
    }
}

/* Message keys for `iteration` from the chain key at `start`. */
static void spec_keys(uint8_t iv[16], uint8_t key[32], const uint8_t ck0[32], uint32_t start,
                      uint32_t iteration)
{
    uint8_t ck[32], seed[32], okm[48];
    static const uint8_t one = 0x01, two = 0x02;

    memcpy(ck, ck0, 32);
    for (uint32_t i = start; i < iteration; i++) {
        hmac(seed, ck, 32, &two, 1);
        memcpy(ck, seed, 32);
    }
    hmac(seed, ck, 32, &one, 1);
    hkdf48(okm, seed, "WhisperGroup");
    memcpy(iv, okm, 16); /* IV first */
    memcpy(key, okm + 16, 32);
}

static int cbc(uint8_t *out, int *outlen, const uint8_t key[32], const uint8_t iv[16],
               const uint8_t *in, size_t len, int enc)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, m = 0, ok;
    ok = EVP_CipherInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv, enc) == 1 &&
         EVP_CipherUpdate(c, out, &n, in, (int)len) == 1 && EVP_CipherFinal_ex(c, out + n, &m) == 1;
    EVP_CIPHER_CTX_free(c);
    *outlen = n + m;
    return ok;
}

/* ---- known answers against the library's output ---- */

struct decoded_skdm {
    uint32_t chain_id, iteration;
    uint8_t chain_key[32], signing_key[33];
};

static void decode_skdm(struct decoded_skdm *d, const uint8_t *b, size_t len)
{
    struct field f[8];
    int n = read_fields(f, 8, b + 1, len - 1);

    CHECK(b[0] == 0x33);
    /* prost's layout: fields 1..5 in ascending order, each present. */
    CHECK(n == 5);
    if (n != 5)
        return;
    for (int i = 0; i < 5; i++)
        CHECK(f[i].num == (unsigned)i + 1);
    CHECK(f[0].wire == 2 && f[0].len == 16 && memcmp(f[0].d, DIST, 16) == 0);
    CHECK(f[1].wire == 0 && f[1].v < 0x80000000u);
    CHECK(f[2].wire == 0);
    CHECK(f[3].wire == 2 && f[3].len == 32);
    CHECK(f[4].wire == 2 && f[4].len == 33 && f[4].d[0] == 0x05);
    d->chain_id = (uint32_t)f[1].v;
    d->iteration = (uint32_t)f[2].v;
    memcpy(d->chain_key, f[3].d, 32);
    memcpy(d->signing_key, f[4].d, 33);
}

static void test_known_answers(void)
{
    struct mem_store as = {0};
    struct sotto_sender_key_store a = mem_iface(&as);
    uint8_t skdm[SOTTO_GROUP_SKDM_MAX], ct[256], pt[256], iv[16], key[32];
    size_t skdm_len, ct_len;
    struct decoded_skdm d;
    struct field f[8];
    int n, ptlen;

    CHECK_OK(sotto_group_create(skdm, &skdm_len, sizeof skdm, &a, "alice", 1, DIST));
    decode_skdm(&d, skdm, skdm_len);
    CHECK(d.iteration == 0);
    for (uint32_t i = 0; i < 5; i++) {
        char text[40];
        snprintf(text, sizeof text, "group message number %u", i);
        CHECK_OK(sotto_group_encrypt(ct, &ct_len, sizeof ct, &a, "alice", 1, DIST,
                                     (const uint8_t *)text, strlen(text)));
        CHECK(ct[0] == 0x33);
        n = read_fields(f, 8, ct + 1, ct_len - 1 - 64);
        CHECK(n == 4);
        if (n != 4)
            continue;
        CHECK(f[0].num == 1 && f[0].len == 16 && memcmp(f[0].d, DIST, 16) == 0);
        CHECK(f[1].num == 2 && f[1].v == d.chain_id);
        CHECK(f[2].num == 3 && f[2].v == i);
        CHECK(f[3].num == 4 && f[3].len == (strlen(text) / 16 + 1) * 16);
        /* Signature by the SKDM's signing key over everything before it. */
        CHECK_OK(st_xeddsa_verify(ct + ct_len - 64, d.signing_key + 1, ct, ct_len - 64));
        spec_keys(iv, key, d.chain_key, 0, i);
        CHECK(cbc(pt, &ptlen, key, iv, f[3].d, f[3].len, 0));
        CHECK((size_t)ptlen == strlen(text) && memcmp(pt, text, strlen(text)) == 0);
    }
    mem_free(&as);
}

/* A SenderKeyMessage built here from the spec, signed with priv. */
static void hand_skm(struct buf *o, const uint8_t ck[32], uint32_t chain_id, uint32_t start,
                     uint32_t iteration, const char *text, const uint8_t priv[32])
{
    uint8_t iv[16], key[32], body[128];
    struct buf pb = {.n = 0};
    int blen = 0;

    spec_keys(iv, key, ck, start, iteration);
    CHECK(cbc(body, &blen, key, iv, (const uint8_t *)text, strlen(text), 1));
    put_bytes(&pb, 1, DIST, 16);
    put_uint(&pb, 2, chain_id);
    put_uint(&pb, 3, iteration);
    put_bytes(&pb, 4, body, (size_t)blen);
    o->n = 0;
    o->b[o->n++] = 0x33;
    memcpy(o->b + o->n, pb.b, pb.n);
    o->n += pb.n;
    CHECK_OK(st_xeddsa_sign(o->b + o->n, priv, o->b, o->n));
    o->n += 64;
}

static void test_hand_built_accepted(void)
{
    struct mem_store bs = {0};
    struct sotto_sender_key_store b = mem_iface(&bs);
    uint8_t ck[32], pub[32], priv[32], pub33[33], out[128];
    struct buf skdm = {.n = 0}, pb = {.n = 0}, m;
    size_t n;

    memset(ck, 0x42, sizeof ck);
    CHECK_OK(st_x25519_keypair(pub, priv));
    st_pubkey_encode(pub33, pub);
    /* Fields in reverse order plus an unknown field: prost-style parsers accept it. */
    put_bytes(&pb, 5, pub33, 33);
    put_bytes(&pb, 4, ck, 32);
    put_uint(&pb, 3, 7);
    put_uint(&pb, 2, 1234567);
    put_bytes(&pb, 1, DIST, 16);
    put_uint(&pb, 9, 1);
    skdm.b[skdm.n++] = 0x3f; /* the low nibble is ignored */
    memcpy(skdm.b + 1, pb.b, pb.n);
    skdm.n += pb.n;
    CHECK_OK(sotto_group_process(&b, "carol", 3, skdm.b, skdm.n));

    hand_skm(&m, ck, 1234567, 7, 9, "hand made", priv);
    CHECK_OK(sotto_group_decrypt(out, &n, sizeof out, &b, "carol", 3, m.b, m.n));
    CHECK(n == 9 && memcmp(out, "hand made", 9) == 0);
    hand_skm(&m, ck, 1234567, 7, 7, "skipped one", priv);
    CHECK_OK(sotto_group_decrypt(out, &n, sizeof out, &b, "carol", 3, m.b, m.n));
    CHECK(n == 11 && memcmp(out, "skipped one", 11) == 0);
    /* Below the SKDM's starting iteration there is no key. */
    hand_skm(&m, ck, 1234567, 0, 6, "before start", priv);
    CHECK(sotto_group_decrypt(out, &n, sizeof out, &b, "carol", 3, m.b, m.n) ==
          SOTTO_ERR_DUPLICATE_MESSAGE);
    /* Signed by another key. */
    {
        uint8_t p2[32], k2[32];
        CHECK_OK(st_x25519_keypair(p2, k2));
        hand_skm(&m, ck, 1234567, 7, 10, "forged", k2);
        CHECK(sotto_group_decrypt(out, &n, sizeof out, &b, "carol", 3, m.b, m.n) ==
              SOTTO_ERR_INVALID_SIGNATURE);
    }
    /* Unknown chain id. */
    hand_skm(&m, ck, 7654321, 7, 10, "other chain", priv);
    CHECK(sotto_group_decrypt(out, &n, sizeof out, &b, "carol", 3, m.b, m.n) ==
          SOTTO_ERR_NO_SESSION);
    /* Properly signed but the body is not valid CBC/PKCS#7: decryption fails. */
    {
        struct buf bad = {.n = 0}, p = {.n = 0};
        uint8_t junk[16];
        memset(junk, 0xa5, sizeof junk);
        put_bytes(&p, 1, DIST, 16);
        put_uint(&p, 2, 1234567);
        put_uint(&p, 3, 11);
        put_bytes(&p, 4, junk, 15); /* not a whole block */
        bad.b[bad.n++] = 0x33;
        memcpy(bad.b + 1, p.b, p.n);
        bad.n += p.n;
        CHECK_OK(st_xeddsa_sign(bad.b + bad.n, priv, bad.b, bad.n));
        bad.n += 64;
        CHECK(sotto_group_decrypt(out, &n, sizeof out, &b, "carol", 3, bad.b, bad.n) ==
              SOTTO_ERR_INVALID_MESSAGE);
    }
    mem_free(&bs);
}

/* ---- parser tables ---- */

enum skdm_mut {
    M_NONE,
    M_NO_UUID,
    M_NO_CHAIN,
    M_NO_ITER,
    M_NO_CK,
    M_NO_SK,
    M_UUID15,
    M_CK31,
    M_CK33,
    M_SK32,
    M_SK34,
    M_SK_TYPE
};

static void make_skdm(struct buf *o, uint8_t version, enum skdm_mut mut)
{
    uint8_t ck[33], sk[34];
    struct buf pb = {.n = 0};

    memset(ck, 1, sizeof ck);
    memset(sk, 2, sizeof sk);
    sk[0] = mut == M_SK_TYPE ? 0x06 : 0x05;
    if (mut != M_NO_UUID)
        put_bytes(&pb, 1, DIST, mut == M_UUID15 ? 15 : 16);
    if (mut != M_NO_CHAIN)
        put_uint(&pb, 2, 99);
    if (mut != M_NO_ITER)
        put_uint(&pb, 3, 0);
    if (mut != M_NO_CK)
        put_bytes(&pb, 4, ck, mut == M_CK31 ? 31 : mut == M_CK33 ? 33 : 32);
    if (mut != M_NO_SK)
        put_bytes(&pb, 5, sk, mut == M_SK32 ? 32 : mut == M_SK34 ? 34 : 33);
    /* Padding in an unknown field keeps every case over the length floor. */
    put_bytes(&pb, 15, ck, 33);
    o->n = 0;
    o->b[o->n++] = version;
    memcpy(o->b + 1, pb.b, pb.n);
    o->n += pb.n;
}

static void test_skdm_parser(void)
{
    static const struct {
        uint8_t version;
        enum skdm_mut mut;
        int want;
    } cases[] = {
        {0x33, M_NONE, SOTTO_OK},
        {0x30, M_NONE, SOTTO_OK},
        {0x23, M_NONE, SOTTO_ERR_INVALID_VERSION},
        {0x43, M_NONE, SOTTO_ERR_INVALID_VERSION},
        {0x03, M_NONE, SOTTO_ERR_INVALID_VERSION},
        {0x33, M_NO_UUID, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_NO_CHAIN, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_NO_ITER, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_NO_CK, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_NO_SK, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_UUID15, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_CK31, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_CK33, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_SK32, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_SK34, SOTTO_ERR_INVALID_MESSAGE},
        {0x33, M_SK_TYPE, SOTTO_ERR_INVALID_KEY},
    };
    struct st_skdm d;
    struct buf o;
    uint8_t junk[200];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc;
        make_skdm(&o, cases[i].version, cases[i].mut);
        rc = st_skdm_parse(&d, o.b, o.n);
        if (rc != cases[i].want)
            fprintf(stderr, "skdm case %zu: got %d want %d\n", i, rc, cases[i].want);
        CHECK(rc == cases[i].want);
    }
    /* Length floor: 65 bytes. A real SKDM cut to 64 is refused early. */
    make_skdm(&o, 0x33, M_NONE);
    CHECK(st_skdm_parse(&d, o.b, 64) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(st_skdm_parse(&d, o.b, 0) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(st_skdm_parse(&d, o.b, o.n - 1) == SOTTO_ERR_INVALID_MESSAGE);
    memset(junk, 0xff, sizeof junk);
    junk[0] = 0x33;
    CHECK(st_skdm_parse(&d, junk, sizeof junk) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(st_skdm_parse(&d, junk, SOTTO_GROUP_SKDM_INPUT_MAX + 1) == SOTTO_ERR_TOO_LARGE);
}

static void test_skm_parser(void)
{
    struct st_skm m;
    struct buf pb = {.n = 0}, o;
    uint8_t sig[64] = {0};

    /* A well-formed message parses; fields land where expected. */
    put_bytes(&pb, 1, DIST, 16);
    put_uint(&pb, 2, 5);
    put_uint(&pb, 3, 6);
    put_bytes(&pb, 4, sig, 0); /* empty body parses; decryption would fail */
    o.b[0] = 0x33;
    memcpy(o.b + 1, pb.b, pb.n);
    memcpy(o.b + 1 + pb.n, sig, 64);
    o.n = 1 + pb.n + 64;
    CHECK_OK(st_skm_parse(&m, o.b, o.n));
    CHECK(m.chain_id == 5 && m.iteration == 6 && m.ciphertext_len == 0);
    CHECK(m.signed_len == 1 + pb.n && m.signature == o.b + 1 + pb.n);
    st_skm_clear(&m);

    o.b[0] = 0x23;
    CHECK(st_skm_parse(&m, o.b, o.n) == SOTTO_ERR_INVALID_VERSION);
    o.b[0] = 0x43;
    CHECK(st_skm_parse(&m, o.b, o.n) == SOTTO_ERR_INVALID_VERSION);
    o.b[0] = 0x33;
    CHECK(st_skm_parse(&m, o.b, 64) == SOTTO_ERR_INVALID_MESSAGE);
    /* 65 bytes: an empty protobuf lacks every field. */
    {
        uint8_t only[65] = {0x33};
        CHECK(st_skm_parse(&m, only, sizeof only) == SOTTO_ERR_INVALID_MESSAGE);
    }
    /* Each required field missing, and a 15-byte uuid. */
    for (int drop = 1; drop <= 5; drop++) {
        struct buf p = {.n = 0};
        if (drop != 1)
            put_bytes(&p, 1, DIST, 16);
        if (drop == 5)
            put_bytes(&p, 1, DIST, 15);
        if (drop != 2)
            put_uint(&p, 2, 5);
        if (drop != 3)
            put_uint(&p, 3, 6);
        if (drop != 4)
            put_bytes(&p, 4, sig, 16);
        o.b[0] = 0x33;
        memcpy(o.b + 1, p.b, p.n);
        memcpy(o.b + 1 + p.n, sig, 64);
        o.n = 1 + p.n + 64;
        CHECK(st_skm_parse(&m, o.b, o.n) == SOTTO_ERR_INVALID_MESSAGE);
    }
}

/* ---- stored records ---- */

struct rec_opts {
    unsigned states, skipped;
    size_t ck_len, pub_len, priv_len, seed_len;
    uint8_t pub_type;
    int no_chain, no_signing;
    uint32_t version;
};

static void make_record(struct buf *o, const struct rec_opts *r)
{
    uint8_t k[40];
    o->n = 0;
    memset(k, 7, sizeof k);
    for (unsigned s = 0; s < r->states; s++) {
        struct buf st = {.n = 0}, sub = {.n = 0};
        put_uint(&st, 1, 100 + s); /* chain_id */
        if (!r->no_chain) {
            sub.n = 0;
            put_uint(&sub, 1, 4);
            put_bytes(&sub, 2, k, r->ck_len);
            put_bytes(&st, 2, sub.b, sub.n);
        }
        if (!r->no_signing) {
            uint8_t pub[40];
            memset(pub, 9, sizeof pub);
            pub[0] = r->pub_type;
            sub.n = 0;
            put_bytes(&sub, 1, pub, r->pub_len);
            if (r->priv_len)
                put_bytes(&sub, 2, k, r->priv_len);
            put_bytes(&st, 3, sub.b, sub.n);
        }
        for (unsigned i = 0; i < r->skipped && s == 0; i++) {
            sub.n = 0;
            put_uint(&sub, 1, i);
            put_bytes(&sub, 2, k, r->seed_len);
            put_bytes(&st, 4, sub.b, sub.n);
        }
        if (r->version)
            put_uint(&st, 5, r->version);
        put_bytes(o, 1, st.b, st.n);
    }
}

static void test_records(void)
{
    const struct rec_opts good = {.states = 2,
                                  .skipped = 3,
                                  .ck_len = 32,
                                  .pub_len = 33,
                                  .priv_len = 32,
                                  .seed_len = 32,
                                  .pub_type = 5};
    struct st_sk_record r, r2;
    struct buf o;
    uint8_t *ser = NULL, *ser2 = NULL;
    size_t ser_len = 0, ser2_len = 0;

    /* libsignal's layout (proto3: message_version absent reads as 3). */
    make_record(&o, &good);
    CHECK_OK(st_sk_record_parse(&r, o.b, o.n));
    CHECK(r.n == 2 && r.states[0].chain_id == 100 && r.states[0].version == 3);
    CHECK(r.states[0].iteration == 4 && r.states[0].has_priv && r.states[0].n_skipped == 3);
    CHECK(r.states[0].skipped[2].iteration == 2);
    /* Round trip through our writer. */
    CHECK_OK(st_sk_record_serialize(&ser, &ser_len, &r));
    CHECK_OK(st_sk_record_parse(&r2, ser, ser_len));
    CHECK_OK(st_sk_record_serialize(&ser2, &ser2_len, &r2));
    CHECK(ser_len == ser2_len && memcmp(ser, ser2, ser_len) == 0);
    CHECK(r2.n == 2 && r2.states[1].chain_id == 101 && r2.states[0].n_skipped == 3);
    st_sk_record_clear(&r);
    st_sk_record_clear(&r2);
    free(ser);
    free(ser2);
    /* An empty record is valid (zero bytes). */
    CHECK_OK(st_sk_record_parse(&r, o.b, 0));
    CHECK(r.n == 0);
    /* Received keys have no private half. */
    {
        struct rec_opts x = good;
        x.priv_len = 0;
        make_record(&o, &x);
        CHECK_OK(st_sk_record_parse(&r, o.b, o.n));
        CHECK(!r.states[0].has_priv);
        st_sk_record_clear(&r);
    }
    /* Corrupt records. */
    {
        struct rec_opts bad[10];
        for (int i = 0; i < 10; i++)
            bad[i] = good;
        bad[0].states = 6;
        bad[1].ck_len = 31;
        bad[2].pub_len = 32;
        bad[3].pub_type = 6;
        bad[4].priv_len = 31;
        bad[5].seed_len = 33;
        bad[6].no_chain = 1;
        bad[7].no_signing = 1;
        bad[8].skipped = 0;
        bad[8].version = 4; /* a state of an unknown version still parses */
        bad[9].ck_len = 33;
        for (int i = 0; i < 10; i++) {
            make_record(&o, &bad[i]);
            if (i == 8) {
                CHECK_OK(st_sk_record_parse(&r, o.b, o.n));
                CHECK(r.states[0].version == 4);
                st_sk_record_clear(&r);
                continue;
            }
            CHECK(st_sk_record_parse(&r, o.b, o.n) == SOTTO_ERR_INVALID_STATE);
            CHECK(r.n == 0);
        }
    }
    {
        uint8_t junk[64];
        memset(junk, 0xff, sizeof junk);
        CHECK(st_sk_record_parse(&r, junk, sizeof junk) == SOTTO_ERR_INVALID_STATE);
        CHECK(st_sk_record_parse(&r, junk, SOTTO_GROUP_RECORD_MAX + 1) == SOTTO_ERR_TOO_LARGE);
    }
}

/* A one-state record with `keys` skipped keys (built here, any count). */
static uint8_t *record_with_keys(size_t *len, int keys)
{
    uint8_t *out = malloc((size_t)keys * 40 + 256), seed[32], pub[33];
    struct buf st = {.n = 0}, sub = {.n = 0}, head = {.n = 0};
    size_t body = 0;

    memset(seed, 1, sizeof seed);
    memset(pub, 9, sizeof pub);
    pub[0] = 5;
    put_uint(&st, 1, 1);
    put_uint(&sub, 1, (uint64_t)keys);
    put_bytes(&sub, 2, seed, 32);
    put_bytes(&st, 2, sub.b, sub.n);
    sub.n = 0;
    put_bytes(&sub, 1, pub, 33);
    put_bytes(&st, 3, sub.b, sub.n);
    for (int i = 0; i < keys; i++) {
        struct buf k = {.n = 0};
        put_uint(&k, 1, (uint64_t)i);
        put_bytes(&k, 2, seed, 32);
        body += 2 + k.n;
    }
    put_varint(&head, 1 << 3 | 2);
    put_varint(&head, st.n + body);
    memcpy(out, head.b, head.n);
    memcpy(out + head.n, st.b, st.n);
    *len = head.n + st.n;
    for (int i = 0; i < keys; i++) {
        struct buf k = {.n = 0};
        put_uint(&k, 1, (uint64_t)i);
        put_bytes(&k, 2, seed, 32);
        out[(*len)++] = 4 << 3 | 2;
        out[(*len)++] = (uint8_t)k.n;
        memcpy(out + *len, k.b, k.n);
        *len += k.n;
    }
    return out;
}

/* More stored skipped keys than any writer keeps (2000) is corrupt. */
static void test_record_key_limit(void)
{
    struct st_sk_record r;
    size_t len;
    uint8_t *b = record_with_keys(&len, 2000);

    CHECK_OK(st_sk_record_parse(&r, b, len));
    CHECK(r.n == 1 && r.states[0].n_skipped == 2000 && r.states[0].iteration == 2000);
    st_sk_record_clear(&r);
    free(b);
    b = record_with_keys(&len, 2001);
    CHECK(st_sk_record_parse(&r, b, len) == SOTTO_ERR_INVALID_STATE);
    free(b);
}

int main(void)
{
    t_init();
    t_seed_random(424242);
    CHECK_OK(sotto_group_uuid_parse(DIST, "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"));
    test_known_answers();
    test_hand_built_accepted();
    test_skdm_parser();
    test_skm_parser();
    test_records();
    test_record_key_limit();
    return t_done();
}
