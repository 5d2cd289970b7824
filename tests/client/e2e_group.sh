#!/usr/bin/env bash
# Groups: alice (phone + laptop) creates a group with bob (phone + tablet)
# and carol; everybody sends and receives, the laptop gets transcripts and
# the state; alice removes carol, everybody rotates its sender key, and
# carol receives nothing afterwards, holds none of the later messages, and
# cannot decrypt a later SenderKeyMessage even if the server hands it to
# her. A non-member's group state is refused.
. "$(dirname "$0")/lib.sh"

start_sottod srv
use_server "$PORT" "$KEY"
A1() { XDG_DATA_HOME=$T/a1 "$SOTTO" -a alice "$@"; }
A2() { XDG_DATA_HOME=$T/a2 "$SOTTO" -a alice "$@"; }
B1() { XDG_DATA_HOME=$T/b1 "$SOTTO" -a bob "$@"; }
B2() { XDG_DATA_HOME=$T/b2 "$SOTTO" -a bob "$@"; }
C1() { XDG_DATA_HOME=$T/c1 "$SOTTO" -a carol "$@"; }
D1() { XDG_DATA_HOME=$T/d1 "$SOTTO" -a dave "$@"; }
uri_of() { python3 -c 'import sys,json; print(json.load(sys.stdin)["uri"])'; }
field() { python3 -c 'import sys,json; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

check "alice registers" A1 register --key-file
check "bob registers" B1 register --key-file
check "carol registers" C1 register --key-file
check "dave registers" D1 register --key-file
check "alice links her laptop" A1 device add "$(A2 -o json link --key-file | uri_of)"
check "bob links his tablet" B1 device add "$(B2 -o json link --key-file | uri_of)"
A2 receive >/dev/null
B2 receive >/dev/null

gid=$(A1 -o json group create team --members bob,carol | field group)
check "alice creates the group" test ${#gid} -eq 32
out=$(B1 receive)
check "bob's phone learns the group" grep -q "\[group team\] alice set the members (version 1): alice bob carol" <<<"$out"
check "bob's tablet too" grep -q "\[group team\] alice" <<<"$(B2 receive)"
check "carol too" grep -q "\[group team\] alice" <<<"$(C1 receive)"
check "alice's laptop too" grep -q "\[group team\] alice" <<<"$(A2 receive)"
check "bob lists it" grep -q "^$gid  team  v1  alice,bob,carol$" <<<"$(B1 group list)"
check "group JSON" grep -q '"schema":"sotto.group.v1".*"members":\["alice","bob","carol"\]' \
    <<<"$(C1 -o json group list)"

check "alice sends to the group" A1 send --group team -m "hello team"
check "bob's phone receives it" grep -q "\[group team\] alice: hello team" <<<"$(B1 receive)"
check "bob's tablet receives it" grep -q "\[group team\] alice: hello team" <<<"$(B2 receive)"
check "carol receives it" grep -q "\[group team\] alice: hello team" <<<"$(C1 receive)"
check "bob's tablet answers" B2 send --group "$gid" -m "hi from bob's tablet"
check "carol answers" C1 send --group team -m "carol here"
out=$(A1 receive)
check "alice gets bob's answer" grep -q "\[group team\] bob: hi from bob's tablet" <<<"$out"
check "alice gets carol's answer" grep -q "\[group team\] carol: carol here" <<<"$out"
out=$(B1 receive)
check "bob's phone gets carol's answer" grep -q "\[group team\] carol: carol here" <<<"$out"
check "bob's phone has the tablet's message (transcript)" \
    grep -q "\[group team\] bob: hi from bob's tablet" <<<"$(B1 history --group team)"
out=$(A2 receive; A2 history --group team)
check "alice's laptop has her message (transcript)" grep -q "\[group team\] alice: hello team" <<<"$out"
check "alice's laptop has carol's" grep -q "\[group team\] carol: carol here" <<<"$out"
check "history JSON has the group" \
    grep -q "\"group\":\"$gid\"" <<<"$(A1 -o json history --group team)"
check "1:1 history leaves group messages out" test -z "$(A1 history bob)"
# An attachment to the group (the existing attachment path).
head -c 100000 /dev/urandom >"$T/pic.bin"
aid=$(B1 -o json send --group team -a "$T/pic.bin" -m "a picture" | field id)
A1 receive >/dev/null
apath=$(A1 -o json history --group team | python3 -c '
import sys, json
for line in sys.stdin:
    o = json.loads(line)
    if o.get("id") == sys.argv[1]:
        print(o.get("path", "")); break' "$aid")
check "alice saved bob's group attachment, equal to the file" cmp -s "$T/pic.bin" "$apath"
check "carol sees it as a group attachment"     grep -q "\[group team\] bob: a picture \[attachment pic.bin" <<<"$(C1 receive)"
B2 receive >/dev/null
A2 receive >/dev/null

# bob links a third device later: alice's next message notices the new
# device (its list changed), sends it the group and her key first.
B3() { XDG_DATA_HOME=$T/b3 "$SOTTO" -a bob "$@"; }
check "bob links a third device" B1 device add "$(B3 -o json link --key-file | uri_of)"
B3 receive >/dev/null
check "alice sends again" A1 send --group team -m "welcome, new device"
out=$(B3 receive)

check "bob's new device learns the group from alice" grep -q "\[group team\] alice set the members" <<<"$out"
check "and reads her message" grep -q "\[group team\] alice: welcome, new device" <<<"$out"
check "bob's phone gets it once" test "$(B1 receive | grep -c 'welcome, new device')" -eq 1
check "bob's tablet too" grep -q "welcome, new device" <<<"$(B2 receive)"
check "carol too" grep -q "welcome, new device" <<<"$(C1 receive)"
check "bob's phone has it once in history" \
    test "$(B1 history --group team | grep -c 'welcome, new device')" -eq 1

# carol is removed; everybody learns it; later messages do not reach her.
check "alice removes carol" A1 group remove team carol
check "carol learns she was removed" grep -q "(you are not a member)" <<<"$(C1 receive)"
check "bob learns it" grep -q "version 2): alice bob$" <<<"$(B1 receive)"
B2 receive >/dev/null
A2 receive >/dev/null
check "alice sends after the removal" A1 send --group team -m "secret after carol"
check "bob sends after the removal" B1 send --group team -m "bob secret too"
check "bob's phone gets alice's message (new key)" \
    grep -q "\[group team\] alice: secret after carol" <<<"$(B1 receive)"
check "bob's tablet too" grep -q "secret after carol" <<<"$(B2 receive)"
check "alice gets bob's" grep -q "\[group team\] bob: bob secret too" <<<"$(A1 receive)"
out=$(C1 receive; C1 history --group team)
check "carol receives none of it" bash -c '! grep -q "secret" <<<"$1"' _ "$out"
check "carol's history still has the earlier messages" grep -q "hello team" <<<"$out"
check "carol can no longer send to the group" bash -c '! "$@"' _ \
    env XDG_DATA_HOME="$T/c1" "$SOTTO" -a carol send --group team -m "let me in"

# A state from someone outside the group is refused.
check "dave makes his own group with bob" D1 group create dgroup --members bob
check "bob accepts dave's new group (bob is in it)" grep -q "\[group dgroup\] dave" <<<"$(B1 receive)"

check "a group with an account the server does not know is refused (exit 1)" bash -c '! "$@"' _ \
    env XDG_DATA_HOME="$T/a1" "$SOTTO" -a alice group create ghosts --members bob,nosuchaccount
check "but stored, and bob told" grep -q "\[group ghosts\] alice" <<<"$(B1 receive)"
check "messages to it still reach bob" A1 send --group ghosts -m "boo"
check "bob gets it" grep -q "\[group ghosts\] alice: boo" <<<"$(B1 receive)"

# The daemon: send to a group, read its history; conversations stay 1:1.
out=$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"send","params":{"group":"team","text":"via the daemon"}}' \
    '{"jsonrpc":"2.0","id":2,"method":"history","params":{"group":"team","limit":1}}' \
    '{"jsonrpc":"2.0","id":3,"method":"conversations","params":{}}' |
    XDG_DATA_HOME=$T/a1 "$SOTTO" -a alice daemon --stdio 2>/dev/null)
check "daemon send to a group" grep -q '"result":{.*"status":"sent".*"group":"'"$gid"'"},"id":1' <<<"$out"
check "daemon group history" grep -q '"result":\[{.*"text":"via the daemon".*"group".*"id":2' <<<"$out"
check "daemon conversations leave groups out (alice has no 1:1 ones)" \
    grep -q '"result":\[\],"id":3' <<<"$out"
check "bob gets the daemon's message" grep -q "\[group team\] alice: via the daemon" <<<"$(B1 receive)"

check "bob leaves team" B1 group leave team
check "alice sees bob leave" grep -q "version 3): alice" <<<"$(A1 receive)"
finish
