/*
 * sottod's transparency log, checked from outside with lib/kt only (not
 * the sotto client): every AccountInfo carries a checkpoint signed by the
 * log key of the ready file, the account's newest leaf (ACCOUNT_CREATE then
 * DL_UPDATEs chained by prev_index, each naming the stored list) and an
 * inclusion proof; KtConsistency proves every older checkpoint extends to
 * the newest; leaves without the account key's signature are refused; a
 * restart keeps the same tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sotto/kt.h"
#include "tclient.h"
#include "testutil.h"

#define ST(x) SOTTO__SERVER__STATUS__STATUS_##x

static struct tsrv srv;
static uint8_t log_key[33];
static char origin[SOTTO_KT_ORIGIN_FOR_KEY_BYTES];

static void read_log_key(void)
{
    char path[200], line[200];
    FILE *f;
    int found = 0;

    snprintf(path, sizeof path, "%s/ready", srv.dir);
    f = fopen(path, "r");
    CHECK(f != NULL);
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        size_t n = 0;
        uint8_t *b;
        if (strncmp(line, "log_key=", 8) != 0)
            continue;
        line[strcspn(line, "\n")] = 0;
        b = t_unhex(line + 8, &n);
        CHECK(b != NULL && n == 33);
        if (b != NULL && n == 33) {
            memcpy(log_key, b, 33);
            found = 1;
        }
        free(b);
    }
    if (f != NULL)
        fclose(f);
    CHECK(found);
    sotto_kt_origin_for_key(origin, log_key);
}

static Sotto__Server__Frame *get_account(struct tc *c, const char *name)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__GetAccount g = SOTTO__SERVER__GET_ACCOUNT__INIT;
    g.username = (char *)name;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_GET_ACCOUNT;
    rq.get_account = &g;
    return tc_call(c, &rq);
}

/* Checks ai's proof; returns the checkpoint and the leaf. */
static void check_info(const Sotto__Server__AccountInfo *ai, struct sotto_kt_checkpoint *cp,
                       struct sotto_kt_leaf *leaf)
{
    sotto_kt_hash proof[SOTTO_KT_PROOF_MAX];
    uint8_t h[32], dh[32];

    memset(cp, 0, sizeof *cp);
    memset(leaf, 0, sizeof *leaf);
    CHECK(ai->kt_log_key.len == 33 && memcmp(ai->kt_log_key.data, log_key, 33) == 0);
    CHECK(ai->kt_checkpoint != NULL);
    if (ai->kt_checkpoint == NULL)
        return;
    CHECK_OK(sotto_kt_checkpoint_verify(cp, ai->kt_checkpoint, strlen(ai->kt_checkpoint), origin,
                                        log_key));
    CHECK_OK(sotto_kt_leaf_parse(leaf, ai->kt_leaf.data, ai->kt_leaf.len));
    CHECK(ai->n_kt_inclusion <= SOTTO_KT_PROOF_MAX);
    for (size_t i = 0; i < ai->n_kt_inclusion && i < SOTTO_KT_PROOF_MAX; i++) {
        CHECK(ai->kt_inclusion[i].len == 32);
        memcpy(proof[i], ai->kt_inclusion[i].data, 32);
    }
    sotto_kt_leaf_hash(h, ai->kt_leaf.data, ai->kt_leaf.len);
    CHECK_OK(sotto_kt_inclusion_verify(ai->kt_leaf_index, cp->size, h, proof, ai->n_kt_inclusion,
                                       cp->root));
    CHECK(leaf->type == SOTTO_KT_DL_UPDATE);
    CHECK_OK(sotto_kt_leaf_verify(leaf));
    CHECK(memcmp(leaf->account_key, ai->account_key.data, 33) == 0);
    CHECK_OK(sotto_kt_signed_list_hash(dh, ai->devices->device_list.data,
                                       ai->devices->device_list.len, ai->devices->signature.data));
    CHECK(memcmp(dh, leaf->dl_hash, 32) == 0);
}

static int consistency(struct tc *c, uint64_t from, uint64_t to, sotto_kt_hash *proof, size_t *n)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__KtConsistency k = SOTTO__SERVER__KT_CONSISTENCY__INIT;
    Sotto__Server__Frame *f;
    int st;

    k.from_size = from;
    k.to_size = to;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_KT_CONSISTENCY;
    rq.kt_consistency = &k;
    f = tc_call(c, &rq);
    *n = 0;
    if (f == NULL)
        return -1;
    st = (int)f->response->status;
    if (st == ST(OK) && f->response->kt_proof != NULL) {
        for (size_t i = 0; i < f->response->kt_proof->n_hashes && i < SOTTO_KT_PROOF_MAX; i++)
            memcpy(proof[(*n)++], f->response->kt_proof->hashes[i].data, 32);
    }
    tc_free(f);
    return st;
}

/* Register with hand-made KT fields: what a broken or hostile client sends. */
static int register_raw(struct tc *c, const struct tuser *u, const uint8_t uuid[16],
                        const uint8_t create_sig[64], const uint8_t dl_sig[64])
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Register g = SOTTO__SERVER__REGISTER__INIT;
    Sotto__Server__Frame *f;
    int st;

    g.username = (char *)u->name;
    g.account_key = (ProtobufCBinaryData){33, (uint8_t *)u->acct_pub};
    g.devices = tu_sdl(u, 1, 1);
    if (uuid != NULL) {
        g.kt_uuid = (ProtobufCBinaryData){16, (uint8_t *)uuid};
        g.kt_create_sig = (ProtobufCBinaryData){64, (uint8_t *)create_sig};
        g.kt_dl_sig = (ProtobufCBinaryData){64, (uint8_t *)dl_sig};
    }
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_REGISTER;
    rq.register_ = &g;
    f = tc_call(c, &rq);
    st = f == NULL ? -1 : (int)f->response->status;
    tc_free(f);
    tu_sdl_free(g.devices);
    return st;
}

static void refused_leaves(void)
{
    struct tuser m;
    struct tc c;
    uint8_t uuid[16] = {1}, sig[64] = {2};

    tu_init(&m, "mallory", 1);
    CHECK(tc_connect(&c, &srv, &m.dev[0]) == ST(OK));
    CHECK(register_raw(&c, &m, NULL, NULL, NULL) == ST(BAD_SIGNATURE)); /* old client */
    CHECK(register_raw(&c, &m, uuid, sig, sig) == ST(BAD_SIGNATURE));   /* forged */
    tc_close(&c);
}

int main(void)
{
    struct tuser alice, bob;
    struct tc a, b;
    struct sotto_kt_checkpoint cps[3], cp;
    struct sotto_kt_leaf leaf;
    sotto_kt_hash proof[SOTTO_KT_PROOF_MAX];
    Sotto__Server__Frame *f;
    uint64_t prev;
    size_t n;

    t_init();
    if (ts_start(&srv) != 0)
        return 1;
    read_log_key();
    tu_init(&alice, "alice", 2);
    tu_init(&bob, "bob", 1);
    CHECK(tc_connect(&a, &srv, &alice.dev[0]) == ST(OK));
    CHECK(tu_register(&a, &alice, 1) == ST(OK));
    f = get_account(&a, "alice");
    CHECK(f != NULL && f->response->status == ST(OK));
    if (f != NULL && f->response->account != NULL) {
        check_info(f->response->account, &cps[0], &leaf);
        CHECK(cps[0].size == 2 && f->response->account->kt_leaf_index == 1);
        CHECK(leaf.dl_version == 1 && leaf.prev_index == 0);
    }
    tc_free(f);

    /* more leaves: bob registers, alice changes her list twice */
    CHECK(tc_connect(&b, &srv, &bob.dev[0]) == ST(OK));
    CHECK(tu_register(&b, &bob, 1) == ST(OK));
    prev = 1;
    for (int i = 1; i <= 2; i++) {
        alice.version = (uint64_t)i + 1;
        CHECK(tu_set_devices(&a, &alice, (size_t)i) == ST(OK));
        f = get_account(&b, "alice");
        if (f != NULL && f->response->account != NULL) {
            check_info(f->response->account, &cps[i], &leaf);
            CHECK(leaf.dl_version == (uint64_t)i + 1 && leaf.prev_index == prev);
            prev = f->response->account->kt_leaf_index;
        }
        tc_free(f);
    }
    CHECK(cps[2].size == 6);

    /* every checkpoint extends to the newest */
    for (int i = 0; i < 2; i++) {
        CHECK(consistency(&b, cps[i].size, cps[2].size, proof, &n) == ST(OK));
        CHECK_OK(sotto_kt_consistency_verify(cps[i].size, cps[2].size, cps[i].root, cps[2].root,
                                             proof, n));
    }
    CHECK(consistency(&b, 0, 3, proof, &n) == ST(BAD_REQUEST));
    CHECK(consistency(&b, 4, 3, proof, &n) == ST(BAD_REQUEST));
    CHECK(consistency(&b, 1, 99, proof, &n) == ST(BAD_REQUEST));

    /* a stale list is refused and logs nothing */
    alice.version = 2;
    CHECK(tu_set_devices(&a, &alice, 1) == ST(STALE_VERSION));
    refused_leaves();
    f = get_account(&b, "bob");
    if (f != NULL && f->response->account != NULL) {
        check_info(f->response->account, &cp, &leaf);
        CHECK(cp.size == cps[2].size); /* nothing refused was logged */
    }
    tc_free(f);
    tc_close(&a);
    tc_close(&b);

    /* a restart rebuilds the same tree from the store */
    CHECK(ts_stop(&srv) == 0);
    CHECK(ts_start(&srv) == 0);
    CHECK(tc_connect(&b, &srv, &bob.dev[0]) == ST(OK));
    f = get_account(&b, "alice");
    if (f != NULL && f->response->account != NULL) {
        check_info(f->response->account, &cp, &leaf);
        CHECK(cp.size == cps[2].size && memcmp(cp.root, cps[2].root, 32) == 0);
    }
    tc_free(f);
    tc_close(&b);
    ts_stop(&srv);
    ts_cleanup(&srv);
    return t_done();
}
