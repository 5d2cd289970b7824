/*
 * Every SQL statement of the PostgreSQL backend, prepared once per
 * connection at open (names "sd<N>"). Parameters carry explicit casts: they
 * are sent in binary (int8 big-endian, bytea raw) or as text, and the cast
 * fixes the type the server expects. Results are read in binary.
 *
 * ONETIME_TAKE / KYBER_TAKE hand a key out once: the scalar subquery runs
 * once (a join against a LIMIT 1 FOR UPDATE subquery may be rescanned and
 * delete every key), and rows another transaction is taking are skipped
 * rather than waited for.
 */
#ifndef SD_POSTGRES_SQL_H
#define SD_POSTGRES_SQL_H

#define PG_A "account_id = $1::int8 AND device_id = $2::int8"

#define PG_STMTS(X)                                                                                \
    X(LOCK_LOG, "SELECT pg_advisory_xact_lock(5367)")                                              \
    X(LOG_LAST, "SELECT idx, hash FROM change_log ORDER BY idx DESC LIMIT 1")                      \
    X(LOG_ALL, "SELECT idx, kind, account_id, payload, prev_hash, hash FROM change_log"            \
               " ORDER BY idx")                                                                    \
    X(LOG_INSERT, "INSERT INTO change_log(idx, ts, account_id, kind, payload, prev_hash, hash)"    \
                  " VALUES($1::int8, $2::int8, $3::int8, $4::int8, $5::bytea, $6::bytea,"          \
                  " $7::bytea)")                                                                   \
    X(ACCOUNT_INSERT, "INSERT INTO accounts(username, username_key, account_key, devlist,"         \
                      " devlist_sig, devlist_version, created) VALUES($1::text, $2::text,"         \
                      " $3::bytea, $4::bytea, $5::bytea, $6::int8, $7::int8) RETURNING id")        \
    X(ACCOUNT_GET, PG_ACCOUNT_SELECT "WHERE a.username_key = $1::text")                            \
    X(ACCOUNT_BY_ID, PG_ACCOUNT_SELECT "WHERE a.id = $1::int8")                                    \
    X(DEVICE_INSERT, "INSERT INTO devices(account_id, device_id, identity_key, registration_id)"   \
                     " VALUES($1::int8, $2::int8, $3::bytea, $4::int8)")                           \
    X(DEVICE_BY_KEY, "SELECT account_id, device_id FROM devices WHERE identity_key = $1::bytea")   \
    X(DEVICES_GET, "SELECT device_id, identity_key, registration_id FROM devices"                  \
                   " WHERE account_id = $1::int8 ORDER BY device_id")                              \
    X(DEVICES_DELETE, "DELETE FROM devices WHERE account_id = $1::int8")                           \
    X(DEVLIST_UPDATE, "UPDATE accounts SET devlist = $1::bytea, devlist_sig = $2::bytea,"          \
                      " devlist_version = $3::int8 WHERE id = $4::int8"                            \
                      " AND devlist_version < $3::int8")                                           \
    X(DROP_SIGNED, "DELETE FROM signed_prekeys WHERE " PG_A)                                       \
    X(DROP_ONETIME, "DELETE FROM onetime_prekeys WHERE " PG_A)                                     \
    X(DROP_KYBER, "DELETE FROM kyber_prekeys WHERE " PG_A)                                         \
    X(DROP_ENVELOPES, "DELETE FROM envelopes WHERE " PG_A)                                         \
    X(KEY_COUNTS, "SELECT (SELECT count(*) FROM onetime_prekeys WHERE " PG_A "),"                  \
                  " (SELECT count(*) FROM kyber_prekeys WHERE " PG_A " AND last_resort = 0),"      \
                  " (SELECT count(*) FROM signed_prekeys WHERE " PG_A "),"                         \
                  " (SELECT count(*) FROM kyber_prekeys WHERE " PG_A " AND last_resort = 1)")      \
    X(SIGNED_PUT, "INSERT INTO signed_prekeys(account_id, device_id, key_id, public_key,"          \
                  " signature) VALUES($1::int8, $2::int8, $3::int8, $4::bytea, $5::bytea)"         \
                  " ON CONFLICT(account_id, device_id) DO UPDATE SET key_id = EXCLUDED.key_id,"    \
                  " public_key = EXCLUDED.public_key, signature = EXCLUDED.signature")             \
    X(ONETIME_PUT, "INSERT INTO onetime_prekeys(account_id, device_id, key_id, public_key)"        \
                   " VALUES($1::int8, $2::int8, $3::int8, $4::bytea)"                              \
                   " ON CONFLICT(account_id, device_id, key_id)"                                   \
                   " DO UPDATE SET public_key = EXCLUDED.public_key")                              \
    X(KYBER_PUT, "INSERT INTO kyber_prekeys(account_id, device_id, key_id, public_key,"            \
                 " signature, last_resort) VALUES($1::int8, $2::int8, $3::int8, $4::bytea,"        \
                 " $5::bytea, $6::int8) ON CONFLICT(account_id, device_id, last_resort, key_id)"   \
                 " DO UPDATE SET public_key = EXCLUDED.public_key,"                                \
                 " signature = EXCLUDED.signature")                                                \
    X(LAST_RESORT_CLEAR, "DELETE FROM kyber_prekeys WHERE " PG_A " AND last_resort = 1")           \
    X(SIGNED_GET, "SELECT key_id, public_key, signature FROM signed_prekeys WHERE " PG_A)          \
    X(ONETIME_TAKE, "DELETE FROM onetime_prekeys WHERE " PG_A " AND key_id ="                      \
                    " (SELECT key_id FROM onetime_prekeys WHERE " PG_A                             \
                    " ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)"                             \
                    " RETURNING key_id, public_key")                                               \
    X(KYBER_TAKE, "DELETE FROM kyber_prekeys WHERE " PG_A " AND last_resort = 0 AND key_id ="      \
                  " (SELECT key_id FROM kyber_prekeys WHERE " PG_A " AND last_resort = 0"          \
                  " ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)"                               \
                  " RETURNING key_id, public_key, signature")                                      \
    X(LAST_RESORT_GET, "SELECT key_id, public_key, signature FROM kyber_prekeys"                   \
                       " WHERE " PG_A " AND last_resort = 1 LIMIT 1")                              \
    /* the queue depth and the insert in one round trip: (depth, seq or NULL) */                   \
    X(ENVELOPE_PUT, "WITH dep AS (SELECT coalesce((SELECT n FROM queue_depth WHERE " PG_A "), 0)"  \
                    " AS n), ins AS (INSERT INTO envelopes(account_id, device_id, guid, source,"   \
                    " source_account, source_device, type, timestamp, server_ts, expires,"         \
                    " content) SELECT $1::int8, $2::int8, $3::bytea, $4::text, $5::int8,"          \
                    " $6::int8, $7::int8, $8::int8, $9::int8, $10::int8, $11::bytea"               \
                    " WHERE (SELECT n FROM dep) < $12::int8 AND NOT EXISTS (SELECT 1 FROM acked"   \
                    " WHERE " PG_A " AND guid = $3::bytea)"                                        \
                    " ON CONFLICT(account_id, device_id, guid) DO NOTHING RETURNING seq)"          \
                    " SELECT (SELECT n FROM dep), (SELECT seq FROM ins)")                          \
    /* delete and remember the guid in one round trip: rows deleted */                             \
    X(ENVELOPE_ACK, "WITH d AS (DELETE FROM envelopes WHERE " PG_A " AND guid = $3::bytea"         \
                    " RETURNING 1), t AS (INSERT INTO acked(account_id, device_id, guid, expires)" \
                    " SELECT $1::int8, $2::int8, $3::bytea, $4::int8 WHERE EXISTS"                 \
                    " (SELECT 1 FROM d) ON CONFLICT(account_id, device_id, guid)"                  \
                    " DO UPDATE SET expires = EXCLUDED.expires) SELECT count(*) FROM d")           \
    X(TOMBSTONE_EXPIRE, "DELETE FROM acked WHERE expires <= $1::int8")                             \
    X(ENVELOPES_AFTER, "SELECT seq, guid, source, source_device, type, timestamp, server_ts,"      \
                       " content FROM envelopes WHERE " PG_A " AND seq > $3::int8"                 \
                       " AND expires > $4::int8 ORDER BY seq LIMIT $5::int8")                      \
    X(EXPIRE, "DELETE FROM envelopes WHERE expires <= $1::int8")                                   \
    X(STATS, "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM devices),"             \
             " (SELECT coalesce(sum(n), 0)::int8 FROM queue_depth)")                               \
    X(ADMIN_ACCOUNTS,                                                                              \
      "SELECT 'username=' || username || ' devices=' ||"                                           \
      " (SELECT count(*) FROM devices d WHERE d.account_id = a.id) || ' devlist_version=' ||"      \
      " devlist_version || ' queued=' ||"                                                          \
      " (SELECT count(*) FROM envelopes e WHERE e.account_id = a.id)"                              \
      " FROM accounts a ORDER BY username_key")                                                    \
    X(ADMIN_DEVICES,                                                                               \
      "SELECT 'device_id=' || d.device_id || ' registration_id=' || d.registration_id ||"          \
      " ' identity_key=' || encode(d.identity_key, 'hex') || ' queued=' ||"                        \
      " (SELECT count(*) FROM envelopes e WHERE e.account_id = d.account_id"                       \
      "  AND e.device_id = d.device_id) || ' one_time_prekeys=' ||"                                \
      " (SELECT count(*) FROM onetime_prekeys o WHERE o.account_id = d.account_id"                 \
      "  AND o.device_id = d.device_id)"                                                           \
      " FROM devices d JOIN accounts a ON a.id = d.account_id"                                     \
      " WHERE a.username_key = lower($1::text) ORDER BY d.device_id")                              \
    X(ADMIN_QUEUES,                                                                                \
      "SELECT 'username=' || a.username || ' device_id=' || e.device_id || ' depth=' ||"           \
      " count(*) || ' oldest_ms=' || min(e.server_ts) FROM envelopes e"                            \
      " JOIN accounts a ON a.id = e.account_id GROUP BY a.username, e.account_id, e.device_id"     \
      " ORDER BY count(*) DESC")                                                                   \
    X(ADMIN_LOG, "SELECT 'index=' || idx || ' account_id=' || account_id || ' kind=' || kind ||"   \
                 " ' hash=' || encode(hash, 'hex') FROM change_log ORDER BY idx")                  \
    X(KT_NEXT, "SELECT coalesce(max(idx) + 1, 0) FROM kt_leaves")                                  \
    X(KT_ACCOUNT_LAST, "SELECT idx, leaf FROM kt_leaves WHERE account_id = $1::int8"               \
                       " ORDER BY idx DESC LIMIT 1")                                               \
    X(KT_INSERT, "INSERT INTO kt_leaves(idx, account_id, type, uuid, leaf)"                        \
                 " VALUES($1::int8, $2::int8, $3::int8, $4::bytea, $5::bytea)")                    \
    X(KT_ALL, "SELECT idx, leaf FROM kt_leaves ORDER BY idx")                                      \
    X(KT_CP_GET, "SELECT size, note FROM kt_checkpoint WHERE id = 1")                              \
    X(KT_CP_PUT, "INSERT INTO kt_checkpoint(id, size, note) VALUES(1, $1::int8, $2::text)"         \
                 " ON CONFLICT(id) DO UPDATE SET size = EXCLUDED.size, note = EXCLUDED.note")

#define PG_ACCOUNT_SELECT                                                                          \
    "SELECT a.id, a.username, a.account_key, a.devlist, a.devlist_sig, a.devlist_version,"         \
    " l.idx, l.hash FROM accounts a LEFT JOIN change_log l ON l.idx ="                             \
    " (SELECT max(idx) FROM change_log WHERE account_id = a.id) "

enum pg_stmt {
#define PG_ENUM(name, sql) PG_##name,
    PG_STMTS(PG_ENUM)
#undef PG_ENUM
        PG__COUNT
};

#ifdef PG_WANT_SQL
static const char *const pg_sql[PG__COUNT] = {
#define PG_TEXT(name, sql) sql,
    PG_STMTS(PG_TEXT)
#undef PG_TEXT
};
#endif

#endif
