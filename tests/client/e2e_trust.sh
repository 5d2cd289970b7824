#!/usr/bin/env bash
# --trust-new-identities: always accepts a changed key (announced, not
# blocking); never refuses to send (exit 4) until the contact is verified.
. "$(dirname "$0")/lib.sh"

start_sottod srv
use_server "$PORT" "$KEY"
for a in alice bob dave; do check "$a registers" "$SOTTO" -a "$a" register --key-file; done
check "alice sends to bob (tofu: first key trusted)" "$SOTTO" -a alice send bob -m "hi"
sn=$("$SOTTO" -a bob -o json verify alice | python3 -c 'import sys,json; print(json.load(sys.stdin)["safety_number"])')
check "alice verifies bob" "$SOTTO" -a alice trust bob --safety-number "$sn"

# always: a changed key (simulated) is announced but accepted.
"$SOTTO" -a alice --trust-new-identities always contacts add bob \
    --identity-key "05$(printf '%064d' 7)" 2>"$T/err" >/dev/null
check "always: the change is announced" grep -q "CHANGED" "$T/err"
check "always: bob is unverified, not changed" grep -q '"trust":"unverified"' <<<"$("$SOTTO" -a alice -o json contacts)"
"$SOTTO" -a alice --trust-new-identities always send bob -m "goes anyway" >/dev/null 2>"$T/err"
check "always: sending goes on" test $? = 0
check "bob gets it" grep -q "<- alice: goes anyway" <<<"$("$SOTTO" -a bob receive)"

# The config key does the same as the option.
printf 'trust_new_identities = bogus\n' >>"$SOTTO_CONFIG"
check "a bad trust_new_identities value is a config error" test "$("$SOTTO" -a dave contacts >/dev/null 2>&1; echo $?)" = 1
use_server "$PORT" "$KEY"
printf 'trust_new_identities = never\n' >>"$SOTTO_CONFIG"

# never: dave has never verified bob: no send.
"$SOTTO" -a dave send bob -m "not yet" >/dev/null 2>"$T/err"
check "never: sending to an unverified contact exits 4" test $? = 4
check "never: ... saying to verify and trust" grep -q "sotto trust NAME --safety-number" "$T/err"
check "never: typing to an unverified contact exits 4 too" test "$("$SOTTO" -a alice typing bob start >/dev/null 2>&1; echo $?)" = 4
check "never: so does a timer" test "$("$SOTTO" -a alice timer bob 5 >/dev/null 2>&1; echo $?)" = 4
check "never: nothing was queued" test -z "$("$SOTTO" -a dave history bob)"
check "never: verify fetches bob's key from the server" "$SOTTO" -a dave verify --no-qr bob
sn=$("$SOTTO" -a bob -o json verify dave | python3 -c 'import sys,json; print(json.load(sys.stdin)["safety_number"])')
check "never: dave trusts bob" "$SOTTO" -a dave trust bob --safety-number "$sn"
check "never: now sending works" "$SOTTO" -a dave send bob -m "verified first"
check "bob gets dave's message" grep -q "<- dave: verified first" <<<"$("$SOTTO" -a bob receive)"
"$SOTTO" -a dave contacts add bob --identity-key "05$(printf '%064d' 9)" >/dev/null 2>&1
"$SOTTO" -a dave send bob -m "changed" >/dev/null 2>&1
check "never: a changed key blocks again (exit 4)" test $? = 4
finish
