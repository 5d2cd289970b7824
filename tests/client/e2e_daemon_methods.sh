#!/usr/bin/env bash
# JSON-RPC methods that act on a conversation, between two daemons (alice
# and bob, each with its own socket): react (by id and by timestamp; an
# unknown target and "remove" are refused), typing (pushed to the other
# daemon's subscriber as a "typing" notification, never journalled), timer
# (journalled on the other side), send with an attachment (the received
# copy is cmp-equal; the attachment method reports where it was saved).
. "$(dirname "$0")/lib.sh"
RPC="python3 $(dirname "$0")/rpc_client.py"

start_sottod srv
use_server "$PORT" "$KEY"
"$SOTTO" -a alice register --key-file >/dev/null
"$SOTTO" -a bob register --key-file >/dev/null
SA=$T/alice.sock SB=$T/bob.sock
for who in alice bob; do
    "$SOTTO" -a "$who" daemon --socket "$T/$who.sock" 2>>"$T/$who.log" &
    PIDS+=($!)
done
for s in "$SA" "$SB"; do for _ in $(seq 100); do [ -S "$s" ] && break; sleep 0.05; done; done

call() { $RPC "$1" call "$2" "$3"; }
jqt() { jq -e "$1" >/dev/null; }
# wait_for SOCK METHOD PARAMS JQ-FILTER: polls until the filter is true (10 s).
wait_for() {
    for _ in $(seq 100); do
        [ "$(call "$1" "$2" "$3" | jq -r "$4")" = true ] && return 0
        sleep 0.1
    done
    return 1
}

out=$(call "$SA" send '{"to":"bob","text":"pizza tonight?"}')
id=$(jq -r .result.id <<<"$out")
ts=$(jq -r .result.ts <<<"$out")
check "bob's daemon receives alice's message" wait_for "$SB" history '{"peer":"alice"}' \
    "any(.result[]; .id == \"$id\")"

out=$(call "$SB" react "{\"to\":\"alice\",\"target\":\"$id\",\"emoji\":\"👍\"}")
check "react by id: a reaction message" jqt '.result.type == "reaction" and .result.text == "👍"' <<<"$out"
check "alice's daemon gets the reaction to her message" wait_for "$SA" history '{"peer":"bob"}' \
    "any(.result[]; .type == \"reaction\" and .target == \"$id\" and .text == \"👍\")"
out=$(call "$SB" react "{\"to\":\"alice\",\"target_ts\":$ts,\"emoji\":\"🎉\"}")
check "react by timestamp" jqt ".result.target == \"$id\"" <<<"$out"
out=$(call "$SB" react "{\"to\":\"alice\",\"target\":\"$(printf '%032d' 0)\",\"emoji\":\"x\"}")
check "react to an unknown message: error 1" jqt '.error.code == 1 and .error.message == "no_such_message"' <<<"$out"
out=$(call "$SB" react "{\"to\":\"alice\",\"target\":\"$id\",\"emoji\":\"👍\",\"remove\":true}")
check "remove is refused (not supported yet)" jqt '.error.code == 1' <<<"$out"
out=$(call "$SB" react '{"to":"alice","emoji":"x"}')
check "react without a target: -32602" jqt '.error.code == -32602' <<<"$out"

# Typing: alice's subscriber sees bob's indicator as a notification.
$RPC "$SA" listen typist 6 >"$T/listen" &
LPID=$!
for _ in $(seq 100); do grep -q subscribed "$T/listen" 2>/dev/null && break; sleep 0.05; done
out=$(call "$SB" typing '{"to":"alice","on":true}')
check "typing on" jqt '.result == true' <<<"$out"
check "typing off" jqt '.result == true' <<<"$(call "$SB" typing '{"to":"alice","on":false}')"
check "typing needs on: -32602" jqt '.error.code == -32602' <<<"$(call "$SB" typing '{"to":"alice"}')"
for _ in $(seq 100); do grep -q '"typing":false' "$T/listen" && break; sleep 0.05; done
kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
check "alice's subscriber gets a typing notification (on)" grep -q \
    '"method":"typing","params":{"kind":"typing","schema":"sotto.typing.v1","event":{"peer":"bob","typing":true}}' "$T/listen"
check "... and off" grep -q '"event":{"peer":"bob","typing":false}' "$T/listen"
check "typing is not journalled" test "$(call "$SA" receive '{"subscriber":"fresh","max":1000}' | jq '[.result[] | select(.kind == "typing")] | length')" = 0

# Timer: applied here, journalled on alice's side.
out=$(call "$SB" timer '{"to":"alice","seconds":3600}')
check "timer 3600" jqt '.result.schema == "sotto.timer.v1" and .result.timer == 3600' <<<"$out"
check "alice's journal has the timer event" wait_for "$SA" receive '{"subscriber":"fresh","max":1000}' \
    'any(.result[]; .kind == "timer" and .event.peer == "bob" and .event.timer == 3600)'
check "timer 0 (off)" jqt '.result.timer == 0' <<<"$(call "$SB" timer '{"to":"alice","seconds":0}')"
check "timer over 4 weeks: -32602" jqt '.error.code == -32602' <<<"$(call "$SB" timer '{"to":"alice","seconds":9999999}')"

# Attachment: bob sends a file; alice's daemon saves it.
head -c 300000 /dev/urandom >"$T/photo.bin"
out=$(call "$SB" send "{\"to\":\"alice\",\"attachment\":\"$T/photo.bin\",\"text\":\"look\"}")
check "send with an attachment" jqt '.result.type == "attachment" and .result.name == "photo.bin" and .result.size == 300000 and .result.text == "look"' <<<"$out"
aid=$(jq -r .result.id <<<"$out")
check "alice's daemon saves it" wait_for "$SA" attachment "{\"id\":\"$aid\"}" '.result.saved'

# Read receipts: alice marks bob's messages read over RPC; bob's journal
# gets the status change of the attachment message.
check "read marks bob's messages read" jqt '.result.schema == "sotto.read.v1" and .result.count >= 1' \
    <<<"$(call "$SA" read '{"to":"bob"}')"
check "a second read finds nothing unread" jqt '.result.count == 0' <<<"$(call "$SA" read '{"to":"bob"}')"
check "bob's journal has the read status" wait_for "$SB" history '{"peer":"alice"}' \
    "any(.result[]; .id == \"$aid\" and .status == \"read\")"
path=$(call "$SA" attachment "{\"id\":\"$aid\"}" | jq -r .result.path)
check "the saved copy equals the file sent" cmp -s "$T/photo.bin" "$path"
check "a missing file: error 1" jqt '.error.code == 1' <<<"$(call "$SB" send "{\"to\":\"alice\",\"attachment\":\"$T/nope\"}")"
check "attachment of a text message: error 1" jqt '.error.code == 1' <<<"$(call "$SA" attachment "{\"id\":\"$id\"}")"
finish
