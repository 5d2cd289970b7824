#!/usr/bin/env bash
# Multi-device: a second machine links to alice's account (link URI, device
# add on the primary signs the new device list), both devices receive what
# bob sends, each device sees what the other sent (transcripts), and a
# removed device is cut off.
. "$(dirname "$0")/lib.sh"

start_sottod srv
use_server "$PORT" "$KEY"
A() { XDG_DATA_HOME=$T/machineA "$SOTTO" "$@"; }
B() { XDG_DATA_HOME=$T/machineB "$SOTTO" "$@"; }
A -a alice register --key-file >/dev/null
A -a bob register --key-file >/dev/null
uri=$(B -a alice -o json link --key-file | python3 -c 'import sys,json; print(json.load(sys.stdin)["uri"])')
check "link prints a sotto://link URI" grep -q '^sotto://link?account=alice&device_key=05' <<<"$uri"
B -a alice receive 2>"$T/err"
check "before device add the new device is told to wait (exit 1)" test $? = 1
check "... with what to do" grep -q "device add" "$T/err"
check "primary adds the device (id 2)" grep -q "^  2 " <<<"$(A -a alice device add "$uri")"
check "the linked device completes registration" B -a alice receive
check "the linked device knows both devices" test "$(B -a alice -o json device list | wc -l)" = 2

A -a bob send alice -m "to every alice device" >/dev/null
check "primary receives bob's message" grep -q "<- bob: to every alice device" <<<"$(A -a alice receive)"
check "linked device receives it too" grep -q "<- bob: to every alice device" <<<"$(B -a alice receive)"

A -a alice send bob -m "from the primary" >/dev/null
check "linked device gets a transcript of the primary's send" grep -q -- "-> bob: from the primary" <<<"$(B -a alice receive; B -a alice history bob)"
B -a alice send bob -m "from the laptop" >/dev/null
check "bob receives from the linked device" grep -q "<- alice: from the laptop" <<<"$(A -a bob receive)"
check "primary gets the laptop's transcript" grep -q -- "-> bob: from the laptop" <<<"$(A -a alice receive; A -a alice history bob)"

check "primary removes device 2" A -a alice device remove 2
A -a bob send alice -m "after removal" >/dev/null
check "the primary still receives" grep -q "<- bob: after removal" <<<"$(A -a alice receive)"
B -a alice receive >/dev/null 2>&1
check "the removed device is refused by the server" test $? != 0
finish
