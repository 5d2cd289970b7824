#!/usr/bin/env bash
# sottod on PostgreSQL (server.store = postgres): starts a private cluster
# (tests/pg/cluster.sh), runs a representative set of the end-to-end server
# tests against it (each in a fresh database), checks the append-only rules
# and the change-log verifier on PostgreSQL, and runs one client end-to-end
# script through a sottod wrapper. The cluster is stopped on every exit.
#
# Environment (set by tests/e2e/CMakeLists.txt): SOTTOD, SOTTO, E2E_BIN (the
# folder of the test_e2e_* programs). Fails, never skips, when PostgreSQL is
# missing.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cluster.sh"

: "${SOTTOD:?SOTTOD must name the sottod binary}"
: "${E2E_BIN:?E2E_BIN must name the folder of the test_e2e_* programs}"
fails=0
trap pg_down EXIT
trap 'exit 130' INT TERM

t0=$(date +%s)
pg_up || exit 1
echo "postgres: cluster up in $PG_DIR ($PG_BIN) in $(($(date +%s) - t0))s"

opts_for() {
  echo "-o server.store=postgres -o postgres.conninfo=$(pg_conninfo "$1")"
}

# 1. the C end-to-end tests, each against its own database
#    (pg_nodes: two sottod nodes sharing one database)
for t in test_e2e_flow test_e2e_bundles test_e2e_crash test_e2e_expiry test_e2e_kt pg_nodes; do
  db="${t#test_}"
  pg_createdb "$db" || { echo "FAIL: createdb $db"; exit 1; }
  s=$(date +%s)
  if SOTTO_E2E_SERVER_OPTS="$(opts_for "$db")" "$E2E_BIN/$t" >"$PG_DIR/$t.out" 2>&1; then
    echo "ok   $t on postgres ($(($(date +%s) - s))s)"
  else
    echo "FAIL $t on postgres:"
    tail -30 "$PG_DIR/$t.out"
    fails=$((fails + 1))
  fi
done

# 2. append-only change log and transparency leaves, verify-log (on the
#    database test_e2e_flow and test_e2e_kt left behind)
check() {
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then
    echo "ok   $what"
  else
    echo "FAIL $what"
    fails=$((fails + 1))
  fi
}
admin() { # admin DB VIEW...
  local db=$1
  shift
  # shellcheck disable=SC2046
  "$SOTTOD" -d "$PG_DIR/admin" $(opts_for "$db") admin "$@"
}
export PG_SOCK PG_DIR SOTTOD
export -f pg_psql pg_conninfo opts_for admin
check "change_log holds entries" test "$(pg_psql e2e_flow 'SELECT count(*) FROM change_log')" -ge 6
check "UPDATE change_log refused" bash -c '! pg_psql e2e_flow "UPDATE change_log SET kind = 9"'
check "DELETE change_log refused" bash -c '! pg_psql e2e_flow "DELETE FROM change_log"'
check "TRUNCATE change_log refused" bash -c '! pg_psql e2e_flow "TRUNCATE change_log"'
check "UPDATE kt_leaves refused" bash -c '! pg_psql e2e_kt "UPDATE kt_leaves SET type = 9"'
check "DELETE kt_leaves refused" bash -c '! pg_psql e2e_kt "DELETE FROM kt_leaves"'
check "schema_version is 1" test "$(pg_psql e2e_flow 'SELECT max(version) FROM schema_version')" = 1
check "admin verify-log: ok" bash -c 'admin e2e_flow verify-log | grep -q "^ok entries=6 "'
check "admin accounts lists Alice" bash -c \
  'admin e2e_flow accounts | grep -q "^username=Alice devices="'
pg_psql e2e_flow "ALTER TABLE change_log DISABLE TRIGGER change_log_append_only;
  UPDATE change_log SET kind = 9 WHERE idx = 3" >/dev/null
check "admin verify-log finds the edited entry" bash -c \
  'out=$(admin e2e_flow verify-log); [ $? -ne 0 ] && grep -q "^broken index=3" <<<"$out"'

check "sottod without its database exits with a clear error" bash -c \
  'out=$("$SOTTOD" -d "$PG_DIR/nodb" -p 0 --http-port 0 -o server.store=postgres \
     -o postgres.conninfo=postgresql://sotto@%2Fnonexistent/x 2>&1)
   [ $? -ne 0 ] && grep -q "cannot connect to postgres" <<<"$out"'
check "an unknown store is refused" bash -c \
  '! "$SOTTOD" -d "$PG_DIR/nodb" -o server.store=mysql fingerprint'

# 3. client end-to-end scripts through a sottod wrapper: e2e_exchange.sh,
#    and e2e_reconnect.sh (PostgreSQL restarted under a running sottod)
: "${SOTTO:?SOTTO must name the sotto binary}"
restart="$PG_DIR/restart.sh"
{
  echo '#!/usr/bin/env bash'
  declare -f pg_as_owner
  printf 'pg_as_owner %q -D %q -m fast -w restart -o %q >/dev/null\n' "$PG_BIN/pg_ctl" \
    "$PG_DIR/data" "-c listen_addresses='' -k $PG_DIR -c fsync=off -c max_connections=50"
} >"$restart"
chmod 755 "$restart"
for t in client/e2e_exchange pg/e2e_reconnect; do
  db="c_${t##*/}"
  pg_createdb "$db" || exit 1
  wrap="$PG_DIR/sottod-$db"
  printf '#!/bin/sh\nexec %q %s "$@"\n' "$SOTTOD" "$(opts_for "$db")" >"$wrap"
  chmod 755 "$wrap"
  s=$(date +%s)
  if SOTTOD="$wrap" PG_RESTART="$restart" bash "$here/../$t.sh" >"$PG_DIR/$db.out" 2>&1; then
    echo "ok   $t.sh on postgres ($(($(date +%s) - s))s)"
  else
    echo "FAIL $t.sh on postgres:"
    tail -30 "$PG_DIR/$db.out"
    fails=$((fails + 1))
  fi
done

echo "postgres: $fails failure(s), $(($(date +%s) - t0))s"
[ "$fails" -eq 0 ]
