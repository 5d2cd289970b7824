/*
 * Known answers from libsignal: PreKey messages that libsignal 0.72.1
 * (X3DH v3, PQXDH v4) and 0.90.0 (PQXDH v4, with its SPQR field) sent to a
 * sotto bundle, captured with tests/peer/sotto-peer --state and the node
 * driver (tests/unit/data/session_libsignal_kat.json). sotto must decrypt
 * them from the captured store alone: X3DH/PQXDH responder, message keys,
 * MAC over the received bytes. Also: duplicates, reordering, and a
 * tampered copy that must fail without consuming any prekey.
 */
#include <stdlib.h>
#include <string.h>

#include "../peer/memstore.c"
#include "../peer/memstore_json.c"
#include "testutil.h"

struct kat_msg {
    int type;
    uint8_t *ct;
    size_t ct_len;
    uint8_t *pt;
    size_t pt_len;
};

static int load_store(struct memstore *ms, struct sotto_store *st, const cJSON *c)
{
    memstore_init(ms);
    memstore_bind(st, ms);
    return memstore_from_json(ms, cJSON_GetObjectItem(c, "store"));
}

static int decrypt(const struct sotto_store *st, const struct sotto_address *a,
                   const struct kat_msg *m, int check)
{
    struct sotto_buf pt;
    int rc = sotto_session_decrypt(&pt, st, a, m->type, m->ct, m->ct_len);

    if (rc == SOTTO_OK && check)
        CHECK(pt.len == m->pt_len && (pt.len == 0 || memcmp(pt.data, m->pt, pt.len) == 0));
    sotto_buf_free(&pt);
    return rc;
}

static void run_case(const cJSON *c)
{
    const cJSON *msgs = cJSON_GetObjectItem(c, "messages"), *j;
    struct sotto_address a = {cJSON_GetObjectItem(c, "peer")->valuestring,
                              (uint32_t)cJSON_GetObjectItem(c, "peer_device")->valuedouble};
    struct kat_msg m[3];
    struct memstore ms;
    struct sotto_store st;
    size_t n = 0, prekeys;

    cJSON_ArrayForEach(j, msgs)
    {
        if (n == 3)
            break;
        m[n].type = (int)cJSON_GetObjectItem(j, "type")->valuedouble;
        m[n].ct = t_json_hex(j, "ciphertext", &m[n].ct_len);
        m[n].pt = t_json_hex(j, "plaintext", &m[n].pt_len);
        n++;
    }
    CHECK(n == 3);

    /* in order, then duplicates */
    CHECK(load_store(&ms, &st, c) == 0);
    for (size_t i = 0; i < n; i++)
        CHECK_OK(decrypt(&st, &a, &m[i], 1));
    CHECK(ms.prekeys == NULL && ms.kyber_prekeys == NULL);
    for (size_t i = 0; i < n; i++)
        CHECK(decrypt(&st, &a, &m[i], 0) == SOTTO_ERR_DUPLICATE_MESSAGE);
    memstore_clear(&ms);

    /* reordered: the last first, the first last */
    CHECK(load_store(&ms, &st, c) == 0);
    CHECK_OK(decrypt(&st, &a, &m[2], 1));
    CHECK_OK(decrypt(&st, &a, &m[0], 1));
    CHECK_OK(decrypt(&st, &a, &m[1], 1));
    memstore_clear(&ms);

    /* a flipped last byte (the signed prekey id in v3, the Kyber
     * ciphertext in v4): refused, and the prekeys stay */
    CHECK(load_store(&ms, &st, c) == 0);
    prekeys = ms.prekeys != NULL;
    m[0].ct[m[0].ct_len - 1] ^= 0x40;
    CHECK(decrypt(&st, &a, &m[0], 0) != SOTTO_OK);
    m[0].ct[m[0].ct_len - 1] ^= 0x40;
    CHECK((ms.prekeys != NULL) == prekeys && ms.sessions == NULL);
    CHECK_OK(decrypt(&st, &a, &m[0], 1));
    memstore_clear(&ms);

    for (size_t i = 0; i < n; i++) {
        free(m[i].ct);
        free(m[i].pt);
    }
    t_report_file(cJSON_GetObjectItem(c, "label")->valuestring, 1, 0);
}

int main(void)
{
    size_t len;
    char *text;
    cJSON *root;
    const cJSON *c;

    t_init();
    text = t_read_file(SOTTO_SOURCE_DIR "/tests/unit/data/session_libsignal_kat.json", &len);
    root = cJSON_Parse(text);
    CHECK(root != NULL);
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "cases")) run_case(c);
    cJSON_Delete(root);
    free(text);
    return t_done();
}
