/* sotto trust NAME --safety-number N */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "safety.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] trust NAME --safety-number N\n"
    "\n"
    "Marks NAME verified after you compared safety numbers (`sotto verify\n"
    "NAME`). N is the 60 digits NAME reads to you; spaces are ignored. sotto\n"
    "checks N against the number it computes itself, so a typo or a key that\n"
    "changed in between is caught. Once verified, a later change of NAME's key\n"
    "stops sending to NAME until you verify again; messages held back then are\n"
    "released by this command.\n"
    "\n"
    "Output: the contact (-o json: sotto.contact.v1).\n"
    "Exit status: 0 verified, 1 bad arguments or unknown contact, 4 the numbers\n"
    "differ (NAME stays untrusted).\n";

int cmd_trust(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"safety-number", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct sotto_fingerprint fp;
    struct sc_contact ct;
    const char *given = NULL;
    char digits[SOTTO_FINGERPRINT_DISPLAY_LEN + 1];
    size_t n = 0;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            cli_help(help);
            return 0;
        }
        if (opt != 's')
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto trust --help` (-a and -o go before the command)",
                            "bad option for trust");
        given = optarg;
    }
    if (optind + 1 != argc || given == NULL)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto trust NAME --safety-number N",
                        "trust needs NAME and --safety-number");
    for (const char *p = given; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (!isdigit((unsigned char)*p) || n == SOTTO_FINGERPRINT_DISPLAY_LEN)
            return cli_fail(c, EXIT_USER, "bad_number",
                            "a safety number is 60 digits (12 groups of 5)",
                            "'%s' is not a safety number", given);
        digits[n++] = *p;
    }
    digits[n] = 0;
    if (n != SOTTO_FINGERPRINT_DISPLAY_LEN)
        return cli_fail(c, EXIT_USER, "bad_number", "a safety number is 60 digits",
                        "the safety number has %zu digits", n);
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    rc = cli_safety_number(c, &fp, &ct, argv[optind]);
    if (rc != 0)
        return rc;
    if (strcmp(digits, fp.displayable) != 0)
        return cli_fail(c, EXIT_UNTRUSTED, "mismatch",
                        "check the digits; if they really differ, someone may be "
                        "intercepting: do not trust this key",
                        "the safety number does not match the one for %s", ct.name);
    ct.trust = SC_TRUST_VERIFIED;
    rc = sc_store_contact_put(c->store, &ct);
    if (rc == SOTTO_OK)
        rc = sc_store_outbox_release(c->store, ct.name);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "saving the contact");
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ct.name);
        cJSON_AddStringToObject(o, "trust", "verified");
        cJSON_AddBoolToObject(o, "blocked", ct.blocked);
        cli_emit(c, "sotto.contact.v1", o);
    } else {
        printf("%s is now verified.\n", ct.name);
    }
    return 0;
}
