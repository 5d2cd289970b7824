/* sotto receive [--follow] [--timeout S] [--max N] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] receive [--follow] [--timeout S] [--max N]\n"
    "\n"
    "Connects to the server, sends what waits in the outbox, then fetches,\n"
    "decrypts and prints incoming messages, storing each before acknowledging\n"
    "it to the server (so a crash never loses one; duplicates are dropped).\n"
    "\n"
    "Options:\n"
    "  -f, --follow     keep running and print messages as they arrive\n"
    "  -t, --timeout S  stop after S seconds (default: when the queue is empty,\n"
    "                   or never with --follow)\n"
    "  -n, --max N      stop after N messages\n"
    "\n"
    "Identity changes of contacts are always shown; for a verified contact,\n"
    "sending stops until you verify again.\n"
    "\n"
    "Output: one line per message (-o json: sotto.message.v1; key changes as\n"
    "sotto.key_change.v1).\n"
    "Exit status: 0 ok, 1 bad arguments, 3 server unreachable, 5 rate limited.\n";

int cmd_receive(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"follow", no_argument, NULL, 'f'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {"max", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int opt, rc, follow = 0;
    long timeout = -1, max = 0;
    size_t got;
    char *end;

    while ((opt = getopt_long(argc, argv, "ft:n:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            follow = 1;
            break;
        case 't':
            timeout = strtol(optarg, &end, 10);
            if (*end || timeout < 0)
                return cli_fail(c, EXIT_USER, "usage", "S is a number of seconds",
                                "bad timeout '%s'", optarg);
            break;
        case 'n':
            max = strtol(optarg, &end, 10);
            if (*end || max <= 0)
                return cli_fail(c, EXIT_USER, "usage", "N is a positive number", "bad count '%s'",
                                optarg);
            break;
        case 'h':
            cli_help(help);
            return 0;
        default:
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto receive --help` (-a and -o go before the command)",
                            "bad option for receive");
        }
    }
    if (optind != argc)
        return cli_fail(c, EXIT_USER, "usage", "see `sotto receive --help`",
                        "unexpected argument '%s'", argv[optind]);
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    return cli_receive(c, follow, timeout, max, &got);
}
