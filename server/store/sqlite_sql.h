/* Every SQL statement of the SQLite backend, prepared once at open. */
#ifndef SD_SQLITE_SQL_H
#define SD_SQLITE_SQL_H

#define SQ_STMTS(X)                                                                                \
    X(LOG_LAST, "SELECT idx, hash FROM change_log ORDER BY idx DESC LIMIT 1")                      \
    X(LOG_ALL, "SELECT idx, kind, account_id, payload, prev_hash, hash FROM change_log"            \
               " ORDER BY idx")                                                                    \
    X(LOG_INSERT, "INSERT INTO change_log(idx, ts, account_id, kind, payload, prev_hash, hash)"    \
                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                           \
    X(ACCOUNT_INSERT,                                                                              \
      "INSERT INTO accounts(username, username_key, account_key, devlist,"                         \
      " devlist_sig, devlist_version, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")                \
    X(ACCOUNT_GET, ACCOUNT_SELECT "WHERE a.username_key = ?1")                                     \
    X(ACCOUNT_BY_ID, ACCOUNT_SELECT "WHERE a.id = ?1")                                             \
    X(DEVICE_INSERT, "INSERT INTO devices(account_id, device_id, identity_key, registration_id)"   \
                     " VALUES(?1, ?2, ?3, ?4)")                                                    \
    X(DEVICE_BY_KEY, "SELECT account_id, device_id FROM devices WHERE identity_key = ?1")          \
    X(DEVICES_GET, "SELECT device_id, identity_key, registration_id FROM devices"                  \
                   " WHERE account_id = ?1 ORDER BY device_id")                                    \
    X(DEVICES_DELETE, "DELETE FROM devices WHERE account_id = ?1")                                 \
    X(DEVLIST_UPDATE, "UPDATE accounts SET devlist = ?1, devlist_sig = ?2, devlist_version = ?3"   \
                      " WHERE id = ?4 AND devlist_version < ?3")                                   \
    X(DROP_SIGNED, "DELETE FROM signed_prekeys WHERE account_id = ?1 AND device_id = ?2")          \
    X(DROP_ONETIME, "DELETE FROM onetime_prekeys WHERE account_id = ?1 AND device_id = ?2")        \
    X(DROP_KYBER, "DELETE FROM kyber_prekeys WHERE account_id = ?1 AND device_id = ?2")            \
    X(DROP_ENVELOPES, "DELETE FROM envelopes WHERE account_id = ?1 AND device_id = ?2")            \
    X(KEY_COUNTS,                                                                                  \
      "SELECT (SELECT count(*) FROM onetime_prekeys WHERE account_id = ?1 AND device_id = ?2),"    \
      " (SELECT count(*) FROM kyber_prekeys WHERE account_id = ?3 AND device_id = ?4"              \
      "  AND last_resort = 0),"                                                                    \
      " (SELECT count(*) FROM signed_prekeys WHERE account_id = ?5 AND device_id = ?6),"           \
      " (SELECT count(*) FROM kyber_prekeys WHERE account_id = ?7 AND device_id = ?8"              \
      "  AND last_resort = 1)")                                                                    \
    X(SIGNED_PUT, "INSERT OR REPLACE INTO signed_prekeys(account_id, device_id, key_id,"           \
                  " public_key, signature) VALUES(?1, ?2, ?3, ?4, ?5)")                            \
    X(ONETIME_PUT, "INSERT OR REPLACE INTO onetime_prekeys(account_id, device_id, key_id,"         \
                   " public_key) VALUES(?1, ?2, ?3, ?4)")                                          \
    X(KYBER_PUT, "INSERT OR REPLACE INTO kyber_prekeys(account_id, device_id, key_id,"             \
                 " public_key, signature, last_resort) VALUES(?1, ?2, ?3, ?4, ?5, ?6)")            \
    X(LAST_RESORT_CLEAR, "DELETE FROM kyber_prekeys WHERE account_id = ?1 AND device_id = ?2"      \
                         " AND last_resort = 1")                                                   \
    X(SIGNED_GET, "SELECT key_id, public_key, signature FROM signed_prekeys"                       \
                  " WHERE account_id = ?1 AND device_id = ?2")                                     \
    X(ONETIME_TAKE, "DELETE FROM onetime_prekeys WHERE rowid = (SELECT rowid FROM"                 \
                    " onetime_prekeys WHERE account_id = ?1 AND device_id = ?2"                    \
                    " ORDER BY key_id LIMIT 1) RETURNING key_id, public_key")                      \
    X(KYBER_TAKE, "DELETE FROM kyber_prekeys WHERE rowid = (SELECT rowid FROM kyber_prekeys"       \
                  " WHERE account_id = ?1 AND device_id = ?2 AND last_resort = 0"                  \
                  " ORDER BY key_id LIMIT 1) RETURNING key_id, public_key, signature")             \
    X(LAST_RESORT_GET, "SELECT key_id, public_key, signature FROM kyber_prekeys"                   \
                       " WHERE account_id = ?1 AND device_id = ?2 AND last_resort = 1 LIMIT 1")    \
    X(QUEUE_DEPTH, "SELECT coalesce((SELECT n FROM queue_depth"                                    \
                   " WHERE account_id = ?1 AND device_id = ?2), 0)")                               \
    X(ENVELOPE_PUT, "INSERT OR IGNORE INTO envelopes(account_id, device_id, guid, source,"         \
                    " source_account, source_device, type, timestamp, server_ts, expires,"         \
                    " content) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11"                \
                    " WHERE NOT EXISTS (SELECT 1 FROM acked WHERE account_id = ?1"                 \
                    " AND device_id = ?2 AND guid = ?3)")                                          \
    X(TOMBSTONE_PUT, "INSERT OR REPLACE INTO acked(account_id, device_id, guid, expires)"          \
                     " VALUES(?1, ?2, ?3, ?4)")                                                    \
    X(TOMBSTONE_EXPIRE, "DELETE FROM acked WHERE expires <= ?1")                                   \
    X(SAVEPOINT, "SAVEPOINT send")                                                                 \
    X(RELEASE, "RELEASE send")                                                                     \
    X(ROLLBACK_TO, "ROLLBACK TO send")                                                             \
    X(ENVELOPES_AFTER, "SELECT seq, guid, source, source_device, type, timestamp, server_ts,"      \
                       " content FROM envelopes WHERE account_id = ?1 AND device_id = ?2"          \
                       " AND seq > ?3 AND expires > ?4 ORDER BY seq LIMIT ?5")                     \
    X(ENVELOPE_DELETE, "DELETE FROM envelopes WHERE account_id = ?1 AND device_id = ?2"            \
                       " AND guid = ?3")                                                           \
    X(EXPIRE, "DELETE FROM envelopes WHERE expires <= ?1")                                         \
    X(STATS, "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM devices),"             \
             " (SELECT count(*) FROM envelopes)")                                                  \
    X(ADMIN_ACCOUNTS,                                                                              \
      "SELECT 'username=' || username || ' devices=' ||"                                           \
      " (SELECT count(*) FROM devices d WHERE d.account_id = a.id) || ' devlist_version=' ||"      \
      " devlist_version || ' queued=' ||"                                                          \
      " (SELECT count(*) FROM envelopes e WHERE e.account_id = a.id)"                              \
      " FROM accounts a ORDER BY username_key")                                                    \
    X(ADMIN_DEVICES,                                                                               \
      "SELECT 'device_id=' || d.device_id || ' registration_id=' || d.registration_id ||"          \
      " ' identity_key=' || lower(hex(d.identity_key)) || ' queued=' ||"                           \
      " (SELECT count(*) FROM envelopes e WHERE e.account_id = d.account_id"                       \
      "  AND e.device_id = d.device_id) || ' one_time_prekeys=' ||"                                \
      " (SELECT count(*) FROM onetime_prekeys o WHERE o.account_id = d.account_id"                 \
      "  AND o.device_id = d.device_id)"                                                           \
      " FROM devices d JOIN accounts a ON a.id = d.account_id"                                     \
      " WHERE a.username_key = lower(?1) ORDER BY d.device_id")                                    \
    X(ADMIN_QUEUES,                                                                                \
      "SELECT 'username=' || a.username || ' device_id=' || e.device_id || ' depth=' ||"           \
      " count(*) || ' oldest_ms=' || min(e.server_ts) FROM envelopes e"                            \
      " JOIN accounts a ON a.id = e.account_id GROUP BY e.account_id, e.device_id"                 \
      " ORDER BY count(*) DESC")                                                                   \
    X(KT_NEXT, "SELECT coalesce(max(idx) + 1, 0) FROM kt_leaves")                                  \
    X(KT_ACCOUNT_LAST, "SELECT idx, leaf FROM kt_leaves WHERE account_id = ?1"                     \
                       " ORDER BY idx DESC LIMIT 1")                                               \
    X(KT_INSERT, "INSERT INTO kt_leaves(idx, account_id, type, uuid, leaf)"                        \
                 " VALUES(?1, ?2, ?3, ?4, ?5)")                                                    \
    X(KT_INSERT2, "INSERT INTO kt_leaves(idx, account_id, type, uuid, leaf)"                       \
                  " VALUES(?1, ?2, ?3, ?4, ?5), (?6, ?7, ?8, ?9, ?10)")                            \
    X(KT_ALL, "SELECT idx, leaf FROM kt_leaves ORDER BY idx")                                      \
    X(KT_CP_GET, "SELECT size, note FROM kt_checkpoint WHERE id = 1")                              \
    X(KT_CP_PUT, "INSERT OR REPLACE INTO kt_checkpoint(id, size, note) VALUES(1, ?1, ?2)")         \
    X(ADMIN_LOG, "SELECT 'index=' || idx || ' account_id=' || account_id || ' kind=' || kind ||"   \
                 " ' hash=' || lower(hex(hash)) FROM change_log ORDER BY idx")

#define ACCOUNT_SELECT                                                                             \
    "SELECT a.id, a.username, a.account_key, a.devlist, a.devlist_sig, a.devlist_version,"         \
    " l.idx, l.hash FROM accounts a LEFT JOIN change_log l ON l.idx ="                             \
    " (SELECT max(idx) FROM change_log WHERE account_id = a.id) "

enum sq_stmt {
#define SQ_ENUM(name, sql) SQ_##name,
    SQ_STMTS(SQ_ENUM)
#undef SQ_ENUM
        SQ__COUNT
};

#ifdef SQ_WANT_SQL
static const char *const sq_sql[SQ__COUNT] = {
#define SQ_TEXT(name, sql) sql,
    SQ_STMTS(SQ_TEXT)
#undef SQ_TEXT
};
#endif

#endif
