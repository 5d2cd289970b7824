/*
 * client/kt_check.c against a log built here: an account's list is accepted
 * only with its leaf included in a checkpoint signed by the pinned log key;
 * a wrong index, another list, another log key, a bad checkpoint signature,
 * a fork at the same size (evidence kept), a smaller tree, an older list
 * and a missing proof are each refused with a journalled "kt" event.
 * (Growing trees need the server's consistency proofs: tests/adversarial.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/devlist.h"
#include "client/kt_check.h"
#include "client/sync.h"
#include "crypto/crypto.h"
#include "sotto/kt.h"
#include "testutil.h"

enum { N = 6 }; /* leaves in the test log */

static char last_check[64];

static void on_event(void *ctx, int64_t seq, const char *kind, const char *json)
{
    const char *p = strstr(json, "\"check\":\"");
    (void)ctx;
    (void)seq;
    (void)kind;
    last_check[0] = 0;
    if (p != NULL)
        sscanf(p + 9, "%63[a-z_]", last_check);
}

struct log {
    uint8_t priv[32], key[33];
    uint8_t leaves[N][SOTTO_KT_LEAF_MAX];
    size_t len[N];
    sotto_kt_hash h[N];
    char note[SOTTO_KT_CHECKPOINT_MAX];
};

struct acct {
    uint8_t priv[32], key[33], uuid[16];
    Sotto__Server__SignedDeviceList sdl[2]; /* versions 1 and 2 */
};

static void keypair(uint8_t priv[32], uint8_t key[33])
{
    uint8_t u[32];
    CHECK_OK(st_x25519_keypair(u, priv));
    st_pubkey_encode(key, u);
}

static void make_acct(struct acct *a)
{
    struct sc_devlist dl;
    keypair(a->priv, a->key);
    memset(a->uuid, 0x5a, sizeof a->uuid);
    for (int v = 0; v < 2; v++) {
        memset(&dl, 0, sizeof dl);
        strcpy(dl.username, "bob");
        memcpy(dl.account_key, a->key, 33);
        dl.version = (uint64_t)v + 1;
        dl.n = (size_t)v + 1;
        for (size_t i = 0; i < dl.n; i++) {
            uint8_t p[32];
            dl.dev[i].id = (uint32_t)i + 1;
            dl.dev[i].registration_id = 7;
            keypair(p, dl.dev[i].identity_key);
        }
        CHECK_OK(sc_devlist_sign(&a->sdl[v], &dl, a->priv));
    }
}

/* Leaves: 0 CREATE, 1 DL v1, 2 filler, 3 DL v2, 4..5 filler. */
static void make_log(struct log *g, const struct acct *a, uint64_t bump)
{
    struct sotto_kt_leaf l;
    for (int i = 0; i < N; i++) {
        if (i == 1 || i == 3) {
            const Sotto__Server__SignedDeviceList *s = &a->sdl[i == 1 ? 0 : 1];
            CHECK_OK(sotto_kt_leaf_dl_update(&l, a->uuid, a->key, i == 1 ? 1 : 2,
                                             s->device_list.data, s->device_list.len,
                                             s->signature.data));
            CHECK_OK(sotto_kt_leaf_sign(&l, a->priv));
            l.prev_index = (uint64_t)i - 1;
        } else {
            sotto_kt_leaf_create(&l, a->uuid, a->key);
            l.account_uuid[0] = (uint8_t)i; /* other accounts */
            CHECK_OK(sotto_kt_leaf_sign(&l, a->priv));
        }
        l.timestamp = 1000 + (uint64_t)i + (i == 2 ? bump : 0);
        CHECK_OK(sotto_kt_leaf_encode(g->leaves[i], &g->len[i], SOTTO_KT_LEAF_MAX, &l));
        sotto_kt_leaf_hash(g->h[i], g->leaves[i], g->len[i]);
    }
}

static void sign_note(struct log *g, uint64_t size, const uint8_t priv[32])
{
    struct sotto_kt_checkpoint cp;
    size_t len;
    memset(&cp, 0, sizeof cp);
    sotto_kt_origin_for_key(cp.origin, g->key);
    cp.size = size;
    sotto_kt_root(cp.root, g->h, size);
    CHECK_OK(sotto_kt_checkpoint_sign(g->note, &len, sizeof g->note, &cp, priv));
}

/* An AccountInfo for bob: list v (1 or 2), leaf idx, tree size. */
struct info {
    Sotto__Server__AccountInfo ai;
    ProtobufCBinaryData proof[SOTTO_KT_PROOF_MAX];
    sotto_kt_hash p[SOTTO_KT_PROOF_MAX];
};

static void make_info(struct info *in, struct log *g, struct acct *a, int v, uint64_t idx,
                      uint64_t size)
{
    size_t plen = 0;
    sotto__server__account_info__init(&in->ai);
    in->ai.username = "bob";
    in->ai.account_key = (ProtobufCBinaryData){33, a->key};
    in->ai.devices = &a->sdl[v - 1];
    in->ai.kt_checkpoint = g->note;
    in->ai.kt_leaf = (ProtobufCBinaryData){g->len[idx], g->leaves[idx]};
    in->ai.kt_leaf_index = idx;
    in->ai.kt_log_key = (ProtobufCBinaryData){33, g->key};
    CHECK_OK(sotto_kt_inclusion_proof(in->p, &plen, g->h, size, idx));
    for (size_t i = 0; i < plen; i++)
        in->proof[i] = (ProtobufCBinaryData){32, in->p[i]};
    in->ai.kt_inclusion = in->proof;
    in->ai.n_kt_inclusion = plen;
}

static int check(struct sc_sync *s, struct info *in, uint64_t version)
{
    return sc_kt_check_account(s, &in->ai, "bob", version);
}

/* Writes an accepted AccountInfo (log_index = its DL version, as the fuzz
 * target reads it) where SOTTO_KT_SEED_OUT says. */
static void write_seed(const Sotto__Server__AccountInfo *ai)
{
    const char *path = getenv("SOTTO_KT_SEED_OUT");
    Sotto__Server__AccountInfo c = *ai;
    uint8_t buf[8192];
    FILE *f;
    size_t n;
    if (path == NULL)
        return;
    c.log_index = 2;
    n = sotto__server__account_info__pack(&c, buf);
    f = fopen(path, "wb");
    CHECK(f != NULL && fwrite(buf, 1, n, f) == n);
    if (f != NULL)
        fclose(f);
}

int main(void)
{
    char dir[] = "/tmp/sotto-kt-test.XXXXXX", path[128];
    struct sc_store *st = NULL;
    struct sc_sync s;
    struct log g, fork, other;
    struct acct a;
    struct info in;
    uint8_t key[32], *ev;
    size_t evlen;

    t_init();
    t_seed_random(7);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/store.db", dir);
    CHECK_OK(sc_store_open(&st, path));
    st_random_bytes(key, sizeof key);
    CHECK_OK(sc_store_unlock_key(st, key));
    memset(&s, 0, sizeof s);
    s.store = st;
    s.on_event = on_event;
    strcpy(s.self, "me");

    make_acct(&a);
    keypair(g.priv, g.key);
    make_log(&g, &a, 0);
    sign_note(&g, N, g.priv);

    /* first contact: pins the log key, accepts v2 at index 3 */
    make_info(&in, &g, &a, 2, 3, N);
    CHECK_OK(check(&s, &in, 2));
    CHECK_OK(check(&s, &in, 2)); /* again: same checkpoint */
    write_seed(&in.ai);          /* tests/fuzz/corpus/client_kt (SOTTO_KT_SEED_OUT) */

    /* the list is not the one the leaf names / the version differs */
    in.ai.devices = &a.sdl[0];
    CHECK(check(&s, &in, 1) == SOTTO_ERR_KT_BAD_PROOF);
    CHECK(strcmp(last_check, "leaf_mismatch") == 0);
    in.ai.devices = &a.sdl[1];
    CHECK(check(&s, &in, 3) == SOTTO_ERR_KT_BAD_PROOF);

    /* the proof is for another index */
    in.ai.kt_leaf_index = 2;
    CHECK(check(&s, &in, 2) == SOTTO_ERR_KT_BAD_PROOF);
    CHECK(strcmp(last_check, "inclusion") == 0);
    in.ai.kt_leaf_index = 3;

    /* an older, logged list (v1 at index 1): rollback */
    make_info(&in, &g, &a, 1, 1, N);
    CHECK(check(&s, &in, 1) == SOTTO_ERR_KT_STALE);
    CHECK(strcmp(last_check, "dl_rollback") == 0);

    /* another log key, and a note signed by another key */
    other = g;
    keypair(other.priv, other.key);
    sign_note(&other, N, other.priv);
    make_info(&in, &other, &a, 2, 3, N);
    CHECK(check(&s, &in, 2) == SOTTO_ERR_KT_INCONSISTENT);
    CHECK(strcmp(last_check, "log_key_changed") == 0);
    memcpy(other.key, g.key, 33); /* claims the pinned key and origin */
    sign_note(&other, N, other.priv);
    make_info(&in, &other, &a, 2, 3, N);
    CHECK(check(&s, &in, 2) == SOTTO_ERR_INVALID_SIGNATURE);
    CHECK(strcmp(last_check, "checkpoint_signature") == 0);

    /* a fork: same size, leaf 2 rewritten; both notes kept as evidence */
    CHECK(sc_store_secret_get(st, &ev, &evlen, "kt_evidence") == SOTTO_ERR_NOT_FOUND);
    fork = g;
    make_log(&fork, &a, 1);
    sign_note(&fork, N, g.priv);
    make_info(&in, &fork, &a, 2, 3, N);
    CHECK(check(&s, &in, 2) == SOTTO_ERR_KT_INCONSISTENT);
    CHECK(strcmp(last_check, "fork") == 0);
    CHECK_OK(sc_store_secret_get(st, &ev, &evlen, "kt_evidence"));
    CHECK(strstr((char *)ev, g.note) != NULL && strstr((char *)ev, fork.note) != NULL);
    sc_free_secret(ev, evlen);

    /* a smaller tree than the accepted one */
    sign_note(&g, N - 2, g.priv);
    make_info(&in, &g, &a, 2, 3, N - 2);
    CHECK(check(&s, &in, 2) == SOTTO_ERR_KT_STALE);
    CHECK(strcmp(last_check, "checkpoint_rollback") == 0);

    /* the honest view still passes; no proof at all does not */
    sign_note(&g, N, g.priv);
    make_info(&in, &g, &a, 2, 3, N);
    CHECK_OK(check(&s, &in, 2));
    in.ai.kt_checkpoint = NULL;
    CHECK(check(&s, &in, 2) == SOTTO_ERR_KT_BAD_PROOF);
    CHECK(strcmp(last_check, "missing") == 0);

    sc_devlist_signed_free(&a.sdl[0]);
    sc_devlist_signed_free(&a.sdl[1]);
    sc_store_close(st);
    unlink(path);
    snprintf(path, sizeof path, "%s/store.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/store.db-shm", dir);
    unlink(path);
    rmdir(dir);
    return t_done();
}
