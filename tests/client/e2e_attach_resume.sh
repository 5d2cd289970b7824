#!/usr/bin/env bash
# Attachments survive broken connections. sottod runs with a 6 MiB/s
# attachment rate so a 20 MiB transfer takes over 3 s:
#  1. alice's upload goes through a TCP proxy that is killed and restarted
#     mid-way: the same `send` reconnects and resumes at the server's
#     next_offset (not 0), and bob's copy is cmp-equal;
#  2. sottod is killed while bob's `receive` downloads a second file: the
#     message is kept "not saved" with a .part file of verified records;
#  3. after a restart, `attachment fetch` continues from that part, and
#     survives another sottod restart in its middle (reconnect + resume);
#     the saved file is cmp-equal and no .part is left;
#  4. sottod is restarted during an upload: the server lost the unfinished
#     upload, so the client starts it again and it still arrives intact.
. "$(dirname "$0")/lib.sh"

jfield() { python3 -c 'import sys,json
for l in sys.stdin:
    o=json.loads(l)
    if o.get(sys.argv[1]) is not None: print(o[sys.argv[1]])' "$1"; }

SRVOPT=(-o limits.attachment_kib_per_sec=6144 -o limits.attachment_kib_burst=512)
dir=$T/srv
mkdir -p "$dir"
run_sottod() { # run_sottod [PORT]
    rm -f "$dir/ready"
    "$SOTTOD" -p "${1:-0}" --http-port 0 -d "$dir" --ready-file "$dir/ready" --log-level warn \
        "${SRVOPT[@]}" >>"$dir/log" 2>&1 &
    SPID=$!
    PIDS+=("$SPID")
    for _ in $(seq 100); do [ -s "$dir/ready" ] && break; sleep 0.05; done
    PORT=$(sed -n 's/^port=//p' "$dir/ready")
    KEY=$(sed -n 's/^key=//p' "$dir/ready")
}
# A plain TCP relay 127.0.0.1:PPORT -> sottod; killing it drops every
# connection through it at once.
cat >"$T/proxy.py" <<'PY'
import socket, sys, threading
lp, dp = int(sys.argv[1]), int(sys.argv[2])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", lp)); ls.listen(16)
open(sys.argv[3], "w").write(str(ls.getsockname()[1]))
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d: break
            b.sendall(d)
    except OSError: pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
while True:
    c, _ = ls.accept()
    try:
        s = socket.create_connection(("127.0.0.1", dp))
    except OSError:
        c.close()
        continue
    for x, y in ((c, s), (s, c)):
        threading.Thread(target=pipe, args=(x, y), daemon=True).start()
PY
run_proxy() { # run_proxy LISTEN_PORT(0=any): sets PPORT, PRPID
    rm -f "$T/pport"
    python3 "$T/proxy.py" "$1" "$PORT" "$T/pport" &
    PRPID=$!
    PIDS+=("$PRPID")
    for _ in $(seq 100); do [ -s "$T/pport" ] && break; sleep 0.05; done
    PPORT=$(cat "$T/pport")
}
# wait_bytes FILE N: until FILE has at least N bytes (10 s at most).
wait_bytes() {
    for _ in $(seq 200); do
        [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}

run_sottod
SPORT=$PORT
run_proxy 0
use_server "$PPORT" "$KEY"
check "alice registers" "$SOTTO" -a alice register --key-file
check "bob registers" "$SOTTO" -a bob register --key-file
ADIR=$XDG_DATA_HOME/sotto/bob/attachments

# 1. Upload through a proxy that dies after about 1 s.
head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/one.bin"
"$SOTTO" -a alice send bob -a "$T/one.bin" -m one >"$T/send1.out" 2>"$T/send1.err" &
SEND=$!
sleep 1
kill "$PRPID"; wait "$PRPID" 2>/dev/null
sleep 0.3
run_proxy "$PPORT"
wait "$SEND"
check "the interrupted send completes (exit 0)" test $? = 0
check "... after reconnecting and resuming past byte 0" \
    grep -Eq "reconnected [1-9][0-9]* time\(s\), resumed the upload at byte [1-9][0-9]* of" \
    "$T/send1.err"
sed -n 1p "$T/send1.err"
out=$("$SOTTO" -a bob -o json receive 2>"$T/recv1.err")
path=$(jfield path <<<"$out" | head -1)
check "bob's copy of the resumed upload is cmp-equal" cmp -s "$T/one.bin" "$path"

# 2. sottod dies during bob's download (receive cannot redial: it keeps
#    the message and the verified part).
head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/two.bin"
check "alice sends a second 20 MiB file" "$SOTTO" -a alice send bob -a "$T/two.bin" -m two
"$SOTTO" -a bob -o json receive >"$T/recv2.out" 2>"$T/recv2.err" &
RECV=$!
sleep 0.5
part=$(ls "$ADIR"/*-two.bin.part 2>/dev/null | head -1)
for _ in $(seq 100); do [ -n "$part" ] && break; sleep 0.05; part=$(ls "$ADIR"/*-two.bin.part 2>/dev/null | head -1); done
wait_bytes "$part" $((4 * 1024 * 1024))
kill -9 "$SPID"; wait "$SPID" 2>/dev/null
wait "$RECV"
mid=$("$SOTTO" -a bob -o json history alice | python3 -c 'import sys,json
for l in sys.stdin:
    o=json.loads(l)
    if o.get("name")=="two.bin": print(o["id"])')
check "the message is stored" test -n "$mid"
check "... not saved" grep -q "two.bin, 20971520 bytes, not saved" <<<"$("$SOTTO" -a bob history alice)"
check "a .part file of whole records is kept" test -s "$ADIR/$mid-two.bin.part"
partsize=$(stat -c %s "$ADIR/$mid-two.bin.part")
check "... a multiple of 64 KiB" test $((partsize % 65536)) = 0
check "no saved file yet" test ! -e "$ADIR/$mid-two.bin"

# 3. Restart; fetch resumes from the part; sottod restarts again mid-way.
run_sottod "$SPORT"
"$SOTTO" -a bob -o json attachment fetch "$mid" >"$T/fetch.out" 2>"$T/fetch.err" &
FETCH=$!
wait_bytes "$ADIR/$mid-two.bin.part" $((partsize + 4 * 1024 * 1024))
kill "$SPID"; wait "$SPID" 2>/dev/null
sleep 0.3
run_sottod "$SPORT"
wait "$FETCH"
check "attachment fetch completes (exit 0)" test $? = 0
sed -n 1p "$T/fetch.err"
check "... resumed from the part and after the restart" \
    grep -Eq "resumed the download at byte [1-9][0-9]* \([1-9][0-9]* reconnection" "$T/fetch.err"
check "the saved copy is cmp-equal" cmp -s "$T/two.bin" "$ADIR/$mid-two.bin"
check "no .part is left" test ! -e "$ADIR/$mid-two.bin.part"
check "the JSON names the path" grep -q "\"path\":\"$ADIR/$mid-two.bin\"" "$T/fetch.out"
check "history shows it saved" \
    grep -qF "two.bin, 20971520 bytes -> $ADIR/$mid-two.bin]" <<<"$("$SOTTO" -a bob history alice)"
check "fetching again is a no-op (exit 0)" "$SOTTO" -a bob attachment fetch "$mid"
"$SOTTO" -a bob attachment fetch 0123456789abcdef0123456789abcdef 2>/dev/null
check "an unknown id exits 1" test $? = 1

# 4. sottod restarts during an upload: started again, arrives intact.
head -c $((6 * 1024 * 1024)) /dev/urandom >"$T/three.bin"
"$SOTTO" -a alice send bob -a "$T/three.bin" >/dev/null 2>"$T/send3.err" &
SEND=$!
sleep 0.7
kill "$SPID"; wait "$SPID" 2>/dev/null
run_sottod "$SPORT"
wait "$SEND"
check "the send across a server restart completes" test $? = 0
check "... starting the upload again (the server lost it)" \
    grep -Eq "reconnected [1-9][0-9]* time\(s\), resumed the upload at byte 0 of" "$T/send3.err"
out=$("$SOTTO" -a bob -o json receive 2>/dev/null)
path=$(jfield path <<<"$out" | head -1)
check "bob's copy is cmp-equal" cmp -s "$T/three.bin" "$path"
finish
