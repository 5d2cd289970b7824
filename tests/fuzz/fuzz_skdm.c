/*
 * libFuzzer target: SenderKeyDistributionMessage parsing and processing.
 * A parsed SKDM must write back to bytes that parse to the same fields;
 * processing runs against an empty store and the stored record must parse.
 */
#include <stdlib.h>
#include <string.h>

#include "group/sender_key.h"
#include "sotto/group.h"
#include "sotto/sotto.h"

static int load(void *ctx, const uint8_t **rec, size_t *len, const char *sender, uint32_t device,
                const uint8_t dist[16])
{
    (void)ctx, (void)sender, (void)device, (void)dist;
    *rec = NULL;
    *len = 0;
    return 0;
}

static int save(void *ctx, const char *sender, uint32_t device, const uint8_t dist[16],
                const uint8_t *rec, size_t len)
{
    struct st_sk_record r;
    (void)ctx, (void)sender, (void)device, (void)dist;
    if (st_sk_record_parse(&r, rec, len) != SOTTO_OK || r.n != 1)
        abort();
    st_sk_record_clear(&r);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct sotto_sender_key_store st = {.ctx = NULL, .load = load, .save = save};
    struct st_skdm a, b;
    uint8_t out[SOTTO_GROUP_SKDM_MAX];
    size_t out_len;

    if (!ready) {
        if (sotto_init() != SOTTO_OK)
            abort();
        ready = 1;
    }
    if (st_skdm_parse(&a, data, size) == SOTTO_OK) {
        if (st_skdm_write(out, &out_len, sizeof out, &a) != SOTTO_OK)
            abort();
        if (st_skdm_parse(&b, out, out_len) != SOTTO_OK || memcmp(&a, &b, sizeof a) != 0)
            abort();
    }
    (void)sotto_group_process(&st, "bob", 2, data, size);
    return 0;
}
