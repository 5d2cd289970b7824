#!/usr/bin/env bash
# Two accounts with two devices each (four machines, one sottod) exchange
# messages, attachments, receipts and reactions: every device of the
# recipient gets each message, every other device of the sender a copy
# under the same message id, so reactions and receipts naming that id land
# on all four; read receipts and timers are synced between a user's own
# devices; device names travel between them; a third device linked with
# --history receives the recent history, the others get nothing twice.
. "$(dirname "$0")/lib.sh"

start_sottod srv
use_server "$PORT" "$KEY"
A1() { XDG_DATA_HOME=$T/a1 "$SOTTO" -a alice "$@"; }
A2() { XDG_DATA_HOME=$T/a2 "$SOTTO" -a alice "$@"; }
A3() { XDG_DATA_HOME=$T/a3 "$SOTTO" -a alice "$@"; }
B1() { XDG_DATA_HOME=$T/b1 "$SOTTO" -a bob "$@"; }
B2() { XDG_DATA_HOME=$T/b2 "$SOTTO" -a bob "$@"; }
uri_of() { python3 -c 'import sys,json; print(json.load(sys.stdin)["uri"])'; }
# json_of ID FIELD: FIELD of message ID in the JSON history on stdin.
json_of() {
    python3 -c '
import sys, json
for line in sys.stdin:
    o = json.loads(line)
    if o.get("id") == sys.argv[1]:
        print(o.get(sys.argv[2], "")); break' "$1" "$2"
}

check "alice registers on her phone" A1 register --key-file
check "bob registers on his phone" B1 register --key-file
check "alice links her laptop (named)" \
    A1 device add "$(A2 -o json link --key-file | uri_of)" --name laptop
check "bob links his tablet" B1 device add "$(B2 -o json link --key-file | uri_of)"
check "alice's laptop comes online" A2 receive
check "bob's tablet comes online" B2 receive
A1 receive >/dev/null # the phone, online again, copies the name to the laptop
check "the laptop learns its name from the phone" grep -q "2  05.*  laptop  (this device)" \
    <<<"$(A2 receive >/dev/null; A2 device list)"

# A message reaches both of bob's devices; alice's laptop gets a copy with the same id.
id1=$(A1 -o json send bob -m "hello from alice's phone" | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
check "bob's phone receives it" grep -q "<- alice: hello from alice's phone" <<<"$(B1 receive)"
check "bob's tablet receives it" grep -q "<- alice: hello from alice's phone" <<<"$(B2 receive)"
A2 receive >/dev/null
check "alice's laptop has her message under the same id" \
    test "$(A2 -o json history bob | json_of "$id1" direction)" = out
check "alice's phone has the delivery receipt" \
    test "$(A1 receive >/dev/null; A1 -o json history bob | json_of "$id1" status)" = delivered

# A reaction from bob's tablet finds the message on all four devices.
check "bob's tablet reacts" B2 react alice --target-id "$id1" --emoji "👍"
check "alice's phone sees the reaction to her message" \
    grep -q "<- bob: reacted 👍 to $id1 \"hello from alice's phone\"" <<<"$(A1 receive)"
check "alice's laptop too" \
    grep -q "<- bob: reacted 👍 to $id1 \"hello from alice's phone\"" <<<"$(A2 receive)"
B1 receive >/dev/null
check "bob's phone has a copy of the tablet's reaction" \
    grep -q "\"type\":\"reaction\",\"target\":\"$id1\"" <<<"$(B1 -o json history alice)"

# An attachment from bob's phone: saved on alice's two devices and on bob's tablet.
head -c 300000 /dev/urandom >"$T/pic.bin"
id2=$(B1 -o json send alice -a "$T/pic.bin" -m "a picture" | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
for dev in A1 A2 B2; do
    $dev receive >/dev/null
    p=$($dev -o json history | json_of "$id2" path)
    check "$dev has the attachment, equal to the file" cmp -s "$T/pic.bin" "$p"
done

# Read receipts: alice reads on her laptop; bob's devices see "read", her phone too.
check "alice reads bob's messages on the laptop" grep -q "Marked 1 message from bob read" \
    <<<"$(A2 read bob)"
check "bob's phone: the attachment was read" \
    test "$(B1 receive >/dev/null; B1 -o json history alice | json_of "$id2" status)" = read
check "bob's tablet: its copy too" \
    test "$(B2 receive >/dev/null; B2 -o json history alice | json_of "$id2" status)" = read
check "alice's phone marks it read (read sync)" \
    test "$(A1 receive >/dev/null; A1 -o json history bob | json_of "$id2" status)" = read
check "nothing left to read on her phone" grep -q "Marked 0 messages" <<<"$(A1 read bob)"

# A timer set on one device applies to the user's other device.
check "alice sets a timer on her phone" A1 timer bob 3600
check "her laptop is told" grep -q "your other device set disappearing messages with bob to 3600 s" \
    <<<"$(A2 receive)"
check "bob's devices are told" grep -q "alice set disappearing messages to 3600 s" <<<"$(B2 receive)"
A1 timer bob off >/dev/null

# Renaming is synced.
check "bob renames his tablet from his phone" B1 device rename 2 "bob's tablet"
check "the tablet knows" grep -q "device 2 is now named 'bob's tablet'" <<<"$(B2 receive)"

# History transfer (opt-in) to a third device of alice.
# Three 60 KB messages make the history larger than one 128 KiB batch.
for i in 1 2 3; do
    { printf 'big%s ' "$i"; head -c 45000 /dev/urandom | base64 -w0; } | A1 send bob --stdin >/dev/null
done
A2 receive >/dev/null
n2=$(A2 history | wc -l)
out=$(A1 device add "$(A3 -o json link --key-file | uri_of)" --history --name desktop)
check "device add --history waits for the new device" grep -q "once it is online" <<<"$out"
check "the desktop comes online" A3 receive
check "the phone sends the history" grep -q "sent .* messages of history to your device 3" \
    <<<"$(A1 receive)"
check "the desktop receives it" grep -q "received .* messages of history" <<<"$(A3 receive)"
h3=$(A3 history bob)
check "... alice's first message" grep -q -- "-> bob: hello from alice's phone" <<<"$h3"
check "... bob's reaction" grep -q "<- bob: reacted 👍 to $id1" <<<"$h3"
check "... the attachment, saved" cmp -s "$T/pic.bin" "$(A3 -o json history | json_of "$id2" path)"
check "... with its read status" test "$(A3 -o json history bob | json_of "$id2" status)" = read
check "the desktop knows the laptop's name" grep -q "2  05.*  laptop$" <<<"$(A3 device list)"
check "... and the three large messages (two batches)" test "$(grep -c -- '-> bob: big[123] ' <<<"$h3")" = 3
A2 receive >/dev/null
check "the laptop stored nothing twice" test "$(A2 history | wc -l)" = "$n2"
check "a new message reaches all three of alice's devices" \
    B2 send alice -m "three devices now" 2>"$T/b2err"
check "bob is told that alice has a new device" grep -q "alice has a new device (3)" "$T/b2err"
check "... as JSON too" grep -q '"schema":"sotto.device_change.v1".*"peer":"alice","device":3,"added":true' \
    <<<"$(B1 -o json send alice -m "from bob's phone too" 2>&1)"
for dev in A1 A2 A3; do
    check "$dev gets it" grep -q "<- bob: three devices now" <<<"$($dev receive 2>"$T/err")"
done
check "alice's laptop is told about the new device on her own account" \
    grep -q "device 3 was added to YOUR account" <<<"$(A2 send bob -m "hi from the laptop" 2>&1; cat "$T/err")"
A3 device add "sotto://link?account=alice&device_key=05$(printf '%064d' 1)&registration_id=1" \
    2>/dev/null
check "a linked device cannot add devices (exit 1)" test $? = 1
finish
