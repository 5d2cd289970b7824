/* Safety numbers between this account and a contact (libsignal's
 * fingerprint over the two account keys, identified by account names). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client/account.h"
#include "client/sync.h"
#include "safety.h"

int cli_safety_number(struct cli *c, struct sotto_fingerprint *fp, struct sc_contact *ct,
                      const char *peer)
{
    struct sc_account a;
    int rc = sc_account_load(c->store, &a);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading this account");
    rc = sc_store_contact_get(c->store, ct, peer);
    if (rc == SOTTO_ERR_NOT_FOUND || (rc == SOTTO_OK && !ct->has_key)) {
        /* Not known yet: ask the server (the key is only shown, not trusted). */
        struct sc_conn *conn = NULL;
        struct sc_sync s;
        if (sc_name_valid(peer) && cli_online(c, &conn, &s, 1) == 0) {
            int lr = sc_sync_lookup(&s, peer); /* shown, not trusted: any outcome */
            (void)lr;
            sc_conn_close(conn);
        }
        rc = sc_store_contact_get(c->store, ct, peer);
    }
    if (rc == SOTTO_ERR_NOT_FOUND || (rc == SOTTO_OK && !ct->has_key))
        return cli_fail(c, EXIT_USER, "no_key",
                        "exchange a message first (or `sotto contacts add NAME --identity-key "
                        "HEX`)",
                        "the identity key of %s is not known yet", peer);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the contact");
    if (a.account_pub[0] != 0x05)
        return cli_fail(c, EXIT_USER, "no_account_key",
                        "run verify on the primary device, or receive the device list first",
                        "this device does not know the account key yet");
    rc = sotto_fingerprint_create(fp, SOTTO_FINGERPRINT_VERSION, SOTTO_FINGERPRINT_ITERATIONS,
                                  (const uint8_t *)a.name, strlen(a.name), a.account_pub,
                                  SC_IDKEY_BYTES, (const uint8_t *)peer, strlen(peer),
                                  ct->identity_key, SC_IDKEY_BYTES);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "computing the safety number");
    return 0;
}

void cli_safety_groups(char out[72], const char *digits)
{
    size_t o = 0;
    for (size_t i = 0; i < SOTTO_FINGERPRINT_DISPLAY_LEN; i++) {
        if (i > 0 && i % 5 == 0)
            out[o++] = ' ';
        out[o++] = digits[i];
    }
    out[o] = 0;
}
