/* sotto link: make this machine a new device of an existing account. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client/account.h"
#include "client/conn.h"
#include "client/link_uri.h"

static const char help[] =
    "usage: sotto -a ACCOUNT link [--key-file] [--no-qr] [--server HOST:PORT]\n"
    "                             [--server-key HEX]\n"
    "\n"
    "Prepares this machine as a new device of ACCOUNT, which already exists on\n"
    "another (primary) device. Creates this device's identity key in a new\n"
    "encrypted store and prints a link URI\n"
    "    sotto://link?account=ACCOUNT&device_key=HEX&registration_id=N\n"
    "with its QR code. On the primary device run\n"
    "    sotto -a ACCOUNT device add 'URI'\n"
    "which signs the new device into the account's device list with the\n"
    "account key. Contacts' clients will then encrypt to this device too.\n"
    "The URI holds only public values. Then, here, `sotto receive` (or chat or\n"
    "daemon) completes the link: it uploads this device's prekeys and learns\n"
    "the account key and the other devices.\n"
    "\n"
    "Options:\n"
    "  --key-file   protect the store with a 0600 key file, not a passphrase\n"
    "  --no-qr      do not draw the QR code\n"
    "  --server HOST:PORT, --server-key HEX   as for `sotto register`\n"
    "\n"
    "Output: the URI and QR (-o json: sotto.link.v1 with uri).\n"
    "Exit status: 0 ok, 1 the account already exists here or bad arguments.\n";

void cli_link_uri(char *out, size_t cap, const struct sc_account *a)
{
    struct sc_link_info li;
    memset(&li, 0, sizeof li);
    snprintf(li.account, sizeof li.account, "%s", a->name);
    memcpy(li.device_key, a->device_pub, SC_IDKEY_BYTES);
    li.registration_id = a->registration_id;
    if (sc_link_uri_build(out, cap, &li) != SOTTO_OK && cap > 0)
        out[0] = 0;
}

int cmd_link(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"key-file", no_argument, NULL, 'k'},
                                         {"server", required_argument, NULL, 's'},
                                         {"server-key", required_argument, NULL, 'K'},
                                         {"no-qr", no_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int opt, rc, keyfile = 0, qr = 1;
    const char *server = NULL, *server_key = NULL;
    struct sc_account a;
    char uri[512];

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'k':
            keyfile = 1;
            break;
        case 'n':
            qr = 0;
            break;
        case 's':
            server = optarg;
            break;
        case 'K':
            server_key = optarg;
            break;
        case 'h':
            cli_help(help);
            return 0;
        default:
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto link --help` (-a and -o go before the command)",
                            "bad option for link");
        }
    }
    if (optind != argc)
        return cli_fail(c, EXIT_USER, "usage", "the account goes first: sotto -a NAME link",
                        "unexpected argument '%s'", argv[optind]);
    rc = cli_open_store(c, 1, keyfile);
    if (rc != 0)
        return rc;
    if (!c->existed) {
        rc = sc_account_create(c->store, c->cfg.account, 0);
        if (rc != SOTTO_OK)
            return cli_fail_err(c, rc, "creating the device keys");
    }
    if (sc_conn_settings_save(c->store, server, server_key) != SOTTO_OK)
        return cli_fail(c, EXIT_USER, "server_settings",
                        "server is HOST:PORT and server_key 64 hex digits",
                        "the server settings are not valid");
    rc = sc_account_load(c->store, &a);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the device keys");
    if (a.primary)
        return cli_fail(c, EXIT_USER, "exists",
                        "this machine already holds the account's primary device",
                        "account '%s' already exists here", a.name);
    cli_link_uri(uri, sizeof uri, &a);
    if (uri[0] == 0)
        return cli_fail(c, EXIT_UNEXPECTED, "bad_device", "this is a bug; please report it",
                        "the device keys of '%s' do not make a link URI", a.name);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "account", a.name);
        cJSON_AddStringToObject(o, "uri", uri);
        cli_emit(c, "sotto.link.v1", o);
        return 0;
    }
    printf("On the primary device of %s run:\n\n    sotto -a %s device add '%s'\n\n", a.name,
           a.name, uri);
    if (qr)
        (void)cli_print_qr(uri);
    return 0;
}
