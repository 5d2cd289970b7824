/*
 * libFuzzer target for the client's message content decoder
 * (client/content.c): everything a peer's device puts inside a Signal
 * message goes through sc_content_decode. Invariants: decoded views stay
 * inside the input; a history batch that decodes yields exactly its
 * declared item count, each re-encodable from the stored form; a group
 * state that decodes re-encodes to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "client/content.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const uint8_t *p, size_t n, const uint8_t *base, size_t size)
{
    return n == 0 || (p >= base && p + n <= base + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sc_content c;
    struct sc_history_item it;
    const uint8_t *q;
    size_t left, n = 0;

    if (sc_content_decode(&c, data, size) != SOTTO_OK)
        return 0;
    if (!inside(c.body, c.body_len, data, size) || !inside(c.ids, 16 * c.n_ids, data, size))
        abort();
    if (c.kind == SC_CONTENT_GROUP_STATE) {
        struct sc_group g;
        uint8_t enc[SC_GROUP_STATE_MAX];
        size_t el;
        if (sc_group_decode(&g, c.body, c.body_len) != SOTTO_OK ||
            sc_group_encode(enc, sizeof enc, &el, &g) != SOTTO_OK || el != c.body_len ||
            memcmp(enc, c.body, el) != 0)
            abort();
    }
    if (c.kind != SC_CONTENT_HISTORY)
        return 0;
    q = c.items;
    left = c.items_len;
    while (sc_history_next(&it, &q, &left) == SOTTO_OK) {
        struct sc_message m;
        static uint8_t buf[SC_HISTORY_BATCH];
        size_t len = 0;
        if (!inside(it.body, it.body_len, data, size))
            abort();
        sc_history_item_message(&m, &it);
        /* Attachments may fail the descriptor check; the rest re-encode. */
        if (sc_history_append(buf, sizeof buf, &len, &m) != SOTTO_OK &&
            m.kind != SC_KIND_ATTACHMENT)
            abort();
        n++;
    }
    if (n != c.n_items)
        abort();
    return 0;
}
