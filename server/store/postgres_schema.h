/*
 * PostgreSQL schema as an ordered list of migrations, the same tables and
 * rules as the SQLite schema (schema.h) in PostgreSQL's dialect. Every
 * integer is bigint so the binary result reader has one integer width.
 * schema_version holds the number of migrations applied; a new migration is
 * appended, never edited.
 */
#ifndef SD_POSTGRES_SCHEMA_H
#define SD_POSTGRES_SCHEMA_H

static const char *const pg_migrations[] = {
    /* 1: accounts, devices, prekeys, envelopes, change log, queue depth */
    "CREATE TABLE accounts("
    " id bigserial PRIMARY KEY,"
    " username text NOT NULL,"
    " username_key text NOT NULL UNIQUE,"
    " account_key bytea NOT NULL,"
    " devlist bytea NOT NULL,"
    " devlist_sig bytea NOT NULL,"
    " devlist_version bigint NOT NULL,"
    " created bigint NOT NULL);"
    "CREATE TABLE devices("
    " account_id bigint NOT NULL REFERENCES accounts(id),"
    " device_id bigint NOT NULL,"
    " identity_key bytea NOT NULL UNIQUE,"
    " registration_id bigint NOT NULL,"
    " PRIMARY KEY(account_id, device_id));"
    "CREATE TABLE signed_prekeys("
    " account_id bigint NOT NULL, device_id bigint NOT NULL,"
    " key_id bigint NOT NULL, public_key bytea NOT NULL, signature bytea NOT NULL,"
    " PRIMARY KEY(account_id, device_id));"
    "CREATE TABLE onetime_prekeys("
    " account_id bigint NOT NULL, device_id bigint NOT NULL,"
    " key_id bigint NOT NULL, public_key bytea NOT NULL,"
    " PRIMARY KEY(account_id, device_id, key_id));"
    "CREATE TABLE kyber_prekeys("
    " account_id bigint NOT NULL, device_id bigint NOT NULL,"
    " key_id bigint NOT NULL, public_key bytea NOT NULL, signature bytea NOT NULL,"
    " last_resort bigint NOT NULL,"
    " PRIMARY KEY(account_id, device_id, last_resort, key_id));"
    "CREATE TABLE envelopes("
    " seq bigserial PRIMARY KEY,"
    " account_id bigint NOT NULL, device_id bigint NOT NULL,"
    " guid bytea NOT NULL,"
    " source text NOT NULL, source_account bigint NOT NULL, source_device bigint NOT NULL,"
    " type bigint NOT NULL, timestamp bigint NOT NULL, server_ts bigint NOT NULL,"
    " expires bigint NOT NULL, content bytea NOT NULL,"
    " UNIQUE(account_id, device_id, guid));"
    "CREATE INDEX envelopes_queue ON envelopes(account_id, device_id, seq);"
    "CREATE INDEX envelopes_expiry ON envelopes(expires);"
    "CREATE TABLE acked("
    " account_id bigint NOT NULL, device_id bigint NOT NULL, guid bytea NOT NULL,"
    " expires bigint NOT NULL,"
    " PRIMARY KEY(account_id, device_id, guid));"
    "CREATE INDEX acked_expiry ON acked(expires);"
    "CREATE TABLE change_log("
    " idx bigint PRIMARY KEY,"
    " ts bigint NOT NULL,"
    " account_id bigint NOT NULL,"
    " kind bigint NOT NULL,"
    " payload bytea NOT NULL,"
    " prev_hash bytea NOT NULL,"
    " hash bytea NOT NULL);"
    "CREATE INDEX change_log_account ON change_log(account_id, idx);"
    /* append-only: the log refuses updates and deletes (and TRUNCATE) */
    "CREATE FUNCTION sd_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME"
    " USING ERRCODE = 'restrict_violation'; END $$;"
    "CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log"
    " FOR EACH ROW EXECUTE FUNCTION sd_append_only();"
    "CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON change_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION sd_append_only();"
    /* per-device queue depth kept by triggers: the cap check on every send
     * is one row lookup (see schema.h migration 2) */
    "CREATE TABLE queue_depth("
    " account_id bigint NOT NULL, device_id bigint NOT NULL, n bigint NOT NULL,"
    " PRIMARY KEY(account_id, device_id));"
    "CREATE FUNCTION sd_depth() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP = 'INSERT' THEN"
    "  INSERT INTO queue_depth VALUES(NEW.account_id, NEW.device_id, 1)"
    "  ON CONFLICT(account_id, device_id) DO UPDATE SET n = queue_depth.n + 1;"
    "  RETURN NEW;"
    " END IF;"
    " UPDATE queue_depth SET n = n - 1"
    "  WHERE account_id = OLD.account_id AND device_id = OLD.device_id;"
    " RETURN OLD; END $$;"
    "CREATE TRIGGER envelopes_depth AFTER INSERT OR DELETE ON envelopes"
    " FOR EACH ROW EXECUTE FUNCTION sd_depth();"
    /* key transparency (docs/transparency.md), as schema.h migration 3 */
    "CREATE TABLE kt_leaves("
    " idx bigint PRIMARY KEY,"
    " account_id bigint NOT NULL,"
    " type bigint NOT NULL,"
    " uuid bytea NOT NULL,"
    " leaf bytea NOT NULL);"
    "CREATE INDEX kt_leaves_account ON kt_leaves(account_id, idx);"
    "CREATE UNIQUE INDEX kt_leaves_create ON kt_leaves(uuid) WHERE type = 1;"
    "CREATE TABLE kt_checkpoint("
    " id bigint PRIMARY KEY CHECK(id = 1),"
    " size bigint NOT NULL,"
    " note text NOT NULL);"
    "CREATE TRIGGER kt_leaves_append_only BEFORE UPDATE OR DELETE ON kt_leaves"
    " FOR EACH ROW EXECUTE FUNCTION sd_append_only();"
    "CREATE TRIGGER kt_leaves_no_truncate BEFORE TRUNCATE ON kt_leaves"
    " FOR EACH STATEMENT EXECUTE FUNCTION sd_append_only();",
};

#define PG_MIGRATIONS_N (sizeof(pg_migrations) / sizeof(pg_migrations[0]))

#endif
