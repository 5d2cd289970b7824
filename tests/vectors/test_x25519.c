/* X25519 against Wycheproof x25519_test.json and RFC 7748 (section 5.2
 * scalar multiplication, iterated up to 1,000 times, section 6.1 example). */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "testutil.h"
#include "wycheproof.h"

static int wp_case(const cJSON *group, const cJSON *test, void *ctx)
{
    size_t npriv, npub, nshared;
    uint8_t *priv = t_json_hex(test, "private", &npriv);
    uint8_t *pub = t_json_hex(test, "public", &npub);
    uint8_t *want = t_json_hex(test, "shared", &nshared);
    uint8_t got[32];
    int r;

    (void)group;
    (void)ctx;
    if (npriv != 32 || npub != 32)
        r = 0; /* wrong sizes cannot even be passed to st_x25519 */
    else if (st_x25519(got, priv, pub) != SOTTO_OK)
        r = 0;
    else
        r = (nshared == 32 && memcmp(got, want, 32) == 0) ? 1 : -1;
    free(priv);
    free(pub);
    free(want);
    return r;
}

static void rfc7748(void)
{
    cJSON *root = t_load_shared_json("vectors/rfc/rfc7748_x25519.json"), *c;
    int cases = 0, failures = 0;
    uint8_t k[32], u[32], out[32];
    size_t n;

    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "scalarMult"))
    {
        uint8_t *s = t_json_hex(c, "scalar", &n), *uc = t_json_hex(c, "uCoordinate", &n);
        uint8_t *want = t_json_hex(c, "output", &n);
        cases++;
        if (st_x25519(out, s, uc) != SOTTO_OK || memcmp(out, want, 32) != 0)
            failures++;
        free(s);
        free(uc);
        free(want);
    }

    /* Iterated: k, u = X25519(k, u), k. The 1,000,000 step is left out of
     * the suite (a minute of CPU); 1 and 1,000 cover the same loop. */
    {
        cJSON *it = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "iterated"), "kAfterIterations");
        uint8_t *start = t_json_hex(cJSON_GetObjectItem(root, "iterated"), "start", &n);
        uint8_t *want1 = t_json_hex(it, "1", &n), *want1000 = t_json_hex(it, "1000", &n);
        memcpy(k, start, 32);
        memcpy(u, start, 32);
        for (int i = 1; i <= 1000; i++) {
            if (st_x25519(out, k, u) != SOTTO_OK) {
                failures++;
                break;
            }
            memcpy(u, k, 32);
            memcpy(k, out, 32);
            if (i == 1) {
                cases++;
                failures += memcmp(k, want1, 32) != 0;
            }
        }
        cases++;
        failures += memcmp(k, want1000, 32) != 0;
        free(start);
        free(want1);
        free(want1000);
    }

    {
        cJSON *dh = cJSON_GetObjectItem(root, "diffieHellman");
        uint8_t *ap = t_json_hex(dh, "alicePrivate", &n), *apub = t_json_hex(dh, "alicePublic", &n);
        uint8_t *bp = t_json_hex(dh, "bobPrivate", &n), *bpub = t_json_hex(dh, "bobPublic", &n);
        uint8_t *ss = t_json_hex(dh, "sharedSecret", &n);
        uint8_t pub[32];
        cases += 4;
        failures += st_x25519_public(pub, ap) != SOTTO_OK || memcmp(pub, apub, 32) != 0;
        failures += st_x25519_public(pub, bp) != SOTTO_OK || memcmp(pub, bpub, 32) != 0;
        failures += st_x25519(out, ap, bpub) != SOTTO_OK || memcmp(out, ss, 32) != 0;
        failures += st_x25519(out, bp, apub) != SOTTO_OK || memcmp(out, ss, 32) != 0;
        free(ap);
        free(apub);
        free(bp);
        free(bpub);
        free(ss);
    }
    cJSON_Delete(root);
    t_report_file("rfc7748_x25519.json", cases, failures);
    t_checks += cases;
    t_failed += failures;
}

static void zero_and_encoding(void)
{
    uint8_t priv[32], pub[32], out[32], enc[33], dec[32];
    uint8_t zero_point[32] = {0};

    CHECK_OK(st_x25519_keypair(pub, priv));
    CHECK((priv[0] & 7) == 0 && (priv[31] & 0x80) == 0 && (priv[31] & 0x40) != 0);
    /* The all-zero point (small order) must give WEAK_KEY, not a secret. */
    CHECK(st_x25519(out, priv, zero_point) == SOTTO_ERR_WEAK_KEY);
    CHECK(st_ct_is_zero(out, 32));
    st_pubkey_encode(enc, pub);
    CHECK(enc[0] == 0x05);
    CHECK_OK(st_pubkey_decode(dec, enc, 33));
    CHECK(memcmp(dec, pub, 32) == 0);
    CHECK(st_pubkey_decode(dec, enc, 32) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_pubkey_decode(dec, enc, 34) == SOTTO_ERR_INVALID_KEY);
    enc[0] = 0x06;
    CHECK(st_pubkey_decode(dec, enc, 33) == SOTTO_ERR_INVALID_KEY);
    CHECK(st_pubkey_decode(dec, NULL, 33) == SOTTO_ERR_INVALID_KEY);
    /* Generated public keys are canonical base keys; small-order are not. */
    CHECK(st_x25519_pub_is_canonical(pub));
    CHECK(!st_x25519_pub_is_canonical(zero_point));
    pub[31] |= 0x80;
    CHECK(!st_x25519_pub_is_canonical(pub));
}

int main(void)
{
    t_init();
    t_wycheproof_run("x25519_test.json", wp_case, NULL);
    rfc7748();
    zero_and_encoding();
    return t_done();
}
