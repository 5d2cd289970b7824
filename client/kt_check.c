/*
 * Key-transparency checks of an account before its device list is used
 * (kt_check.h; spec transparency-and-reporting.md 2.1, steps 2-7 of "What a
 * client checks before it encrypts"; no witnesses yet).
 */
#include "client/kt_check.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/account.h"
#include "client/hex.h"
#include "client/sync.h"
#include "crypto/crypto.h"
#include "sotto/kt.h"
#include "sync_internal.h"

enum { OWN_DL_KEEP = 8, EVIDENCE_MAX = 2 * SOTTO_KT_CHECKPOINT_MAX + 64 };

/* Journals a "kt" event the user sees (with the evidence, if any: two
 * signed checkpoints anyone can check); returns err. */
static int fail_ev(struct sc_sync *s, int err, const char *peer, const char *what, const char *text,
                   const char *evidence)
{
    cJSON *o = cJSON_CreateObject();
    char *js;

    cJSON_AddStringToObject(o, "peer", peer);
    cJSON_AddStringToObject(o, "error", sotto_err_name(err));
    cJSON_AddStringToObject(o, "check", what);
    cJSON_AddStringToObject(o, "text", text);
    if (evidence != NULL)
        cJSON_AddStringToObject(o, "evidence", evidence);
    js = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    /* A journal failure must not turn the refusal into a success. */
    if (js != NULL && sc_sync_event(s, "kt", js) != SOTTO_OK)
        err = err != SOTTO_OK ? err : SOTTO_ERR_STORE;
    free(js);
    return err;
}

static int fail(struct sc_sync *s, int err, const char *peer, const char *what, const char *text)
{
    return fail_ev(s, err, peer, what, text, NULL);
}

/* A secret of exactly n bytes: SOTTO_OK, SOTTO_ERR_NOT_FOUND, or an error. */
static int get_fixed(struct sc_store *st, uint8_t *out, size_t n, const char *name)
{
    uint8_t *v;
    size_t len;
    int rc = sc_store_secret_get(st, &v, &len, name);
    if (rc != SOTTO_OK)
        return rc;
    if (len == n)
        memcpy(out, v, n);
    sc_free_secret(v, len);
    return len == n ? SOTTO_OK : SOTTO_ERR_STORE;
}

int sc_kt_uuid(struct sc_store *st, uint8_t uuid[16])
{
    int rc = get_fixed(st, uuid, 16, "kt_uuid");
    if (rc != SOTTO_ERR_NOT_FOUND)
        return rc;
    st_random_bytes(uuid, 16);
    return sc_store_secret_put(st, "kt_uuid", uuid, 16);
}

/* Appends h to the hashes of lists we signed (the newest OWN_DL_KEEP). */
static int remember_own(struct sc_store *st, const uint8_t h[32])
{
    uint8_t buf[(OWN_DL_KEEP + 1) * 32], *v;
    size_t len = 0, n;
    int rc = sc_store_secret_get(st, &v, &n, "kt_own_dl");
    if (rc == SOTTO_OK) {
        len = n <= OWN_DL_KEEP * 32 ? n - n % 32 : OWN_DL_KEEP * 32;
        memcpy(buf, v + (n - n % 32) - len, len);
        sc_free_secret(v, n);
    } else if (rc != SOTTO_ERR_NOT_FOUND) {
        return rc;
    }
    memcpy(buf + len, h, 32);
    len += 32;
    if (len > OWN_DL_KEEP * 32) {
        memmove(buf, buf + 32, len - 32);
        len -= 32;
    }
    return sc_store_secret_put(st, "kt_own_dl", buf, len);
}

static int is_own(struct sc_store *st, const uint8_t h[32])
{
    uint8_t *v;
    size_t n;
    int found = 0;
    if (sc_store_secret_get(st, &v, &n, "kt_own_dl") != SOTTO_OK)
        return 0;
    for (size_t i = 0; i + 32 <= n; i += 32)
        found |= st_ct_equal(v + i, h, 32);
    sc_free_secret(v, n);
    return found;
}

static int sign_dl(struct sc_store *st, uint8_t dl_sig[64], const uint8_t uuid[16],
                   const uint8_t account_key[33], uint64_t version,
                   const Sotto__Server__SignedDeviceList *sdl, const uint8_t account_priv[32])
{
    struct sotto_kt_leaf l;
    int rc;
    if (sdl->signature.len != SOTTO_KT_SIG_BYTES)
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = sotto_kt_leaf_dl_update(&l, uuid, account_key, version, sdl->device_list.data,
                                 sdl->device_list.len, sdl->signature.data);
    if (rc == SOTTO_OK)
        rc = sotto_kt_leaf_sign(&l, account_priv);
    if (rc == SOTTO_OK)
        rc = remember_own(st, l.dl_hash);
    if (rc == SOTTO_OK)
        memcpy(dl_sig, l.signature, 64);
    return rc;
}

int sc_kt_sign_register(struct sc_store *st, uint8_t uuid[16], uint8_t create_sig[64],
                        uint8_t dl_sig[64], const uint8_t account_key[33], uint64_t version,
                        const Sotto__Server__SignedDeviceList *sdl, const uint8_t account_priv[32])
{
    struct sotto_kt_leaf l;
    int rc = sc_kt_uuid(st, uuid);
    if (rc != SOTTO_OK)
        return rc;
    sotto_kt_leaf_create(&l, uuid, account_key);
    rc = sotto_kt_leaf_sign(&l, account_priv);
    if (rc == SOTTO_OK)
        memcpy(create_sig, l.signature, 64);
    if (rc == SOTTO_OK)
        rc = sign_dl(st, dl_sig, uuid, account_key, version, sdl, account_priv);
    return rc;
}

int sc_kt_sign_update(struct sc_store *st, uint8_t dl_sig[64], const uint8_t account_key[33],
                      uint64_t version, const Sotto__Server__SignedDeviceList *sdl,
                      const uint8_t account_priv[32])
{
    uint8_t uuid[16];
    int rc = get_fixed(st, uuid, 16, "kt_uuid");
    if (rc != SOTTO_OK)
        return rc;
    return sign_dl(st, dl_sig, uuid, account_key, version, sdl, account_priv);
}

int sc_kt_view(struct sc_store *st, uint64_t *size, uint8_t root[SOTTO_KT_VIEW_ROOT_BYTES])
{
    struct sotto_kt_checkpoint cp;
    char origin[SOTTO_KT_ORIGIN_FOR_KEY_BYTES];
    uint8_t key[SOTTO_KT_KEY_BYTES], *note;
    size_t len;
    int rc;

    *size = 0;
    memset(root, 0, SOTTO_KT_VIEW_ROOT_BYTES);
    rc = get_fixed(st, key, sizeof key, "kt_log_key");
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_store_secret_get(st, &note, &len, "kt_checkpoint");
    if (rc != SOTTO_OK)
        return rc;
    sotto_kt_origin_for_key(origin, key);
    rc = sotto_kt_checkpoint_verify(&cp, (const char *)note, len, origin, key);
    sc_free_secret(note, len);
    if (rc != SOTTO_OK)
        return rc;
    *size = cp.size;
    memcpy(root, cp.root, SOTTO_KT_VIEW_ROOT_BYTES);
    return SOTTO_OK;
}

/* ---- checking ---- */

/* The pinned log key: the config's (s->log_key), else the one pinned in the
 * store; pins ai's on first contact. */
static int log_key(struct sc_sync *s, uint8_t key[SOTTO_KT_KEY_BYTES],
                   const Sotto__Server__AccountInfo *ai, const char *peer)
{
    int rc;
    if (s->log_key != NULL) {
        uint8_t stored[SOTTO_KT_KEY_BYTES];
        if (sc_hex_decode(key, SOTTO_KT_KEY_BYTES, s->log_key, strlen(s->log_key)) != SOTTO_OK)
            return fail(s, SOTTO_ERR_INVALID_ARGUMENT, peer, "log_key_config",
                        "key transparency: log_key in the config is not 66 hex digits");
        /* the configured key is the pin (sc_kt_view reads it there) */
        rc = get_fixed(s->store, stored, sizeof stored, "kt_log_key");
        if ((rc == SOTTO_OK && !st_ct_equal(stored, key, SOTTO_KT_KEY_BYTES)) ||
            rc == SOTTO_ERR_NOT_FOUND)
            rc = sc_store_secret_put(s->store, "kt_log_key", key, SOTTO_KT_KEY_BYTES);
        if (rc != SOTTO_OK)
            return rc;
    } else {
        rc = get_fixed(s->store, key, SOTTO_KT_KEY_BYTES, "kt_log_key");
    }
    if (rc == SOTTO_ERR_NOT_FOUND) {
        memcpy(key, ai->kt_log_key.data, SOTTO_KT_KEY_BYTES);
        rc = sc_store_secret_put(s->store, "kt_log_key", key, SOTTO_KT_KEY_BYTES);
        if (rc == SOTTO_OK)
            rc = sc_sync_event_kv(s, "kt_pinned", s->self, "log", "pinned the server's log key");
        return rc;
    }
    if (rc != SOTTO_OK)
        return rc;
    if (!st_ct_equal(key, ai->kt_log_key.data, SOTTO_KT_KEY_BYTES))
        return fail(s, SOTTO_ERR_KT_INCONSISTENT, peer, "log_key_changed",
                    "key transparency: the server presents another log key than the pinned one");
    return SOTTO_OK;
}

/* Saves the accepted note and the offending one: transferable evidence.
 * buf gets them (EVIDENCE_MAX bytes, NUL-terminated). */
static int save_evidence(struct sc_sync *s, char *buf, const char *old, size_t old_len,
                         const char *note, size_t len)
{
    int n = snprintf(buf, EVIDENCE_MAX, "%.*s\n---\n%.*s", (int)old_len, old ? old : "", (int)len,
                     note);
    if (n <= 0)
        return SOTTO_ERR_INVALID_ARGUMENT;
    return sc_store_secret_put(s->store, "kt_evidence", (const uint8_t *)buf,
                               (size_t)n < EVIDENCE_MAX ? (size_t)n : EVIDENCE_MAX - 1);
}

/* Asks the server for PROOF(from, to); hashes into proof. */
static int fetch_consistency(struct sc_sync *s, sotto_kt_hash *proof, size_t *plen, uint64_t from,
                             uint64_t to)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__KtConsistency k = SOTTO__SERVER__KT_CONSISTENCY__INIT;
    Sotto__Server__Response *rs = NULL;
    int rc;

    *plen = 0;
    k.from_size = from;
    k.to_size = to;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_KT_CONSISTENCY;
    rq.kt_consistency = &k;
    rc = sc_conn_request(s->conn, &rs, &rq, SC_SEND_TIMEOUT_MS);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_status_err(rs->status);
    if (rc == SOTTO_OK &&
        (SC_RS_BODY(rs, KT_PROOF, kt_proof) == NULL || rs->kt_proof->n_hashes > SOTTO_KT_PROOF_MAX))
        rc = SOTTO_ERR_KT_BAD_PROOF;
    for (size_t i = 0; rc == SOTTO_OK && i < rs->kt_proof->n_hashes; i++) {
        if (rs->kt_proof->hashes[i].len != SOTTO_KT_HASH_BYTES) {
            rc = SOTTO_ERR_KT_BAD_PROOF;
            break;
        }
        memcpy(proof[i], rs->kt_proof->hashes[i].data, SOTTO_KT_HASH_BYTES);
        (*plen)++;
    }
    sc_conn_response_free(rs);
    return rc;
}

/*
 * Moves the stored checkpoint forward to ai's (step 2): the same tree, or
 * a larger one along a consistency proof. *cp gets the new checkpoint.
 */
static int advance(struct sc_sync *s, struct sotto_kt_checkpoint *cp,
                   const Sotto__Server__AccountInfo *ai, const uint8_t key[33], const char *peer)
{
    struct sotto_kt_verifier *v = NULL;
    struct sotto_kt_checkpoint old;
    sotto_kt_hash proof[SOTTO_KT_PROOF_MAX];
    char origin[SOTTO_KT_ORIGIN_FOR_KEY_BYTES];
    const char *note = ai->kt_checkpoint;
    size_t plen = 0, len = strlen(note), old_len = 0;
    uint8_t *stored = NULL;
    int have = 0, rc;

    sotto_kt_origin_for_key(origin, key);
    rc = sotto_kt_checkpoint_verify(cp, note, len, origin, key);
    if (rc != SOTTO_OK) {
        return fail(s, rc, peer, "checkpoint_signature",
                    "key transparency: the log checkpoint is not signed by the pinned log key");
    }
    rc = sotto_kt_verifier_new(&v, origin, key);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_store_secret_get(s->store, &stored, &old_len, "kt_checkpoint");
    if (rc == SOTTO_OK) {
        have = 1;
        rc = sotto_kt_verifier_update(v, &old, (const char *)stored, old_len, NULL, 0);
    } else if (rc == SOTTO_ERR_NOT_FOUND) {
        rc = SOTTO_OK;
    }
    if (rc == SOTTO_OK && have && cp->size > old.size)
        rc = s->conn != NULL ? fetch_consistency(s, proof, &plen, old.size, cp->size)
                             : SOTTO_ERR_KT_BAD_PROOF; /* offline: nothing proves it */
    if (rc == SOTTO_OK)
        rc = sotto_kt_verifier_update(v, cp, note, len, proof, plen);
    if (rc == SOTTO_ERR_KT_INCONSISTENT || rc == SOTTO_ERR_KT_STALE) {
        char *ev = calloc(1, EVIDENCE_MAX);
        int saved = ev != NULL &&
                    save_evidence(s, ev, (const char *)stored, old_len, note, len) == SOTTO_OK;
        rc = fail_ev(s, rc, peer, rc == SOTTO_ERR_KT_STALE ? "checkpoint_rollback" : "fork",
                     rc == SOTTO_ERR_KT_STALE
                         ? (saved ? "key transparency: the server showed an older log than before "
                                    "(rollback) - evidence saved"
                                  : "key transparency: the server showed an older log than before "
                                    "(rollback) - evidence could NOT be saved")
                         : (saved ? "key transparency: the server showed an inconsistent log - "
                                    "evidence saved"
                                  : "key transparency: the server showed an inconsistent log - "
                                    "evidence could NOT be saved"),
                     ev);
        free(ev);
    } else if (rc == SOTTO_OK && (!have || cp->size != old.size)) {
        rc = sc_store_secret_put(s->store, "kt_checkpoint", (const uint8_t *)note, len);
    }
    if (stored != NULL)
        sc_free_secret(stored, old_len);
    sotto_kt_verifier_free(v);
    return rc;
}

/* Step 3: the account's newest leaf is in the checkpoint's tree. */
static int check_inclusion(struct sc_sync *s, struct sotto_kt_leaf *leaf,
                           const struct sotto_kt_checkpoint *cp,
                           const Sotto__Server__AccountInfo *ai, const char *peer)
{
    sotto_kt_hash proof[SOTTO_KT_PROOF_MAX];
    uint8_t lh[SOTTO_KT_HASH_BYTES];

    if (ai->n_kt_inclusion > SOTTO_KT_PROOF_MAX ||
        sotto_kt_leaf_parse(leaf, ai->kt_leaf.data, ai->kt_leaf.len) != SOTTO_OK)
        return fail(s, SOTTO_ERR_KT_BAD_PROOF, peer, "leaf",
                    "key transparency: the server sent a malformed log leaf");
    for (size_t i = 0; i < ai->n_kt_inclusion; i++) {
        if (ai->kt_inclusion[i].len != SOTTO_KT_HASH_BYTES)
            return fail(s, SOTTO_ERR_KT_BAD_PROOF, peer, "inclusion",
                        "key transparency: malformed inclusion proof");
        memcpy(proof[i], ai->kt_inclusion[i].data, SOTTO_KT_HASH_BYTES);
    }
    sotto_kt_leaf_hash(lh, ai->kt_leaf.data, ai->kt_leaf.len);
    if (sotto_kt_inclusion_verify(ai->kt_leaf_index, cp->size, lh, proof, ai->n_kt_inclusion,
                                  cp->root) != SOTTO_OK)
        return fail(s, SOTTO_ERR_KT_BAD_PROOF, peer, "inclusion",
                    "key transparency: the account's log entry is not in the signed log");
    return SOTTO_OK;
}

/* Steps 4-5: the leaf is the account key's statement of exactly this list. */
static int check_leaf(struct sc_sync *s, const struct sotto_kt_leaf *leaf,
                      const Sotto__Server__AccountInfo *ai, const char *peer, uint64_t dl_version)
{
    const Sotto__Server__SignedDeviceList *sdl = ai->devices;
    uint8_t dh[SOTTO_KT_HASH_BYTES];

    if (sdl == NULL || sdl->signature.len != SOTTO_KT_SIG_BYTES ||
        ai->account_key.len != SOTTO_KT_KEY_BYTES ||
        sotto_kt_signed_list_hash(dh, sdl->device_list.data, sdl->device_list.len,
                                  sdl->signature.data) != SOTTO_OK ||
        leaf->type != SOTTO_KT_DL_UPDATE ||
        !st_ct_equal(leaf->account_key, ai->account_key.data, SOTTO_KT_KEY_BYTES) ||
        leaf->dl_version != dl_version || !st_ct_equal(leaf->dl_hash, dh, sizeof dh))
        return fail(s, SOTTO_ERR_KT_BAD_PROOF, peer, "leaf_mismatch",
                    "key transparency: the device list is not the one in the log (ghost device "
                    "or replayed list?)");
    if (sotto_kt_leaf_verify(leaf) != SOTTO_OK)
        return fail(s, SOTTO_ERR_INVALID_SIGNATURE, peer, "leaf_signature",
                    "key transparency: the log entry is not signed by the account key");
    return SOTTO_OK;
}

/* Step 6: per account key, the DL version never goes back. */
static int check_version(struct sc_sync *s, const struct sotto_kt_leaf *leaf, const char *peer)
{
    uint8_t rec[SOTTO_KT_KEY_BYTES + 8];
    char name[SC_NAME_MAX + 8];
    uint64_t seen = 0;
    int rc;

    snprintf(name, sizeof name, "kt_dl/%s", peer);
    rc = get_fixed(s->store, rec, sizeof rec, name);
    if (rc != SOTTO_OK && rc != SOTTO_ERR_NOT_FOUND)
        return rc;
    if (rc == SOTTO_OK && st_ct_equal(rec, leaf->account_key, SOTTO_KT_KEY_BYTES)) {
        for (int i = 0; i < 8; i++)
            seen = seen << 8 | rec[SOTTO_KT_KEY_BYTES + i];
        if (leaf->dl_version < seen)
            return fail(s, SOTTO_ERR_KT_STALE, peer, "dl_rollback",
                        "key transparency: the server replayed an older device list");
        if (leaf->dl_version == seen)
            return SOTTO_OK;
    }
    memcpy(rec, leaf->account_key, SOTTO_KT_KEY_BYTES);
    for (int i = 0; i < 8; i++)
        rec[SOTTO_KT_KEY_BYTES + i] = (uint8_t)(leaf->dl_version >> (56 - 8 * i));
    return sc_store_secret_put(s->store, name, rec, sizeof rec);
}

/* Owner monitoring, light: our newest leaf must be a list we signed. */
static int check_own(struct sc_sync *s, const struct sotto_kt_leaf *leaf)
{
    struct sc_account a;
    int rc = sc_account_load(s->store, &a);
    if (rc != SOTTO_OK || !a.primary)
        return rc;
    if (leaf->type != SOTTO_KT_DL_UPDATE || !is_own(s->store, leaf->dl_hash))
        return fail(s, SOTTO_ERR_KT_UNAUTHORISED, s->self, "owner",
                    "key transparency: the log shows a change to YOUR account that this device "
                    "did not make (account reset or device added without you)");
    return SOTTO_OK;
}

int sc_kt_check_account(struct sc_sync *s, const Sotto__Server__AccountInfo *ai, const char *name,
                        uint64_t dl_version)
{
    struct sotto_kt_checkpoint cp;
    struct sotto_kt_leaf leaf;
    uint8_t key[SOTTO_KT_KEY_BYTES];
    int rc;

    if (ai == NULL || ai->kt_checkpoint == NULL || ai->kt_checkpoint[0] == '\0' ||
        ai->kt_leaf.len == 0 || ai->kt_log_key.len != SOTTO_KT_KEY_BYTES ||
        strlen(ai->kt_checkpoint) > SOTTO_KT_CHECKPOINT_MAX)
        return fail(s, SOTTO_ERR_KT_BAD_PROOF, name, "missing",
                    "key transparency: the server sent no log proof for this account");
    rc = log_key(s, key, ai, name);
    if (rc == SOTTO_OK)
        rc = advance(s, &cp, ai, key, name);
    if (rc == SOTTO_OK)
        rc = check_inclusion(s, &leaf, &cp, ai, name);
    /* our own account first: a reset there is an alarm, not a mismatch */
    if (rc == SOTTO_OK && strcmp(name, s->self) == 0)
        rc = check_own(s, &leaf);
    if (rc == SOTTO_OK)
        rc = check_leaf(s, &leaf, ai, name, dl_version);
    if (rc == SOTTO_OK)
        rc = check_version(s, &leaf, name);
    return rc;
}
