/*
 * Client config (client/config.c): the account given with -a wins over the
 * file's default `account =` (found by fuzz_client_config: the second pass
 * used to overwrite the validated name with the file's value), per-account
 * sections win over global keys, and a bad line is reported with its file
 * and line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/config.h"
#include "testutil.h"

static void write_config(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

int main(void)
{
    char path[] = "/tmp/sotto-test-config-XXXXXX", msg[256];
    struct sc_config cfg;
    int fd;

    t_init();
    fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    setenv("SOTTO_CONFIG", path, 1);
    setenv("XDG_CONFIG_HOME", "/nonexistent-sotto-test", 1);
    setenv("XDG_DATA_HOME", "/tmp/sotto-test-data", 1);

    write_config(path, "account = alice\nserver = 1.2.3.4:1\n[account bob]\nserver = 5.6.7.8:2\n"
                       "trust_new_identities = never\n");
    CHECK_OK(sc_config_load(&cfg, NULL, msg, sizeof msg));
    CHECK(strcmp(cfg.account, "alice") == 0 && strcmp(cfg.server, "1.2.3.4:1") == 0);
    CHECK(cfg.trust_mode == SC_TRUST_MODE_TOFU);
    CHECK_OK(sc_config_load(&cfg, "bob", msg, sizeof msg));
    CHECK(strcmp(cfg.account, "bob") == 0 && strcmp(cfg.server, "5.6.7.8:2") == 0);
    CHECK(cfg.trust_mode == SC_TRUST_MODE_NEVER);
    CHECK(strcmp(cfg.data_dir, "/tmp/sotto-test-data/sotto/bob") == 0);

    /* An invalid default in the file does not replace a valid -a. */
    write_config(path, "account = ../../evil\n");
    CHECK(sc_config_load(&cfg, NULL, msg, sizeof msg) == SOTTO_ERR_INVALID_ARGUMENT);
    CHECK_OK(sc_config_load(&cfg, "carol", msg, sizeof msg));
    CHECK(strcmp(cfg.account, "carol") == 0);
    CHECK(strcmp(cfg.data_dir, "/tmp/sotto-test-data/sotto/carol") == 0);

    write_config(path, "[account carol]\ntrust_new_identities = maybe\n");
    CHECK(sc_config_load(&cfg, "carol", msg, sizeof msg) == SOTTO_ERR_INVALID_MESSAGE);
    CHECK(strstr(msg, ":2:") != NULL);

    unlink(path);
    return t_done();
}
