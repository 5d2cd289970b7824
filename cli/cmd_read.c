/* sotto read NAME: read receipts for what NAME sent us. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/conn.h"
#include "client/sync.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] read NAME\n"
    "\n"
    "Marks every message from NAME that this device has not marked read yet\n"
    "as read: NAME's devices get read receipts (their history shows the\n"
    "message as read) and your other devices mark them read too. `sotto chat`\n"
    "does this by itself for the conversation on screen.\n"
    "\n"
    "Output: the count (-o json: a sotto.read.v1 object with peer, count).\n"
    "Exit status: 0 ok, 1 bad arguments, 3 server unreachable.\n";

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
            return 1;
        u->mids = p;
        u->cap = cap;
    }
    memcpy(u->mids[u->n++], m->mid, SC_MID_LEN + 1);
    return 0;
}

int cmd_read(struct cli *c, int argc, char **argv)
{
    struct unread u = {NULL, 0, 0};
    struct sc_conn *conn;
    struct sc_sync s;
    size_t done = 0;
    int rc;

    if (cli_wants_help(argc, argv)) {
        cli_help(help);
        return 0;
    }
    if (argc != 2)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto read NAME", "read needs NAME");
    if (!sc_name_valid(argv[1]))
        return cli_fail(c, EXIT_USER, "bad_name", "names are 1-64 of a-z 0-9 . _ -",
                        "'%s' is not a valid account name", argv[1]);
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    rc = sc_store_message_list(c->store, argv[1], 0, collect, &u);
    if (rc != SOTTO_OK) {
        free(u.mids);
        return cli_fail_err(c, rc == 1 ? SOTTO_ERR_NOMEM : rc, "reading the history");
    }
    if (u.n > 0) {
        rc = cli_online(c, &conn, &s, 0);
        if (rc != 0) {
            free(u.mids);
            return rc;
        }
        /* Receipt first, then the local mark: a failure leaves them unread
         * here, so the next `sotto read` sends them again. */
        for (size_t i = 0; rc == SOTTO_OK && i < u.n; i += SC_RECEIPT_MAX) {
            size_t k = u.n - i < SC_RECEIPT_MAX ? u.n - i : SC_RECEIPT_MAX;
            rc = sc_sync_send_read(&s, argv[1], u.mids + i, k);
            for (size_t j = 0; rc == SOTTO_OK && j < k; j++)
                rc = sc_store_message_status(c->store, u.mids[i + j], SC_MSG_READ);
            if (rc == SOTTO_OK)
                done += k;
        }
        sc_conn_close(conn);
    }
    free(u.mids);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "sending read receipts");
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "peer", argv[1]);
        cJSON_AddNumberToObject(o, "count", (double)done);
        cli_emit(c, "sotto.read.v1", o);
    } else {
        printf("Marked %zu message%s from %s read.\n", done, done == 1 ? "" : "s", argv[1]);
    }
    return 0;
}
