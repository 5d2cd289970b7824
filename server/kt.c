/*
 * The transparent binding log of spec/transparency-and-reporting.md 2.1,
 * served by sottod (kt.h, docs/transparency.md). RFC 9162 proofs are
 * computed from the in-memory leaf hashes; tiles (C2SP tlog-tiles) are not
 * here yet, so an inclusion proof costs O(n) hashing.
 */
#include "kt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "handlers.h"
#include "keyfile.h"
#include "log.h"
#include "server.h"

#define SD_STATUS(x) SOTTO__SERVER__STATUS__STATUS_##x

struct sd_kt {
    uint8_t priv[32];
    uint8_t pub[SOTTO_KT_KEY_BYTES];
    char origin[SOTTO_KT_ORIGIN_FOR_KEY_BYTES];
    struct sotto_kt_tree *tree;
    sotto_kt_hash *hashes; /* every leaf hash, index order */
    uint64_t n, cap;
    char note[SOTTO_KT_CHECKPOINT_MAX + 1]; /* the newest signed checkpoint */
    size_t note_len;
};

static int push_hash(struct sd_kt *kt, const uint8_t *leaf, size_t len)
{
    if (kt->n == kt->cap) {
        uint64_t cap = kt->cap ? kt->cap * 2 : 1024;
        sotto_kt_hash *h = realloc(kt->hashes, (size_t)cap * sizeof(*h));
        if (h == NULL) {
            return -1;
        }
        kt->hashes = h;
        kt->cap = cap;
    }
    sotto_kt_leaf_hash(kt->hashes[kt->n], leaf, len);
    if (sotto_kt_tree_append(kt->tree, kt->hashes[kt->n]) != SOTTO_OK) {
        return -1;
    }
    kt->n++;
    return 0;
}

/* Signs the current tree and stores the note. */
static int sign(struct sd_kt *kt, struct sd_store *st)
{
    struct sotto_kt_checkpoint cp;

    memset(&cp, 0, sizeof(cp));
    memcpy(cp.origin, kt->origin, sizeof(kt->origin));
    cp.size = kt->n;
    sotto_kt_tree_root(kt->tree, cp.root);
    if (sotto_kt_checkpoint_sign(kt->note, &kt->note_len, sizeof(kt->note), &cp, kt->priv) !=
        SOTTO_OK) {
        kt->note_len = 0;
        return -1;
    }
    return st->ops->kt_checkpoint_put(st, cp.size, kt->note, kt->note_len) == SD_ST_OK ? 0 : -1;
}

static int load_leaf(void *arg, uint64_t idx, const uint8_t *leaf, size_t len)
{
    struct sd_kt *kt = arg;
    return idx == kt->n ? push_hash(kt, leaf, len) : -1;
}

/*
 * The stored checkpoint must be a prefix of the stored leaves: a database
 * whose leaves were rewritten or truncated is refused rather than served
 * (an operator who wants to fork has to do it on purpose).
 */
static int check_stored(struct sd_kt *kt, struct sd_store *st)
{
    struct sotto_kt_checkpoint cp;
    struct sd_blob note;
    uint8_t root[SOTTO_KT_HASH_BYTES];
    uint64_t size;
    int rc = st->ops->kt_checkpoint_get(st, &size, &note);

    if (rc == SD_ST_NOT_FOUND) {
        return 0;
    }
    if (rc != SD_ST_OK) {
        return -1;
    }
    rc = sotto_kt_checkpoint_verify(&cp, (const char *)note.p, note.len, kt->origin, kt->pub);
    sd_blob_free(&note);
    if (rc != SOTTO_OK || cp.size != size || size > kt->n) {
        sd_log(SD_LOG_ERROR, "kt: the stored checkpoint does not verify or is larger than the log",
               "size=%llu leaves=%llu", (unsigned long long)size, (unsigned long long)kt->n);
        return -1;
    }
    sotto_kt_root(root, kt->hashes, size);
    if (!st_ct_equal(root, cp.root, sizeof(root))) {
        sd_log(SD_LOG_ERROR, "kt: the stored leaves do not match the stored checkpoint",
               "size=%llu", (unsigned long long)size);
        return -1;
    }
    return 0;
}

/* Key, leaves and the stored checkpoint's check; signs nothing. */
static int load(struct sd_kt **out, struct sd_store *st, const char *key_path)
{
    struct sd_kt *kt = calloc(1, sizeof(*kt));
    uint8_t pub[32];
    int created;

    *out = NULL;
    if (kt == NULL || sotto_kt_tree_new(&kt->tree) != SOTTO_OK) {
        goto err;
    }
    if (sd_keyfile_load(kt->priv, pub, &created, key_path) != 0) {
        goto err;
    }
    kt->pub[0] = 0x05;
    memcpy(kt->pub + 1, pub, 32);
    sotto_kt_origin_for_key(kt->origin, kt->pub);
    if (st->ops->kt_leaves(st, load_leaf, kt) != SD_ST_OK) {
        sd_log(SD_LOG_ERROR, "kt: cannot load the log's leaves", "leaves=%llu",
               (unsigned long long)kt->n);
        goto err;
    }
    if (check_stored(kt, st) != 0) {
        goto err;
    }
    *out = kt;
    return 0;
err:
    sd_kt_free(kt);
    return -1;
}

int sd_kt_open(struct sd_kt **out, struct sd_store *st, const char *key_path)
{
    int rc = load(out, st, key_path);
    if (rc == 0 && sign(*out, st) != 0) {
        sd_kt_free(*out);
        *out = NULL;
        rc = -1;
    }
    return rc;
}

struct print_ctx {
    sd_row_cb cb;
    void *arg;
};

static int print_leaf(void *arg, uint64_t idx, const uint8_t *p, size_t len)
{
    static const char *const types[] = {"?", "ACCOUNT_CREATE", "DL_UPDATE", "ACCOUNT_RESET"};
    struct print_ctx *pc = arg;
    struct sotto_kt_leaf l;
    char line[200], uuid[33];

    if (sotto_kt_leaf_parse(&l, p, len) != SOTTO_OK) {
        snprintf(line, sizeof(line), "index=%llu unparsable", (unsigned long long)idx);
        return pc->cb(pc->arg, line);
    }
    sd_hex(uuid, l.account_uuid, sizeof(l.account_uuid));
    snprintf(line, sizeof(line), "index=%llu type=%s uuid=%s dl_version=%llu prev=%lld ts=%llu",
             (unsigned long long)idx, types[l.type <= 3 ? l.type : 0], uuid,
             (unsigned long long)l.dl_version,
             l.prev_index == SOTTO_KT_NO_PREV ? -1LL : (long long)l.prev_index,
             (unsigned long long)l.timestamp);
    return pc->cb(pc->arg, line);
}

int sd_kt_admin(struct sd_store *st, const char *key_path, int list, sd_row_cb cb, void *arg)
{
    struct print_ctx pc = {cb, arg};
    struct sd_kt *kt;
    char line[400], desc[200], root[65];
    uint8_t r[SOTTO_KT_HASH_BYTES];
    FILE *f = fopen(key_path, "rb");

    if (f == NULL) {
        snprintf(line, sizeof(line), "no log key at %s (sottod has not run yet)", key_path);
        cb(arg, line);
        return SD_ST_ERROR;
    }
    fclose(f);
    if (list && st->ops->kt_leaves(st, print_leaf, &pc) != SD_ST_OK) {
        return SD_ST_ERROR;
    }
    if (load(&kt, st, key_path) != 0) {
        cb(arg, "broken: the leaves do not extend the stored checkpoint, or do not load");
        return SD_ST_ERROR;
    }
    sd_kt_describe(kt, desc, sizeof(desc));
    sotto_kt_tree_root(kt->tree, r);
    sd_hex(root, r, sizeof(r));
    snprintf(line, sizeof(line), "ok %s root=%s", desc, root);
    cb(arg, line);
    sd_kt_free(kt);
    return SD_ST_OK;
}

void sd_kt_free(struct sd_kt *kt)
{
    if (kt == NULL) {
        return;
    }
    st_wipe(kt->priv, sizeof(kt->priv));
    sotto_kt_tree_free(kt->tree);
    free(kt->hashes);
    free(kt);
}

uint64_t sd_kt_size(const struct sd_kt *kt)
{
    return kt->n;
}

const uint8_t *sd_kt_public(const struct sd_kt *kt)
{
    return kt->pub;
}

void sd_kt_describe(const struct sd_kt *kt, char *out, size_t cap)
{
    char hex[2 * SOTTO_KT_KEY_BYTES + 1];
    sd_hex(hex, kt->pub, SOTTO_KT_KEY_BYTES);
    snprintf(out, cap, "log_key=%s log_origin=%s log_size=%llu", hex, kt->origin,
             (unsigned long long)kt->n);
}

int sd_kt_appended(struct sd_kt *kt, struct sd_store *st, const struct sd_kt_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        if (b->first_index + i != kt->n || push_hash(kt, b->enc[i], b->enc_len[i]) != 0) {
            sd_log(SD_LOG_ERROR, "kt: leaf out of sequence", "index=%llu size=%llu",
                   (unsigned long long)(b->first_index + i), (unsigned long long)kt->n);
            return -1;
        }
    }
    return sign(kt, st);
}

int sd_kt_heartbeat(struct sd_kt *kt, struct sd_store *st)
{
    return sign(kt, st);
}

int sd_kt_account_leaf(struct sd_store *st, int64_t account_id, struct sotto_kt_leaf *leaf)
{
    struct sd_blob b;
    uint64_t idx;
    int rc = st->ops->kt_account_leaf(st, account_id, &idx, &b);

    memset(leaf, 0, sizeof(*leaf));
    if (rc != SD_ST_OK) {
        return rc;
    }
    rc = sotto_kt_leaf_parse(leaf, b.p, b.len) == SOTTO_OK ? SD_ST_OK : SD_ST_ERROR;
    sd_blob_free(&b);
    return rc;
}

/* proof[0..n) as repeated bytes in r's arena. */
static ProtobufCBinaryData *proof_out(struct sd_req *r, const sotto_kt_hash *proof, size_t n)
{
    ProtobufCBinaryData *v = sd_req_alloc(r, (n + 1) * sizeof(*v));
    uint8_t *h = sd_req_alloc(r, (n + 1) * SOTTO_KT_HASH_BYTES);

    if (v == NULL || h == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(h + i * SOTTO_KT_HASH_BYTES, proof[i], SOTTO_KT_HASH_BYTES);
        v[i].data = h + i * SOTTO_KT_HASH_BYTES;
        v[i].len = SOTTO_KT_HASH_BYTES;
    }
    return v;
}

static char *note_out(struct sd_req *r, const struct sd_kt *kt)
{
    char *s = sd_req_alloc(r, kt->note_len + 1);
    if (s != NULL) {
        memcpy(s, kt->note, kt->note_len);
    }
    return s;
}

int sd_kt_fill(struct sd_req *r, Sotto__Server__AccountInfo *ai, int64_t account_id)
{
    struct sd_server *srv = r->c->srv;
    struct sd_kt *kt = srv->kt;
    sotto_kt_hash proof[SOTTO_KT_PROOF_MAX];
    size_t plen = 0;
    struct sd_blob leaf;
    uint64_t idx;
    int rc = srv->store->ops->kt_account_leaf(srv->store, account_id, &idx, &leaf);

    if (rc == SD_ST_NOT_FOUND) {
        return 0; /* an account from before the log existed */
    }
    if (rc != SD_ST_OK) {
        return -1;
    }
    if (idx >= kt->n ||
        sotto_kt_inclusion_proof(proof, &plen, kt->hashes, kt->n, idx) != SOTTO_OK) {
        sd_blob_free(&leaf);
        return -1;
    }
    ai->kt_leaf.data = sd_req_alloc(r, leaf.len + 1);
    if (ai->kt_leaf.data != NULL) {
        memcpy(ai->kt_leaf.data, leaf.p, leaf.len);
        ai->kt_leaf.len = leaf.len;
    }
    sd_blob_free(&leaf);
    ai->kt_leaf_index = idx;
    ai->kt_inclusion = proof_out(r, proof, plen);
    ai->n_kt_inclusion = plen;
    ai->kt_checkpoint = note_out(r, kt);
    ai->kt_log_key.data = sd_req_alloc(r, SOTTO_KT_KEY_BYTES);
    if (ai->kt_leaf.data == NULL || ai->kt_inclusion == NULL || ai->kt_checkpoint == NULL ||
        ai->kt_log_key.data == NULL) {
        return -1;
    }
    memcpy(ai->kt_log_key.data, kt->pub, SOTTO_KT_KEY_BYTES);
    ai->kt_log_key.len = SOTTO_KT_KEY_BYTES;
    return 0;
}

int sd_h_kt_consistency(struct sd_req *r)
{
    const Sotto__Server__KtConsistency *k = r->rq->kt_consistency;
    struct sd_kt *kt = r->c->srv->kt;
    Sotto__Server__KtProof *p = sd_req_alloc(r, sizeof(*p));
    sotto_kt_hash proof[SOTTO_KT_PROOF_MAX];
    size_t plen = 0;

    if (k == NULL || p == NULL || k->from_size == 0 || k->from_size > k->to_size ||
        k->to_size > kt->n) {
        return sd_req_fail(r, SD_STATUS(BAD_REQUEST),
                           "KtConsistency needs 0 < from_size <= to_size <= the log's size");
    }
    if (sotto_kt_consistency_proof(proof, &plen, kt->hashes, k->to_size, k->from_size) !=
        SOTTO_OK) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "cannot compute the proof");
    }
    sotto__server__kt_proof__init(p);
    p->hashes = proof_out(r, proof, plen);
    p->n_hashes = plen;
    p->checkpoint = note_out(r, kt);
    if (p->hashes == NULL || p->checkpoint == NULL) {
        return sd_req_fail(r, SD_STATUS(INTERNAL), "out of memory");
    }
    r->rs->kt_proof = p;
    r->rs->body_case = SOTTO__SERVER__RESPONSE__BODY_KT_PROOF;
    return SD_H_REPLY;
}
