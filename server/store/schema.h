/*
 * SQLite schema as an ordered list of migrations. schema_version holds the
 * number of migrations applied; a new migration is appended, never edited.
 */
#ifndef SD_SCHEMA_H
#define SD_SCHEMA_H

static const char *const sd_migrations[] = {
    /* 1: accounts, devices, prekeys, envelopes, change log */
    "CREATE TABLE accounts("
    " id INTEGER PRIMARY KEY,"
    " username TEXT NOT NULL,"
    " username_key TEXT NOT NULL UNIQUE,"
    " account_key BLOB NOT NULL,"
    " devlist BLOB NOT NULL,"
    " devlist_sig BLOB NOT NULL,"
    " devlist_version INTEGER NOT NULL,"
    " created INTEGER NOT NULL);"
    "CREATE TABLE devices("
    " account_id INTEGER NOT NULL REFERENCES accounts(id),"
    " device_id INTEGER NOT NULL,"
    " identity_key BLOB NOT NULL UNIQUE,"
    " registration_id INTEGER NOT NULL,"
    " PRIMARY KEY(account_id, device_id));"
    "CREATE TABLE signed_prekeys("
    " account_id INTEGER NOT NULL, device_id INTEGER NOT NULL,"
    " key_id INTEGER NOT NULL, public_key BLOB NOT NULL, signature BLOB NOT NULL,"
    " PRIMARY KEY(account_id, device_id));"
    "CREATE TABLE onetime_prekeys("
    " account_id INTEGER NOT NULL, device_id INTEGER NOT NULL,"
    " key_id INTEGER NOT NULL, public_key BLOB NOT NULL,"
    " PRIMARY KEY(account_id, device_id, key_id));"
    "CREATE TABLE kyber_prekeys("
    " account_id INTEGER NOT NULL, device_id INTEGER NOT NULL,"
    " key_id INTEGER NOT NULL, public_key BLOB NOT NULL, signature BLOB NOT NULL,"
    " last_resort INTEGER NOT NULL,"
    " PRIMARY KEY(account_id, device_id, last_resort, key_id));"
    "CREATE TABLE envelopes("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " account_id INTEGER NOT NULL, device_id INTEGER NOT NULL,"
    " guid BLOB NOT NULL,"
    " source TEXT NOT NULL, source_account INTEGER NOT NULL, source_device INTEGER NOT NULL,"
    " type INTEGER NOT NULL, timestamp INTEGER NOT NULL, server_ts INTEGER NOT NULL,"
    " expires INTEGER NOT NULL, content BLOB NOT NULL,"
    " UNIQUE(account_id, device_id, guid));"
    "CREATE INDEX envelopes_queue ON envelopes(account_id, device_id, seq);"
    "CREATE INDEX envelopes_expiry ON envelopes(expires);"
    "CREATE TABLE acked("
    " account_id INTEGER NOT NULL, device_id INTEGER NOT NULL, guid BLOB NOT NULL,"
    " expires INTEGER NOT NULL,"
    " PRIMARY KEY(account_id, device_id, guid)) WITHOUT ROWID;"
    "CREATE TABLE change_log("
    " idx INTEGER PRIMARY KEY,"
    " ts INTEGER NOT NULL,"
    " account_id INTEGER NOT NULL,"
    " kind INTEGER NOT NULL,"
    " payload BLOB NOT NULL,"
    " prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL);"
    "CREATE INDEX change_log_account ON change_log(account_id, idx);"
    /* append-only: the log refuses updates and deletes */
    "CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log"
    " BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;"
    "CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log"
    " BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;",

    /* 2: per-device queue depth kept by triggers, so the queue-cap check on
     * every send is one row lookup instead of counting the whole queue
     * (filling a 100,000-envelope queue was quadratic). */
    "CREATE TABLE queue_depth("
    " account_id INTEGER NOT NULL, device_id INTEGER NOT NULL, n INTEGER NOT NULL,"
    " PRIMARY KEY(account_id, device_id)) WITHOUT ROWID;"
    "INSERT INTO queue_depth SELECT account_id, device_id, count(*) FROM envelopes"
    " GROUP BY account_id, device_id;"
    "CREATE TRIGGER envelopes_depth_insert AFTER INSERT ON envelopes BEGIN"
    " INSERT INTO queue_depth VALUES(NEW.account_id, NEW.device_id, 1)"
    " ON CONFLICT(account_id, device_id) DO UPDATE SET n = n + 1; END;"
    "CREATE TRIGGER envelopes_depth_delete AFTER DELETE ON envelopes BEGIN"
    " UPDATE queue_depth SET n = n - 1"
    " WHERE account_id = OLD.account_id AND device_id = OLD.device_id; END;",

    /* 3: key transparency (docs/transparency.md): the log's leaves (lib/kt
     * encoding; the RFC 9162 tree is over them in idx order; type and uuid
     * copied out so one uuid is created once), and the newest signed
     * checkpoint. Leaves are append-only. */
    "CREATE TABLE kt_leaves("
    " idx INTEGER PRIMARY KEY,"
    " account_id INTEGER NOT NULL,"
    " type INTEGER NOT NULL,"
    " uuid BLOB NOT NULL,"
    " leaf BLOB NOT NULL);"
    "CREATE INDEX kt_leaves_account ON kt_leaves(account_id, idx);"
    "CREATE UNIQUE INDEX kt_leaves_create ON kt_leaves(uuid) WHERE type = 1;"
    "CREATE TABLE kt_checkpoint("
    " id INTEGER PRIMARY KEY CHECK(id = 1),"
    " size INTEGER NOT NULL,"
    " note TEXT NOT NULL);"
    "CREATE TRIGGER kt_leaves_no_update BEFORE UPDATE ON kt_leaves"
    " BEGIN SELECT RAISE(ABORT, 'kt_leaves is append-only'); END;"
    "CREATE TRIGGER kt_leaves_no_delete BEFORE DELETE ON kt_leaves"
    " BEGIN SELECT RAISE(ABORT, 'kt_leaves is append-only'); END;",
};

#define SD_MIGRATIONS_N (sizeof(sd_migrations) / sizeof(sd_migrations[0]))

#endif
