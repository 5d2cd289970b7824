/*
 * sottod: the sotto relay server. Authenticates devices by their Noise
 * static key, distributes public keys, stores and forwards ciphertext.
 *
 *   sottod [options]                 serve
 *   sottod [options] admin VIEW ...  read-only operator views
 *   sottod [options] fingerprint     print the server key and exit
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "admin.h"
#include "config.h"
#include "crypto/crypto.h"
#include "handlers.h"
#include "keyfile.h"
#include "kt.h"
#include "log.h"
#include "server.h"

enum { MAX_OVERRIDES = 64 };

static void usage(FILE *f)
{
    fprintf(f, "usage: sottod [options] [admin VIEW [ARG] | fingerprint]\n"
               "\n"
               "  -c, --config FILE      INI configuration (see packaging/sottod.ini)\n"
               "  -o SECTION.KEY=VALUE   override one setting, e.g. -o limits.queue_cap=500\n"
               "      --listen ADDR      client address (server.listen, default 127.0.0.1)\n"
               "  -p, --port N           client port (server.port, default 7443; 0 = any)\n"
               "      --http-port N      /metrics and /healthz port (http.port, 7444; 0 = any)\n"
               "  -d, --data-dir DIR     database and key directory (server.data_dir, ./var)\n"
               "      --log-level L      debug, info, warn, error\n"
               "      --ready-file FILE  write port, key and fingerprint here once listening\n"
               "  -h, --help             this help\n"
               "\n"
               "admin views: accounts | devices USERNAME | queues | log | verify-log\n");
}

static int add_override(char **ov, int *n, const char *key, const char *val)
{
    size_t len = strlen(key) + strlen(val) + 2;
    if (*n >= MAX_OVERRIDES || (ov[*n] = malloc(len)) == NULL) {
        return -1;
    }
    snprintf(ov[*n], len, "%s=%s", key, val);
    (*n)++;
    return 0;
}

/* Builds the configuration: defaults < file < command line. optind is left
 * at the first non-option (subcommand). Returns -1 on error. */
static int parse_args(struct sd_config *cfg, int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"data-dir", required_argument, NULL, 'd'},
                                         {"listen", required_argument, NULL, 'L'},
                                         {"http-port", required_argument, NULL, 'H'},
                                         {"log-level", required_argument, NULL, 'l'},
                                         {"ready-file", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    static const char *const keys[128] = {
        ['p'] = "server.port", ['d'] = "server.data_dir",  ['L'] = "server.listen",
        ['H'] = "http.port",   ['l'] = "server.log_level", ['r'] = "server.ready_file"};
    char *ov[MAX_OVERRIDES];
    const char *file = NULL;
    int n = 0, ch, rc = 0;

    sd_config_defaults(cfg);
    while ((ch = getopt_long(argc, argv, "+c:o:p:d:h", opts, NULL)) != -1) {
        if (ch == 'h') {
            usage(stdout);
            exit(0);
        } else if (ch == 'c') {
            file = optarg;
        } else if (ch == 'o') {
            rc |= add_override(ov, &n, optarg, "") == 0 ? 0 : -1;
            if (rc == 0) {
                ov[n - 1][strlen(ov[n - 1]) - 1] = '\0'; /* drop the added '=' */
            }
        } else if (ch >= 0 && ch < 128 && keys[ch] != NULL) {
            rc |= add_override(ov, &n, keys[ch], optarg);
        } else {
            usage(stderr);
            return -1;
        }
    }
    if (file != NULL && (ch = sd_config_load(cfg, file)) != 0) {
        fprintf(stderr, "sottod: %s: %s\n", file, ch < 0 ? strerror(errno) : "bad setting above");
        rc = -1;
    }
    for (int i = 0; i < n; i++) {
        rc |= rc == 0 ? sd_config_set(cfg, ov[i]) : 0;
        free(ov[i]);
    }
    sd_config_finish(cfg);
    return rc;
}

/* The log key lives next to the server key: <data_dir>/log.key. */
static int kt_path(char *out, size_t cap, const struct sd_config *cfg)
{
    int n = snprintf(out, cap, "%s/log.key", cfg->data_dir);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int serve(const struct sd_config *cfg)
{
    static struct sd_server srv; /* large (read buffer); one per process */
    char hex[65], fp[48], ktkey[600], ktdesc[200];
    int created, rc = 1;

    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "sottod: cannot create data_dir %s: %s\n", cfg->data_dir, strerror(errno));
        return 1;
    }
    /* a peer that closes while we write must cost an EPIPE, not the process */
    signal(SIGPIPE, SIG_IGN);
    /* best effort: keep the long-term key out of swap */
    (void)mlock(srv.spriv, sizeof(srv.spriv));
    if (sd_keyfile_load(srv.spriv, srv.spub, &created, cfg->key_file) != 0) {
        return 1;
    }
    srv.cfg = cfg;
    srv.loop = uv_default_loop();
    if (sd_store_open(&srv.store, cfg, 0) != SD_ST_OK || (srv.rl = sd_rl_new(cfg)) == NULL) {
        fprintf(stderr, "sottod: cannot open the database %s\n",
                cfg->store == SD_STORE_POSTGRES ? "(postgres.conninfo)" : cfg->db_path);
        goto out;
    }
    if (kt_path(ktkey, sizeof(ktkey), cfg) != 0 || sd_kt_open(&srv.kt, srv.store, ktkey) != 0) {
        fprintf(stderr, "sottod: cannot open the transparency log (key %s)\n", ktkey);
        goto out;
    }
    if (sd_attach_open(&srv) != 0) {
        fprintf(stderr, "sottod: cannot open the attachment directory %s\n", cfg->blob_dir);
        goto out;
    }
    if (getenv("SOTTOD_TEST_FAIL_EVERY") != NULL) {
        uint32_t n = (uint32_t)strtoul(getenv("SOTTOD_TEST_FAIL_EVERY"), NULL, 10);
        sd_log(SD_LOG_WARN, "TEST MODE: store writes fail on purpose", "every=%u", n);
        sd_store_sqlite_fail_every(srv.store, n);
    }
#ifdef SD_CHAN_INSECURE
    sd_log(SD_LOG_ERROR,
           "INSECURE BUILD: Noise is not compiled in (lib/transport missing); "
           "traffic is NOT encrypted. Development only.",
           "chan=%s", "dev");
#endif
    if (sd_server_start(&srv) != 0) {
        goto out;
    }
    sd_hex(hex, srv.spub, 32);
    sd_fingerprint(fp, srv.spub);
    sd_kt_describe(srv.kt, ktdesc, sizeof(ktdesc));
    sd_log(SD_LOG_INFO, "sottod listening",
           "addr=%s port=%d http_port=%d store=%s db=\"%s\" key_created=%d "
           "server_key=%s fingerprint=\"%s\" %s",
           cfg->listen, srv.port, srv.http_port,
           cfg->store == SD_STORE_POSTGRES ? "postgres" : "sqlite",
           cfg->store == SD_STORE_POSTGRES ? "" : cfg->db_path, created, hex, fp, ktdesc);
    uv_run(srv.loop, UV_RUN_DEFAULT);
    sd_log(SD_LOG_INFO, "sottod stopped", "status=%s", "clean");
    rc = 0;
out:
    if (srv.store != NULL) {
        srv.store->ops->close(srv.store);
    }
    sd_attach_close(&srv);
    sd_kt_free(srv.kt);
    sd_rl_free(srv.rl);
    uv_loop_close(srv.loop);
    st_wipe(srv.spriv, sizeof(srv.spriv));
    return rc;
}

static int fingerprint(const struct sd_config *cfg)
{
    uint8_t priv[32], pub[32], lk[SOTTO_KT_KEY_BYTES] = {0x05};
    char hex[65], fp[48], ktkey[600], lkhex[2 * SOTTO_KT_KEY_BYTES + 1];
    int created;

    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        return 1;
    }
    if (sd_keyfile_load(priv, pub, &created, cfg->key_file) != 0) {
        return 1;
    }
    st_wipe(priv, sizeof(priv));
    sd_hex(hex, pub, 32);
    sd_fingerprint(fp, pub);
    if (kt_path(ktkey, sizeof(ktkey), cfg) != 0 ||
        sd_keyfile_load(priv, lk + 1, &created, ktkey) != 0) {
        return 1;
    }
    st_wipe(priv, sizeof(priv));
    sd_hex(lkhex, lk, sizeof(lk));
    printf("server_key=%s\nfingerprint=%s\nlog_key=%s\nlisten=%s\nport=%d\nhttp_port=%d\n", hex, fp,
           lkhex, cfg->listen, cfg->port, cfg->http_enabled ? cfg->http_port : 0);
    return 0;
}

int main(int argc, char **argv)
{
    struct sd_config cfg;

    if (parse_args(&cfg, argc, argv) != 0) {
        return 2;
    }
    sd_log_init(cfg.log_level);
    if (optind < argc && strcmp(argv[optind], "admin") == 0) {
        return sd_admin_main(&cfg, argc - optind - 1, argv + optind + 1);
    }
    if (optind < argc && strcmp(argv[optind], "fingerprint") == 0) {
        return fingerprint(&cfg);
    }
    if (optind < argc) {
        fprintf(stderr, "sottod: unknown command \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return serve(&cfg);
}
