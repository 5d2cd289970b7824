/*
 * Client configuration and paths.
 *
 * Config files are INI (inih), read in this order, later values winning:
 * /etc/sotto/config, $SOTTO_CONFIG, $XDG_CONFIG_HOME/sotto/config
 * (default ~/.config/sotto/config). Keys outside any section or in [sotto]
 * apply to every account; keys in [account NAME] apply to that account and
 * win over the global ones:
 *
 *     account = alice                 ; default for -a
 *     [account alice]
 *     server = 127.0.0.1:7443
 *     server_key = <64 hex chars: the server's Noise static public key>
 *     trust_new_identities = tofu   ; or always, never
 *     log_key = <66 hex chars: the server's transparency log key (05...)>
 *
 * Data lives in $XDG_DATA_HOME/sotto/<account> (default
 * ~/.local/share/sotto/<account>), created 0700.
 */
#ifndef SC_CONFIG_H
#define SC_CONFIG_H

#include <stddef.h>

#include "client/store.h"

enum { SC_PATH_MAX = 4096, SC_VALUE_MAX = 256 };

/* trust_new_identities: how a contact's new or changed account key is
 * treated (see client/sync.h). */
enum sc_trust_mode {
    SC_TRUST_MODE_TOFU = 0,   /* first key trusted; a verified contact's change blocks */
    SC_TRUST_MODE_ALWAYS = 1, /* changes accepted (and announced) */
    SC_TRUST_MODE_NEVER = 2,  /* only keys verified with `sotto trust` are used */
};
/* Parses "tofu", "always", "never"; -1 if none of them. */
int sc_trust_mode_parse(const char *v);
const char *sc_trust_mode_name(int mode);

struct sc_config {
    char account[SC_NAME_MAX + 1];
    char server[SC_VALUE_MAX];     /* host:port */
    char server_key[SC_VALUE_MAX]; /* hex */
    char key_file[SC_PATH_MAX];    /* store key file; "" = <data>/store.key */
    char passphrase_file[SC_PATH_MAX];
    int trust_mode;              /* enum sc_trust_mode: trust_new_identities */
    char log_key[SC_VALUE_MAX];  /* hex; "" = pin the server's on first contact */
    char data_dir[SC_PATH_MAX];  /* the account's folder */
    char loaded[4][SC_PATH_MAX]; /* files that were read, for --help/debug */
    size_t nloaded;
};

/*
 * Loads the config for account (NULL: the config's `account`, else
 * "default"). Errors: SOTTO_ERR_INVALID_ARGUMENT for a bad account name
 * (msg says which), SOTTO_ERR_INVALID_MESSAGE for a file that does not
 * parse (msg says file and line). msg is always a NUL-terminated string.
 */
SOTTO_MUST_CHECK int sc_config_load(struct sc_config *cfg, const char *account, char *msg,
                                    size_t msgcap);
/* Creates dir and its parents with mode 0700. */
SOTTO_MUST_CHECK int sc_mkdir_p(const char *dir);
/* <data_dir>/<name> into out; SOTTO_ERR_TOO_LARGE if it does not fit. */
SOTTO_MUST_CHECK int sc_data_path(char *out, size_t cap, const struct sc_config *cfg,
                                  const char *name);

#endif
