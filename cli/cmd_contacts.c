/* sotto contacts [add NAME --identity-key HEX] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] contacts\n"
    "       sotto [-a ACCOUNT] contacts add NAME [--identity-key HEX]\n"
    "\n"
    "Lists the accounts you have talked to, with their trust state:\n"
    "  unverified  identity key known, safety number never compared\n"
    "  verified    you compared safety numbers (`sotto trust`)\n"
    "  changed     verified before, but the key changed since: sending stops\n"
    "and whether you blocked them. Contacts are added automatically when you\n"
    "send or receive; `contacts add` adds one by hand, optionally with an\n"
    "identity key (66 hex digits) learnt out of band.\n"
    "\n"
    "Output: one line per contact (-o json: sotto.contact.v1 objects with\n"
    "name, trust, blocked, identity_key, key_changed_at).\n"
    "Exit status: 0 ok, 1 bad arguments or unknown account.\n";

static int print_cb(void *ctx, const struct sc_contact *ct)
{
    struct cli *c = ctx;
    char hex[2 * SC_IDKEY_BYTES + 1] = "";
    if (ct->has_key)
        cli_hex(hex, ct->identity_key, SC_IDKEY_BYTES);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ct->name);
        cJSON_AddStringToObject(o, "trust", cli_trust_name(ct->trust));
        cJSON_AddBoolToObject(o, "blocked", ct->blocked);
        if (ct->has_key)
            cJSON_AddStringToObject(o, "identity_key", hex);
        else
            cJSON_AddNullToObject(o, "identity_key");
        cJSON_AddNumberToObject(o, "key_changed_at", (double)ct->key_changed_at);
        cli_emit(c, "sotto.contact.v1", o);
    } else {
        printf("%-24s %-10s %s%s\n", ct->name, cli_trust_name(ct->trust),
               ct->blocked ? "blocked " : "", ct->has_key ? "" : "(no key yet)");
    }
    return 0;
}

static int add(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"identity-key", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    const char *keyhex = NULL;
    struct sc_contact ct;
    uint8_t key[SC_IDKEY_BYTES];
    size_t n;
    int opt, rc, changed;

    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt != 'k')
            return cli_fail(c, EXIT_USER, "usage", "see `sotto contacts --help`",
                            "bad option for contacts add");
        keyhex = optarg;
    }
    if (optind + 1 != argc)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto contacts add NAME",
                        "contacts add needs one NAME");
    if (!sc_name_valid(argv[optind]))
        return cli_bad_name(c, argv[optind]);
    if (keyhex != NULL && (cli_unhex(key, sizeof key, &n, keyhex) != SOTTO_OK ||
                           n != SC_IDKEY_BYTES || key[0] != 0x05))
        return cli_fail(c, EXIT_USER, "bad_key", "an identity key is 66 hex digits, 05...",
                        "'%s' is not an identity key", keyhex);
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    if (keyhex != NULL) {
        rc = sc_store_contact_observe_key(c->store, &changed, argv[optind], key, cli_now_ms());
        if (rc == SOTTO_OK && changed && c->cfg.trust_mode == SC_TRUST_MODE_ALWAYS &&
            (rc = sc_store_contact_get(c->store, &ct, argv[optind])) == SOTTO_OK &&
            ct.trust == SC_TRUST_CHANGED) {
            ct.trust = SC_TRUST_UNVERIFIED; /* --trust-new-identities always */
            rc = sc_store_contact_put(c->store, &ct);
        }
        if (rc == SOTTO_OK && changed)
            fprintf(stderr,
                    "sotto: the identity key of %s CHANGED; compare safety numbers "
                    "again (`sotto verify %s`)\n",
                    argv[optind], argv[optind]);
    } else {
        rc = sc_store_contact_get(c->store, &ct, argv[optind]);
        if (rc == SOTTO_ERR_NOT_FOUND) {
            memset(&ct, 0, sizeof ct);
            snprintf(ct.name, sizeof ct.name, "%s", argv[optind]);
            rc = sc_store_contact_put(c->store, &ct);
        }
    }
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "saving the contact");
    rc = sc_store_contact_get(c->store, &ct, argv[optind]);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the contact");
    return print_cb(c, &ct);
}

int cmd_contacts(struct cli *c, int argc, char **argv)
{
    int rc;
    if (cli_wants_help(argc, argv)) {
        cli_help(help);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return add(c, argc - 1, argv + 1);
    if (argc != 1)
        return cli_fail(c, EXIT_USER, "usage", "see `sotto contacts --help`",
                        "unexpected argument '%s'", argv[1]);
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    rc = sc_store_contact_list(c->store, print_cb, c);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "listing contacts");
    return 0;
}
