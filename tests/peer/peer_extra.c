/*
 * sotto-peer ops beyond 1:1 sessions: sender keys (lib/group) and sealed
 * sender v1 (lib/sealed) around a 1:1 session message, as the
 * peer-driver contract names them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"
#include "sotto/group.h"
#include "sotto/sealed.h"

/* ---- sender-key store over the memstore ---- */

static void sk_key(char *out, size_t cap, const char *sender,
                   const uint8_t dist[SOTTO_GROUP_UUID_BYTES])
{
    size_t n = (size_t)snprintf(out, cap, "%s/", sender);

    for (size_t i = 0; i < SOTTO_GROUP_UUID_BYTES && n + 2 < cap; i++, n += 2)
        snprintf(out + n, cap - n, "%02x", dist[i]);
}

static int sk_load(void *ctx, const uint8_t **record, size_t *record_len, const char *sender,
                   uint32_t device_id, const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES])
{
    struct memstore *ms = ctx;
    char key[400];
    struct ms_entry *e;

    sk_key(key, sizeof(key), sender, distribution_id);
    e = ms_find(ms->sender_keys, key, device_id);
    /* lib/group's contract: no record is SOTTO_OK with a NULL record. */
    *record = e != NULL ? e->data : NULL;
    *record_len = e != NULL ? e->len : 0;
    return SOTTO_OK;
}

static int sk_save(void *ctx, const char *sender, uint32_t device_id,
                   const uint8_t distribution_id[SOTTO_GROUP_UUID_BYTES], const uint8_t *record,
                   size_t record_len)
{
    struct memstore *ms = ctx;
    char key[400];

    sk_key(key, sizeof(key), sender, distribution_id);
    return ms_put(&ms->sender_keys, key, device_id, record, record_len);
}

static struct sotto_sender_key_store sk_store(struct driver *d)
{
    struct sotto_sender_key_store s = {&d->ms, sk_load, sk_save};
    return s;
}

static int get_dist(uint8_t dist[SOTTO_GROUP_UUID_BYTES], const cJSON *req)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "distribution_id");

    if (!cJSON_IsString(v))
        return -1;
    return sotto_group_uuid_parse(dist, v->valuestring) == SOTTO_OK ? 0 : -1;
}

int op_group_create(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    struct sotto_sender_key_store st = sk_store(d);
    uint8_t dist[SOTTO_GROUP_UUID_BYTES], skdm[SOTTO_GROUP_SKDM_MAX];
    size_t len;
    int rc;

    if (get_dist(dist, req) != 0)
        return peer_bad_request(f, "group_create needs a UUID distribution_id");
    rc = sotto_group_create(skdm, &len, sizeof(skdm), &st, d->name, d->device, dist);
    if (rc != SOTTO_OK)
        return peer_fail(f, rc);
    peer_add_hex(res, "skdm", skdm, len);
    return 0;
}

int op_group_process(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    struct sotto_sender_key_store st = sk_store(d);
    struct sotto_address peer;
    size_t len;
    uint8_t *skdm = peer_get_hex(req, "skdm", &len);
    int rc;

    (void)res;
    if (skdm == NULL || peer_get_peer(&peer, req) != 0) {
        free(skdm);
        return peer_bad_request(f, "group_process needs peer, peer_device and hex skdm");
    }
    rc = sotto_group_process(&st, peer.name, peer.device_id, skdm, len);
    free(skdm);
    return rc == SOTTO_OK ? 0 : peer_fail(f, rc);
}

int op_group_encrypt(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    struct sotto_sender_key_store st = sk_store(d);
    uint8_t dist[SOTTO_GROUP_UUID_BYTES], *ct = NULL;
    size_t len, ct_len = 0, cap;
    uint8_t *pt = peer_get_hex(req, "plaintext", &len);
    int rc;

    if (pt == NULL || get_dist(dist, req) != 0) {
        free(pt);
        return peer_bad_request(f, "group_encrypt needs distribution_id and hex plaintext");
    }
    cap = SOTTO_GROUP_MESSAGE_MAX(len);
    rc = SOTTO_ERR_NOMEM;
    if ((ct = malloc(cap)) != NULL)
        rc = sotto_group_encrypt(ct, &ct_len, cap, &st, d->name, d->device, dist, pt, len);
    free(pt);
    if (rc == SOTTO_OK)
        peer_add_hex(res, "ciphertext", ct, ct_len);
    free(ct);
    return rc == SOTTO_OK ? 0 : peer_fail(f, rc);
}

int op_group_decrypt(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    struct sotto_sender_key_store st = sk_store(d);
    struct sotto_address peer;
    size_t len, pt_len = 0;
    uint8_t *ct = peer_get_hex(req, "ciphertext", &len), *pt = NULL;
    int rc;

    if (ct == NULL || peer_get_peer(&peer, req) != 0) {
        free(ct);
        return peer_bad_request(f, "group_decrypt needs peer, peer_device and hex ciphertext");
    }
    rc = SOTTO_ERR_NOMEM;
    if ((pt = malloc(len + 1)) != NULL)
        rc = sotto_group_decrypt(pt, &pt_len, len + 1, &st, peer.name, peer.device_id, ct, len);
    free(ct);
    if (rc == SOTTO_OK)
        peer_add_hex(res, "plaintext", pt, pt_len);
    free(pt);
    return rc == SOTTO_OK ? 0 : peer_fail(f, rc);
}

/* ---- sealed sender v1 around a 1:1 session message ---- */

int op_sealed_encrypt(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    struct sotto_address peer;
    struct sotto_buf inner = {NULL, 0};
    struct ms_entry *id;
    size_t pt_len, cert_len, out_len = 0, cap;
    uint8_t *pt = peer_get_hex(req, "plaintext", &pt_len);
    uint8_t *cert = peer_get_hex(req, "sender_cert", &cert_len), *out = NULL;
    int rc, type;

    if (pt == NULL || cert == NULL || peer_get_peer(&peer, req) != 0) {
        rc = peer_bad_request(f, "sealed_encrypt needs peer, peer_device, sender_cert, plaintext");
        goto out;
    }
    rc = sotto_session_encrypt(&inner, &type, &d->st, &peer, pt, pt_len, peer_now_ms());
    if (rc == SOTTO_OK && (id = ms_find(d->ms.identities, peer.name, peer.device_id)) == NULL)
        rc = SOTTO_ERR_NO_SESSION;
    if (rc != SOTTO_OK) {
        rc = peer_fail(f, rc);
        goto out;
    }
    cap = SOTTO_SEALED_V1_MAX(cert_len, inner.len, 0);
    rc = SOTTO_ERR_NOMEM;
    if ((out = malloc(cap)) != NULL)
        rc = sotto_sealed_encrypt(out, &out_len, cap, d->ms.identity_priv, id->data,
                                  sotto_sealed_type_from_ciphertext_type((uint32_t)type), cert,
                                  cert_len, inner.data, inner.len, SOTTO_SEALED_HINT_DEFAULT, NULL,
                                  0);
    if (rc != SOTTO_OK) {
        rc = peer_fail(f, rc);
        goto out;
    }
    peer_add_hex(res, "ciphertext", out, out_len);
out:
    free(pt);
    free(cert);
    free(out);
    sotto_buf_free(&inner);
    return rc;
}

int op_sealed_decrypt(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(req, "timestamp");
    struct sotto_sealed_result r;
    struct sotto_address sender;
    struct sotto_buf pt = {NULL, 0};
    size_t root_len, ct_len;
    uint8_t *root = peer_get_hex(req, "trust_root", &root_len);
    uint8_t *ct = peer_get_hex(req, "ciphertext", &ct_len);
    int rc;

    memset(&r, 0, sizeof(r));
    if (root == NULL || root_len != SOTTO_PUBLIC_KEY_BYTES || ct == NULL || !cJSON_IsNumber(ts) ||
        ts->valuedouble < 0) {
        rc = peer_bad_request(f, "sealed_decrypt needs trust_root (33 B), timestamp, ciphertext");
        goto out;
    }
    rc = sotto_sealed_decrypt(&r, d->ms.identity_priv, root, 1, (uint64_t)ts->valuedouble, d->name,
                              d->device, ct, ct_len);
    if (rc == SOTTO_OK) {
        sender.name = r.sender.uuid;
        sender.device_id = r.sender.device;
        rc = sotto_session_decrypt(&pt, &d->st, &sender,
                                   (int)sotto_sealed_type_to_ciphertext_type(r.msg_type), r.content,
                                   r.content_len);
    }
    if (rc != SOTTO_OK) {
        rc = peer_fail(f, rc);
        goto out;
    }
    cJSON_AddStringToObject(res, "sender", r.sender.uuid);
    cJSON_AddNumberToObject(res, "sender_device", r.sender.device);
    peer_add_hex(res, "plaintext", pt.data, pt.len);
out:
    free(root);
    free(ct);
    sotto_buf_free(&pt);
    sotto_sealed_result_free(&r);
    return rc;
}
