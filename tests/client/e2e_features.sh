#!/usr/bin/env bash
# Reactions (stored, shown as a reaction to their target), typing
# indicators (shown by receive --follow, never stored) and disappearing
# messages (the timer travels in the encrypted content; expired messages
# leave the store).
. "$(dirname "$0")/lib.sh"

jget() { python3 -c 'import sys,json; print(json.loads(sys.stdin.readline())[sys.argv[1]])' "$1"; }
start_sottod srv
use_server "$PORT" "$KEY"
check "alice registers" "$SOTTO" -a alice register --key-file
check "bob registers" "$SOTTO" -a bob register --key-file

out=$("$SOTTO" -a alice -o json send bob -m "pizza tonight?")
id=$(jget id <<<"$out")
ts=$(jget ts <<<"$out")
"$SOTTO" -a bob receive >/dev/null
check "bob reacts by timestamp" "$SOTTO" -a bob react alice --target-timestamp "$ts" --emoji "👍"
out=$("$SOTTO" -a alice -o json receive)
check "alice receives it as a reaction to her message (JSON)" \
    grep -q "\"text\":\"👍\",\"type\":\"reaction\",\"target\":\"$id\"" <<<"$out"
check "alice's history shows the reaction with the target's text" \
    grep -q "<- bob: reacted 👍 to $id \"pizza tonight?\"" <<<"$("$SOTTO" -a alice history bob)"
check "alice reacts by id" "$SOTTO" -a alice react bob --target-id "$id" --emoji "🎉"
check "bob sees it" grep -q "reacted 🎉 to $id \"pizza tonight?\"" <<<"$("$SOTTO" -a bob receive)"
"$SOTTO" -a bob react alice --target-id "$(printf '%032d' 0)" --emoji "x" 2>/dev/null
check "reacting to an unknown message exits 1" test $? = 1

# Typing: shown by receive --follow, not stored.
"$SOTTO" -a bob receive --follow --timeout 4 >"$T/follow" 2>&1 &
FPID=$!
sleep 1
check "alice says she is typing" "$SOTTO" -a alice typing bob start
check "... and stopped" "$SOTTO" -a alice typing bob stop
wait "$FPID"
check "receive --follow shows 'alice is typing...'" grep -q "alice is typing..." "$T/follow"
check "... and 'alice stopped typing'" grep -q "alice stopped typing" "$T/follow"
check "typing is not in the history" test "$("$SOTTO" -a bob history alice | grep -c typing)" = 0
check "typing JSON" grep -q '"schema":"sotto.typing.v1"' <<<"$("$SOTTO" -a alice typing bob start >/dev/null; "$SOTTO" -a bob -o json receive)"

# Disappearing messages: a 1 s timer set by alice applies on both sides.
check "alice sets a 1 s timer" "$SOTTO" -a alice timer bob 1
check "bob is told" grep -q "alice set disappearing messages to 1 s" <<<"$("$SOTTO" -a bob receive)"
check "alice sends under the timer" "$SOTTO" -a alice send bob -m "self-destruct $RANDOM"
check "bob receives it (with expires_at)" grep -q '"text":"self-destruct.*"expires_at"' <<<"$("$SOTTO" -a bob -o json receive)"
sleep 1.5
check "gone from bob's history after 1 s" test "$("$SOTTO" -a bob history alice | grep -c self-destruct)" = 0
check "gone from alice's history too" test "$("$SOTTO" -a alice history bob | grep -c self-destruct)" = 0
check "older messages stay" grep -q "pizza tonight" <<<"$("$SOTTO" -a bob history alice)"
check "bob turns the timer off" "$SOTTO" -a bob timer alice off
"$SOTTO" -a alice receive >/dev/null
"$SOTTO" -a alice send bob -m "kept again" >/dev/null
sleep 1.2
check "after off, new messages are kept" grep -q "kept again" <<<"$("$SOTTO" -a alice history bob)"
check "a bad timer value exits 1" test "$("$SOTTO" -a alice timer bob -5 >/dev/null 2>&1; echo $?)" = 1
finish
