/*
 * sotto: the command-line client. Global options, then one subcommand from
 * the table below (one file each).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sotto/sotto.h"

static const struct cli_cmd commands[] = {
    {"register", cmd_register, "create this account's keys and register with the server"},
    {"link", cmd_link, "make this machine a new device of an existing account"},
    {"device", cmd_device, "add, list, rename or remove this account's devices"},
    {"send", cmd_send, "send a message (queued and retried until the server takes it)"},
    {"receive", cmd_receive, "fetch, decrypt and print incoming messages"},
    {"read", cmd_read, "send read receipts for a contact's unread messages"},
    {"react", cmd_react, "react to a message with an emoji"},
    {"typing", cmd_typing, "tell a contact you started or stopped typing"},
    {"timer", cmd_timer, "set the disappearing-message timer of a conversation"},
    {"attachment", cmd_attachment, "fetch a received attachment that was not saved"},
    {"group", cmd_group, "create groups, list them, add or remove members, leave"},
    {"history", cmd_history, "print stored messages of one or all conversations"},
    {"verify", cmd_verify, "show the safety number (and QR) to compare with a contact"},
    {"trust", cmd_trust, "mark a contact verified after comparing safety numbers"},
    {"contacts", cmd_contacts, "list contacts with their trust state"},
    {"block", cmd_block, "block or unblock a contact"},
    {"chat", cmd_chat, "full-screen chat (ncurses)"},
    {"daemon", cmd_daemon, "serve JSON-RPC 2.0 on a unix socket or stdio"},
};

static const char usage_head[] =
    "usage: sotto [-a ACCOUNT] [-o text|json] [--trust-new-identities MODE] COMMAND\n"
    "             [ARGS]\n"
    "\n"
    "sotto is an end-to-end encrypted messenger. Messages are encrypted with the\n"
    "Signal protocol on this machine; the server only relays ciphertext.\n"
    "\n"
    "Global options:\n"
    "  -a, --account NAME  act as account NAME (default: `account` in the config,\n"
    "                      else \"default\"); data in $XDG_DATA_HOME/sotto/NAME\n"
    "  -o, --output FMT    text (default) or json: one JSON object per line, each\n"
    "                      with a \"schema\" id such as \"sotto.message.v1\"\n"
    "  --trust-new-identities tofu|always|never\n"
    "                      a contact's new or changed key (config key\n"
    "                      trust_new_identities; default tofu): tofu trusts the\n"
    "                      first key and stops sending to a verified contact whose\n"
    "                      key changes; always accepts changes (still announced);\n"
    "                      never sends only to contacts verified with `sotto trust`\n"
    "  -h, --help          this help; `sotto COMMAND --help` for a command\n"
    "  --version           print the version\n"
    "\n"
    "Commands:\n";

static const char usage_tail[] =
    "\n"
    "Config: /etc/sotto/config, $SOTTO_CONFIG, $XDG_CONFIG_HOME/sotto/config (INI).\n"
    "The local store is encrypted with a passphrase (asked on the terminal, or\n"
    "$SOTTO_PASSPHRASE, or passphrase_file in the config) or a 0600 key file\n"
    "(`sotto register --key-file`).\n"
    "\n"
    "Exit status: 0 ok, 1 user error, 2 unexpected error, 3 server or I/O error,\n"
    "4 untrusted key (verify the contact), 5 rate limited (retry later).\n";

static void usage(FILE *f)
{
    fputs(usage_head, f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].description);
    fputs(usage_tail, f);
}

int main(int argc, char **argv)
{
    struct cli c;
    int i = 1, rc;

    memset(&c, 0, sizeof c);
    c.prog = "sotto";
    c.trust_opt = -1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("sotto %s\n", SOTTO_VERSION_STRING);
            return 0;
        } else if ((strcmp(a, "-a") == 0 || strcmp(a, "--account") == 0) && i + 1 < argc) {
            c.account = argv[++i];
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc) {
            const char *fmt = argv[++i];
            if (strcmp(fmt, "json") != 0 && strcmp(fmt, "text") != 0)
                return cli_fail(&c, EXIT_USER, "usage", "use -o text or -o json",
                                "unknown output format '%s'", fmt);
            c.json = strcmp(fmt, "json") == 0;
        } else if (strcmp(a, "--trust-new-identities") == 0 && i + 1 < argc) {
            c.trust_opt = sc_trust_mode_parse(argv[++i]);
            if (c.trust_opt < 0)
                return cli_fail(&c, EXIT_USER, "usage", "use tofu, always or never",
                                "unknown --trust-new-identities value '%s'", argv[i]);
        } else {
            return cli_fail(&c, EXIT_USER, "usage", "run `sotto --help` for the options",
                            "unknown or incomplete option '%s'", a);
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USER;
    }
    if (sotto_init() != SOTTO_OK)
        return cli_fail(&c, EXIT_UNEXPECTED, "init", "check that libsodium and OpenSSL work",
                        "cannot initialise the crypto libraries");
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (strcmp(argv[i], commands[k].name) != 0)
            continue;
        optind = 1;
        opterr = 0; /* our own message says what is wrong */
        rc = commands[k].fn(&c, argc - i, argv + i);
        cli_close(&c);
        return rc;
    }
    return cli_fail(&c, EXIT_USER, "usage", "run `sotto --help` for the list of commands",
                    "unknown command '%s'", argv[i]);
}
