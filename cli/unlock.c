/*
 * Finding and unlocking the account's store. The key comes from, in order:
 * the key file (config key_file, else <data>/store.key if present), the
 * config's passphrase_file, $SOTTO_PASSPHRASE, or a prompt on /dev/tty.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

enum { PASS_MAX = 1024 };

/* Reads one line from f into buf without the newline. */
static int read_line(char *buf, size_t cap, FILE *f)
{
    size_t n;
    if (fgets(buf, (int)cap, f) == NULL)
        return -1;
    n = strcspn(buf, "\r\n");
    buf[n] = 0;
    return 0;
}

static int prompt(char *buf, size_t cap, const char *question)
{
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    int rc, echo_off;
    if (tty == NULL)
        return -1;
    fputs(question, tty);
    fflush(tty);
    echo_off = tcgetattr(fileno(tty), &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    rc = read_line(buf, cap, tty);
    if (echo_off)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    return rc;
}

/* Gets the passphrase; confirm asks twice (new store). 0 or an exit code. */
static int get_passphrase(struct cli *c, char *pass, size_t cap, int confirm)
{
    const char *env = getenv("SOTTO_PASSPHRASE");
    char again[PASS_MAX];
    if (c->cfg.passphrase_file[0]) {
        FILE *f = fopen(c->cfg.passphrase_file, "r");
        int rc = f ? read_line(pass, cap, f) : -1;
        if (f)
            fclose(f);
        if (rc != 0)
            return cli_fail(c, EXIT_USER, "passphrase", "fix passphrase_file in the config",
                            "cannot read the passphrase file %s", c->cfg.passphrase_file);
        return 0;
    }
    if (env != NULL) {
        snprintf(pass, cap, "%s", env);
        return 0;
    }
    if (prompt(pass, cap, "Passphrase for the sotto store: ") != 0)
        return cli_fail(c, EXIT_USER, "passphrase",
                        "run on a terminal, set SOTTO_PASSPHRASE, or use a key file "
                        "(`sotto register --key-file`)",
                        "no terminal to ask for the store passphrase");
    if (confirm) {
        if (prompt(again, sizeof again, "Repeat the passphrase: ") != 0 || strcmp(pass, again))
            return cli_fail(c, EXIT_USER, "passphrase", "run the command again",
                            "the two passphrases differ");
    }
    if (strlen(pass) < 8 && confirm)
        return cli_fail(c, EXIT_USER, "passphrase", "choose one of 8 characters or more",
                        "the passphrase is too short");
    return 0;
}

static int load_config(struct cli *c)
{
    char msg[512];
    int rc = sc_config_load(&c->cfg, c->account, msg, sizeof msg);
    if (rc != SOTTO_OK)
        return cli_fail(c, EXIT_USER, "config", "", "%s", msg);
    if (c->trust_opt >= 0)
        c->cfg.trust_mode = c->trust_opt;
    return 0;
}

static int unlock(struct cli *c, int create, int use_keyfile)
{
    char keyfile[SC_PATH_MAX], pass[PASS_MAX];
    uint8_t key[SC_KEY_BYTES];
    int rc;

    if (c->cfg.key_file[0])
        snprintf(keyfile, sizeof keyfile, "%s", c->cfg.key_file);
    else if (sc_data_path(keyfile, sizeof keyfile, &c->cfg, "store.key") != SOTTO_OK)
        return cli_fail(c, EXIT_USER, "path", "set a shorter XDG_DATA_HOME", "path too long");
    if (create && use_keyfile)
        rc = sc_keyfile_create(key, keyfile);
    else
        rc = sc_keyfile_load(key, keyfile);
    if (rc == SOTTO_OK) {
        rc = sc_store_unlock_key(c->store, key);
        memset(key, 0, sizeof key);
        return rc == SOTTO_OK ? 0 : cli_fail_err(c, rc, "unlocking the store with the key file");
    }
    if (rc == SOTTO_ERR_INVALID_STATE)
        return cli_fail(c, EXIT_USER, "key_file",
                        "the key file must be a 32-byte file of mode 0600 owned by you "
                        "(chmod 600 it); an existing one is never overwritten",
                        "refusing key file %s", keyfile);
    if (rc != SOTTO_ERR_NOT_FOUND || (create && use_keyfile))
        return cli_fail_err(c, rc, "reading the key file");
    if (!create && sc_store_uses_keyfile(c->store))
        return cli_fail(c, EXIT_USER, "key_file", "restore the key file or point key_file at it",
                        "this account's store needs its key file %s, which is missing", keyfile);
    rc = get_passphrase(c, pass, sizeof pass, create);
    if (rc != 0)
        return rc;
    rc = sc_store_unlock_passphrase(c->store, pass, strlen(pass));
    memset(pass, 0, sizeof pass);
    if (rc == SOTTO_ERR_BAD_MAC)
        return cli_fail(c, EXIT_USER, "bad_passphrase", "try again with the right passphrase",
                        "wrong passphrase for account '%s'", c->cfg.account);
    return rc == SOTTO_OK ? 0 : cli_fail_err(c, rc, "unlocking the store");
}

int cli_open_store(struct cli *c, int create, int use_keyfile)
{
    char db[SC_PATH_MAX];
    struct stat sb;
    int rc = load_config(c);
    if (rc != 0)
        return rc;
    if (sc_data_path(db, sizeof db, &c->cfg, "store.db") != SOTTO_OK)
        return cli_fail(c, EXIT_USER, "path", "set a shorter XDG_DATA_HOME", "path too long");
    if (!create && stat(db, &sb) != 0)
        return cli_fail(c, EXIT_USER, "no_account",
                        "create it with `sotto -a NAME register` (or `link` for a second "
                        "device), or pick another with -a",
                        "account '%s' does not exist on this machine (%s)", c->cfg.account,
                        c->cfg.data_dir);
    c->existed = stat(db, &sb) == 0;
    if (c->existed)
        create = 0;
    if (sc_mkdir_p(c->cfg.data_dir) != SOTTO_OK)
        return cli_fail(c, EXIT_SERVER, "io", "check permissions of the parent folder",
                        "cannot create %s: %s", c->cfg.data_dir, strerror(errno));
    rc = sc_store_open(&c->store, db);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "opening the store");
    rc = unlock(c, create, use_keyfile);
    /* Disappearing messages: whatever has expired goes before anything is
     * shown. A failure leaves them for the next run. */
    if (rc == 0 && sc_store_message_expire(c->store, cli_now_ms(), NULL) != SOTTO_OK)
        fprintf(stderr, "sotto: note: could not delete expired messages\n");
    if (rc == 0 && sc_store_journal_prune(c->store, SC_JOURNAL_KEEP_ACKED, SC_JOURNAL_KEEP_MAX,
                                          NULL) != SOTTO_OK)
        fprintf(stderr, "sotto: note: could not prune the event journal\n");
    return rc;
}
