#!/usr/bin/env bash
# sottod on PostgreSQL survives a database restart: after the server's
# session is cut, the next request reconnects (one retry outside a
# transaction) and nothing is lost. Run by tests/pg/e2e_postgres.sh with
# SOTTOD a wrapper that selects the store and PG_RESTART a script that
# restarts the cluster.
. "$(dirname "$0")/../client/lib.sh"

start_sottod srv
use_server "$PORT" "$KEY"
check "alice registers" "$SOTTO" -a alice register --key-file
check "bob registers" "$SOTTO" -a bob register --key-file
check "alice sends" "$SOTTO" -a alice send bob -m "before the restart"
check "PostgreSQL restarts" "$PG_RESTART"
check "alice sends after the restart" "$SOTTO" -a alice send bob -m "after the restart"
out=$("$SOTTO" -a bob receive)
check "bob gets the message sent before the restart" grep -q "before the restart" <<<"$out"
check "bob gets the message sent after the restart" grep -q "after the restart" <<<"$out"
check "sottod logged the reconnect" grep -q "reconnecting" "$T/srv/log"
stop_sottod
finish
