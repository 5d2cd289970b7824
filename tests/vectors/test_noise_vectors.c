/*
 * Noise_XX / Noise_IK _25519_ChaChaPoly_BLAKE2b against the published
 * vectors in shared/vectors/noise: cacophony (filtered and full file) and
 * snow. Each vector runs both sides with the given static and ephemeral
 * keys: every handshake ciphertext byte for byte, every payload on receipt,
 * the handshake hash where given, then the transport messages after Split().
 * The SHA256 vectors of the filtered files are skipped: sotto ships the
 * BLAKE2b suite only.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "transport/noise.h"

static const char *const our_names[] = {
    [ST_NOISE_XX] = "Noise_XX_25519_ChaChaPoly_BLAKE2b",
    [ST_NOISE_IK] = "Noise_IK_25519_ChaChaPoly_BLAKE2b",
};

static int pattern_of(const char *name, enum st_noise_pattern *p)
{
    for (int i = 0; i < 2; i++) {
        if (strcmp(name, our_names[i]) == 0) {
            *p = (enum st_noise_pattern)i;
            return 1;
        }
    }
    return 0;
}

struct side {
    struct st_noise_handshake *hs;
    struct st_noise_transport *t;
};

static int make_side(struct side *sd, enum st_noise_pattern p, int initiator, const cJSON *v)
{
    const char *pre = initiator ? "init_" : "resp_";
    char f[64];
    size_t slen = 0, elen = 0, rslen = 0, plen = 0;
    uint8_t *s, *e, *rs, *prologue;
    int ok = 0;

    snprintf(f, sizeof f, "%sstatic", pre);
    s = t_json_hex(v, f, &slen);
    snprintf(f, sizeof f, "%sephemeral", pre);
    e = t_json_hex(v, f, &elen);
    snprintf(f, sizeof f, "%sremote_static", pre);
    rs = t_json_hex(v, f, &rslen);
    snprintf(f, sizeof f, "%sprologue", pre);
    prologue = t_json_hex(v, f, &plen);
    if (s == NULL || slen != 32 || e == NULL || elen != 32 || prologue == NULL ||
        (rs != NULL && rslen != 32))
        goto out;
    if (st_noise_handshake_new(&sd->hs, p, initiator, s, rs, prologue, plen) != SOTTO_OK)
        goto out;
    if (st_noise_set_ephemeral(sd->hs, e) != SOTTO_OK)
        goto out;
    ok = 1;
out:
    free(s);
    free(e);
    free(rs);
    free(prologue);
    return ok;
}

/* One message from -> to: handshake or transport, checked both ways. */
static int run_message(struct side *from, struct side *to, const cJSON *m, int handshake)
{
    size_t plen = 0, clen = 0, outlen = 0, gotlen = 0;
    uint8_t *payload = t_json_hex(m, "payload", &plen);
    uint8_t *ct = t_json_hex(m, "ciphertext", &clen);
    uint8_t *out = malloc(ST_NOISE_MAX_MESSAGE), *got = malloc(ST_NOISE_MAX_MESSAGE);
    int ok = 0;

    if (payload == NULL || ct == NULL || out == NULL || got == NULL)
        goto out;
    if (handshake) {
        if (st_noise_write_message(from->hs, out, ST_NOISE_MAX_MESSAGE, &outlen, payload, plen))
            goto out;
    } else if (st_noise_encrypt(from->t, out, ST_NOISE_MAX_MESSAGE, &outlen, payload, plen)) {
        goto out;
    }
    if (outlen != clen || memcmp(out, ct, clen) != 0)
        goto out;
    if (handshake) {
        if (st_noise_read_message(to->hs, got, ST_NOISE_MAX_MESSAGE, &gotlen, ct, clen))
            goto out;
    } else if (st_noise_decrypt(to->t, got, ST_NOISE_MAX_MESSAGE, &gotlen, ct, clen)) {
        goto out;
    }
    ok = gotlen == plen && (plen == 0 || memcmp(got, payload, plen) == 0);
out:
    free(payload);
    free(ct);
    free(out);
    free(got);
    return ok;
}

static int check_hash(const struct side *a, const struct side *b, const cJSON *v)
{
    uint8_t ha[ST_NOISE_HASH_BYTES], hb[ST_NOISE_HASH_BYTES];
    size_t wlen = 0;
    uint8_t *want = t_json_hex(v, "handshake_hash", &wlen);
    int ok = st_noise_handshake_hash(a->hs, ha) == SOTTO_OK &&
             st_noise_handshake_hash(b->hs, hb) == SOTTO_OK && memcmp(ha, hb, sizeof ha) == 0;

    if (want != NULL) /* snow's vectors carry none */
        ok = ok && wlen == sizeof ha && memcmp(ha, want, wlen) == 0;
    free(want);
    return ok;
}

/* 1 when the whole vector reproduces. */
static int run_vector(const cJSON *v, enum st_noise_pattern p, int *hashes)
{
    struct side init = {0}, resp = {0};
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(v, "messages");
    int nhs = p == ST_NOISE_XX ? 3 : 2, i = 0, ok = 0;
    const cJSON *m;

    if (!make_side(&init, p, 1, v) || !make_side(&resp, p, 0, v))
        goto out;
    cJSON_ArrayForEach(m, msgs)
    {
        /* Messages alternate, initiator first, through handshake and transport. */
        struct side *from = i % 2 == 0 ? &init : &resp, *to = i % 2 == 0 ? &resp : &init;
        if (i == nhs) {
            if (!st_noise_handshake_done(init.hs) || !st_noise_handshake_done(resp.hs) ||
                !check_hash(&init, &resp, v) || st_noise_split(init.hs, &init.t) ||
                st_noise_split(resp.hs, &resp.t))
                goto out;
            *hashes += cJSON_GetObjectItemCaseSensitive(v, "handshake_hash") != NULL;
        }
        if (!run_message(from, to, m, i < nhs)) {
            fprintf(stderr, "%s: message %d differs\n", our_names[p], i);
            goto out;
        }
        i++;
    }
    ok = i > nhs;
out:
    st_noise_transport_free(init.t);
    st_noise_transport_free(resp.t);
    st_noise_handshake_free(init.hs);
    st_noise_handshake_free(resp.hs);
    return ok;
}

static void run_file(const char *rel, int min_expected)
{
    cJSON *doc = t_load_shared_json(rel);
    const cJSON *v;
    int cases = 0, failures = 0, skipped = 0, hashes = 0;
    char label[160];

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(doc, "vectors"))
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(v, "protocol_name");
        enum st_noise_pattern p;
        if (!cJSON_IsString(name) || !pattern_of(name->valuestring, &p)) {
            skipped++;
            continue;
        }
        cases++;
        int ok = run_vector(v, p, &hashes);
        CHECK(ok);
        failures += !ok;
    }
    snprintf(label, sizeof label,
             "%s (BLAKE2b XX/IK; %d handshake hashes checked; %d other suites skipped)", rel,
             hashes, skipped);
    t_report_file(label, cases, failures);
    CHECK(cases >= min_expected);
    cJSON_Delete(doc);
}

int main(void)
{
    t_init();
    run_file("vectors/noise/cacophony_25519_ChaChaPoly_XX_IK.json", 2);
    run_file("vectors/noise/snow_25519_ChaChaPoly_XX_IK.json", 2);
    run_file("vectors/noise/cacophony.txt", 2);
    return t_done();
}
