/* Config loading (inih) and XDG paths; see config.h. */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client/config.h"

struct pass {
    struct sc_config *cfg;
    const char *account; /* NULL on the first pass */
    char global_server[SC_VALUE_MAX], global_key[SC_VALUE_MAX];
    char acct_server[SC_VALUE_MAX], acct_key[SC_VALUE_MAX];
    char global_keyfile[SC_PATH_MAX], acct_keyfile[SC_PATH_MAX];
    char global_pass[SC_PATH_MAX], acct_pass[SC_PATH_MAX];
    char global_log[SC_VALUE_MAX], acct_log[SC_VALUE_MAX];
    int global_trust, acct_trust; /* -1 = not set */
};

static void set(char *dst, size_t cap, const char *v)
{
    snprintf(dst, cap, "%s", v);
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
    struct pass *p = user;
    int global = section[0] == 0 || strcmp(section, "sotto") == 0;
    int mine = p->account != NULL && strncmp(section, "account ", 8) == 0 &&
               strcmp(section + 8, p->account) == 0;

    if (global && strcmp(name, "account") == 0) {
        /* The default account is read on the first pass only: on the second
         * the account is chosen (and validated) and must stay as it is. */
        if (p->account == NULL)
            set(p->cfg->account, sizeof p->cfg->account, value);
    } else if (strcmp(name, "server") == 0 && (global || mine))
        set(global ? p->global_server : p->acct_server, SC_VALUE_MAX, value);
    else if (strcmp(name, "server_key") == 0 && (global || mine))
        set(global ? p->global_key : p->acct_key, SC_VALUE_MAX, value);
    else if (strcmp(name, "log_key") == 0 && (global || mine))
        set(global ? p->global_log : p->acct_log, SC_VALUE_MAX, value);
    else if (strcmp(name, "key_file") == 0 && (global || mine))
        set(global ? p->global_keyfile : p->acct_keyfile, SC_PATH_MAX, value);
    else if (strcmp(name, "passphrase_file") == 0 && (global || mine))
        set(global ? p->global_pass : p->acct_pass, SC_PATH_MAX, value);
    else if (strcmp(name, "trust_new_identities") == 0 && (global || mine)) {
        int m = sc_trust_mode_parse(value);
        if (m < 0)
            return 0; /* reported as a parse error on this line */
        if (global)
            p->global_trust = m;
        else
            p->acct_trust = m;
    }
    /* Unknown keys are ignored so older clients read newer files. */
    return 1;
}

int sc_trust_mode_parse(const char *v)
{
    if (strcmp(v, "tofu") == 0)
        return SC_TRUST_MODE_TOFU;
    if (strcmp(v, "always") == 0)
        return SC_TRUST_MODE_ALWAYS;
    if (strcmp(v, "never") == 0)
        return SC_TRUST_MODE_NEVER;
    return -1;
}

const char *sc_trust_mode_name(int mode)
{
    return mode == SC_TRUST_MODE_ALWAYS ? "always" : mode == SC_TRUST_MODE_NEVER ? "never" : "tofu";
}

static int read_all(struct pass *p, const char *const *files, size_t n, char *msg, size_t cap)
{
    for (size_t i = 0; i < n; i++) {
        int line;
        if (files[i] == NULL || files[i][0] == 0)
            continue;
        line = ini_parse(files[i], on_value, p);
        if (line == -1)
            continue; /* absent: fine */
        if (line != 0) {
            snprintf(msg, cap, "%s:%d: cannot parse this line; fix or remove it", files[i], line);
            return SOTTO_ERR_INVALID_MESSAGE;
        }
        if (p->account != NULL && p->cfg->nloaded < 4)
            set(p->cfg->loaded[p->cfg->nloaded++], SC_PATH_MAX, files[i]);
    }
    return SOTTO_OK;
}

static void xdg_dir(char *out, size_t cap, const char *env, const char *fallback)
{
    const char *v = getenv(env), *home = getenv("HOME");
    if (v != NULL && v[0] == '/')
        snprintf(out, cap, "%s", v);
    else
        snprintf(out, cap, "%s/%s", home ? home : "/nonexistent", fallback);
}

int sc_config_load(struct sc_config *cfg, const char *account, char *msg, size_t msgcap)
{
    char user_cfg[SC_PATH_MAX], base[SC_PATH_MAX];
    const char *files[3];
    struct pass *p;
    int rc, n;

    memset(cfg, 0, sizeof *cfg);
    msg[0] = 0;
    xdg_dir(base, sizeof base, "XDG_CONFIG_HOME", ".config");
    if (snprintf(user_cfg, sizeof user_cfg, "%.4000s/sotto/config", base) < 0)
        user_cfg[0] = 0;
    files[0] = "/etc/sotto/config";
    files[1] = getenv("SOTTO_CONFIG");
    files[2] = user_cfg;
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return SOTTO_ERR_NOMEM;
    p->cfg = cfg;
    p->global_trust = p->acct_trust = -1;
    rc = read_all(p, files, 3, msg, msgcap); /* pass 1: the default account */
    if (rc != SOTTO_OK)
        goto out;
    if (account != NULL)
        set(cfg->account, sizeof cfg->account, account);
    if (cfg->account[0] == 0)
        set(cfg->account, sizeof cfg->account, "default");
    if (!sc_name_valid(cfg->account)) {
        snprintf(msg, msgcap,
                 "account name '%s' is not valid: use 1-64 of a-z 0-9 . _ - (e.g. -a alice)",
                 cfg->account);
        rc = SOTTO_ERR_INVALID_ARGUMENT;
        goto out;
    }
    p->account = cfg->account;
    rc = read_all(p, files, 3, msg, msgcap); /* pass 2: values for it */
    if (rc != SOTTO_OK)
        goto out;
    set(cfg->server, sizeof cfg->server, p->acct_server[0] ? p->acct_server : p->global_server);
    set(cfg->server_key, sizeof cfg->server_key, p->acct_key[0] ? p->acct_key : p->global_key);
    set(cfg->log_key, sizeof cfg->log_key, p->acct_log[0] ? p->acct_log : p->global_log);
    set(cfg->key_file, sizeof cfg->key_file,
        p->acct_keyfile[0] ? p->acct_keyfile : p->global_keyfile);
    set(cfg->passphrase_file, sizeof cfg->passphrase_file,
        p->acct_pass[0] ? p->acct_pass : p->global_pass);
    cfg->trust_mode = p->acct_trust >= 0     ? p->acct_trust
                      : p->global_trust >= 0 ? p->global_trust
                                             : SC_TRUST_MODE_TOFU;
    xdg_dir(base, sizeof base, "XDG_DATA_HOME", ".local/share");
    n = snprintf(cfg->data_dir, sizeof cfg->data_dir, "%.3900s/sotto/%s", base, cfg->account);
    if (n < 0 || (size_t)n >= sizeof cfg->data_dir) {
        snprintf(msg, msgcap, "data folder path is too long; set XDG_DATA_HOME shorter");
        rc = SOTTO_ERR_TOO_LARGE;
    }
out:
    free(p);
    return rc;
}

int sc_mkdir_p(const char *dir)
{
    char tmp[SC_PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof tmp)
        return SOTTO_ERR_TOO_LARGE;
    memcpy(tmp, dir, n + 1);
    for (char *c = tmp + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = 0;
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return SOTTO_ERR_STORE;
        *c = '/';
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return SOTTO_ERR_STORE;
    return SOTTO_OK;
}

int sc_data_path(char *out, size_t cap, const struct sc_config *cfg, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", cfg->data_dir, name);
    if (n < 0 || (size_t)n >= cap)
        return SOTTO_ERR_TOO_LARGE;
    return SOTTO_OK;
}
