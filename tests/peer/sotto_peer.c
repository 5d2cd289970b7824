/*
 * sotto-peer: libsotto behind the peer-driver contract
 * (shared/spec/peer-driver.md): one JSON request per line on stdin, one
 * JSON response per line on stdout, in-memory stores, and with --state FILE
 * the whole store saved atomically before each response.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"
#include "sotto/fingerprint.h"
#include "sotto/sotto.h"

enum { LINE_MAX_BYTES = 16 << 20 };

uint64_t peer_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* sotto_err -> the contract's error codes. */
static const char *contract_code(int err)
{
    static const char *const known[] = {
        "no_session",        "invalid_message",    "invalid_version", "bad_mac",
        "duplicate_message", "untrusted_identity", "invalid_key",     "invalid_signature",
        "invalid_prekey",    "too_far_ahead",      "invalid_state",   "unsupported",
    };
    const char *name = sotto_err_name(err);

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(name, known[i]) == 0)
            return known[i];
    }
    return "invalid_message";
}

int peer_fail(struct failure *f, int err)
{
    f->code = contract_code(err);
    f->message = sotto_strerror(err);
    return -1;
}

int peer_bad_request(struct failure *f, const char *why)
{
    f->code = "bad_request";
    f->message = why;
    return -1;
}

/* ---- JSON field helpers ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *peer_get_hex(const cJSON *req, const char *field, size_t *len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, field);
    size_t n;
    uint8_t *out;

    *len = 0;
    if (!cJSON_IsString(v) || (n = strlen(v->valuestring)) % 2 != 0)
        return NULL;
    out = malloc(n / 2 + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(v->valuestring[2 * i]), lo = hexval(v->valuestring[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

static int get_hex_fixed(uint8_t *out, size_t want, const cJSON *req, const char *field)
{
    size_t len;
    uint8_t *b = peer_get_hex(req, field, &len);
    int ok = b != NULL && len == want;

    if (ok)
        memcpy(out, b, want);
    free(b);
    return ok ? 0 : -1;
}

int peer_get_u32(uint32_t *out, const cJSON *req, const char *field, double lo, double hi)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, field);

    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
        v->valuedouble != (double)(uint32_t)v->valuedouble)
        return -1;
    *out = (uint32_t)v->valuedouble;
    return 0;
}

static int get_bool(const cJSON *req, const char *field, int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, field);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

void peer_add_hex(cJSON *res, const char *field, const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * len + 1);

    if (s == NULL)
        return;
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * len] = 0;
    cJSON_AddStringToObject(res, field, s);
    free(s);
}

int peer_get_peer(struct sotto_address *a, const cJSON *req)
{
    const cJSON *peer = cJSON_GetObjectItemCaseSensitive(req, "peer");

    if (!cJSON_IsString(peer) || peer_get_u32(&a->device_id, req, "peer_device", 1, 127) != 0)
        return -1;
    a->name = peer->valuestring;
    return 0;
}

/* ---- ops ---- */

static int op_init(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "name");
    uint32_t device, reg;
    int rc;

    if (!cJSON_IsString(name) || strlen(name->valuestring) >= sizeof(d->name) ||
        peer_get_u32(&device, req, "device", 1, 127) ||
        peer_get_u32(&reg, req, "registration_id", 1, 16380))
        return peer_bad_request(f, "init needs name, device 1..127, registration_id 1..16380");
    /* A driver restored from --state keeps its identity for the same
     * (name, device), as the node driver does; another one is an error. */
    if (d->state_path != NULL && d->initialized) {
        if (strcmp(d->name, name->valuestring) != 0 || d->device != device)
            return peer_fail(f, SOTTO_ERR_INVALID_STATE);
        peer_add_hex(res, "identity_key", d->ms.identity_pub, SOTTO_PUBLIC_KEY_BYTES);
        return 0;
    }
    memstore_clear(&d->ms);
    memstore_init(&d->ms);
    memstore_bind(&d->st, &d->ms);
    if ((rc = sotto_identity_generate(d->ms.identity_pub, d->ms.identity_priv)) != SOTTO_OK)
        return peer_fail(f, rc);
    d->ms.registration_id = reg;
    snprintf(d->name, sizeof(d->name), "%s", name->valuestring);
    d->device = device;
    d->initialized = 1;
    d->next_id = 1;
    peer_add_hex(res, "identity_key", d->ms.identity_pub, SOTTO_PUBLIC_KEY_BYTES);
    return 0;
}

static int bundle_one_time(struct driver *d, cJSON *res)
{
    struct sotto_buf rec;
    uint8_t pub[SOTTO_PUBLIC_KEY_BYTES];
    uint32_t id;
    int rc;

    if ((rc = sotto_prekey_generate(&rec, d->next_id++)) != SOTTO_OK)
        return rc;
    if ((rc = sotto_prekey_public(&id, pub, rec.data, rec.len)) == SOTTO_OK)
        rc = ms_put(&d->ms.prekeys, NULL, id, rec.data, rec.len);
    sotto_buf_free(&rec);
    if (rc != SOTTO_OK)
        return rc;
    cJSON_AddNumberToObject(res, "prekey_id", id);
    peer_add_hex(res, "prekey", pub, sizeof(pub));
    return SOTTO_OK;
}

static int bundle_signed(struct driver *d, cJSON *res)
{
    struct sotto_buf rec;
    uint8_t pub[SOTTO_PUBLIC_KEY_BYTES], sig[SOTTO_SIGNATURE_BYTES];
    uint32_t id;
    int rc;

    rc = sotto_signed_prekey_generate(&rec, d->next_id++, d->ms.identity_priv, peer_now_ms());
    if (rc != SOTTO_OK)
        return rc;
    if ((rc = sotto_signed_prekey_public(&id, pub, sig, rec.data, rec.len)) == SOTTO_OK)
        rc = ms_put(&d->ms.signed_prekeys, NULL, id, rec.data, rec.len);
    sotto_buf_free(&rec);
    if (rc != SOTTO_OK)
        return rc;
    cJSON_AddNumberToObject(res, "signed_prekey_id", id);
    peer_add_hex(res, "signed_prekey", pub, sizeof(pub));
    peer_add_hex(res, "signed_prekey_signature", sig, sizeof(sig));
    return SOTTO_OK;
}

static int bundle_kyber(struct driver *d, cJSON *res)
{
    static uint8_t pub[SOTTO_KYBER_PUBLIC_BYTES];
    struct sotto_buf rec;
    uint8_t sig[SOTTO_SIGNATURE_BYTES];
    uint32_t id;
    int rc, last_resort;

    rc = sotto_kyber_prekey_generate(&rec, d->next_id++, d->ms.identity_priv, peer_now_ms(), 0);
    if (rc != SOTTO_OK)
        return rc;
    rc = sotto_kyber_prekey_public(&id, pub, sig, &last_resort, rec.data, rec.len);
    if (rc == SOTTO_OK)
        rc = ms_put(&d->ms.kyber_prekeys, NULL, id, rec.data, rec.len);
    sotto_buf_free(&rec);
    if (rc != SOTTO_OK)
        return rc;
    cJSON_AddNumberToObject(res, "kyber_prekey_id", id);
    peer_add_hex(res, "kyber_prekey", pub, sizeof(pub));
    peer_add_hex(res, "kyber_prekey_signature", sig, sizeof(sig));
    return SOTTO_OK;
}

static int op_bundle(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    int rc;

    cJSON_AddNumberToObject(res, "registration_id", d->ms.registration_id);
    cJSON_AddNumberToObject(res, "device_id", d->device);
    if (get_bool(req, "one_time", 1)) {
        if ((rc = bundle_one_time(d, res)) != SOTTO_OK)
            return peer_fail(f, rc);
    } else {
        cJSON_AddNullToObject(res, "prekey_id");
        cJSON_AddNullToObject(res, "prekey");
    }
    if ((rc = bundle_signed(d, res)) != SOTTO_OK)
        return peer_fail(f, rc);
    peer_add_hex(res, "identity_key", d->ms.identity_pub, SOTTO_PUBLIC_KEY_BYTES);
    if (get_bool(req, "kyber", 1)) {
        if ((rc = bundle_kyber(d, res)) != SOTTO_OK)
            return peer_fail(f, rc);
    } else {
        cJSON_AddNullToObject(res, "kyber_prekey_id");
        cJSON_AddNullToObject(res, "kyber_prekey");
        cJSON_AddNullToObject(res, "kyber_prekey_signature");
    }
    return 0;
}

static int parse_bundle(struct sotto_prekey_bundle *b, const cJSON *j)
{
    const cJSON *pk = cJSON_GetObjectItemCaseSensitive(j, "prekey");
    const cJSON *kk = cJSON_GetObjectItemCaseSensitive(j, "kyber_prekey");

    memset(b, 0, sizeof(*b));
    if (!cJSON_IsObject(j) ||
        peer_get_u32(&b->registration_id, j, "registration_id", 0, 4294967295.0) ||
        peer_get_u32(&b->device_id, j, "device_id", 0, 4294967295.0) ||
        peer_get_u32(&b->signed_prekey_id, j, "signed_prekey_id", 0, 4294967295.0) ||
        get_hex_fixed(b->signed_prekey, sizeof(b->signed_prekey), j, "signed_prekey") ||
        get_hex_fixed(b->signed_prekey_signature, sizeof(b->signed_prekey_signature), j,
                      "signed_prekey_signature") ||
        get_hex_fixed(b->identity_key, sizeof(b->identity_key), j, "identity_key"))
        return -1;
    if (pk != NULL && !cJSON_IsNull(pk)) {
        if (peer_get_u32(&b->prekey_id, j, "prekey_id", 0, 4294967295.0) ||
            get_hex_fixed(b->prekey, sizeof(b->prekey), j, "prekey"))
            return -1;
        b->has_prekey = 1;
    }
    if (kk != NULL && !cJSON_IsNull(kk)) {
        if (peer_get_u32(&b->kyber_prekey_id, j, "kyber_prekey_id", 0, 4294967295.0) ||
            get_hex_fixed(b->kyber_prekey, sizeof(b->kyber_prekey), j, "kyber_prekey") ||
            get_hex_fixed(b->kyber_prekey_signature, sizeof(b->kyber_prekey_signature), j,
                          "kyber_prekey_signature"))
            return -1;
        b->has_kyber = 1;
    }
    return 0;
}

static int op_process_bundle(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    static struct sotto_prekey_bundle b;
    struct sotto_address peer;
    int rc;

    (void)res;
    if (peer_get_peer(&peer, req) ||
        parse_bundle(&b, cJSON_GetObjectItemCaseSensitive(req, "bundle")) != 0)
        return peer_bad_request(f, "process_bundle needs peer, peer_device and a bundle object");
    if ((rc = sotto_session_process_bundle(&d->st, &peer, &b, peer_now_ms())) != SOTTO_OK)
        return peer_fail(f, rc);
    return 0;
}

static int op_encrypt(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    struct sotto_address peer;
    struct sotto_buf ct;
    size_t len;
    uint8_t *pt = peer_get_hex(req, "plaintext", &len);
    int rc, type;

    if (pt == NULL || peer_get_peer(&peer, req)) {
        free(pt);
        return peer_bad_request(f, "encrypt needs peer, peer_device and hex plaintext");
    }
    rc = sotto_session_encrypt(&ct, &type, &d->st, &peer, pt, len, peer_now_ms());
    free(pt);
    if (rc != SOTTO_OK)
        return peer_fail(f, rc);
    cJSON_AddNumberToObject(res, "type", type);
    peer_add_hex(res, "ciphertext", ct.data, ct.len);
    sotto_buf_free(&ct);
    return 0;
}

static int op_decrypt(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    struct sotto_address peer;
    struct sotto_buf pt;
    uint32_t type;
    size_t len;
    uint8_t *ct = peer_get_hex(req, "ciphertext", &len);
    int rc;

    if (ct == NULL || peer_get_peer(&peer, req) || peer_get_u32(&type, req, "type", 0, 255)) {
        free(ct);
        return peer_bad_request(f, "decrypt needs peer, peer_device, type and hex ciphertext");
    }
    rc = sotto_session_decrypt(&pt, &d->st, &peer, (int)type, ct, len);
    free(ct);
    if (rc != SOTTO_OK)
        return peer_fail(f, rc);
    peer_add_hex(res, "plaintext", pt.data, pt.len);
    sotto_buf_free(&pt);
    return 0;
}

static int op_identity(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    struct sotto_address peer;
    struct ms_entry *e;

    if (peer_get_peer(&peer, req))
        return peer_bad_request(f, "identity needs peer and peer_device");
    e = ms_find(d->ms.identities, peer.name, peer.device_id);
    if (e == NULL)
        cJSON_AddNullToObject(res, "identity_key");
    else
        peer_add_hex(res, "identity_key", e->data, e->len);
    return 0;
}

static int op_fingerprint(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    const cJSON *lid = cJSON_GetObjectItemCaseSensitive(req, "local_id");
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(req, "remote_id");
    struct sotto_fingerprint fp;
    uint32_t version = SOTTO_FINGERPRINT_VERSION, iterations = SOTTO_FINGERPRINT_ITERATIONS;
    uint8_t *key;
    size_t klen;
    int rc;

    key = peer_get_hex(req, "remote_identity_key", &klen);
    if (!cJSON_IsString(lid) || !cJSON_IsString(rid) || key == NULL ||
        (cJSON_GetObjectItemCaseSensitive(req, "version") != NULL &&
         peer_get_u32(&version, req, "version", 0, 4294967295.0)) ||
        (cJSON_GetObjectItemCaseSensitive(req, "iterations") != NULL &&
         peer_get_u32(&iterations, req, "iterations", 1, 10000000))) {
        free(key);
        return peer_bad_request(f,
                                "fingerprint needs local_id, remote_id, hex remote_identity_key");
    }
    rc = sotto_fingerprint_create(&fp, version, iterations, (const uint8_t *)lid->valuestring,
                                  strlen(lid->valuestring), d->ms.identity_pub,
                                  SOTTO_PUBLIC_KEY_BYTES, (const uint8_t *)rid->valuestring,
                                  strlen(rid->valuestring), key, klen);
    free(key);
    if (rc != SOTTO_OK)
        return peer_fail(f, rc);
    cJSON_AddStringToObject(res, "displayable", fp.displayable);
    peer_add_hex(res, "scannable", fp.scannable, fp.scannable_len);
    return 0;
}

static int op_compare_scannable(struct driver *d, const cJSON *req, cJSON *res, struct failure *f)
{
    size_t mlen, tlen;
    uint8_t *mine = peer_get_hex(req, "mine", &mlen), *theirs = peer_get_hex(req, "theirs", &tlen);
    int rc, match = 0;

    (void)d;
    if (mine == NULL || theirs == NULL) {
        free(mine);
        free(theirs);
        return peer_bad_request(f, "compare_scannable needs hex mine and theirs");
    }
    rc = sotto_fingerprint_compare(&match, mine, mlen, theirs, tlen);
    free(mine);
    free(theirs);
    if (rc != SOTTO_OK)
        return peer_fail(f, rc);
    cJSON_AddBoolToObject(res, "match", match);
    return 0;
}

struct op {
    const char *name;
    int (*fn)(struct driver *d, const cJSON *req, cJSON *res, struct failure *f);
    int needs_init;
};

static const struct op ops[] = {
    {"init", op_init, 0},
    {"bundle", op_bundle, 1},
    {"process_bundle", op_process_bundle, 1},
    {"encrypt", op_encrypt, 1},
    {"decrypt", op_decrypt, 1},
    {"identity", op_identity, 1},
    {"fingerprint", op_fingerprint, 1},
    {"compare_scannable", op_compare_scannable, 0},
    {"group_create", op_group_create, 1},
    {"group_process", op_group_process, 1},
    {"group_encrypt", op_group_encrypt, 1},
    {"group_decrypt", op_group_decrypt, 1},
    {"sealed_encrypt", op_sealed_encrypt, 1},
    {"sealed_decrypt", op_sealed_decrypt, 1},
};

/* ---- state file ---- */

static int save_state(const struct driver *d)
{
    cJSON *j;
    char *text, tmp[4096];
    FILE *fp;
    int ok;

    if (d->state_path == NULL)
        return 0;
    j = memstore_to_json(&d->ms);
    if (j == NULL)
        return -1;
    cJSON_AddStringToObject(j, "name", d->name);
    cJSON_AddNumberToObject(j, "device", d->device);
    cJSON_AddNumberToObject(j, "next_id", d->next_id);
    cJSON_AddBoolToObject(j, "initialized", d->initialized);
    text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (text == NULL)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s.tmp", d->state_path);
    fp = fopen(tmp, "w");
    ok = fp != NULL && fputs(text, fp) >= 0;
    if (fp != NULL)
        ok = fflush(fp) == 0 && fsync(fileno(fp)) == 0 && ok;
    if (fp != NULL && fclose(fp) != 0)
        ok = 0;
    free(text);
    if (!ok || rename(tmp, d->state_path) != 0) {
        fprintf(stderr, "sotto-peer: cannot save state to %s: %s\n", d->state_path,
                strerror(errno));
        return -1;
    }
    return 0;
}

static int load_state(struct driver *d)
{
    FILE *fp = fopen(d->state_path, "r");
    char *text;
    long n;
    cJSON *j;
    const cJSON *name, *device, *next;
    int rc = -1;

    if (fp == NULL)
        return errno == ENOENT ? 0 : -1;
    if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
        (text = malloc((size_t)n + 1)) == NULL) {
        fclose(fp);
        return -1;
    }
    if (fread(text, 1, (size_t)n, fp) != (size_t)n) {
        free(text);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    text[n] = 0;
    j = cJSON_Parse(text);
    free(text);
    if (j == NULL)
        return -1;
    name = cJSON_GetObjectItem(j, "name");
    device = cJSON_GetObjectItem(j, "device");
    next = cJSON_GetObjectItem(j, "next_id");
    if (cJSON_IsString(name) && cJSON_IsNumber(device) && cJSON_IsNumber(next) &&
        memstore_from_json(&d->ms, j) == 0) {
        snprintf(d->name, sizeof(d->name), "%s", name->valuestring);
        d->device = (uint32_t)device->valuedouble;
        d->next_id = (uint32_t)next->valuedouble;
        d->initialized = cJSON_IsTrue(cJSON_GetObjectItem(j, "initialized"));
        rc = 0;
    }
    cJSON_Delete(j);
    return rc;
}

/* ---- main loop ---- */

static cJSON *handle(struct driver *d, const char *line, int *quit)
{
    cJSON *req = cJSON_Parse(line), *res = cJSON_CreateObject();
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
    struct failure f = {"bad_request", "malformed request line"};
    int rc = -1;

    if (req != NULL && cJSON_IsObject(req) && cJSON_IsString(op)) {
        f.message = "unknown op";
        if (strcmp(op->valuestring, "quit") == 0) {
            *quit = 1;
            rc = 0;
        }
        for (size_t i = 0; !*quit && i < sizeof(ops) / sizeof(ops[0]); i++) {
            if (strcmp(op->valuestring, ops[i].name) != 0)
                continue;
            if (ops[i].needs_init && !d->initialized)
                rc = peer_bad_request(&f, "init first");
            else
                rc = ops[i].fn(d, req, res, &f);
            break;
        }
    }
    if (rc == 0 && save_state(d) != 0)
        rc = peer_bad_request(&f, "cannot save state");
    if (rc != 0) {
        cJSON_Delete(res);
        res = cJSON_CreateObject();
        cJSON_AddFalseToObject(res, "ok");
        cJSON_AddStringToObject(res, "error", f.code);
        cJSON_AddStringToObject(res, "message", f.message);
    } else {
        cJSON_AddTrueToObject(res, "ok");
    }
    cJSON_Delete(req);
    return res;
}

int main(int argc, char **argv)
{
    static struct driver d;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int quit = 0;

    if (sotto_init() != SOTTO_OK) {
        fprintf(stderr, "sotto-peer: sotto_init failed\n");
        return 1;
    }
    memstore_init(&d.ms);
    memstore_bind(&d.st, &d.ms);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--state") == 0 && i + 1 < argc) {
            d.state_path = argv[++i];
        } else {
            fprintf(stderr, "usage: sotto-peer [--state FILE]\n");
            return 2;
        }
    }
    if (d.state_path != NULL && load_state(&d) != 0) {
        fprintf(stderr, "sotto-peer: cannot read state file %s\n", d.state_path);
        return 1;
    }
    memstore_bind(&d.st, &d.ms);
    while (!quit && (n = getline(&line, &cap, stdin)) > 0) {
        cJSON *res;
        char *out;
        if (n > LINE_MAX_BYTES)
            line[0] = 0; /* answered as bad_request */
        res = handle(&d, line, &quit);
        out = cJSON_PrintUnformatted(res);
        cJSON_Delete(res);
        if (out == NULL)
            return 1;
        printf("%s\n", out);
        fflush(stdout);
        free(out);
    }
    free(line);
    memstore_clear(&d.ms);
    return 0;
}
