/*
 * lib/kt checkpoints (C2SP tlog-checkpoint in a signed note, XEdDSA log
 * key) and the client verifier: round trips, the key ID, a must-fail table
 * of malformed notes, witness lines ignored, and the verifier's moves:
 * forward with a proof, stale, fork (same size, other root; failing proof),
 * state untouched on failure, persistence through the stored note.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sha256_multi.h"
#include "kt/kt_internal.h"
#include "sotto/kt.h"
#include "sotto/sotto.h"
#include "testutil.h"

static const char origin[] = "log.sotto.example/kt1";
static uint8_t log_priv[32], log_pub[33], other_priv[32], other_pub[33];

static void keys(void)
{
    uint8_t u[32];
    CHECK_OK(st_x25519_keypair(u, log_priv));
    st_pubkey_encode(log_pub, u);
    CHECK_OK(st_x25519_keypair(u, other_priv));
    st_pubkey_encode(other_pub, u);
}

static size_t sign_cp(char *out, size_t cap, uint64_t size, const uint8_t root[32],
                      const uint8_t priv[32])
{
    struct sotto_kt_checkpoint cp;
    size_t len = 0;
    memset(&cp, 0, sizeof cp);
    memcpy(cp.origin, origin, sizeof origin);
    cp.size = size;
    memcpy(cp.root, root, 32);
    CHECK_OK(sotto_kt_checkpoint_sign(out, &len, cap, &cp, priv));
    return len;
}

static void round_trip(void)
{
    static const uint64_t sizes[] = {0, 1, 20852163, UINT64_MAX};
    char note[SOTTO_KT_CHECKPOINT_MAX], want[200], b64[45];
    uint8_t root[32], id[32], sig[68];
    struct sotto_kt_checkpoint cp;
    struct st_sha256 h;
    size_t len, n;

    for (size_t i = 0; i < 4; i++) {
        st_random_bytes(root, 32);
        len = sign_cp(note, sizeof note, sizes[i], root, log_priv);
        CHECK(strlen(note) == len);
        CHECK_OK(sotto_kt_checkpoint_verify(&cp, note, len, origin, log_pub));
        CHECK(cp.size == sizes[i] && memcmp(cp.root, root, 32) == 0);
        CHECK(strcmp(cp.origin, origin) == 0);
        /* the note text, byte for byte */
        st_kt_b64_encode(b64, root, 32);
        b64[44] = '\0';
        snprintf(want, sizeof want, "%s\n%llu\n%s\n\n\xe2\x80\x94 %s ", origin,
                 (unsigned long long)sizes[i], b64, origin);
        CHECK(strncmp(note, want, strlen(want)) == 0);
        /* key ID = SHA-256(name || \n || 0xff || "sotto-xeddsa" || key)[:4] */
        CHECK_OK(st_kt_b64_decode(sig, &n, sizeof sig, note + strlen(want), 92));
        st_sha256_init(&h);
        st_sha256_update(&h, (const uint8_t *)origin, strlen(origin));
        st_sha256_update(&h, (const uint8_t *)"\n\xffsotto-xeddsa", 14);
        st_sha256_update(&h, log_pub, 33);
        st_sha256_final(&h, id);
        CHECK(n == 68 && memcmp(id, sig, 4) == 0);
    }
    CHECK(sotto_kt_checkpoint_sign(note, &len, 50, &cp, log_priv) == SOTTO_ERR_TOO_LARGE);
    memcpy(cp.origin, "has space", 10);
    CHECK(sotto_kt_checkpoint_sign(note, &len, sizeof note, &cp, log_priv) ==
          SOTTO_ERR_INVALID_ARGUMENT);
}

struct note_case {
    const char *name;
    const char *find; /* replace the first occurrence of find ... */
    const char *with; /* ... by with */
    int want;
};

/* Applied to a note of size 5 signed by the log key. */
static const struct note_case cases[] = {
    {"size changed", "\n5\n", "\n6\n", SOTTO_ERR_INVALID_SIGNATURE},
    {"leading zero", "\n5\n", "\n05\n", SOTTO_ERR_INVALID_MESSAGE},
    {"size not decimal", "\n5\n", "\n0x5\n", SOTTO_ERR_INVALID_MESSAGE},
    {"size empty", "\n5\n", "\n\n", SOTTO_ERR_INVALID_MESSAGE},
    {"size 2^64", "\n5\n", "\n18446744073709551616\n", SOTTO_ERR_INVALID_MESSAGE},
    {"negative size", "\n5\n", "\n-5\n", SOTTO_ERR_INVALID_MESSAGE},
    {"other origin", "log.sotto.example/kt1\n", "log.sotto.example/kt2\n",
     SOTTO_ERR_INVALID_MESSAGE},
    {"extension line", "=\n\n", "=\next\n\n", SOTTO_ERR_INVALID_MESSAGE},
    {"no blank line", "=\n\n", "=\n", SOTTO_ERR_INVALID_MESSAGE},
    {"two blank lines", "=\n\n", "=\n\n\n", SOTTO_ERR_INVALID_MESSAGE},
    {"root one char short", "=\n\n", "\n\n", SOTTO_ERR_INVALID_MESSAGE},
    {"CRLF", "\n5\n", "\r\n5\r\n", SOTTO_ERR_INVALID_MESSAGE},
    {"tab", "\n5\n", "\n5\t\n", SOTTO_ERR_INVALID_MESSAGE},
    {"signature line without dash", "\xe2\x80\x94 ", "- ", SOTTO_ERR_INVALID_MESSAGE},
    {"signature line without key name", "\xe2\x80\x94 log.sotto.example/kt1 ", "\xe2\x80\x94  ",
     SOTTO_ERR_INVALID_MESSAGE},
    {"blank line before the signature", "\n\xe2\x80\x94", "\n\n\xe2\x80\x94",
     SOTTO_ERR_INVALID_MESSAGE},
    {"only a witness signed", "\xe2\x80\x94 log.sotto.example/kt1 ",
     "\xe2\x80\x94 witness.example/w1 ", SOTTO_ERR_INVALID_SIGNATURE},
};

static int replace(char *out, size_t cap, const char *note, const char *find, const char *with)
{
    const char *at = strstr(note, find);
    if (at == NULL)
        return -1;
    snprintf(out, cap, "%.*s%s%s", (int)(at - note), note, with, at + strlen(find));
    return 0;
}

static void must_fail(void)
{
    char note[SOTTO_KT_CHECKPOINT_MAX], bad[SOTTO_KT_CHECKPOINT_MAX + 64];
    uint8_t root[32] = {1, 2, 3};
    struct sotto_kt_checkpoint cp;
    int n = (int)(sizeof cases / sizeof cases[0]), fail = 0, rc;
    size_t len = sign_cp(note, sizeof note, 5, root, log_priv);

    for (int i = 0; i < n; i++) {
        if (replace(bad, sizeof bad, note, cases[i].find, cases[i].with) != 0) {
            fprintf(stderr, "case '%s': pattern not found\n", cases[i].name);
            fail++;
            continue;
        }
        rc = sotto_kt_checkpoint_verify(&cp, bad, strlen(bad), origin, log_pub);
        if (rc != cases[i].want) {
            fprintf(stderr, "case '%s': got %d want %d\n", cases[i].name, rc, cases[i].want);
            fail++;
        }
        CHECK(cp.size == 0 && cp.origin[0] == '\0');
    }
    CHECK(fail == 0);
    t_report_file("checkpoint must-fail table", n, fail);

    /* the whole note, less its final newline, or signed by another key */
    CHECK(sotto_kt_checkpoint_verify(&cp, note, len - 1, origin, log_pub) ==
          SOTTO_ERR_INVALID_MESSAGE);
    CHECK(sotto_kt_checkpoint_verify(&cp, note, len, origin, other_pub) ==
          SOTTO_ERR_INVALID_SIGNATURE);
    CHECK(sotto_kt_checkpoint_verify(&cp, note, 0, origin, log_pub) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(sotto_kt_checkpoint_verify(&cp, note, SOTTO_KT_CHECKPOINT_MAX + 1, origin, log_pub) ==
          SOTTO_ERR_TOO_LARGE);
    /* a tampered signature character under the right key ID */
    memcpy(bad, note, len + 1);
    bad[len - 3] = bad[len - 3] == 'A' ? 'B' : 'A';
    CHECK(sotto_kt_checkpoint_verify(&cp, bad, len, origin, log_pub) != SOTTO_OK);
}

static void witness_lines(void)
{
    char note[SOTTO_KT_CHECKPOINT_MAX], more[SOTTO_KT_CHECKPOINT_MAX + 2048];
    uint8_t root[32] = {9};
    struct sotto_kt_checkpoint cp;
    size_t len = sign_cp(note, sizeof note, 77, root, log_priv), n;
    const char *w =
        "\xe2\x80\x94 witness.example/w1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n";

    /* unknown keys' lines are ignored, before or after the log's */
    snprintf(more, sizeof more, "%s%s", note, w);
    CHECK_OK(sotto_kt_checkpoint_verify(&cp, more, strlen(more), origin, log_pub));
    CHECK(replace(more, sizeof more, note, "\n\n", "\n\n\xe2\x80\x94 witness.example/w1 Zm9v\n") ==
          0);
    CHECK_OK(sotto_kt_checkpoint_verify(&cp, more, strlen(more), origin, log_pub));
    /* 16 signature lines are accepted, 17 are not */
    n = len;
    memcpy(more, note, len + 1);
    for (int i = 1; i < SOTTO_KT_NOTE_SIGS_MAX; i++) {
        memcpy(more + n, w, strlen(w) + 1);
        n += strlen(w);
    }
    CHECK_OK(sotto_kt_checkpoint_verify(&cp, more, n, origin, log_pub));
    memcpy(more + n, w, strlen(w) + 1);
    CHECK(sotto_kt_checkpoint_verify(&cp, more, n + strlen(w), origin, log_pub) ==
          SOTTO_ERR_TOO_LARGE);
    /* a failing signature by the log key rejects the note even next to a
     * good one */
    {
        char bad[SOTTO_KT_CHECKPOINT_MAX];
        size_t blen = sign_cp(bad, sizeof bad, 78, root, log_priv);
        const char *line = strstr(bad, "\xe2\x80\x94");
        snprintf(more, sizeof more, "%s%.*s", note, (int)(blen - (size_t)(line - bad)), line);
        CHECK(sotto_kt_checkpoint_verify(&cp, more, strlen(more), origin, log_pub) ==
              SOTTO_ERR_INVALID_SIGNATURE);
    }
}

enum { N = 40 };

static void verifier(void)
{
    static sotto_kt_hash leaves[N], forked[N];
    sotto_kt_hash proof[SOTTO_KT_PROOF_MAX + 1];
    uint8_t root[N + 1][32], froot[32];
    char note[SOTTO_KT_CHECKPOINT_MAX], n5[SOTTO_KT_CHECKPOINT_MAX];
    struct sotto_kt_verifier *v = NULL, *w = NULL;
    struct sotto_kt_checkpoint cp;
    size_t len, plen, slen;
    const char *saved;

    st_random_bytes((uint8_t *)leaves, sizeof leaves);
    memcpy(forked, leaves, sizeof leaves);
    forked[20][0] ^= 1;
    for (uint64_t n = 0; n <= N; n++)
        sotto_kt_root(root[n], leaves, n);
    CHECK(sotto_kt_verifier_new(&v, "bad origin", log_pub) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK_OK(sotto_kt_verifier_new(&v, origin, log_pub));
    if (v == NULL)
        return;
    CHECK(sotto_kt_verifier_current(v, &cp) == SOTTO_ERR_NOT_FOUND);
    CHECK(sotto_kt_verifier_note(v, &slen) == NULL && slen == 0);

    /* first: the empty tree, then anything extends it */
    len = sign_cp(note, sizeof note, 0, root[0], log_priv);
    CHECK_OK(sotto_kt_verifier_update(v, &cp, note, len, NULL, 0));
    len = sign_cp(n5, sizeof n5, 5, root[5], log_priv);
    CHECK_OK(sotto_kt_verifier_update(v, &cp, n5, len, NULL, 0));
    CHECK(cp.size == 5);

    /* forward to 23 with a proof; the same checkpoint again is fine */
    CHECK_OK(sotto_kt_consistency_proof(proof, &plen, leaves, 23, 5));
    len = sign_cp(note, sizeof note, 23, root[23], log_priv);
    CHECK(sotto_kt_verifier_update(v, NULL, note, len, NULL, 0) == SOTTO_ERR_KT_INCONSISTENT);
    CHECK_OK(sotto_kt_verifier_update(v, &cp, note, len, proof, plen));
    CHECK_OK(sotto_kt_verifier_update(v, &cp, note, len, NULL, 0));
    CHECK(cp.size == 23);

    /* backwards: stale; state unchanged */
    CHECK(sotto_kt_verifier_update(v, &cp, n5, strlen(n5), NULL, 0) == SOTTO_ERR_KT_STALE);
    CHECK_OK(sotto_kt_verifier_current(v, &cp));
    CHECK(cp.size == 23 && memcmp(cp.root, root[23], 32) == 0);

    /* a fork at the same size: another root for 23 */
    sotto_kt_root(froot, forked, 23);
    len = sign_cp(note, sizeof note, 23, froot, log_priv);
    CHECK(sotto_kt_verifier_update(v, &cp, note, len, NULL, 0) == SOTTO_ERR_KT_INCONSISTENT);
    /* a fork ahead: the forked tree's 40 cannot be proven to extend 23 */
    sotto_kt_root(froot, forked, N);
    CHECK_OK(sotto_kt_consistency_proof(proof, &plen, forked, N, 23));
    len = sign_cp(note, sizeof note, N, froot, log_priv);
    CHECK(sotto_kt_verifier_update(v, &cp, note, len, proof, plen) == SOTTO_ERR_KT_INCONSISTENT);
    CHECK(sotto_kt_verifier_update(v, &cp, note, len, proof, 65) == SOTTO_ERR_KT_BAD_PROOF);
    /* evidence: the accepted note still verifies on its own */
    saved = sotto_kt_verifier_note(v, &slen);
    CHECK(saved != NULL);
    if (saved != NULL)
        CHECK_OK(sotto_kt_checkpoint_verify(&cp, saved, slen, origin, log_pub));
    CHECK(cp.size == 23);

    /* another key's checkpoint is not accepted */
    len = sign_cp(note, sizeof note, N, root[N], other_priv);
    CHECK(sotto_kt_verifier_update(v, &cp, note, len, NULL, 0) == SOTTO_ERR_INVALID_SIGNATURE);

    /* persistence: a fresh verifier takes the saved note */
    CHECK_OK(sotto_kt_verifier_new(&w, origin, log_pub));
    if (w != NULL && saved != NULL) {
        CHECK_OK(sotto_kt_verifier_update(w, &cp, saved, slen, NULL, 0));
        CHECK(cp.size == 23 && memcmp(cp.root, root[23], 32) == 0);
        CHECK_OK(sotto_kt_consistency_proof(proof, &plen, leaves, N, 23));
        len = sign_cp(note, sizeof note, N, root[N], log_priv);
        CHECK_OK(sotto_kt_verifier_update(w, &cp, note, len, proof, plen));
        CHECK(cp.size == N);
    }
    sotto_kt_verifier_free(w);
    sotto_kt_verifier_free(v);
}

int main(void)
{
    t_init();
    t_seed_random(4242);
    keys();
    round_trip();
    must_fail();
    witness_lines();
    verifier();
    return t_done();
}
