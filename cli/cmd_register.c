/* sotto register: create the account's keys (and register with the server
 * when one is configured). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client/account.h"
#include "client/conn.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] register [--key-file] [--server HOST:PORT]\n"
    "                                   [--server-key HEX]\n"
    "\n"
    "Creates a new account on this machine: an account key (it signs your device\n"
    "list and is what contacts verify), this device's identity key and a\n"
    "registration id, all kept in the encrypted store in\n"
    "$XDG_DATA_HOME/sotto/ACCOUNT. The account name is ACCOUNT (-a); names are\n"
    "1-64 characters of a-z 0-9 . _ -. With a server configured, the account is\n"
    "then registered there and its prekeys uploaded.\n"
    "\n"
    "Options:\n"
    "  --key-file          protect the store with a new random key file\n"
    "                      (store.key, mode 0600) instead of a passphrase; for\n"
    "                      unattended use. Whoever reads the file reads the store.\n"
    "  --server HOST:PORT  the sotto server (overrides `server` in the config)\n"
    "  --server-key HEX    the server's Noise static public key, 64 hex digits; it\n"
    "                      is pinned: a server with another key is refused\n"
    "\n"
    "Without --key-file the passphrase is asked twice on the terminal (or taken\n"
    "from $SOTTO_PASSPHRASE or passphrase_file in the config).\n"
    "\n"
    "Exit status: 0 ok, 1 the account exists or a bad option, 3 server or disk\n"
    "error (the local account is kept; run `sotto register` again to retry the\n"
    "server part).\n";

int cmd_register(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"key-file", no_argument, NULL, 'k'},
                                         {"server", required_argument, NULL, 's'},
                                         {"server-key", required_argument, NULL, 'K'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *server = NULL, *server_key = NULL;
    int keyfile = 0, opt, rc;
    struct sc_account a;
    char hex[2 * SC_IDKEY_BYTES + 1];

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'k':
            keyfile = 1;
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
                            "see `sotto register --help` (-a and -o go before the command)",
                            "bad option for register");
        }
    }
    if (optind != argc)
        return cli_fail(c, EXIT_USER, "usage",
                        "the account name goes before the command: sotto -a NAME register",
                        "unexpected argument '%s'", argv[optind]);
    /* An account that exists but never reached the server is resumed. */
    rc = cli_open_store(c, 1, keyfile);
    if (rc != 0)
        return rc;
    if (c->existed) {
        rc = sc_account_load(c->store, &a);
        if (rc != SOTTO_OK)
            return cli_fail_err(c, rc, "reading the account");
        if (a.registered)
            return cli_fail(c, EXIT_USER, "exists",
                            "use another name with -a, or remove the folder to start over",
                            "account '%s' already exists and is registered (%s)", c->cfg.account,
                            c->cfg.data_dir);
        return cli_register_with_server(c, server, server_key);
    }
    rc = sc_account_create(c->store, c->cfg.account, 1);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "creating the account keys");
    rc = sc_conn_settings_save(c->store, server ? server : c->cfg.server,
                               server_key ? server_key : c->cfg.server_key);
    if (rc != SOTTO_OK)
        return cli_fail(c, EXIT_USER, "server_key", "give 64 hex digits: the server's key",
                        "the server key is not valid");
    rc = sc_account_load(c->store, &a);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the account back");
    cli_hex(hex, a.account_pub, SC_IDKEY_BYTES);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "account", a.name);
        cJSON_AddNumberToObject(o, "device_id", a.device_id);
        cJSON_AddNumberToObject(o, "registration_id", a.registration_id);
        cJSON_AddStringToObject(o, "identity_key", hex);
        cJSON_AddBoolToObject(o, "key_file", keyfile);
        cli_emit(c, "sotto.account.v1", o);
    } else {
        printf("Created account %s (device %u) in %s\n", a.name, a.device_id, c->cfg.data_dir);
        printf("Account identity key: %s\n", hex);
    }
    return cli_register_with_server(c, server, server_key);
}
