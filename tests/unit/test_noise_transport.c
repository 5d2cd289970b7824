/*
 * Noise transport CipherStates (lib/transport/noise_transport.c,
 * noise_symmetric.c): round trips both ways, the nonce encoding (4 zero
 * bytes || LE64 counter), replay / reorder / tamper refused without harm,
 * size limits, 2^64-1 refused, Rekey().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "testutil.h"
#include "transport/noise.h"
#include "transport/noise_state.h"

enum { CAP = ST_NOISE_MAX_MESSAGE + 64 };

struct session {
    struct st_noise_transport *c, *s; /* client (initiator), server */
};

static void handshake(struct session *ss, enum st_noise_pattern pat)
{
    uint8_t ipriv[32], ipub[32], rpriv[32], rpub[32], msg[256], pl[256];
    struct st_noise_handshake *i = NULL, *r = NULL;
    size_t len, plen;

    CHECK_OK(st_x25519_keypair(ipub, ipriv));
    CHECK_OK(st_x25519_keypair(rpub, rpriv));
    CHECK_OK(st_noise_handshake_new(&i, pat, 1, ipriv, pat == ST_NOISE_IK ? rpub : NULL, NULL, 0));
    CHECK_OK(st_noise_handshake_new(&r, pat, 0, rpriv, NULL, NULL, 0));
    for (int m = 0; m < (pat == ST_NOISE_XX ? 3 : 2); m++) {
        CHECK_OK(st_noise_write_message(m % 2 ? r : i, msg, sizeof msg, &len, NULL, 0));
        CHECK_OK(st_noise_read_message(m % 2 ? i : r, pl, sizeof pl, &plen, msg, len));
    }
    CHECK_OK(st_noise_split(i, &ss->c));
    CHECK_OK(st_noise_split(r, &ss->s));
    st_noise_handshake_free(i);
    st_noise_handshake_free(r);
}

static void end(struct session *ss)
{
    st_noise_transport_free(ss->c);
    st_noise_transport_free(ss->s);
}

/* from -> to with payload of len bytes; returns decrypt's result. */
static int send1(struct st_noise_transport *from, struct st_noise_transport *to, size_t len)
{
    uint8_t *pt = malloc(CAP), *ct = malloc(CAP), *got = malloc(CAP);
    size_t clen, glen;
    int rc;

    for (size_t i = 0; i < len; i++)
        pt[i] = (uint8_t)(i * 31 + len);
    rc = st_noise_encrypt(from, ct, CAP, &clen, pt, len);
    if (rc == SOTTO_OK)
        rc = st_noise_decrypt(to, got, CAP, &glen, ct, clen);
    if (rc == SOTTO_OK && (glen != len || clen != len + 16 || memcmp(got, pt, len) != 0))
        rc = -1;
    free(pt);
    free(ct);
    free(got);
    return rc;
}

static void test_round_trips(enum st_noise_pattern pat)
{
    struct session ss;
    uint8_t h1[64], h2[64];

    handshake(&ss, pat);
    st_noise_transport_hash(ss.c, h1);
    st_noise_transport_hash(ss.s, h2);
    CHECK(memcmp(h1, h2, 64) == 0);
    for (size_t n = 0; n < 20; n++) {
        CHECK_OK(send1(ss.c, ss.s, n * 7));
        CHECK_OK(send1(ss.s, ss.c, n * 3));
    }
    CHECK_OK(send1(ss.c, ss.s, ST_NOISE_MAX_PLAINTEXT));
    CHECK_OK(send1(ss.s, ss.c, 0));
    end(&ss);
}

/* Replay, reorder, tamper: BAD_MAC, out wiped, and the next genuine
 * message still decrypts (the counter did not move). */
static void test_refusals(void)
{
    struct session ss;
    uint8_t pt[32] = "twelve bytes", c1[64], c2[64], out[64];
    size_t l1, l2, olen;

    handshake(&ss, ST_NOISE_IK);
    CHECK_OK(st_noise_encrypt(ss.c, c1, sizeof c1, &l1, pt, sizeof pt));
    CHECK_OK(st_noise_encrypt(ss.c, c2, sizeof c2, &l2, pt, sizeof pt));
    CHECK(memcmp(c1, c2, l1) != 0); /* new nonce each time */
    memset(out, 0xaa, sizeof out);
    CHECK(st_noise_decrypt(ss.s, out, sizeof out, &olen, c2, l2) == SOTTO_ERR_BAD_MAC);
    CHECK(olen == 0 && st_ct_is_zero(out, sizeof pt));
    c1[3] ^= 0x80;
    CHECK(st_noise_decrypt(ss.s, out, sizeof out, &olen, c1, l1) == SOTTO_ERR_BAD_MAC);
    c1[3] ^= 0x80;
    c1[l1 - 1] ^= 0x01;
    CHECK(st_noise_decrypt(ss.s, out, sizeof out, &olen, c1, l1) == SOTTO_ERR_BAD_MAC);
    c1[l1 - 1] ^= 0x01;
    CHECK(st_noise_decrypt(ss.s, out, sizeof out, &olen, c1, l1 - 1) == SOTTO_ERR_BAD_MAC);
    CHECK_OK(st_noise_decrypt(ss.s, out, sizeof out, &olen, c1, l1));
    CHECK(olen == sizeof pt && memcmp(out, pt, olen) == 0);
    CHECK(st_noise_decrypt(ss.s, out, sizeof out, &olen, c1, l1) == SOTTO_ERR_BAD_MAC);
    CHECK_OK(st_noise_decrypt(ss.s, out, sizeof out, &olen, c2, l2));
    /* Our own message reflected back: different key, refused. */
    CHECK_OK(st_noise_encrypt(ss.c, c1, sizeof c1, &l1, pt, sizeof pt));
    CHECK(st_noise_decrypt(ss.c, out, sizeof out, &olen, c1, l1) == SOTTO_ERR_BAD_MAC);
    end(&ss);
}

static void test_limits(void)
{
    struct session ss;
    uint8_t *buf = calloc(1, CAP), *out = malloc(CAP);
    size_t len;

    handshake(&ss, ST_NOISE_XX);
    CHECK(st_noise_encrypt(ss.c, out, CAP, &len, buf, ST_NOISE_MAX_PLAINTEXT + 1) ==
          SOTTO_ERR_TOO_LARGE);
    CHECK(st_noise_encrypt(ss.c, out, 15 + 10, &len, buf, 10) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK(st_noise_decrypt(ss.s, out, CAP, &len, buf, ST_NOISE_MAX_MESSAGE + 1) ==
          SOTTO_ERR_TOO_LARGE);
    CHECK(st_noise_decrypt(ss.s, out, CAP, &len, buf, 15) == SOTTO_ERR_TRUNCATED);
    CHECK(st_noise_decrypt(ss.s, out, CAP, &len, buf, 0) == SOTTO_ERR_TRUNCATED);
    CHECK_OK(st_noise_encrypt(ss.c, buf, CAP, &len, NULL, 0));
    CHECK(len == 16);
    CHECK(st_noise_decrypt(ss.s, out, 9, &len, buf, 26) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK_OK(st_noise_decrypt(ss.s, NULL, 0, &len, buf, 16));
    CHECK(len == 0);
    /* None of the refusals above moved a counter. */
    CHECK_OK(send1(ss.c, ss.s, 100));
    end(&ss);
    free(buf);
    free(out);
}

/* In place: out == pt for encrypt, out == ct for decrypt. */
static void test_in_place(void)
{
    struct session ss;
    uint8_t buf[64], copy[64], ref[64];
    size_t len, rlen;

    handshake(&ss, ST_NOISE_XX);
    for (int i = 0; i < 40; i++)
        buf[i] = copy[i] = (uint8_t)i;
    st_noise_transport_set_nonces(ss.c, 5, 0);
    CHECK_OK(st_noise_encrypt(ss.c, ref, sizeof ref, &rlen, buf, 40));
    st_noise_transport_set_nonces(ss.c, 5, 0);
    CHECK_OK(st_noise_encrypt(ss.c, buf, sizeof buf, &len, buf, 40));
    CHECK(len == rlen && memcmp(buf, ref, len) == 0);
    st_noise_transport_set_nonces(ss.s, 0, 5);
    CHECK_OK(st_noise_decrypt(ss.s, buf, sizeof buf, &len, buf, rlen));
    CHECK(len == 40 && memcmp(buf, copy, 40) == 0);
    end(&ss);
}

/* 2^64-2 is the last usable nonce; 2^64-1 is refused both ways. */
static void test_nonce_exhaustion(void)
{
    struct session ss;
    uint8_t ct[64], out[64];
    size_t len;

    handshake(&ss, ST_NOISE_IK);
    st_noise_transport_set_nonces(ss.c, UINT64_MAX - 2, 0);
    st_noise_transport_set_nonces(ss.s, 0, UINT64_MAX - 2);
    CHECK_OK(send1(ss.c, ss.s, 5));
    CHECK_OK(send1(ss.c, ss.s, 5));
    CHECK(st_noise_encrypt(ss.c, ct, sizeof ct, &len, ct, 5) == SOTTO_ERR_NONCE_EXHAUSTED);
    CHECK(len == 0);
    CHECK(st_noise_decrypt(ss.s, out, sizeof out, &len, ct, 21) == SOTTO_ERR_NONCE_EXHAUSTED);
    CHECK_OK(send1(ss.s, ss.c, 5)); /* the other direction is independent */
    end(&ss);
}

/* The nonce layout itself, on a CipherState with a known key. */
static void test_nonce_encoding(void)
{
    struct st_noise_cipher c;
    uint8_t key[32], pt[20] = "nonce layout", ad[3] = {1, 2, 3};
    uint8_t got[36], want[36];
    const uint8_t nonce[12] = {0, 0, 0, 0, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};

    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i + 1);
    st_noise_cipher_init(&c, key);
    c.n = 0x0102030405060708u;
    CHECK_OK(st_noise_cipher_encrypt(&c, got, ad, sizeof ad, pt, sizeof pt));
    CHECK(c.n == 0x0102030405060709u);
    CHECK_OK(st_chacha20poly1305_encrypt(want, key, nonce, ad, sizeof ad, pt, sizeof pt));
    CHECK(memcmp(got, want, sizeof got) == 0);
}

/* Rekey(): k' = first 32 bytes of ChaChaPoly(k, n = 2^64-1, "", 32 zeros). */
static void test_rekey(void)
{
    struct session ss;
    struct st_noise_cipher c;
    uint8_t key[32] = {9}, zeros[32] = {0}, block[48], nonce[12];

    st_noise_cipher_init(&c, key);
    c.n = 7;
    CHECK_OK(st_noise_cipher_rekey(&c));
    memset(nonce, 0xff, sizeof nonce);
    memset(nonce, 0, 4);
    CHECK_OK(st_chacha20poly1305_encrypt(block, key, nonce, NULL, 0, zeros, 32));
    CHECK(memcmp(c.k, block, 32) == 0 && c.n == 7);

    handshake(&ss, ST_NOISE_XX);
    CHECK_OK(send1(ss.c, ss.s, 10));
    CHECK_OK(st_noise_rekey_send(ss.c));
    CHECK(send1(ss.c, ss.s, 10) == SOTTO_ERR_BAD_MAC); /* server not rekeyed yet */
    end(&ss);

    handshake(&ss, ST_NOISE_XX);
    CHECK_OK(st_noise_rekey_send(ss.c));
    CHECK_OK(st_noise_rekey_recv(ss.s));
    CHECK_OK(send1(ss.c, ss.s, 10));
    CHECK_OK(send1(ss.s, ss.c, 10)); /* the other direction kept its key */
    end(&ss);
}

int main(void)
{
    t_init();
    t_seed_random(6453);
    test_round_trips(ST_NOISE_XX);
    test_round_trips(ST_NOISE_IK);
    test_refusals();
    test_limits();
    test_in_place();
    test_nonce_exhaustion();
    test_nonce_encoding();
    test_rekey();
    return t_done();
}
