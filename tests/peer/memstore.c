/* In-memory sotto_store (see memstore.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memstore.h"

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);

    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

void memstore_init(struct memstore *ms)
{
    memset(ms, 0, sizeof(*ms));
}

static void list_free(struct ms_entry **head)
{
    while (*head != NULL) {
        struct ms_entry *e = *head;
        *head = e->next;
        free(e->name);
        if (e->data != NULL)
            memset(e->data, 0, e->len);
        free(e->data);
        free(e);
    }
}

void memstore_clear(struct memstore *ms)
{
    list_free(&ms->sessions);
    list_free(&ms->identities);
    list_free(&ms->prekeys);
    list_free(&ms->signed_prekeys);
    list_free(&ms->kyber_prekeys);
    list_free(&ms->kyber_used);
    list_free(&ms->sender_keys);
    memset(ms, 0, sizeof(*ms));
}

struct ms_entry *ms_find(struct ms_entry *head, const char *name, uint32_t id)
{
    for (struct ms_entry *e = head; e != NULL; e = e->next) {
        if (e->id != id)
            continue;
        if ((name == NULL) != (e->name == NULL))
            continue;
        if (name == NULL || strcmp(name, e->name) == 0)
            return e;
    }
    return NULL;
}

int ms_put(struct ms_entry **head, const char *name, uint32_t id, const uint8_t *data, size_t len)
{
    struct ms_entry *e = ms_find(*head, name, id);
    uint8_t *copy = malloc(len > 0 ? len : 1);

    if (copy == NULL)
        return SOTTO_ERR_NOMEM;
    if (len > 0)
        memcpy(copy, data, len);
    if (e == NULL) {
        e = calloc(1, sizeof(*e));
        if (e == NULL || (name != NULL && (e->name = dupstr(name)) == NULL)) {
            free(e);
            free(copy);
            return SOTTO_ERR_NOMEM;
        }
        e->id = id;
        e->next = *head;
        *head = e;
    } else {
        free(e->data);
    }
    e->data = copy;
    e->len = len;
    return SOTTO_OK;
}

void ms_remove(struct ms_entry **head, const char *name, uint32_t id)
{
    struct ms_entry *e = ms_find(*head, name, id);

    for (struct ms_entry **pp = head; e != NULL && *pp != NULL; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            free(e->name);
            free(e->data);
            free(e);
            return;
        }
    }
}

static int get_identity_key_pair(void *ctx, uint8_t pub[SOTTO_PUBLIC_KEY_BYTES],
                                 uint8_t priv[SOTTO_PRIVATE_KEY_BYTES])
{
    struct memstore *ms = ctx;
    memcpy(pub, ms->identity_pub, SOTTO_PUBLIC_KEY_BYTES);
    memcpy(priv, ms->identity_priv, SOTTO_PRIVATE_KEY_BYTES);
    return SOTTO_OK;
}

static int get_local_registration_id(void *ctx, uint32_t *id)
{
    *id = ((struct memstore *)ctx)->registration_id;
    return SOTTO_OK;
}

static int save_identity(void *ctx, const struct sotto_address *a,
                         const uint8_t key[SOTTO_PUBLIC_KEY_BYTES], int *replaced)
{
    struct memstore *ms = ctx;
    struct ms_entry *e = ms_find(ms->identities, a->name, a->device_id);

    *replaced = e != NULL && memcmp(e->data, key, SOTTO_PUBLIC_KEY_BYTES) != 0;
    return ms_put(&ms->identities, a->name, a->device_id, key, SOTTO_PUBLIC_KEY_BYTES);
}

static int is_trusted_identity(void *ctx, const struct sotto_address *a,
                               const uint8_t key[SOTTO_PUBLIC_KEY_BYTES], enum sotto_direction dir,
                               int *trusted)
{
    struct memstore *ms = ctx;
    struct ms_entry *e = ms_find(ms->identities, a->name, a->device_id);

    (void)dir;
    *trusted = e == NULL || memcmp(e->data, key, SOTTO_PUBLIC_KEY_BYTES) == 0;
    return SOTTO_OK;
}

static int load_entry(struct ms_entry *e, const uint8_t **data, size_t *len)
{
    if (e == NULL)
        return SOTTO_ERR_NOT_FOUND;
    *data = e->data;
    *len = e->len;
    return SOTTO_OK;
}

static int load_session(void *ctx, const struct sotto_address *a, const uint8_t **data, size_t *len)
{
    struct memstore *ms = ctx;
    return load_entry(ms_find(ms->sessions, a->name, a->device_id), data, len);
}

static int store_session(void *ctx, const struct sotto_address *a, const uint8_t *data, size_t len)
{
    struct memstore *ms = ctx;
    return ms_put(&ms->sessions, a->name, a->device_id, data, len);
}

static int load_prekey(void *ctx, uint32_t id, const uint8_t **data, size_t *len)
{
    return load_entry(ms_find(((struct memstore *)ctx)->prekeys, NULL, id), data, len);
}

static int remove_prekey(void *ctx, uint32_t id)
{
    ms_remove(&((struct memstore *)ctx)->prekeys, NULL, id);
    return SOTTO_OK;
}

static int load_signed_prekey(void *ctx, uint32_t id, const uint8_t **data, size_t *len)
{
    return load_entry(ms_find(((struct memstore *)ctx)->signed_prekeys, NULL, id), data, len);
}

static int load_kyber_prekey(void *ctx, uint32_t id, const uint8_t **data, size_t *len)
{
    return load_entry(ms_find(((struct memstore *)ctx)->kyber_prekeys, NULL, id), data, len);
}

/* One-time Kyber prekeys are removed; a last-resort key refuses a (signed
 * prekey, base key) pair it has seen before. */
static int mark_kyber_prekey_used(void *ctx, uint32_t id, uint32_t signed_id,
                                  const uint8_t base_key[SOTTO_PUBLIC_KEY_BYTES])
{
    struct memstore *ms = ctx;
    struct ms_entry *e = ms_find(ms->kyber_prekeys, NULL, id);
    uint32_t kid = 0;
    uint8_t pk[SOTTO_KYBER_PUBLIC_BYTES], sig[SOTTO_SIGNATURE_BYTES];
    char key[2 * SOTTO_PUBLIC_KEY_BYTES + 32];
    int last_resort = 0;

    if (e == NULL)
        return SOTTO_ERR_NOT_FOUND;
    if (sotto_kyber_prekey_public(&kid, pk, sig, &last_resort, e->data, e->len) != SOTTO_OK)
        return SOTTO_ERR_STORE;
    if (!last_resort) {
        ms_remove(&ms->kyber_prekeys, NULL, id);
        return SOTTO_OK;
    }
    snprintf(key, sizeof(key), "%u:", signed_id);
    for (size_t i = 0; i < SOTTO_PUBLIC_KEY_BYTES; i++)
        snprintf(key + strlen(key), 3, "%02x", base_key[i]);
    if (ms_find(ms->kyber_used, key, id) != NULL)
        return SOTTO_ERR_INVALID_PREKEY;
    return ms_put(&ms->kyber_used, key, id, NULL, 0);
}

void memstore_bind(struct sotto_store *st, struct memstore *ms)
{
    memset(st, 0, sizeof(*st));
    st->ctx = ms;
    st->get_identity_key_pair = get_identity_key_pair;
    st->get_local_registration_id = get_local_registration_id;
    st->save_identity = save_identity;
    st->is_trusted_identity = is_trusted_identity;
    st->load_session = load_session;
    st->store_session = store_session;
    st->load_prekey = load_prekey;
    st->remove_prekey = remove_prekey;
    st->load_signed_prekey = load_signed_prekey;
    st->load_kyber_prekey = load_kyber_prekey;
    st->mark_kyber_prekey_used = mark_kyber_prekey_used;
}
