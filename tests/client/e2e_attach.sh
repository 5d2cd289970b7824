#!/usr/bin/env bash
# Attachments: a 1 MiB random file from alice to bob arrives intact (cmp)
# with mode 0600 in bob's attachments folder; a hostile name stays inside
# that folder; neither store holds the plaintext; a file over the server's
# limit is refused with exit 1.
. "$(dirname "$0")/lib.sh"

jget() { python3 -c 'import sys,json; print(json.loads(sys.stdin.readline())[sys.argv[1]])' "$1"; }
SRVOPT=(-o limits.attachment_max=2097152)
dir=$T/srv
mkdir -p "$dir"
"$SOTTOD" -p 0 --http-port 0 -d "$dir" --ready-file "$dir/ready" --log-level warn "${SRVOPT[@]}" \
    >>"$dir/log" 2>&1 &
SPID=$!
PIDS+=("$SPID")
for _ in $(seq 100); do [ -s "$dir/ready" ] && break; sleep 0.05; done
PORT=$(sed -n 's/^port=//p' "$dir/ready")
KEY=$(sed -n 's/^key=//p' "$dir/ready")
use_server "$PORT" "$KEY"
check "alice registers" "$SOTTO" -a alice register --key-file
check "bob registers" "$SOTTO" -a bob register --key-file

MARK=SOTTO-ATTACH-PLAINTEXT-MARKER-7f3a
{
    printf '%s\n' "$MARK"
    head -c $((1024 * 1024 - ${#MARK} - 1)) /dev/urandom
} >"$T/photo.bin"
check "alice sends a 1 MiB file with a caption" \
    "$SOTTO" -a alice send bob -a "$T/photo.bin" -m "the photo"
out=$("$SOTTO" -a bob -o json receive)
path=$(jget path <<<"$out")
ADIR=$XDG_DATA_HOME/sotto/bob/attachments
check "JSON: type attachment, name, size, caption" \
    grep -q '"text":"the photo","type":"attachment","name":"photo.bin","size":1048576' <<<"$out"
check "saved in bob's attachments folder" test "$(dirname "$path")" = "$ADIR"
check "bob's copy equals the file" cmp -s "$T/photo.bin" "$path"
check "mode 0600" test "$(stat -c %a "$path")" = 600
check "history shows [attachment NAME, SIZE bytes -> PATH]" \
    grep -qF "<- alice: the photo [attachment photo.bin, 1048576 bytes -> $path]" \
    <<<"$("$SOTTO" -a bob history alice)"
check "alice's history shows it sent" \
    grep -qF -- "-> bob: the photo [attachment photo.bin, 1048576 bytes -> $T/photo.bin]" \
    <<<"$("$SOTTO" -a alice history bob)"

# A hostile name: the receiver keeps only a safe base name.
printf 'evil content\n' >"$T/evil"
check "alice sends a file named ../../evil" \
    "$SOTTO" -a alice send bob -a "$T/evil" --name ../../evil
out=$("$SOTTO" -a bob -o json receive)
path=$(jget path <<<"$out")
check "it lands inside the attachments folder" test "$(dirname "$path")" = "$ADIR"
check "as <id>-evil" grep -q -- "-evil$" <<<"$path"
check "with its content" cmp -s "$T/evil" "$path"
check "nothing was written outside" test ! -e "$XDG_DATA_HOME/sotto/evil" -a ! -e "$XDG_DATA_HOME/evil"
printf 'dots\n' >"$T/dots"
"$SOTTO" -a alice send bob -a "$T/dots" --name .. >/dev/null
path=$(jget path <<<"$("$SOTTO" -a bob -o json receive)")
check "a name '..' is saved as <id>-attachment" grep -q -- "^$ADIR/[0-9a-f]*-attachment$" <<<"$path"

check "no store file holds the plaintext (bob)" \
    bash -c "! grep -rqa '$MARK' '$XDG_DATA_HOME/sotto/bob'/store.db*"
check "no store file holds the plaintext (alice)" \
    bash -c "! grep -rqa '$MARK' '$XDG_DATA_HOME/sotto/alice'/store.db*"
check "the server's blobs do not hold it either" bash -c "! grep -rqa '$MARK' '$dir'"

# Disappearing: the saved copy goes with its expired message (not the
# sender's own file).
check "bob sets a 1 s timer" "$SOTTO" -a bob timer alice 1
"$SOTTO" -a alice receive >/dev/null
printf 'gone soon\n' >"$T/soon.txt"
"$SOTTO" -a alice send bob -a "$T/soon.txt" >/dev/null
path=$(jget path <<<"$("$SOTTO" -a bob -o json receive)")
check "the timed attachment was saved" test -f "$path"
sleep 1.5
"$SOTTO" -a bob history alice >/dev/null
"$SOTTO" -a alice history bob >/dev/null
check "its copy is deleted when it expires" test ! -e "$path"
check "the sender's file stays" test -f "$T/soon.txt"
check "earlier attachments stay" test -f "$(ls "$ADIR"/*-photo.bin)"

head -c $((3 * 1024 * 1024)) /dev/zero >"$T/big.bin"
"$SOTTO" -a alice send bob -a "$T/big.bin" 2>"$T/big.err"
check "a file over the server's limit exits 1" test $? = 1
check "... saying so" grep -q "larger than its attachment limit" "$T/big.err"
truncate -s 101M "$T/huge.bin"
"$SOTTO" -a alice send bob -a "$T/huge.bin" 2>"$T/huge.err"
check "a file over the client's 100 MiB cap exits 1 before uploading" test $? = 1
check "... saying so" grep -q "attachments are limited to" "$T/huge.err"
rm -f "$T/huge.bin"
finish
