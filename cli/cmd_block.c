/* sotto block [--unblock] NAME */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] block [--unblock] NAME\n"
    "\n"
    "Blocks NAME: messages from NAME are dropped unread on arrival and sending\n"
    "to NAME is refused. --unblock undoes it.\n"
    "\n"
    "Output: the contact (-o json: sotto.contact.v1).\n"
    "Exit status: 0 ok, 1 bad arguments.\n";

int cmd_block(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"unblock", no_argument, NULL, 'u'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct sc_contact ct;
    int opt, rc, unblock = 0;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            cli_help(help);
            return 0;
        }
        if (opt != 'u')
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto block --help` (-a and -o go before the command)",
                            "bad option for block");
        unblock = 1;
    }
    if (optind + 1 != argc || !sc_name_valid(argv[optind]))
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto block [--unblock] NAME",
                        "block needs one valid NAME");
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    rc = sc_store_contact_get(c->store, &ct, argv[optind]);
    if (rc == SOTTO_ERR_NOT_FOUND) {
        memset(&ct, 0, sizeof ct);
        snprintf(ct.name, sizeof ct.name, "%s", argv[optind]);
        rc = SOTTO_OK;
    }
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the contact");
    ct.blocked = !unblock;
    rc = sc_store_contact_put(c->store, &ct);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "saving the contact");
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ct.name);
        cJSON_AddStringToObject(o, "trust", cli_trust_name(ct.trust));
        cJSON_AddBoolToObject(o, "blocked", ct.blocked);
        cli_emit(c, "sotto.contact.v1", o);
    } else {
        printf("%s %s\n", ct.name, ct.blocked ? "blocked" : "unblocked");
    }
    return 0;
}
