/* cli_find_target (shared.h): the message a reaction refers to. */
#include <string.h>

#include "shared.h"

struct find {
    int64_t ts;
    char *mid;
};

static int find_ts(void *ctx, const struct sc_message *m)
{
    struct find *f = ctx;
    if (m->ts == f->ts && m->kind != SC_KIND_REACTION) /* text or attachment */
        memcpy(f->mid, m->mid, SC_MID_LEN + 1);
    return 0;
}

int cli_find_target(struct cli *c, char mid[SC_MID_LEN + 1], const char *peer, const char *id,
                    int64_t ts)
{
    struct find f = {ts, mid};
    struct sc_message t;
    mid[0] = 0;
    if (id == NULL)
        return sc_store_message_list(c->store, peer, 0, find_ts, &f);
    if (strlen(id) != SC_MID_LEN || sc_store_message_get(c->store, &t, id) != SOTTO_OK)
        return SOTTO_OK; /* not found: mid stays "" */
    if (strcmp(t.peer, peer) == 0)
        memcpy(mid, t.mid, SC_MID_LEN + 1);
    sc_message_clear(&t);
    return SOTTO_OK;
}
