/* INI configuration (config.h). Every key is listed in packaging/sottod.ini. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void sd_config_defaults(struct sd_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1");
    c->port = 7443;
    snprintf(c->http_listen, sizeof(c->http_listen), "127.0.0.1");
    c->http_port = 7444;
    c->http_enabled = 1;
    snprintf(c->data_dir, sizeof(c->data_dir), "./var");
    c->log_level = SD_LOG_INFO;
    c->max_connections = 10000;
    c->queue_cap = 10000;
    c->message_ttl_s = 30 * 24 * 3600;
    c->dedupe_window_s = 7 * 24 * 3600;
    c->handshake_timeout_ms = 10000;
    c->link_timeout_ms = 120000;
    c->idle_timeout_ms = 300000;
    c->drain_timeout_ms = 5000;
    c->attachment_max = 100u << 20;
    c->attachment_ttl_s = 30 * 24 * 3600;
    c->attachment_upload_ttl_s = 24 * 3600;
    c->attachment_uploads = 4;
    c->attachment_inflight = 256u << 20;
    c->connect_rate = (struct sd_rate){.per_sec = 10, .burst = 50};
    c->register_rate = (struct sd_rate){.per_sec = 0.1, .burst = 10};
    c->bundle_rate = (struct sd_rate){.per_sec = 10, .burst = 200};
    c->send_rate = (struct sd_rate){.per_sec = 200, .burst = 1000};
    c->attachment_rate = (struct sd_rate){.per_sec = 10240, .burst = 262144};
}

static int set_str(char *dst, size_t n, const char *v)
{
    if (strlen(v) >= n) {
        return -1;
    }
    snprintf(dst, n, "%s", v);
    return 0;
}

static int set_u32(uint32_t *dst, const char *v, uint32_t min, uint32_t max)
{
    char *end;
    unsigned long long x;

    errno = 0;
    x = strtoull(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || x < min || x > max) {
        return -1;
    }
    *dst = (uint32_t)x;
    return 0;
}

static int set_port(int *dst, const char *v)
{
    uint32_t x;
    if (set_u32(&x, v, 0, 65535) != 0) {
        return -1;
    }
    *dst = (int)x;
    return 0;
}

static int set_bool(int *dst, const char *v)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0) {
        *dst = 1;
    } else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0) {
        *dst = 0;
    } else {
        return -1;
    }
    return 0;
}

static int set_double(double *dst, const char *v)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || !(x >= 0) || x > 1e9) {
        return -1;
    }
    *dst = x;
    return 0;
}

static int set_rate(struct sd_rate *r, const char *key, const char *suffix_rate, const char *v)
{
    if (strcmp(key, suffix_rate) == 0) {
        return set_double(&r->per_sec, v);
    }
    return set_double(&r->burst, v);
}

static int set_store(int *dst, const char *v)
{
    if (strcmp(v, "sqlite") == 0) {
        *dst = SD_STORE_SQLITE;
    } else if (strcmp(v, "postgres") == 0) {
        *dst = SD_STORE_POSTGRES;
    } else {
        return -1;
    }
    return 0;
}

static int set_server(struct sd_config *c, const char *k, const char *v)
{
    if (strcmp(k, "listen") == 0) {
        return set_str(c->listen, sizeof(c->listen), v);
    }
    if (strcmp(k, "port") == 0) {
        return set_port(&c->port, v);
    }
    if (strcmp(k, "data_dir") == 0) {
        return set_str(c->data_dir, sizeof(c->data_dir), v);
    }
    if (strcmp(k, "key_file") == 0) {
        return set_str(c->key_file, sizeof(c->key_file), v);
    }
    if (strcmp(k, "database") == 0) {
        return set_str(c->db_path, sizeof(c->db_path), v);
    }
    if (strcmp(k, "store") == 0) {
        return set_store(&c->store, v);
    }
    if (strcmp(k, "blob_dir") == 0) {
        return set_str(c->blob_dir, sizeof(c->blob_dir), v);
    }
    if (strcmp(k, "ready_file") == 0) {
        return set_str(c->ready_file, sizeof(c->ready_file), v);
    }
    if (strcmp(k, "log_level") == 0) {
        c->log_level = sd_log_level_parse(v);
        return c->log_level < 0 ? -1 : 0;
    }
    if (strcmp(k, "max_connections") == 0) {
        return set_u32(&c->max_connections, v, 1, 1000000);
    }
    return -1;
}

static int set_limits(struct sd_config *c, const char *k, const char *v)
{
    static const struct {
        const char *name;
        size_t off;
        uint32_t min, max;
    } u32s[] = {
        {"queue_cap", offsetof(struct sd_config, queue_cap), 1, 10000000},
        {"message_ttl", offsetof(struct sd_config, message_ttl_s), 1, 365 * 24 * 3600},
        {"dedupe_window", offsetof(struct sd_config, dedupe_window_s), 0, 365 * 24 * 3600},
        {"handshake_timeout_ms", offsetof(struct sd_config, handshake_timeout_ms), 10, 600000},
        {"link_timeout_ms", offsetof(struct sd_config, link_timeout_ms), 10, 3600000},
        {"idle_timeout_ms", offsetof(struct sd_config, idle_timeout_ms), 100, 86400000},
        {"drain_timeout_ms", offsetof(struct sd_config, drain_timeout_ms), 0, 600000},
        {"attachment_max", offsetof(struct sd_config, attachment_max), 1, 0xffffffffu},
        {"attachment_ttl", offsetof(struct sd_config, attachment_ttl_s), 1, 3650 * 24 * 3600},
        {"attachment_upload_ttl", offsetof(struct sd_config, attachment_upload_ttl_s), 1,
         30 * 24 * 3600},
        {"attachment_uploads", offsetof(struct sd_config, attachment_uploads), 1, 1000},
        {"attachment_inflight", offsetof(struct sd_config, attachment_inflight), 1, 0xffffffffu},
    };
    static const struct {
        const char *prefix;
        size_t off;
    } rates[] = {
        {"connect_", offsetof(struct sd_config, connect_rate)},
        {"register_", offsetof(struct sd_config, register_rate)},
        {"bundle_", offsetof(struct sd_config, bundle_rate)},
        {"send_", offsetof(struct sd_config, send_rate)},
        {"attachment_kib_", offsetof(struct sd_config, attachment_rate)},
    };
    for (size_t i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++) {
        if (strcmp(k, u32s[i].name) == 0) {
            return set_u32((uint32_t *)((char *)c + u32s[i].off), v, u32s[i].min, u32s[i].max);
        }
    }
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        size_t pl = strlen(rates[i].prefix);
        if (strncmp(k, rates[i].prefix, pl) == 0 &&
            (strcmp(k + pl, "per_sec") == 0 || strcmp(k + pl, "burst") == 0)) {
            return set_rate((struct sd_rate *)((char *)c + rates[i].off), k + pl, "per_sec", v);
        }
    }
    return -1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct sd_config *c = user;
    int rc = -1;

    if (strcmp(section, "server") == 0) {
        rc = set_server(c, name, value);
    } else if (strcmp(section, "http") == 0 && strcmp(name, "listen") == 0) {
        rc = set_str(c->http_listen, sizeof(c->http_listen), value);
    } else if (strcmp(section, "http") == 0 && strcmp(name, "port") == 0) {
        rc = set_port(&c->http_port, value);
    } else if (strcmp(section, "http") == 0 && strcmp(name, "enabled") == 0) {
        rc = set_bool(&c->http_enabled, value);
    } else if (strcmp(section, "postgres") == 0 && strcmp(name, "conninfo") == 0) {
        rc = set_str(c->pg_conninfo, sizeof(c->pg_conninfo), value);
    } else if (strcmp(section, "limits") == 0) {
        rc = set_limits(c, name, value);
    }
    if (rc != 0) {
        fprintf(stderr, "sottod: config: bad or unknown setting [%s] %s = %s\n", section, name,
                value);
    }
    return rc == 0; /* inih: nonzero = ok */
}

int sd_config_load(struct sd_config *c, const char *path)
{
    return ini_parse(path, handler, c);
}

int sd_config_set(struct sd_config *c, const char *assignment)
{
    char sec[64], key[64];
    const char *dot = strchr(assignment, '.');
    const char *eq = strchr(assignment, '=');

    if (dot == NULL || eq == NULL || dot > eq || (size_t)(dot - assignment) >= sizeof(sec) ||
        (size_t)(eq - dot - 1) >= sizeof(key)) {
        fprintf(stderr, "sottod: -o wants section.key=value, got \"%s\"\n", assignment);
        return -1;
    }
    snprintf(sec, sizeof(sec), "%.*s", (int)(dot - assignment), assignment);
    snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
    return handler(c, sec, key, eq + 1) ? 0 : -1;
}

void sd_config_finish(struct sd_config *c)
{
    if (c->key_file[0] == '\0') {
        snprintf(c->key_file, sizeof(c->key_file), "%s/server.key", c->data_dir);
    }
    if (c->db_path[0] == '\0') {
        snprintf(c->db_path, sizeof(c->db_path), "%s/sotto.db", c->data_dir);
    }
    if (c->blob_dir[0] == '\0') {
        snprintf(c->blob_dir, sizeof(c->blob_dir), "%s/blobs", c->data_dir);
    }
}
