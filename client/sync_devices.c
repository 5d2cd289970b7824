/*
 * Our own devices: names (kept in each device's sealed store, copied to the
 * others with content kind 10; the server never sees them) and the opt-in
 * transfer of recent history to a newly linked device. The transfer is
 * queued by `device add --history` and sent by the next sc_sync_flush that
 * can reach the new device: it has no prekeys until it first comes online.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client/account.h"
#include "sync_internal.h"

enum { PENDING_LEN = 8 }; /* be32 device, be32 limit; device 0 = none */

static void name_key(char out[32], uint32_t id)
{
    snprintf(out, 32, "device_name.%u", (unsigned)id);
}

int sc_device_name_get(struct sc_store *st, char *out, size_t cap, uint32_t id)
{
    char key[32];
    uint8_t *v = NULL;
    size_t n = 0;
    int rc;
    if (cap > 0)
        out[0] = 0;
    name_key(key, id);
    rc = sc_store_secret_get(st, &v, &n, key);
    if (rc == SOTTO_OK) {
        snprintf(out, cap, "%.*s", (int)n, (const char *)v);
        sc_free_secret(v, n);
    }
    return rc == SOTTO_ERR_NOT_FOUND ? SOTTO_OK : rc;
}

static int name_put(struct sc_sync *s, uint32_t id, const uint8_t *name, size_t len)
{
    char key[32], text[SC_DEVICE_NAME_MAX + 1];
    cJSON *o;
    char *js;
    int rc;
    name_key(key, id);
    rc = sc_store_secret_put(s->store, key, name, len);
    if (rc != SOTTO_OK)
        return rc;
    snprintf(text, sizeof text, "%.*s", (int)len, (const char *)name);
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "peer", s->self);
    cJSON_AddNumberToObject(o, "device", id);
    cJSON_AddStringToObject(o, "name", text);
    js = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (js == NULL)
        return SOTTO_ERR_NOMEM;
    rc = sc_sync_event(s, "device_name", js);
    free(js);
    return rc;
}

/* Sends the names of all our devices to our other devices. */
static int send_names(struct sc_sync *s)
{
    struct sc_device d[SC_MAX_DEVICES];
    size_t n;
    int rc = sc_store_devices_get(s->store, d, SC_MAX_DEVICES, &n, s->self);
    for (size_t i = 0; rc == SOTTO_OK && i < n && i < SC_MAX_DEVICES; i++) {
        uint8_t content[5 + SC_DEVICE_NAME_MAX + 1];
        char name[SC_DEVICE_NAME_MAX + 1];
        size_t len;
        rc = sc_device_name_get(s->store, name, sizeof name, d[i].id);
        if (rc != SOTTO_OK || name[0] == 0)
            continue;
        len = strlen(name);
        content[0] = SC_CONTENT_DEVICE_NAME;
        content[1] = (uint8_t)(d[i].id >> 24);
        content[2] = (uint8_t)(d[i].id >> 16);
        content[3] = (uint8_t)(d[i].id >> 8);
        content[4] = (uint8_t)d[i].id;
        memcpy(content + 5, name, len);
        rc = sc_sync_send_own(s, content, 5 + len);
    }
    return rc;
}

static int set_flag(struct sc_sync *s, const char *key, uint8_t v)
{
    return sc_store_secret_put(s->store, key, &v, 1);
}

static int get_flag(struct sc_sync *s, const char *key)
{
    uint8_t *b = NULL;
    size_t n = 0;
    int v = sc_store_secret_get(s->store, &b, &n, key) == SOTTO_OK && n == 1 && b[0] != 0;
    sc_free_secret(b, n);
    return v;
}

int sc_device_names_resend(struct sc_store *st)
{
    uint8_t v = 1;
    return sc_store_secret_put(st, "names_pending", &v, 1);
}

int sc_sync_rename_device(struct sc_sync *s, uint32_t id, const char *name)
{
    size_t len = strlen(name);
    int rc;
    if (!sc_device_name_valid((const uint8_t *)name, len))
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = name_put(s, id, (const uint8_t *)name, len);
    /* Copied to our other devices by the next flush that reaches them all
     * (a device just added has no keys until it first comes online). */
    if (rc == SOTTO_OK)
        rc = set_flag(s, "names_pending", 1);
    return rc;
}

int sc_sync_apply_device_name(struct sc_sync *s, const struct sc_content *ct)
{
    return name_put(s, ct->for_device, ct->body, ct->body_len);
}

int sc_sync_queue_history(struct sc_sync *s, uint32_t device, uint32_t limit)
{
    uint8_t b[PENDING_LEN] = {
        (uint8_t)(device >> 24), (uint8_t)(device >> 16), (uint8_t)(device >> 8), (uint8_t)device,
        (uint8_t)(limit >> 24),  (uint8_t)(limit >> 16),  (uint8_t)(limit >> 8),  (uint8_t)limit};
    return sc_store_secret_put(s->store, "history_pending", b, sizeof b);
}

/* Sends device names when they changed since our devices last had them.
 * A failure keeps them pending (one of our devices is not online yet). */
static int pending_names(struct sc_sync *s)
{
    if (!get_flag(s, "names_pending") || send_names(s) != SOTTO_OK)
        return SOTTO_OK;
    return set_flag(s, "names_pending", 0);
}

/* Sends a queued history transfer if its device can be reached now. A
 * device no longer on our list drops it; any other failure keeps it for
 * the next flush (the new device may not have come online yet). */
int sc_sync_pending_history(struct sc_sync *s, int *done)
{
    static const uint8_t none[PENDING_LEN] = {0};
    struct sc_device d[SC_MAX_DEVICES];
    uint8_t *b = NULL;
    size_t n = 0, sent = 0;
    uint32_t device, limit;
    int rc, listed = 0;
    char js[160];

    *done = 0;
    rc = pending_names(s);
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_store_secret_get(s->store, &b, &n, "history_pending");
    if (rc == SOTTO_ERR_NOT_FOUND)
        return SOTTO_OK;
    if (rc != SOTTO_OK)
        return rc;
    if (n != PENDING_LEN) {
        sc_free_secret(b, n);
        return SOTTO_OK;
    }
    device = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    limit = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
    sc_free_secret(b, n);
    if (device == 0)
        return SOTTO_OK;
    rc = sc_store_devices_get(s->store, d, SC_MAX_DEVICES, &n, s->self);
    for (size_t i = 0; rc == SOTTO_OK && i < n && i < SC_MAX_DEVICES; i++)
        listed |= d[i].id == device;
    if (rc != SOTTO_OK)
        return rc;
    if (listed) {
        rc = sc_sync_send_history(s, device, limit, &sent);
        if (rc != SOTTO_OK)
            return SOTTO_OK; /* not reachable yet: try again next time */
    }
    rc = sc_store_secret_put(s->store, "history_pending", none, sizeof none);
    if (rc == SOTTO_OK && listed) {
        snprintf(js, sizeof js, "{\"peer\":\"%s\",\"device\":%u,\"history_sent\":%zu}", s->self,
                 (unsigned)device, sent);
        rc = sc_sync_event(s, "history", js);
        *done = 1;
    }
    return rc;
}
