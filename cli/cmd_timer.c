/* sotto timer NAME SECONDS|off */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/conn.h"
#include "client/sync.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] timer NAME SECONDS|off\n"
    "\n"
    "Sets the disappearing-message timer of your conversation with NAME. The\n"
    "setting travels to NAME inside the encrypted content and both clients\n"
    "apply it: every message of the conversation added afterwards (sent or\n"
    "received) is deleted from the local store SECONDS after its timestamp.\n"
    "`off` (or 0) keeps new messages again. At most 4 weeks.\n"
    "\n"
    "Exit status: 0 set and sent, 1 bad arguments, 3 server unreachable (set\n"
    "here only; run it again), 4 untrusted key.\n";

int cmd_timer(struct cli *c, int argc, char **argv)
{
    struct sc_conn *conn;
    struct sc_sync s;
    unsigned long sec = 0;
    int rc;

    if (cli_wants_help(argc, argv)) {
        cli_help(help);
        return 0;
    }
    if (argc != 3)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto timer NAME SECONDS|off",
                        "timer needs NAME and SECONDS or off");
    if (strcmp(argv[2], "off") != 0) {
        char *end;
        sec = strtoul(argv[2], &end, 10);
        if (argv[2][0] == 0 || argv[2][0] == '-' || *end != 0 || sec > SC_TIMER_MAX)
            return cli_fail(c, EXIT_USER, "usage", "SECONDS is 0 to 2419200 (4 weeks), or off",
                            "'%s' is not a timer", argv[2]);
    }
    if (!sc_name_valid(argv[1]))
        return cli_bad_name(c, argv[1]);
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    rc = cli_online(c, &conn, &s, 0);
    if (rc != 0)
        return rc;
    rc = sc_sync_send_timer(&s, argv[1], (uint32_t)sec);
    sc_conn_close(conn);
    if (rc == SOTTO_ERR_UNTRUSTED_IDENTITY)
        return cli_fail(c, EXIT_UNTRUSTED, "untrusted_identity",
                        "compare safety numbers with `sotto verify NAME`, then `sotto trust "
                        "NAME --safety-number N`",
                        "%s's identity key is not trusted", argv[1]);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "sending the timer");
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "peer", argv[1]);
        cJSON_AddNumberToObject(o, "timer", (double)sec);
        cli_emit(c, "sotto.timer.v1", o);
    } else if (sec == 0) {
        printf("Disappearing messages with %s: off.\n", argv[1]);
    } else {
        printf("Disappearing messages with %s: %lu s.\n", argv[1], sec);
    }
    return 0;
}
