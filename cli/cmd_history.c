/* sotto history [NAME | --group GROUP] [-n N] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "client/group.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] history [NAME | --group GROUP] [-n N]\n"
    "\n"
    "Prints stored messages, oldest first: those with NAME (1:1 only), those\n"
    "of GROUP (id or unique name), or all conversations. Nothing is fetched\n"
    "from the server (see `sotto receive`).\n"
    "\n"
    "Options:\n"
    "  -n, --last N   only the last N messages (default: all)\n"
    "\n"
    "Output: one line per message (-o json: sotto.message.v1 objects).\n"
    "Exit status: 0 ok, 1 bad arguments or unknown account.\n";

static int print_cb(void *ctx, const struct sc_message *m)
{
    cli_print_message(ctx, m);
    return 0;
}

int cmd_history(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"last", required_argument, NULL, 'n'},
                                         {"group", required_argument, NULL, 'g'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *group = NULL;
    struct sc_group_rec r;
    unsigned long last = 0;
    char *end;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "n:g:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'g':
            group = optarg;
            break;
        case 'n':
            last = strtoul(optarg, &end, 10);
            if (*end != 0 || last == 0)
                return cli_fail(c, EXIT_USER, "usage", "N is a positive number", "bad count '%s'",
                                optarg);
            break;
        case 'h':
            cli_help(help);
            return 0;
        default:
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto history --help` (-a and -o go before the command)",
                            "bad option for history");
        }
    }
    if (argc - optind > (group != NULL ? 0 : 1))
        return cli_fail(c, EXIT_USER, "usage", "see `sotto history --help`",
                        "history takes at most one NAME");
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    if (group != NULL) {
        rc = cli_group_find(c, &r, group);
        if (rc != 0)
            return rc;
        rc = sc_store_message_list_group(c->store, r.hex, last, print_cb, c);
        if (rc != SOTTO_OK)
            return cli_fail_err(c, rc, "reading the history");
        return 0;
    }
    rc = sc_store_message_list(c->store, optind < argc ? argv[optind] : NULL, last, print_cb, c);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the history");
    return 0;
}
