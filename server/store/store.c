/* Helpers shared by every store backend (store.h). */
#include "store/store.h"

#include "config.h"
#include "crypto/crypto.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

void sd_blob_free(struct sd_blob *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

int sd_blob_set(struct sd_blob *b, const void *p, size_t len)
{
    b->p = malloc(len ? len : 1);
    b->len = 0;
    if (b->p == NULL) {
        return -1;
    }
    if (len > 0) {
        memcpy(b->p, p, len);
    }
    b->len = len;
    return 0;
}

void sd_account_free(struct sd_account *a)
{
    sd_blob_free(&a->devlist);
    sd_blob_free(&a->devlist_sig);
}

static void prekey_free(struct sd_prekey *k)
{
    sd_blob_free(&k->pub);
    sd_blob_free(&k->sig);
}

void sd_bundle_free(struct sd_bundle *b)
{
    prekey_free(&b->signed_prekey);
    prekey_free(&b->one_time);
    prekey_free(&b->kyber);
}

/* hash = SHA-256(prev || BE64(idx) || kind || BE64(account_id) || payload) */
int sd_log_hash(uint8_t out[32], const uint8_t prev[32], uint64_t idx, int kind, int64_t account_id,
                const uint8_t *payload, size_t plen)
{
    uint8_t *buf = malloc(32 + 17 + plen);

    if (buf == NULL) {
        return -1;
    }
    memcpy(buf, prev, 32);
    for (int i = 0; i < 8; i++) {
        buf[32 + i] = (uint8_t)(idx >> (56 - 8 * i));
        buf[32 + 9 + i] = (uint8_t)((uint64_t)account_id >> (56 - 8 * i));
    }
    buf[32 + 8] = (uint8_t)kind;
    if (plen > 0) {
        memcpy(buf + 49, payload, plen);
    }
    st_sha256(out, buf, 49 + plen);
    free(buf);
    return 0;
}

int sd_store_open(struct sd_store **out, const struct sd_config *cfg, int readonly)
{
    switch (cfg->store) {
    case SD_STORE_SQLITE:
        return sd_store_sqlite_open(out, cfg->db_path, readonly);
    case SD_STORE_POSTGRES:
        return sd_store_postgres_open(out, cfg->pg_conninfo, readonly);
    default:
        *out = NULL;
        sd_log(SD_LOG_ERROR, "unknown store backend", "store=%d", cfg->store);
        return SD_ST_ERROR;
    }
}

int sd_device_listed(const struct sd_device *devs, size_t n, const struct sd_device *d)
{
    for (size_t i = 0; i < n; i++) {
        if (devs[i].device_id == d->device_id &&
            memcmp(devs[i].identity_key, d->identity_key, 33) == 0) {
            return 1;
        }
    }
    return 0;
}
