/*
 * The store's schema and its migrations. schema_version holds one row; each
 * migration runs in its own transaction and bumps it, so a crash between
 * migrations resumes where it stopped. Append migrations, never edit one.
 *
 * Clear columns hold only what is not secret: blind indexes, small integers
 * (trust, status, attempts, times), the KDF salt. Everything else is sealed.
 */
#include <stddef.h>

#include "internal.h"

static const char *const migrations[] = {
    /* 1: the initial schema */
    "CREATE TABLE meta(k TEXT PRIMARY KEY, v BLOB NOT NULL);"
    "CREATE TABLE identity(name TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE sessions(peer TEXT NOT NULL, device INTEGER NOT NULL,"
    "  record BLOB NOT NULL, PRIMARY KEY(peer, device));"
    "CREATE TABLE prekeys(kind TEXT NOT NULL, id INTEGER NOT NULL, record BLOB NOT NULL,"
    "  PRIMARY KEY(kind, id));"
    "CREATE TABLE contacts(pid TEXT PRIMARY KEY, name BLOB NOT NULL, identity_key BLOB,"
    "  trust INTEGER NOT NULL DEFAULT 0, blocked INTEGER NOT NULL DEFAULT 0,"
    "  key_changed_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE devices(pid TEXT NOT NULL, device INTEGER NOT NULL,"
    "  registration_id INTEGER NOT NULL, identity_key BLOB NOT NULL,"
    "  PRIMARY KEY(pid, device));"
    "CREATE TABLE messages(mid TEXT PRIMARY KEY, pid TEXT NOT NULL, peer BLOB NOT NULL,"
    "  outgoing INTEGER NOT NULL, device INTEGER NOT NULL, ts INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, body BLOB NOT NULL, seq INTEGER);"
    "CREATE INDEX messages_pid ON messages(pid, ts);"
    "CREATE TABLE outbox(mid TEXT PRIMARY KEY REFERENCES messages(mid), pid TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0,"
    "  held INTEGER NOT NULL DEFAULT 0, last_error BLOB, queued_at INTEGER NOT NULL);"
    "CREATE TABLE journal(seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
    "  body BLOB NOT NULL);"
    "CREATE TABLE cursors(subscriber TEXT PRIMARY KEY, seq INTEGER NOT NULL);",
    /* 2: reactions (kind, target), disappearing messages (timers, expiry) */
    "ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE messages ADD COLUMN target TEXT;"
    "ALTER TABLE messages ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX messages_expiry ON messages(expires_at) WHERE expires_at > 0;"
    "ALTER TABLE contacts ADD COLUMN timer INTEGER NOT NULL DEFAULT 0;",
    /* 3: groups (random id in clear, everything else sealed), sender-key
     * records keyed by a blind index of (sender, device, distribution id),
     * and the group a message belongs to (clear random id, like mid) */
    "CREATE TABLE groups(gid TEXT PRIMARY KEY, state BLOB NOT NULL);"
    "CREATE TABLE sender_keys(kid TEXT PRIMARY KEY, record BLOB NOT NULL);"
    "ALTER TABLE messages ADD COLUMN gid TEXT;"
    "CREATE INDEX messages_gid ON messages(gid, ts) WHERE gid IS NOT NULL;",
};

static int get_version(struct sc_store *s, int *v)
{
    sqlite3_stmt *st;
    int rc;
    *v = 0;
    rc = sc_prepare(s, &st, "SELECT version FROM schema_version", 0);
    if (rc != SOTTO_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return SOTTO_OK;
}

int sc_store_schema_version(struct sc_store *s)
{
    int v;
    if (get_version(s, &v) != SOTTO_OK)
        return -1;
    return v;
}

static int apply(struct sc_store *s, int version)
{
    sqlite3_stmt *st;
    int rc = sc_exec(s, "BEGIN IMMEDIATE");
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_exec(s, migrations[version - 1]);
    if (rc != SOTTO_OK)
        goto out;
    rc = sc_prepare(s, &st, "UPDATE schema_version SET version = ?", 0);
    if (rc != SOTTO_OK)
        goto out;
    sqlite3_bind_int(st, 1, version);
    rc = sc_step_done(st);
    if (rc != SOTTO_OK)
        goto out;
    rc = sc_exec(s, "COMMIT");
out:
    if (rc != SOTTO_OK)
        sc_exec(s, "ROLLBACK");
    return rc;
}

int sc_schema_migrate(struct sc_store *s)
{
    int v, rc;
    const int latest = (int)(sizeof migrations / sizeof migrations[0]);

    rc = sc_exec(s, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
                    "INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS"
                    " (SELECT 1 FROM schema_version)");
    if (rc != SOTTO_OK)
        return rc;
    rc = get_version(s, &v);
    if (rc != SOTTO_OK)
        return rc;
    /* A newer client wrote this file: refuse rather than guess. */
    if (v > latest)
        return SOTTO_ERR_INVALID_VERSION;
    for (int next = v + 1; next <= latest; next++) {
        rc = apply(s, next);
        if (rc != SOTTO_OK)
            return rc;
    }
    return SOTTO_OK;
}
