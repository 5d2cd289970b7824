/* Ed25519 verification against Wycheproof ed25519_test.json and RFC 8032
 * section 7.1 (the path XEdDSA verification ends in). */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "testutil.h"
#include "wycheproof.h"

static int wp_case(const cJSON *group, const cJSON *test, void *ctx)
{
    size_t npk, nsig, nmsg;
    uint8_t *pk = t_json_hex(cJSON_GetObjectItem(group, "publicKey"), "pk", &npk);
    uint8_t *sig = t_json_hex(test, "sig", &nsig);
    uint8_t *msg = t_json_hex(test, "msg", &nmsg);
    int r;

    (void)ctx;
    if (npk != 32 || nsig != 64)
        r = 0;
    else
        r = st_ed25519_verify(sig, pk, msg, nmsg) == SOTTO_OK;
    free(pk);
    free(sig);
    free(msg);
    return r;
}

static void rfc8032(void)
{
    cJSON *root = t_load_shared_json("vectors/rfc/rfc8032_ed25519.json"), *c;
    int cases = 0, failures = 0;
    size_t n, nmsg;

    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "tests"))
    {
        uint8_t *pk = t_json_hex(c, "publicKey", &n), *sig = t_json_hex(c, "signature", &n);
        uint8_t *msg = t_json_hex(c, "message", &nmsg);
        cases += 2;
        failures += st_ed25519_verify(sig, pk, msg, nmsg) != SOTTO_OK;
        sig[10] ^= 1; /* and a flipped bit must fail */
        failures += st_ed25519_verify(sig, pk, msg, nmsg) == SOTTO_OK;
        free(pk);
        free(sig);
        free(msg);
    }
    cJSON_Delete(root);
    t_report_file("rfc8032_ed25519.json", cases, failures);
    t_checks += cases;
    t_failed += failures;
}

int main(void)
{
    t_init();
    t_wycheproof_run("ed25519_test.json", wp_case, NULL);
    rfc8032();
    return t_done();
}
