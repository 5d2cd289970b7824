#!/usr/bin/env bash
# Two accounts exchange messages through a real sottod; the stores hold no
# plaintext; a send while the server is down is queued and delivered later;
# a send killed mid-flight (server not answering) loses nothing.
. "$(dirname "$0")/lib.sh"

start_sottod srv
use_server "$PORT" "$KEY"
check "alice registers" "$SOTTO" -a alice register --key-file
check "bob registers" "$SOTTO" -a bob register --key-file
check "register twice is a user error" test "$("$SOTTO" -a alice register --key-file >/dev/null 2>&1; echo $?)" = 1

secret="the owl flies at dawn $RANDOM"
check "alice sends" "$SOTTO" -a alice send bob -m "$secret"
out=$("$SOTTO" -a bob -o json receive)
check "bob receives it as sotto.message.v1" grep -q "\"schema\":\"sotto.message.v1\".*\"peer\":\"alice\".*\"text\":\"$secret\"" <<<"$out"
"$SOTTO" -a alice receive >/dev/null
check "alice's message is marked delivered (receipt)" grep -q '"status":"delivered"' <<<"$("$SOTTO" -a alice -o json history bob)"
check "bob's second receive is empty (acked, no duplicates)" test -z "$("$SOTTO" -a bob receive)"
echo "reply from stdin" | "$SOTTO" -a bob send alice --stdin >/dev/null
check "alice receives the reply" grep -q "<- bob: reply from stdin" <<<"$("$SOTTO" -a alice receive)"
check "history keeps both" test "$("$SOTTO" -a alice history bob | wc -l)" = 2

for f in "$XDG_DATA_HOME"/sotto/*/store.db*; do
    check "no plaintext in $(basename "$(dirname "$f")")/$(basename "$f")" \
        bash -c '! grep -q "$1" "$2" && ! grep -q "reply from stdin" "$2"' _ "$secret" "$f"
done

# Server down: the message is queued (exit 3 says so), then delivered.
stop_sottod
out=$("$SOTTO" -a alice -o json send bob -m "while down" 2>/dev/null)
rc=$?
check "send with the server down exits 3" test "$rc" = 3
check "... and the message is queued" grep -q '"status":"queued"' <<<"$out"
start_sottod srv "$PORT"
check "queued message goes out on the next run" "$SOTTO" -a alice receive
check "bob gets the queued message" grep -q "<- alice: while down" <<<"$("$SOTTO" -a bob receive)"

# Killed mid-send: a listener that never answers the handshake.
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(5)
print(s.getsockname()[1], flush=True)
c=[]
while True: c.append(s.accept())' >"$T/blackhole.port" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/blackhole.port" ] && break; sleep 0.05; done
use_server "$(cat "$T/blackhole.port")" "$KEY"
"$SOTTO" -a alice send bob -m "typed then killed" >/dev/null 2>&1 &
SPID_SEND=$!
sleep 1
kill -9 "$SPID_SEND" 2>/dev/null
wait "$SPID_SEND" 2>/dev/null
use_server "$PORT" "$KEY"
check "killed send: still in the history as queued" grep -q "typed then killed" <<<"$("$SOTTO" -a alice history)"
"$SOTTO" -a alice receive >/dev/null
check "killed send: delivered after restart" grep -q "<- alice: typed then killed" <<<"$("$SOTTO" -a bob receive)"

# Key-change policy: alice verifies bob; then a different key for bob shows
# up (simulated by hand): sending stops (exit 4) until she verifies again.
sn=$("$SOTTO" -a bob -o json verify alice | python3 -c 'import sys,json; print(json.load(sys.stdin)["safety_number"])')
check "alice verifies bob with bob's safety number" "$SOTTO" -a alice trust bob --safety-number "$sn"
check "wrong safety number is refused (exit 4)" test "$("$SOTTO" -a alice trust bob --safety-number "$(python3 -c 'import sys; s=sys.argv[1]; print(str((int(s[0])+1)%10)+s[1:])' "$sn")" >/dev/null 2>&1; echo $?)" = 4
real=$("$SOTTO" -a alice -o json contacts | python3 -c 'import sys,json; print([c for c in map(json.loads, sys.stdin) if c["name"]=="bob"][0]["identity_key"])')
"$SOTTO" -a alice contacts add bob --identity-key "05$(printf '%064d' 7)" 2>"$T/err" >/dev/null
check "a changed key is announced" grep -q "CHANGED" "$T/err"
check "contact shows trust changed" grep -q '"trust":"changed"' <<<"$("$SOTTO" -a alice -o json contacts)"
"$SOTTO" -a alice send bob -m "must not go" 2>"$T/err" >/dev/null
check "sending to a changed contact exits 4" test $? = 4
check "... and says to verify" grep -q "sotto verify" "$T/err"
"$SOTTO" -a alice contacts add bob --identity-key "$real" 2>/dev/null >/dev/null
check "after re-verifying, sending works again" "$SOTTO" -a alice trust bob --safety-number "$sn"
check "send after re-verification" "$SOTTO" -a alice send bob -m "verified again"
check "bob gets it" grep -q "<- alice: verified again" <<<"$("$SOTTO" -a bob receive)"

"$SOTTO" -a alice send nosuchuser -m "hello?" 2>"$T/err" >/dev/null
check "sending to an unknown account exits 1" test $? = 1
check "... saying the server has no such account" grep -q "no account 'nosuchuser'" "$T/err"

# A passphrase-protected store.
check "carol registers with a passphrase" env SOTTO_PASSPHRASE="correct horse battery" "$SOTTO" -a carol register
SOTTO_PASSPHRASE="wrong horse" "$SOTTO" -a carol contacts 2>"$T/err" >/dev/null
check "a wrong passphrase exits 1" test $? = 1
check "... saying so" grep -q "wrong passphrase" "$T/err"
setsid -w "$SOTTO" -a carol contacts </dev/null 2>"$T/err" >/dev/null  # no controlling terminal
check "no passphrase and no terminal exits 1 with a hint" grep -q "SOTTO_PASSPHRASE" "$T/err"
check "the right passphrase opens it" env SOTTO_PASSPHRASE="correct horse battery" "$SOTTO" -a carol contacts

# Wrong pinned key: refused with exit 3 and a reason.
use_server "$PORT" "$(printf '%064d' 0 | tr 0 1)"
"$SOTTO" -a alice receive 2>"$T/err" >/dev/null
check "a server with another key is refused (exit 3)" test $? = 3
check "... saying why" grep -q "pinned key" "$T/err"
finish
