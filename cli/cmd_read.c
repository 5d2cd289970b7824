/* sotto read NAME: read receipts for what NAME sent us. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "shared.h"
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

int cmd_read(struct cli *c, int argc, char **argv)
{
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
        return cli_bad_name(c, argv[1]);
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    rc = cli_online(c, &conn, &s, 0);
    if (rc != 0)
        return rc;
    rc = cli_mark_read(&s, argv[1], &done);
    sc_conn_close(conn);
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
