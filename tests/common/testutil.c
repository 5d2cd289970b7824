#include "testutil.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sotto/sotto.h"

int t_checks;
int t_failed;

void t_init(void)
{
    if (sotto_init() != 0) {
        fprintf(stderr, "sotto_init failed\n");
        exit(1);
    }
}

int t_done(void)
{
    printf("%d passed, %d failed\n", t_checks - t_failed, t_failed);
    return t_failed == 0 ? 0 : 1;
}

const char *t_shared_path(const char *rel, char *buf, size_t cap)
{
    const char *dir = getenv("SOTTO_SHARED_DIR");
    if (dir == NULL || *dir == '\0')
        dir = SOTTO_SHARED_DIR;
    if ((size_t)snprintf(buf, cap, "%s/%s", dir, rel) >= cap) {
        fprintf(stderr, "path too long: %s/%s\n", dir, rel);
        exit(1);
    }
    return buf;
}

char *t_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL) {
        fprintf(stderr, "FATAL: cannot open %s (is ../shared beside the source tree?)\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "FATAL: cannot read %s\n", path);
        exit(1);
    }
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

cJSON *t_load_shared_json(const char *rel)
{
    char path[4096];
    char *text = t_read_file(t_shared_path(rel, path, sizeof path), NULL);
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (j == NULL) {
        fprintf(stderr, "FATAL: %s is not valid JSON\n", path);
        exit(1);
    }
    return j;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *t_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *out;

    if (n % 2 != 0)
        return NULL;
    out = malloc(n / 2 + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

uint8_t *t_json_hex(const cJSON *obj, const char *field, size_t *len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    *len = 0;
    if (!cJSON_IsString(v))
        return NULL;
    return t_unhex(v->valuestring, len);
}

void t_hex(char *out, const uint8_t *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

void t_report_file(const char *label, int cases, int failures)
{
    printf("%s: %d cases, %d failures\n", label, cases, failures);
}

struct seeded {
    uint8_t key[32];
    uint64_t counter;
};
static struct seeded seeded_rng;

static void seeded_fill(void *ctx, uint8_t *out, size_t len)
{
    struct seeded *s = ctx;
    uint8_t nonce[8];
    for (int i = 0; i < 8; i++)
        nonce[i] = (uint8_t)(s->counter >> (8 * i));
    s->counter++;
    crypto_stream_chacha20(out, len, nonce, s->key);
}

void t_seed_random(uint64_t seed)
{
    memset(&seeded_rng, 0, sizeof seeded_rng);
    for (int i = 0; i < 8; i++)
        seeded_rng.key[i] = (uint8_t)(seed >> (8 * i));
    printf("random seed: %llu\n", (unsigned long long)seed);
    sotto_random_set_source(seeded_fill, &seeded_rng);
}
