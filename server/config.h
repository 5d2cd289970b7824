/*
 * sottod configuration: INI file (inih) with documented defaults
 * (packaging/sottod.ini), each key overridable on the command line.
 */
#ifndef SD_CONFIG_H
#define SD_CONFIG_H

#include <stdint.h>

struct sd_rate {
    double per_sec; /* refill rate */
    double burst;   /* bucket size */
};

enum sd_store_kind { SD_STORE_SQLITE = 0, SD_STORE_POSTGRES = 1 };

struct sd_config {
    char listen[64];
    int port;
    char http_listen[64];
    int http_port; /* 0 = any free port */
    int http_enabled;
    char data_dir[512];
    char key_file[600]; /* default: <data_dir>/server.key */
    char db_path[600];  /* default: <data_dir>/sotto.db */
    char ready_file[600];
    char blob_dir[600];     /* default: <data_dir>/blobs */
    int store;              /* enum sd_store_kind: server.store = sqlite | postgres */
    char pg_conninfo[1024]; /* postgres.conninfo (libpq keywords or URI) */
    int log_level;
    uint32_t max_connections;
    uint32_t queue_cap;       /* envelopes per device */
    uint32_t message_ttl_s;   /* queued envelopes expire after this */
    uint32_t dedupe_window_s; /* acked guids remembered this long against retries */
    uint32_t handshake_timeout_ms;
    uint32_t link_timeout_ms;
    uint32_t idle_timeout_ms;
    uint32_t drain_timeout_ms;
    uint32_t attachment_max;          /* bytes per attachment */
    uint32_t attachment_ttl_s;        /* stored attachments deleted after this */
    uint32_t attachment_upload_ttl_s; /* unfinished uploads dropped after this */
    uint32_t attachment_uploads;      /* unfinished uploads per account */
    uint32_t attachment_inflight;     /* declared bytes of unfinished uploads per account */
    struct sd_rate connect_rate;      /* per address */
    struct sd_rate register_rate;     /* per address */
    struct sd_rate bundle_rate;       /* per account */
    struct sd_rate send_rate;         /* per account */
    struct sd_rate attachment_rate;   /* KiB of attachment chunks and reads, per account */
};

void sd_config_defaults(struct sd_config *c);
/* Loads an INI file over c. Returns 0, or the failing line (> 0), or -1. */
int sd_config_load(struct sd_config *c, const char *path);
/* Applies "section.key=value". 0 on success. */
int sd_config_set(struct sd_config *c, const char *assignment);
/* Fills derived paths (key_file, db_path) after loading. */
void sd_config_finish(struct sd_config *c);

#endif
