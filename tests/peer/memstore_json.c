/* JSON persistence of a memstore (see memstore_json.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memstore_json.h"

/* ---- JSON persistence ---- */

static char *hex(const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * len + 1);

    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * len] = 0;
    return s;
}

static int unhex(uint8_t **out, size_t *len, const char *s)
{
    size_t n = strlen(s);

    *out = NULL;
    *len = 0;
    if (n % 2 != 0)
        return -1;
    *out = malloc(n / 2 + 1);
    if (*out == NULL)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            free(*out);
            *out = NULL;
            return -1;
        }
        (*out)[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 0;
}

static cJSON *list_to_json(const struct ms_entry *head)
{
    cJSON *arr = cJSON_CreateArray();

    for (const struct ms_entry *e = head; arr != NULL && e != NULL; e = e->next) {
        cJSON *o = cJSON_CreateObject();
        char *h = hex(e->data, e->len);
        if (o == NULL || h == NULL) {
            free(h);
            cJSON_Delete(o);
            cJSON_Delete(arr);
            return NULL;
        }
        if (e->name != NULL)
            cJSON_AddStringToObject(o, "name", e->name);
        cJSON_AddNumberToObject(o, "id", e->id);
        cJSON_AddStringToObject(o, "data", h);
        free(h);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static int list_from_json(struct ms_entry **head, const cJSON *arr)
{
    const cJSON *o;

    if (arr == NULL)
        return 0;
    cJSON_ArrayForEach(o, arr)
    {
        const cJSON *name = cJSON_GetObjectItem(o, "name");
        const cJSON *id = cJSON_GetObjectItem(o, "id");
        const cJSON *data = cJSON_GetObjectItem(o, "data");
        uint8_t *b;
        size_t len;
        int rc;
        if (!cJSON_IsNumber(id) || !cJSON_IsString(data) || unhex(&b, &len, data->valuestring))
            return -1;
        rc = ms_put(head, cJSON_IsString(name) ? name->valuestring : NULL,
                    (uint32_t)id->valuedouble, b, len);
        free(b);
        if (rc != 0)
            return -1;
    }
    return 0;
}

cJSON *memstore_to_json(const struct memstore *ms)
{
    cJSON *j = cJSON_CreateObject();
    char *pub = hex(ms->identity_pub, sizeof(ms->identity_pub));
    char *priv = hex(ms->identity_priv, sizeof(ms->identity_priv));

    if (j == NULL || pub == NULL || priv == NULL) {
        free(pub);
        free(priv);
        cJSON_Delete(j);
        return NULL;
    }
    cJSON_AddStringToObject(j, "identity_pub", pub);
    cJSON_AddStringToObject(j, "identity_priv", priv);
    memset(priv, 0, strlen(priv));
    free(pub);
    free(priv);
    cJSON_AddNumberToObject(j, "registration_id", ms->registration_id);
    cJSON_AddItemToObject(j, "sessions", list_to_json(ms->sessions));
    cJSON_AddItemToObject(j, "identities", list_to_json(ms->identities));
    cJSON_AddItemToObject(j, "prekeys", list_to_json(ms->prekeys));
    cJSON_AddItemToObject(j, "signed_prekeys", list_to_json(ms->signed_prekeys));
    cJSON_AddItemToObject(j, "kyber_prekeys", list_to_json(ms->kyber_prekeys));
    cJSON_AddItemToObject(j, "kyber_used", list_to_json(ms->kyber_used));
    cJSON_AddItemToObject(j, "sender_keys", list_to_json(ms->sender_keys));
    return j;
}

static int fixed_hex(uint8_t *out, size_t want, const cJSON *s)
{
    uint8_t *b;
    size_t len;

    if (!cJSON_IsString(s) || unhex(&b, &len, s->valuestring) != 0)
        return -1;
    if (len != want) {
        free(b);
        return -1;
    }
    memcpy(out, b, want);
    free(b);
    return 0;
}

int memstore_from_json(struct memstore *ms, const cJSON *j)
{
    const cJSON *reg = cJSON_GetObjectItem(j, "registration_id");

    if (fixed_hex(ms->identity_pub, sizeof(ms->identity_pub),
                  cJSON_GetObjectItem(j, "identity_pub")) ||
        fixed_hex(ms->identity_priv, sizeof(ms->identity_priv),
                  cJSON_GetObjectItem(j, "identity_priv")) ||
        !cJSON_IsNumber(reg))
        return -1;
    ms->registration_id = (uint32_t)reg->valuedouble;
    if (list_from_json(&ms->sessions, cJSON_GetObjectItem(j, "sessions")) ||
        list_from_json(&ms->identities, cJSON_GetObjectItem(j, "identities")) ||
        list_from_json(&ms->prekeys, cJSON_GetObjectItem(j, "prekeys")) ||
        list_from_json(&ms->signed_prekeys, cJSON_GetObjectItem(j, "signed_prekeys")) ||
        list_from_json(&ms->kyber_prekeys, cJSON_GetObjectItem(j, "kyber_prekeys")) ||
        list_from_json(&ms->kyber_used, cJSON_GetObjectItem(j, "kyber_used")) ||
        list_from_json(&ms->sender_keys, cJSON_GetObjectItem(j, "sender_keys")))
        return -1;
    return 0;
}
