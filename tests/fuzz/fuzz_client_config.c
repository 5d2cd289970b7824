/*
 * libFuzzer target for the client config parser (client/config.c over
 * inih): the input is written as the $SOTTO_CONFIG file and loaded for the
 * config's own default account and for a named one. Config files are often
 * copied from other people. Invariants: success yields a valid account name
 * and a known trust mode; every string and the error message are
 * NUL-terminated within their arrays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void cleanup(void)
{
    unlink(path);
}

static void setup(void)
{
    int fd;
    if (path[0] != 0)
        return;
    snprintf(path, sizeof path, "/tmp/sotto-fuzz-config-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    atexit(cleanup);
    setenv("SOTTO_CONFIG", path, 1);
    setenv("XDG_CONFIG_HOME", "/nonexistent-sotto-fuzz", 1);
    setenv("XDG_DATA_HOME", "/nonexistent-sotto-fuzz", 1);
}

static void terminated(const char *s, size_t cap)
{
    if (memchr(s, 0, cap) == NULL)
        abort();
}

static void load(const char *account)
{
    struct sc_config cfg;
    char msg[256];
    int rc = sc_config_load(&cfg, account, msg, sizeof msg);
    terminated(msg, sizeof msg);
    if (rc != SOTTO_OK)
        return;
    terminated(cfg.account, sizeof cfg.account);
    terminated(cfg.server, sizeof cfg.server);
    terminated(cfg.server_key, sizeof cfg.server_key);
    terminated(cfg.key_file, sizeof cfg.key_file);
    terminated(cfg.passphrase_file, sizeof cfg.passphrase_file);
    terminated(cfg.data_dir, sizeof cfg.data_dir);
    if (!sc_name_valid(cfg.account) || cfg.trust_mode < 0 || cfg.trust_mode > 2 || cfg.nloaded > 4)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f;
    setup();
    f = fopen(path, "wb");
    if (f == NULL)
        abort();
    if (size > 0 && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    load(NULL);
    load("alice");
    return 0;
}
