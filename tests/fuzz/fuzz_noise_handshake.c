/*
 * libFuzzer target for the Noise handshake and transport readers
 * (lib/transport). Input: one selector byte, then frames of a 2-byte
 * big-endian length and that many bytes (the TCP framing sottod uses):
 *
 *   sel % 4 == 0  XX responder: frame 1 = message 1, we write message 2,
 *                 frame 2 = message 3
 *   sel % 4 == 1  IK responder: frame 1 = message 1, we write message 2
 *   sel % 4 == 2  XX initiator: we write message 1, frame 1 = message 2,
 *                 we write message 3
 *   sel % 4 == 3  IK initiator: we write message 1, frame 1 = message 2
 *
 * then every further frame is a transport ciphertext from the peer; each
 * one that decrypts is answered with an encrypted echo. All keys, including
 * ephemerals, are fixed, so a valid transcript is a valid input: the seed
 * corpus holds one per mode, written by running the target with
 * SOTTO_FUZZ_WRITE_SEEDS=<dir> (it then writes the seeds and exits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sotto/sotto.h"
#include "transport/noise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static uint8_t msgbuf[ST_NOISE_MAX_MESSAGE], outbuf[ST_NOISE_MAX_MESSAGE];

static void fixed_key(uint8_t k[32], uint8_t tag)
{
    for (int i = 0; i < 32; i++)
        k[i] = (uint8_t)(tag + 3 * i);
}

/* Our side (initiator or not) with fixed static and ephemeral keys. */
static struct st_noise_handshake *our_side(enum st_noise_pattern p, int initiator)
{
    struct st_noise_handshake *hs = NULL;
    uint8_t s[32], e[32], rs_priv[32], rs[32];

    fixed_key(s, initiator ? 0x10 : 0x20);
    fixed_key(e, initiator ? 0x30 : 0x40);
    fixed_key(rs_priv, 0x20);
    if (st_x25519_public(rs, rs_priv) != SOTTO_OK)
        return NULL;
    if (st_noise_handshake_new(&hs, p, initiator, s, p == ST_NOISE_IK && initiator ? rs : NULL,
                               (const uint8_t *)"sotto", 5) != SOTTO_OK)
        return NULL;
    if (st_noise_set_ephemeral(hs, e) != SOTTO_OK) {
        st_noise_handshake_free(hs);
        return NULL;
    }
    return hs;
}

struct cursor {
    const uint8_t *p;
    size_t left;
};

static int next_frame(struct cursor *c, const uint8_t **f, size_t *len)
{
    if (c->left < 2)
        return 0;
    *len = (size_t)c->p[0] << 8 | c->p[1];
    if (*len > c->left - 2)
        return 0;
    *f = c->p + 2;
    c->p += 2 + *len;
    c->left -= 2 + *len;
    return 1;
}

/* Their turn: read the next frame as a handshake message. */
static int read_turn(struct st_noise_handshake *hs, struct cursor *c)
{
    const uint8_t *f;
    size_t len, plen;

    if (!next_frame(c, &f, &len))
        return 0;
    return st_noise_read_message(hs, outbuf, sizeof outbuf, &plen, f, len) == SOTTO_OK;
}

static int write_turn(struct st_noise_handshake *hs)
{
    size_t len;
    return st_noise_write_message(hs, msgbuf, sizeof msgbuf, &len, (const uint8_t *)"hi", 2) ==
           SOTTO_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cursor c = {data + 1, size ? size - 1 : 0};
    struct st_noise_handshake *hs;
    struct st_noise_transport *t = NULL;
    enum st_noise_pattern p;
    int initiator, ok = 1;
    const uint8_t *f;
    size_t len, olen;

    if (size < 1)
        return 0;
    p = data[0] & 1 ? ST_NOISE_IK : ST_NOISE_XX;
    initiator = (data[0] & 2) != 0;
    hs = our_side(p, initiator);
    if (hs == NULL)
        abort();
    while (ok && !st_noise_handshake_done(hs)) {
        if (st_noise_handshake_state(hs) == ST_NOISE_WRITE)
            ok = write_turn(hs);
        else
            ok = read_turn(hs, &c);
    }
    if (ok && st_noise_split(hs, &t) != SOTTO_OK)
        abort();
    while (t != NULL && next_frame(&c, &f, &len)) {
        if (st_noise_decrypt(t, outbuf, sizeof outbuf, &olen, f, len) != SOTTO_OK)
            continue;
        if (olen != len - ST_NOISE_TAG_BYTES ||
            st_noise_encrypt(t, msgbuf, sizeof msgbuf, &olen, outbuf, olen) != SOTTO_OK)
            abort();
    }
    st_noise_transport_free(t);
    st_noise_handshake_free(hs);
    return 0;
}

/* ---- seed corpus: a valid transcript per mode, made by the peer ---- */

static size_t put_frame(uint8_t *out, const uint8_t *m, size_t len)
{
    out[0] = (uint8_t)(len >> 8);
    out[1] = (uint8_t)len;
    memcpy(out + 2, m, len);
    return len + 2;
}

/* Runs both sides; the peer's messages and two transport messages go out. */
static size_t transcript(uint8_t *out, int sel)
{
    enum st_noise_pattern p = sel & 1 ? ST_NOISE_IK : ST_NOISE_XX;
    int we_init = (sel & 2) != 0;
    struct st_noise_handshake *us = our_side(p, we_init), *peer = our_side(p, !we_init);
    struct st_noise_transport *tp = NULL;
    size_t n = 0, len, plen;
    static const char *const texts[] = {"first transport message", ""};

    out[n++] = (uint8_t)sel;
    while (!st_noise_handshake_done(us)) {
        int ours = st_noise_handshake_state(us) == ST_NOISE_WRITE;
        struct st_noise_handshake *w = ours ? us : peer, *r = ours ? peer : us;
        if (st_noise_write_message(w, msgbuf, sizeof msgbuf, &len, (const uint8_t *)"hi", 2) ||
            st_noise_read_message(r, outbuf, sizeof outbuf, &plen, msgbuf, len))
            abort();
        if (!ours)
            n += put_frame(out + n, msgbuf, len);
    }
    if (st_noise_split(peer, &tp))
        abort();
    for (int i = 0; i < 2; i++) {
        if (st_noise_encrypt(tp, msgbuf, sizeof msgbuf, &len, (const uint8_t *)texts[i],
                             strlen(texts[i])))
            abort();
        n += put_frame(out + n, msgbuf, len);
    }
    st_noise_transport_free(tp);
    st_noise_handshake_free(us);
    st_noise_handshake_free(peer);
    return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = getenv("SOTTO_FUZZ_WRITE_SEEDS");
    static const char *const names[] = {"xx_responder", "ik_responder", "xx_initiator",
                                        "ik_initiator"};
    static uint8_t seed[4096];
    char path[1024];

    (void)argc;
    (void)argv;
    if (sotto_init() != SOTTO_OK)
        abort();
    if (dir == NULL)
        return 0;
    for (int sel = 0; sel < 4; sel++) {
        size_t n = transcript(seed, sel);
        FILE *fp;
        snprintf(path, sizeof path, "%s/%s", dir, names[sel]);
        fp = fopen(path, "wb");
        if (fp == NULL || fwrite(seed, 1, n, fp) != n || fclose(fp) != 0)
            abort();
    }
    exit(0);
}
