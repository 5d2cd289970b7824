/* Helpers shared by every store backend (store.h). */
#include "store/store.h"

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
