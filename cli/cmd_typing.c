/* sotto typing NAME start|stop */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client/conn.h"
#include "client/sync.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] typing NAME start|stop\n"
    "\n"
    "Tells NAME that you started or stopped typing. The indicator is sent at\n"
    "once (it is never queued or stored); `sotto receive --follow` and `sotto\n"
    "chat` show it on NAME's side.\n"
    "\n"
    "Exit status: 0 sent, 1 bad arguments, 3 server unreachable, 4 untrusted key.\n";

int cmd_typing(struct cli *c, int argc, char **argv)
{
    struct sc_conn *conn;
    struct sc_sync s;
    int rc, on;

    if (cli_wants_help(argc, argv)) {
        cli_help(help);
        return 0;
    }
    if (argc != 3 || (strcmp(argv[2], "start") != 0 && strcmp(argv[2], "stop") != 0))
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto typing NAME start|stop",
                        "typing needs NAME and start or stop");
    if (!sc_name_valid(argv[1]))
        return cli_bad_name(c, argv[1]);
    on = strcmp(argv[2], "start") == 0;
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    rc = cli_online(c, &conn, &s, 0);
    if (rc != 0)
        return rc;
    rc = sc_sync_send_typing(&s, argv[1], on);
    sc_conn_close(conn);
    if (rc == SOTTO_ERR_UNTRUSTED_IDENTITY)
        return cli_fail(c, EXIT_UNTRUSTED, "untrusted_identity",
                        "compare safety numbers with `sotto verify NAME`, then `sotto trust "
                        "NAME --safety-number N`",
                        "%s's identity key is not trusted", argv[1]);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "sending the typing indicator");
    return 0;
}
