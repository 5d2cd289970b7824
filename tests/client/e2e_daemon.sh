#!/usr/bin/env bash
# The JSON-RPC daemon: a subscriber misses no event across a daemon restart
# (durable journal, explicit acks, per-subscriber cursors); unacked events
# come again; send/contacts/verify over JSON-RPC; the socket is 0600.
. "$(dirname "$0")/lib.sh"
RPC="python3 $(dirname "$0")/rpc_client.py"

start_sottod srv
use_server "$PORT" "$KEY"
"$SOTTO" -a alice register --key-file >/dev/null
"$SOTTO" -a bob register --key-file >/dev/null
SOCK=$T/bob.sock

start_daemon() {
    "$SOTTO" -a bob daemon --socket "$SOCK" 2>>"$T/daemon.log" &
    DPID=$!
    PIDS+=("$DPID")
    for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
}

start_daemon
check "socket is mode 0600" test "$(stat -c %a "$SOCK")" = 600
"$SOTTO" -a alice send bob -m "one" >/dev/null
check "subscriber gets the first message" test "$($RPC "$SOCK" tui 1)" = "one"

kill "$DPID"; wait "$DPID" 2>/dev/null
"$SOTTO" -a alice send bob -m "two" >/dev/null
"$SOTTO" -a alice send bob -m "three" >/dev/null
start_daemon
out=$($RPC "$SOCK" tui 2 noack)
check "after a daemon restart: exactly the missed ones, in order" test "$out" = $'two\nthree'
out=$($RPC "$SOCK" tui 2)
check "unacked events come again" test "$out" = $'two\nthree'
check "acked events do not (pull: receive is empty)" grep -q '"result":\[\]' <<<"$($RPC "$SOCK" call receive '{"subscriber":"tui"}')"
out=$($RPC "$SOCK" other 3 | tr "\n" " "); echo "other: $out"
check "another subscriber starts from the beginning" test "$out" = "one two three "

out=$($RPC "$SOCK" call send '{"to":"alice","text":"via rpc"}')
check "send over JSON-RPC" grep -q '"status":"sent"' <<<"$out"
check "alice gets it" grep -q "<- bob: via rpc" <<<"$("$SOTTO" -a alice receive)"
out=$($RPC "$SOCK" call contacts '{}')
check "contacts over JSON-RPC" grep -q '"name":"alice"' <<<"$out"
out=$($RPC "$SOCK" call verify '{"name":"alice"}')
check "verify over JSON-RPC (12 groups of 5)" grep -Eq '"safety_number":"([0-9]{5} ){11}[0-9]{5}"' <<<"$out"
out=$($RPC "$SOCK" call nosuch '{}')
check "unknown method is -32601" grep -q '"code":-32601' <<<"$out"
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"conversations","params":{}}' | "$SOTTO" -a alice daemon --stdio 2>/dev/null)
check "--stdio works" grep -q '"peer":"bob"' <<<"$out"
finish
