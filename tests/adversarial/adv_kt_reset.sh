#!/usr/bin/env bash
# The ghost-user path that stays open to the operator (spec 5.1 point 3,
# 5.2 S2/S3, G3): an ACCOUNT_RESET of alice's account to a key she does not
# hold, plus a ghost device. The log records it; alice's primary raises the
# owner alarm on its next session; bob refuses alice's list.
. "$(dirname "$0")/../client/lib.sh"
DB() { python3 "$(dirname "$0")/kt_db.py" "$T/srv/sotto.db" "$@"; }

start_sottod srv
use_server "$PORT" "$KEY"
"$SOTTO" -a alice register --key-file >/dev/null
"$SOTTO" -a bob register --key-file >/dev/null
check "alice sends bob" "$SOTTO" -a alice send bob -m "before"
check "bob receives" grep -q "<- alice: before" <<<"$("$SOTTO" -a bob receive)"
check "alice's own check passes (no alarm)" "$SOTTO" -a alice receive

stop_sottod
DB reset alice
DB ghost-row alice 9 # the server wants it encrypted to
start_sottod srv "$PORT"
out=$("$SOTTO" -a alice -o json receive 2>&1)
check "owner alarm: alice's session fails" test $? != 0
check "owner alarm: a change alice did not make" grep -q '"check":"owner".*did not make' <<<"$out"
queued=$(DB count-envelopes alice 9)
out=$("$SOTTO" -a bob -o json send alice -m "must not reach the ghost" 2>&1)
check "bob refuses alice's list: its newest leaf is the reset" grep -q '"check":"leaf_mismatch"' <<<"$out"
check "nothing for the ghost device" test "$(DB count-envelopes alice 9)" = "$queued"
finish
