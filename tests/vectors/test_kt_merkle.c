/*
 * RFC 9162 Merkle vectors: every transparency-dev/merkle inclusion and
 * consistency test file (shared/vectors/merkle/testdata, every folder, one case per
 * file, "wantErr" = verification must fail), and the RFC 6962 reference
 * tree of 8 leaves (leaf and node hashes, roots of sizes 0..8, and every
 * inclusion and consistency proof among those sizes checked against a
 * naive recursive implementation here).
 *
 * Hash fields: sotto's wire hashes are exactly 32 bytes, so a proof
 * element, leaf hash or inclusion root of another length is refused before
 * verification (a failing outcome). The consistency fixtures also use short
 * placeholder roots ("don't care 1"), where only equality matters; those are
 * zero-padded to 32 bytes, which keeps equal placeholders equal and
 * different ones different. Longer roots are refused.
 *
 * Sizes: JSON numbers are doubles; the one value above 2^53 in the files
 * is 2^64 - 1 (leafIdx-sub-@1), so values >= 2^64 saturate to UINT64_MAX.
 *
 * Policy: the three consistency/additional files with size1 = 0 expect an
 * error even when size1 = size2 = 0; sotto_kt_consistency_verify adopts that
 * policy (a check from the empty tree proves nothing), so all files pass.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kt/kt_internal.h"
#include "sotto/kt.h"
#include "sotto/sotto.h"
#include "testutil.h"
#include "../unit/test_kt_naive.h"

#define DATA "vectors/merkle/testdata"

/* Decodes a base64 hash field; 0 if usable, -1 if it must be refused. */
static int get_hash(uint8_t out[32], const cJSON *obj, const char *field, int placeholder)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    uint8_t buf[128];
    size_t len;

    memset(out, 0, 32);
    if (!cJSON_IsString(v))
        return -1;
    if (st_kt_b64_decode(buf, &len, sizeof buf, v->valuestring, strlen(v->valuestring)) != 0)
        return -1;
    if (len > 32 || (!placeholder && len != 32))
        return -1;
    memcpy(out, buf, len);
    return 0;
}

/* Proof array (null = empty); -1 if an element is refused or too many. */
static int get_proof(sotto_kt_hash proof[SOTTO_KT_PROOF_MAX + 1], size_t *n, const cJSON *obj)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "proof");
    const cJSON *e;
    int bad = 0;

    *n = 0;
    if (cJSON_IsNull(arr))
        return 0;
    cJSON_ArrayForEach(e, arr)
    {
        uint8_t buf[128];
        size_t len;
        if (*n > SOTTO_KT_PROOF_MAX || !cJSON_IsString(e) ||
            st_kt_b64_decode(buf, &len, sizeof buf, e->valuestring, strlen(e->valuestring)) != 0 ||
            len != 32) {
            bad = 1;
            continue;
        }
        memcpy(proof[(*n)++], buf, 32);
    }
    return bad ? -1 : 0;
}

static uint64_t get_u64(const cJSON *obj, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0)
        return 0;
    if (v->valuedouble >= 18446744073709551616.0)
        return UINT64_MAX;
    return (uint64_t)v->valuedouble;
}

/* Runs one file; returns 1 if the outcome matched wantErr. */
static int run_file(const char *rel, int consistency)
{
    cJSON *j = t_load_shared_json(rel);
    sotto_kt_hash proof[SOTTO_KT_PROOF_MAX + 1];
    uint8_t a[32], b[32];
    size_t n;
    int refused, rc = -1, want_err, ok;

    want_err = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "wantErr"));
    refused = get_proof(proof, &n, j) != 0;
    if (consistency) {
        refused |= get_hash(a, j, "root1", 1) | get_hash(b, j, "root2", 1);
        if (!refused)
            rc = sotto_kt_consistency_verify(get_u64(j, "size1"), get_u64(j, "size2"), a, b, proof,
                                             n);
    } else {
        refused |= get_hash(a, j, "leafHash", 0) | get_hash(b, j, "root", 0);
        if (!refused)
            rc = sotto_kt_inclusion_verify(get_u64(j, "leafIdx"), get_u64(j, "treeSize"), a, proof,
                                           n, b);
    }
    CHECK(rc == SOTTO_OK || rc == SOTTO_ERR_KT_BAD_PROOF || rc == -1);
    ok = (rc != SOTTO_OK) == want_err;
    if (!ok)
        fprintf(stderr, "%s: rc %d, wantErr %d\n", rel, rc, want_err);
    cJSON_Delete(j);
    return ok;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int skip_dot(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Every *.json under shared/<rel>, in sorted order; returns the file count. */
static int walk(const char *rel, int consistency)
{
    char abs[1024], sub[1024];
    struct dirent **list;
    int n, files = 0;

    t_shared_path(rel, abs, sizeof abs);
    n = scandir(abs, &list, skip_dot, alphasort);
    CHECK(n > 0);
    for (int i = 0; i < n; i++) {
        snprintf(sub, sizeof sub, "%s/%s", rel, list[i]->d_name);
        t_shared_path(sub, abs, sizeof abs);
        if (is_dir(abs)) {
            files += walk(sub, consistency);
        } else if (strstr(list[i]->d_name, ".json") != NULL) {
            int ok = run_file(sub, consistency);
            CHECK(ok);
            t_report_file(sub, 1, !ok);
            files++;
        }
        free(list[i]);
    }
    free(list);
    return files;
}

static void fill_hex(uint8_t out[32], const char *hex)
{
    size_t len;
    uint8_t *b = t_unhex(hex, &len);
    CHECK(b != NULL && len == 32);
    memset(out, 0, 32);
    if (b != NULL && len == 32)
        memcpy(out, b, 32);
    free(b);
}

static void check_proofs(const sotto_kt_hash *leaves, const uint8_t roots[9][32], int *fail)
{
    sotto_kt_hash p[SOTTO_KT_PROOF_MAX], q[SOTTO_KT_PROOF_MAX];
    size_t plen, qlen;

    for (uint64_t n = 1; n <= 8; n++) {
        for (uint64_t i = 0; i < n; i++) {
            qlen = 0;
            naive_path(q, &qlen, i, leaves, n);
            CHECK_OK(sotto_kt_inclusion_proof(p, &plen, leaves, n, i));
            *fail += plen != qlen || memcmp(p, q, plen * 32) != 0;
            *fail += sotto_kt_inclusion_verify(i, n, leaves[i], p, plen, roots[n]) != SOTTO_OK;
            *fail +=
                sotto_kt_inclusion_verify(i, n, leaves[(i + 1) % 8], p, plen, roots[n]) == SOTTO_OK;
        }
        for (uint64_t m = 1; m <= n; m++) {
            qlen = 0;
            naive_sub(q, &qlen, m, leaves, n, 1);
            CHECK_OK(sotto_kt_consistency_proof(p, &plen, leaves, n, m));
            *fail += plen != qlen || memcmp(p, q, plen * 32) != 0;
            *fail += sotto_kt_consistency_verify(m, n, roots[m], roots[n], p, plen) != SOTTO_OK;
            if (m < n)
                *fail +=
                    sotto_kt_consistency_verify(m, n, roots[m - 1], roots[n], p, plen) == SOTTO_OK;
        }
    }
}

static void reference_tree(void)
{
    cJSON *j = t_load_shared_json("vectors/merkle/rfc6962_reference_tree.json");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(j, "leaf_inputs");
    const cJSON *levels = cJSON_GetObjectItemCaseSensitive(j, "node_hashes_by_level");
    const cJSON *roots_j = cJSON_GetObjectItemCaseSensitive(j, "root_hashes_by_tree_size");
    sotto_kt_hash leaves[8];
    uint8_t roots[9][32], h[32];
    struct sotto_kt_tree *t = NULL;
    int cases = 0, fail = 0;

    CHECK(cJSON_GetArraySize(inputs) == 8);
    for (int i = 0; i < 8; i++) {
        size_t len;
        uint8_t *d = t_unhex(cJSON_GetArrayItem(inputs, i)->valuestring, &len);
        sotto_kt_leaf_hash(leaves[i], d, len);
        free(d);
    }
    /* level 0 are the leaf hashes, level l the perfect subtrees of 2^l */
    for (int l = 0; l < cJSON_GetArraySize(levels); l++) {
        const cJSON *level = cJSON_GetArrayItem(levels, l);
        for (int i = 0; i < cJSON_GetArraySize(level); i++) {
            uint8_t want[32];
            fill_hex(want, cJSON_GetArrayItem(level, i)->valuestring);
            naive_mth(h, leaves + ((size_t)i << l), (uint64_t)1 << l);
            cases++;
            fail += memcmp(h, want, 32) != 0;
        }
    }
    CHECK_OK(sotto_kt_tree_new(&t));
    for (int n = 0; n <= 8; n++) {
        char key[4];
        snprintf(key, sizeof key, "%d", n);
        fill_hex(roots[n], cJSON_GetObjectItemCaseSensitive(roots_j, key)->valuestring);
        sotto_kt_root(h, leaves, (uint64_t)n);
        fail += memcmp(h, roots[n], 32) != 0;
        if (t != NULL) {
            sotto_kt_tree_root(t, h);
            fail += memcmp(h, roots[n], 32) != 0;
            if (n < 8)
                CHECK_OK(sotto_kt_tree_append(t, leaves[n]));
        }
        cases += 2;
    }
    sotto_kt_tree_free(t);
    check_proofs(leaves, (const uint8_t(*)[32])roots, &fail);
    cases += 36 * 3 + 36 * 2 + 28;
    CHECK(fail == 0);
    t_report_file("rfc6962_reference_tree.json", cases, fail);
    cJSON_Delete(j);
}

int main(void)
{
    t_init();
    CHECK(walk(DATA "/inclusion", 0) > 0);
    CHECK(walk(DATA "/consistency", 1) > 0);
    reference_tree();
    return t_done();
}
