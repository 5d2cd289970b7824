/*
 * Opening, unlocking and closing the store; key files; transactions.
 *
 * Key hierarchy: master (32 bytes, Argon2id(passphrase, salt) or a key file)
 * -> HKDF-SHA256 -> seal key and index key. meta.verifier is a sealed
 * constant that tells a wrong passphrase from a corrupted store.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "internal.h"

static const char verifier_text[] = "sotto local store v1";

int sc_prepare(struct sc_store *s, sqlite3_stmt **st, const char *sql, int need_keys)
{
    *st = NULL;
    if (need_keys && s->keys == NULL)
        return SOTTO_ERR_INVALID_STATE;
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return SOTTO_ERR_STORE;
    return SOTTO_OK;
}

int sc_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT)
        return SOTTO_ERR_DUPLICATE_MESSAGE;
    return rc == SQLITE_DONE ? SOTTO_OK : SOTTO_ERR_STORE;
}

int sc_exec(struct sc_store *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? SOTTO_OK : SOTTO_ERR_STORE;
}

/* Creates the file 0600 before SQLite sees it (its -wal/-shm files copy the
 * main file's mode). */
static int create_private(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return SOTTO_ERR_STORE;
    close(fd);
    return SOTTO_OK;
}

int sc_store_open(struct sc_store **out, const char *path)
{
    struct sc_store *s;
    int rc;

    *out = NULL;
    rc = create_private(path);
    if (rc != SOTTO_OK)
        return rc;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return SOTTO_ERR_NOMEM;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        rc = SOTTO_ERR_STORE;
        goto out;
    }
    sqlite3_busy_timeout(s->db, 10000);
    /* WAL with synchronous=FULL: a committed send survives a crash or power
     * loss; secure_delete overwrites freed pages. */
    rc = sc_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                    "PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON");
    if (rc != SOTTO_OK)
        goto out;
    rc = sc_schema_migrate(s);
out:
    if (rc != SOTTO_OK) {
        sc_store_close(s);
        return rc;
    }
    *out = s;
    return SOTTO_OK;
}

void sc_store_close(struct sc_store *s)
{
    if (s == NULL)
        return;
    if (s->keys != NULL)
        sodium_free(s->keys); /* sodium_free wipes */
    sqlite3_close_v2(s->db);
    free(s);
}

static int meta_get(struct sc_store *s, uint8_t *v, size_t cap, size_t *len, const char *k)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st, "SELECT v FROM meta WHERE k = ?", 0);
    *len = 0;
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    rc = SOTTO_ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        rc = SOTTO_ERR_TOO_LARGE;
        if (n <= cap) {
            memcpy(v, sqlite3_column_blob(st, 0), n);
            *len = n;
            rc = SOTTO_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static int meta_put(struct sc_store *s, const char *k, const void *v, size_t len)
{
    sqlite3_stmt *st;
    int rc = sc_prepare(s, &st, "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)", 0);
    if (rc != SOTTO_OK)
        return rc;
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, v, (int)len, SQLITE_TRANSIENT);
    return sc_step_done(st);
}

int sc_store_is_new(struct sc_store *s)
{
    uint8_t v[128];
    size_t n;
    return meta_get(s, v, sizeof v, &n, "verifier") == SOTTO_ERR_NOT_FOUND;
}

int sc_store_uses_keyfile(struct sc_store *s)
{
    uint8_t v[16];
    size_t n;
    if (meta_get(s, v, sizeof v, &n, "kdf") != SOTTO_OK)
        return 0;
    return n == 7 && memcmp(v, "keyfile", 7) == 0;
}

/* Derives the working keys from master and checks (or, for a new store,
 * writes) the verifier. On failure the store stays locked. */
static int unlock_master(struct sc_store *s, const uint8_t master[SC_KEY_BYTES], const char *kdf)
{
    static const uint8_t info_seal[] = "sotto store seal v1";
    static const uint8_t info_index[] = "sotto store index v1";
    uint8_t ver[128];
    size_t verlen;
    uint8_t *pt = NULL, *ct = NULL;
    size_t ptlen, ctlen;
    int rc, is_new = sc_store_is_new(s);

    if (s->keys != NULL)
        return SOTTO_ERR_INVALID_STATE;
    s->keys = sodium_malloc(sizeof *s->keys);
    if (s->keys == NULL)
        return SOTTO_ERR_NOMEM;
    rc = st_hkdf_sha256(s->keys->seal, SC_KEY_BYTES, NULL, 0, master, SC_KEY_BYTES, info_seal,
                        sizeof info_seal - 1);
    if (rc != SOTTO_OK)
        goto out;
    rc = st_hkdf_sha256(s->keys->index, SC_KEY_BYTES, NULL, 0, master, SC_KEY_BYTES, info_index,
                        sizeof info_index - 1);
    if (rc != SOTTO_OK)
        goto out;
    if (is_new) {
        rc = sc_seal(s, &ct, &ctlen, "meta", "verifier", "", (const uint8_t *)verifier_text,
                     sizeof verifier_text - 1);
        if (rc == SOTTO_OK)
            rc = meta_put(s, "kdf", kdf, strlen(kdf));
        if (rc == SOTTO_OK)
            rc = meta_put(s, "verifier", ct, ctlen);
        goto out;
    }
    rc = meta_get(s, ver, sizeof ver, &verlen, "verifier");
    if (rc != SOTTO_OK)
        goto out;
    rc = sc_unseal(s, &pt, &ptlen, "meta", "verifier", "", ver, verlen);
    if (rc == SOTTO_OK && (ptlen != sizeof verifier_text - 1 || memcmp(pt, verifier_text, ptlen)))
        rc = SOTTO_ERR_BAD_MAC;
out:
    free(pt);
    free(ct);
    if (rc != SOTTO_OK) {
        sodium_free(s->keys);
        s->keys = NULL;
    }
    return rc;
}

int sc_store_unlock_key(struct sc_store *s, const uint8_t key[SC_KEY_BYTES])
{
    return unlock_master(s, key, "keyfile");
}

int sc_store_unlock_passphrase(struct sc_store *s, const char *pass, size_t len)
{
    uint8_t salt[SC_SALT_BYTES], master[SC_KEY_BYTES];
    size_t saltlen;
    int rc = meta_get(s, salt, sizeof salt, &saltlen, "salt");

    if (rc == SOTTO_ERR_NOT_FOUND && sc_store_is_new(s)) {
        st_random_bytes(salt, sizeof salt);
        saltlen = sizeof salt;
        rc = meta_put(s, "salt", salt, sizeof salt);
    }
    if (rc != SOTTO_OK)
        return rc;
    if (saltlen != crypto_pwhash_SALTBYTES)
        return SOTTO_ERR_STORE;
    /* Argon2id with libsodium's interactive limits (64 MiB, 2 passes): the
     * store is opened by every command, so seconds per unlock is too much. */
    if (crypto_pwhash(master, sizeof master, pass, len, salt, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                      crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return SOTTO_ERR_NOMEM;
    rc = unlock_master(s, master, "argon2id");
    st_wipe(master, sizeof master);
    return rc;
}

int sc_keyfile_create(uint8_t key[SC_KEY_BYTES], const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ssize_t n;
    if (fd < 0)
        return errno == EEXIST ? SOTTO_ERR_INVALID_STATE : SOTTO_ERR_STORE;
    st_random_bytes(key, SC_KEY_BYTES);
    n = write(fd, key, SC_KEY_BYTES);
    if (n != SC_KEY_BYTES || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        st_wipe(key, SC_KEY_BYTES);
        return SOTTO_ERR_STORE;
    }
    close(fd);
    return SOTTO_OK;
}

int sc_keyfile_load(uint8_t key[SC_KEY_BYTES], const char *path)
{
    struct stat sb;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    memset(key, 0, SC_KEY_BYTES);
    if (fd < 0)
        return errno == ENOENT ? SOTTO_ERR_NOT_FOUND : SOTTO_ERR_STORE;
    /* A key file others can read protects nothing: refuse it, as ssh does. */
    if (fstat(fd, &sb) != 0 || (sb.st_mode & 077) != 0 || sb.st_uid != geteuid() ||
        sb.st_size != SC_KEY_BYTES) {
        close(fd);
        return SOTTO_ERR_INVALID_STATE;
    }
    n = read(fd, key, SC_KEY_BYTES);
    close(fd);
    if (n != SC_KEY_BYTES) {
        st_wipe(key, SC_KEY_BYTES);
        return SOTTO_ERR_STORE;
    }
    return SOTTO_OK;
}

int sc_txn_begin(struct sc_store *s, int *own)
{
    *own = sqlite3_get_autocommit(s->db) != 0;
    return *own ? sc_exec(s, "BEGIN IMMEDIATE") : SOTTO_OK;
}

int sc_txn_end(struct sc_store *s, int own, int rc)
{
    if (!own)
        return rc;
    if (rc == SOTTO_OK)
        rc = sc_exec(s, "COMMIT");
    if (rc != SOTTO_OK)
        (void)sc_exec(s, "ROLLBACK");
    return rc;
}

int sc_store_begin(struct sc_store *s)
{
    return sc_exec(s, "BEGIN IMMEDIATE");
}

int sc_store_commit(struct sc_store *s)
{
    return sc_exec(s, "COMMIT");
}

void sc_store_rollback(struct sc_store *s)
{
    (void)sc_exec(s, "ROLLBACK");
}

void sc_new_mid(char mid[SC_MID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t r[SC_MID_LEN / 2];
    st_random_bytes(r, sizeof r);
    for (size_t i = 0; i < sizeof r; i++) {
        mid[2 * i] = hex[r[i] >> 4];
        mid[2 * i + 1] = hex[r[i] & 15];
    }
    mid[SC_MID_LEN] = 0;
}

int sc_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > SC_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}
