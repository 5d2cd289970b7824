/* cli_mark_read (shared.h): read receipts for a peer's unread messages,
 * used by `sotto read` and the daemon's `read` method. */
#include <stdlib.h>
#include <string.h>

#include "client/sync.h"
#include "shared.h"

struct unread {
    char (*mids)[SC_MID_LEN + 1];
    size_t n, cap;
};

static int collect(void *ctx, const struct sc_message *m)
{
    struct unread *u = ctx;
    if (m->outgoing || m->status != SC_MSG_RECEIVED || m->kind == SC_KIND_REACTION)
        return 0; /* reactions get no read receipts (as in Signal) */
    if (u->n == u->cap) {
        size_t cap = u->cap ? 2 * u->cap : 64;
        void *p = realloc(u->mids, cap * sizeof *u->mids);
        if (p == NULL)
            return SOTTO_ERR_NOMEM;
        u->mids = p;
        u->cap = cap;
    }
    memcpy(u->mids[u->n++], m->mid, SC_MID_LEN + 1);
    return 0;
}

int cli_mark_read(struct sc_sync *s, const char *peer, size_t *done)
{
    struct unread u = {NULL, 0, 0};
    int rc = sc_store_message_list(s->store, peer, 0, collect, &u);
    *done = 0;
    /* Receipt first, then the local mark: a failure leaves them unread
     * here, so the next call sends them again. */
    for (size_t i = 0; rc == SOTTO_OK && i < u.n; i += SC_RECEIPT_MAX) {
        size_t k = u.n - i < SC_RECEIPT_MAX ? u.n - i : SC_RECEIPT_MAX;
        rc = sc_sync_send_read(s, peer, u.mids + i, k);
        for (size_t j = 0; rc == SOTTO_OK && j < k; j++)
            rc = sc_store_message_status(s->store, u.mids[i + j], SC_MSG_READ);
        if (rc == SOTTO_OK)
            *done += k;
    }
    free(u.mids);
    return rc;
}
