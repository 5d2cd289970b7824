/* sotto verify NAME */
#include <getopt.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#include "client/kt_check.h"
#include "safety.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] verify [--no-qr] NAME\n"
    "\n"
    "Shows the safety number of your conversation with NAME: 60 digits in 12\n"
    "groups of 5, computed from both account keys (the same on both sides).\n"
    "Compare it with NAME in person or over a channel you trust (read it aloud,\n"
    "or scan the QR code). If it matches, record that with\n"
    "    sotto trust NAME --safety-number \"<the 60 digits>\"\n"
    "If it does not match, someone may be intercepting: do not trust NAME's key.\n"
    "\n"
    "Options:\n"
    "  --no-qr   do not draw the QR code\n"
    "\n"
    "Output: the number, the transparency log as this client saw it (size,\n"
    "root) and a QR code (-o json: sotto.safety_number.v1 with name,\n"
    "safety_number, scannable (hex), trust, log_size, log_root).\n"
    "Exit status: 0 ok, 1 unknown contact or key.\n";

int cmd_verify(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"no-qr", no_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct sotto_fingerprint fp;
    struct sc_contact ct;
    char groups[72], hex[2 * SOTTO_FINGERPRINT_SCANNABLE_MAX + 1];
    char log_hex[2 * SOTTO_KT_VIEW_ROOT_BYTES + 1];
    uint8_t log_root[SOTTO_KT_VIEW_ROOT_BYTES];
    uint64_t log_size = 0;
    int opt, rc, qr = 1, have_log;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            cli_help(help);
            return 0;
        }
        if (opt != 'n')
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto verify --help` (-a and -o go before the command)",
                            "bad option for verify");
        qr = 0;
    }
    if (optind + 1 != argc)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto verify NAME", "verify needs one NAME");
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    rc = cli_safety_number(c, &fp, &ct, argv[optind]);
    if (rc != 0)
        return rc;
    cli_safety_groups(groups, fp.displayable);
    cli_hex(hex, fp.scannable, fp.scannable_len);
    /* the log as this client saw it, to compare too (docs/transparency.md) */
    have_log = sc_kt_view(c->store, &log_size, log_root) == SOTTO_OK;
    cli_hex(log_hex, log_root, sizeof log_root);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ct.name);
        cJSON_AddStringToObject(o, "safety_number", groups);
        cJSON_AddStringToObject(o, "scannable", hex);
        cJSON_AddStringToObject(o, "trust", cli_trust_name(ct.trust));
        if (have_log) {
            cJSON_AddNumberToObject(o, "log_size", (double)log_size);
            cJSON_AddStringToObject(o, "log_root", log_hex);
        }
        cli_emit(c, "sotto.safety_number.v1", o);
        return 0;
    }
    printf("Safety number with %s (%s):\n\n", ct.name, cli_trust_name(ct.trust));
    for (int line = 0; line < 3; line++)
        printf("    %.23s\n", groups + line * 24);
    printf("\n");
    if (have_log)
        printf("Key transparency log seen: size %llu, root %.16s\n"
               "(at the same size both of you must see the same root)\n\n",
               (unsigned long long)log_size, log_hex);
    if (qr)
        (void)cli_print_qr_data(fp.scannable, fp.scannable_len);
    if (ct.trust == SC_TRUST_CHANGED)
        printf("\n%s's key CHANGED since you verified it. Sending is stopped until you\n"
               "compare again and run `sotto trust %s --safety-number ...`.\n",
               ct.name, ct.name);
    return 0;
}
