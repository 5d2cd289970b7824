#!/usr/bin/env bash
# A malicious server attacks the log itself (spec 5.2 S4/S8, G2):
#  - sottod refuses to start on leaves that no longer match its last
#    signed checkpoint;
#  - a rewritten leaf (a fork at the same size) is caught by the owner's
#    own check on the next session and by a contact: hard failure, both
#    signed checkpoints kept as evidence;
#  - a truncated log (rollback) is refused;
#  - a checkpoint signed by another log key is refused.
. "$(dirname "$0")/../client/lib.sh"
DB() { python3 "$(dirname "$0")/kt_db.py" "$T/srv/sotto.db" "$@"; }
restart() { stop_sottod; start_sottod srv "$PORT"; }

start_sottod srv
use_server "$PORT" "$KEY"
for u in alice bob carol dave; do "$SOTTO" -a $u register --key-file >/dev/null; done
check "alice sends bob (KT checks on)" "$SOTTO" -a alice send bob -m "before"
check "bob receives" grep -q "<- alice: before" <<<"$("$SOTTO" -a bob receive)"
check "carol sends dave" "$SOTTO" -a carol send dave -m "before"
check "dave receives" grep -q "<- carol: before" <<<"$("$SOTTO" -a dave receive)"
check "sottod fingerprint prints the log key" grep -q '^log_key=05' <<<"$("$SOTTOD" -d "$T/srv" fingerprint)"
check "admin kt: the stored log verifies (4 accounts, 8 leaves)" grep -q '^ok log_key=05.* log_size=8 root=' <<<"$("$SOTTOD" -d "$T/srv" admin kt)"
check "admin kt-leaves lists them" test "$("$SOTTOD" -d "$T/srv" admin kt-leaves | grep -c '^index=.*type=\(ACCOUNT_CREATE\|DL_UPDATE\)')" = 8

# Fork: rewrite alice's ACCOUNT_CREATE leaf (index 0).
stop_sottod
DB rewrite-leaf 0
"$SOTTOD" -d "$T/srv" admin kt >"$T/admin" 2>&1
check "admin kt: a rewritten leaf breaks the log (exit 1)" test $? = 1
check "... saying so" grep -q '^broken' "$T/admin"
rm -f "$T/srv/ready"
"$SOTTOD" -p "$PORT" --http-port 0 -d "$T/srv" --ready-file "$T/srv/ready" >"$T/refused" 2>&1
check "sottod refuses leaves that do not match its signed checkpoint" test $? != 0
check "... saying why" grep -q "do not match the stored checkpoint" "$T/refused"
DB drop-checkpoint # the operator insists
start_sottod srv "$PORT"
"$SOTTO" -a alice -o json receive >"$T/out" 2>"$T/err"
check "fork: alice's session fails" test $? != 0
check "fork: alice gets a kt event with the fork" grep -q '"schema":"sotto.kt.v1".*"check":"fork"' "$T/out"
check "fork: the event carries two signed checkpoints" \
    test "$(grep '"check":"fork"' "$T/out" | grep -o 'sotto-kt/[0-9a-f]*\\n[0-9]*\\n' | wc -l)" -ge 2
queued=$(DB count-envelopes alice 1) # bob's delivery receipt
out=$("$SOTTO" -a bob -o json send alice -m "must not go" 2>&1)
check "fork: bob refuses to send to alice" grep -q '"check":"fork"' <<<"$out"
check "fork: nothing new stored for alice" test "$(DB count-envelopes alice 1)" = "$queued"

# Rollback: a log shorter than what carol saw.
stop_sottod
DB truncate 1
DB drop-checkpoint
start_sottod srv "$PORT"
queued=$(DB count-envelopes dave 1)
out=$("$SOTTO" -a carol -o json send dave -m "must not go either" 2>&1)
check "rollback: carol refuses (older log)" grep -q '"check":"checkpoint_rollback"' <<<"$out"
check "rollback: nothing new stored for dave" test "$(DB count-envelopes dave 1)" = "$queued"

# Another log key.
stop_sottod
rm -f "$T/srv/log.key"
DB drop-checkpoint
start_sottod srv "$PORT"
out=$("$SOTTO" -a dave -o json receive 2>&1)
check "new log key: dave refuses it" grep -q '"check":"log_key_changed"' <<<"$out"

# A log key pinned in the config: the server's must match it.
good=$(sed -n 's/^log_key=//p' "$T/srv/ready")
bad=05$(printf '%064d' 3)
printf '[account erin]\nlog_key = %s\n[account frank]\nlog_key = %s\n' "$good" "$bad" >>"$SOTTO_CONFIG"
"$SOTTO" -a erin register --key-file >/dev/null
check "config log_key (right): erin's session passes" "$SOTTO" -a erin receive
"$SOTTO" -a frank register --key-file >"$T/out" 2>&1
check "config log_key (wrong): frank's registration does not verify" test $? != 0
check "... saying so" grep -q "another log key" "$T/out"
out=$("$SOTTO" -a frank -o json receive 2>&1)
check "config log_key (wrong): frank refuses the server's log" grep -q '"check":"log_key_changed"' <<<"$out"
finish
