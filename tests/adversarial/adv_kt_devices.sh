#!/usr/bin/env bash
# A malicious server attacks device lists (spec 5.2 S1 and a replay):
#  - it replays bob's older, validly signed device list that still holds a
#    removed device (and serves that list's old log leaf): alice refuses
#    the rollback and encrypts nothing to the removed device;
#  - it adds a ghost device bob's account key never signed: refused.
. "$(dirname "$0")/../client/lib.sh"
DB() { python3 "$(dirname "$0")/kt_db.py" "$T/srv/sotto.db" "$@"; }

start_sottod srv
use_server "$PORT" "$KEY"
check "ready file carries the log key" grep -q '^log_key=05[0-9a-f]\{64\}$' "$T/srv/ready"
A() { XDG_DATA_HOME=$T/machineA "$SOTTO" "$@"; }
B() { XDG_DATA_HOME=$T/machineB "$SOTTO" "$@"; }
A -a alice register --key-file >/dev/null
A -a bob register --key-file >/dev/null
uri=$(B -a bob -o json link --key-file | python3 -c 'import sys,json; print(json.load(sys.stdin)["uri"])')
A -a bob device add "$uri" >/dev/null
check "bob's laptop joins (device list v2, logged)" B -a bob receive
check "alice sends to both of bob's devices (KT checks on)" A -a alice send bob -m "hello both"
check "bob's phone gets it" grep -q "<- alice: hello both" <<<"$(A -a bob receive)"
check "bob's laptop gets it" grep -q "<- alice: hello both" <<<"$(B -a bob receive)"
check "bob removes the laptop (v3, logged)" A -a bob device remove 2
check "alice sends after the removal" A -a alice send bob -m "laptop gone"
check "bob's phone gets it" grep -q "<- alice: laptop gone" <<<"$(A -a bob receive)"
check "verify shows the log alice saw" grep -q '"log_size":6,"log_root":"[0-9a-f]\{64\}"' <<<"$(A -a alice -o json verify bob)"
hp=$(sed -n 's/^http_port=//p' "$T/srv/ready")
metrics=$(python3 -c 'import sys,urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1]).read().decode())' "$hp")
check "metrics count the log's leaves (2 accounts x 2, 2 list changes)" grep -q '^sotto_kt_log_size 6$' <<<"$metrics"

# Replay: the server serves list v2 (the laptop back) and its old leaf.
stop_sottod
DB replay bob 2
start_sottod srv "$PORT"
out=$(A -a alice -o json send bob -m "must not reach the laptop" 2>"$T/err")
check "replayed list: send exits 4 (not trusted)" test $? = 4
check "... saying why" grep -q '"error":"kt_refused"' <<<"$out"
check "replayed list: a kt event says so" grep -q '"schema":"sotto.kt.v1".*"check":"dl_rollback"' <<<"$out"
check "replayed list: no envelope for the removed laptop" test "$(DB count-envelopes bob 2)" = 0
check "replayed list: nothing stored for bob at all" test "$(DB count-envelopes bob 1)" = 0
check "replayed list: the message stays queued" grep -q '"status":"queued"' <<<"$(A -a alice -o json history bob | tail -1)"

# Ghost: a device the account key never signed, shown to carol (alice's
# queue to bob waits behind the refused message, in order).
check "carol registers" A -a carol register --key-file
stop_sottod
DB ghost bob 9
start_sottod srv "$PORT"
out=$(A -a carol -o json send bob -m "must not reach the ghost" 2>"$T/err")
check "ghost device: send exits 4" test $? = 4
check "ghost device: refused as an invalid signature (warning)" grep -q "did not sign" "$T/err"
check "ghost device: no envelope for it" test "$(DB count-envelopes bob 9)" = 0
check "ghost device: nothing for bob's phone either" test "$(DB count-envelopes bob 1)" = 0
finish
