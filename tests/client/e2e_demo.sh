#!/usr/bin/env bash
# scripts/run --demo (with the built binaries): two accounts talk through a
# temporary sottod, the safety number is shown, sottod is stopped, exit 0,
# nothing left behind.
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
before=$(ls -d /tmp/sotto-demo.* 2>/dev/null | sort)
SOTTO=$SOTTO SOTTOD=$SOTTOD "$root/scripts/run" --demo >"$T/out" 2>&1
check "scripts/run --demo exits 0" test $? = 0
check "bob receives alice's messages" grep -q "<- alice: The server only sees ciphertext." "$T/out"
check "alice receives bob's reply" grep -q "<- bob: Hi Alice! Got both." "$T/out"
check "history shows delivery" grep -q "\[delivered\]" "$T/out"
check "the safety number is printed" grep -Eq "same safety number: ([0-9]{5} ){11}[0-9]{5}" "$T/out"
check "trust with it succeeds" grep -q "bob is now verified." "$T/out"
pid=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$T/out")
check "sottod is stopped" bash -c "! kill -0 '$pid' 2>/dev/null"
check "the temporary folder is removed" test "$(ls -d /tmp/sotto-demo.* 2>/dev/null | sort)" = "$before"
check "nothing written to the caller's profile" test ! -e "$XDG_DATA_HOME/sotto"
finish
