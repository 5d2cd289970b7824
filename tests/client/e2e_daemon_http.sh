#!/usr/bin/env bash
# The daemon's HTTP listener: bearer token (file created 0600, never
# logged; a group-readable or empty one refused), 401 without or with a
# wrong token, JSON-RPC over POST /api/v1/rpc, Server-Sent Events on
# /api/v1/events that resume from the subscriber's cursor (acked events are
# not sent again after a daemon restart, unacked ones are) and carry typing
# indicators, and the
# parser's limits (oversized head 431, oversized body 413, no length 411,
# chunked 411, bare LF 400).
. "$(dirname "$0")/lib.sh"

start_sottod srv
use_server "$PORT" "$KEY"
"$SOTTO" -a alice register --key-file >/dev/null
"$SOTTO" -a bob register --key-file >/dev/null
TOKF=$T/token

# start_http [ADDR]: bob's daemon on ADDR:0; sets HP (its port), DPID.
start_http() {
    : >"$T/daemon.log"
    "$SOTTO" -a bob daemon --http "${1:-127.0.0.1}:0" --token-file "$TOKF" 2>"$T/daemon.log" &
    DPID=$!
    PIDS+=("$DPID")
    HP=
    for _ in $(seq 100); do
        HP=$(sed -n 's/^sotto daemon: HTTP on .*:\([0-9]*\)$/\1/p' "$T/daemon.log")
        [ -n "$HP" ] && break
        sleep 0.05
    done
}
stop_http() { kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; cat "$T/daemon.log" >>"$T/all.log"; }
URL() { echo "http://127.0.0.1:$HP$1"; }
rpc() { # rpc JSON-BODY [TOKEN]: prints status code and body
    curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer ${2:-$TOK}" \
        -H 'Content-Type: application/json' --data-binary "$1" "$(URL /api/v1/rpc)"
    echo " $(cat "$T/body")"
}
# raw PYTHON-BYTES: sends them on a fresh connection, prints the status line.
raw() {
    python3 - "$HP" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
try:
    s.sendall(eval(sys.argv[2]))
except OSError:
    pass
data = b""
try:
    while b"\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
print(data.split(b"\r\n")[0].decode())
PY
}

start_http
check "daemon listens on a port" test -n "$HP"
check "token file created mode 0600" test "$(stat -c %a "$TOKF")" = 600
TOK=$(cat "$TOKF")
check "token is 32 random bytes in hex" grep -Eqx '[0-9a-f]{64}' <<<"$TOK"
check "the log says where the token is" grep -q "token is in $TOKF" "$T/daemon.log"

req='{"jsonrpc":"2.0","id":7,"method":"contacts","params":{}}'
out=$(curl -s -i --data-binary "$req" "$(URL /api/v1/rpc)")
check "no token: 401" grep -q '^HTTP/1.1 401' <<<"$out"
check "... with WWW-Authenticate: Bearer" grep -qi '^WWW-Authenticate: Bearer' <<<"$out"
check "... and no JSON-RPC answer" test "$(grep -c jsonrpc <<<"$out")" = 0
WRONG=$(tr '0-9a-f' '1-9a-f0' <<<"$TOK") # every digit changed
check "wrong token: 401" grep -q '^401 ' <<<"$(rpc "$req" "$WRONG")"
check "not a Bearer token: 401" grep -q '^HTTP/1.1 401' <<<"$(curl -s -i -u bob:"$TOK" --data-binary "$req" "$(URL /api/v1/rpc)")"
check "no token on an unknown path: 401 (auth first)" test "$(curl -s -o /dev/null -w '%{http_code}' "$(URL /nope)")" = 401
out=$(rpc "$req")
check "right token: JSON-RPC works" grep -q '^200 {"jsonrpc":"2.0","result":\[\],"id":7}' <<<"$out"
python3 -c 'import json; print(json.dumps({"jsonrpc":"2.0","id":8,"method":"contacts","params":{"pad":"x"*200000}}))' >"$T/big"
out=$(curl -s -i -H "Authorization: Bearer $TOK" -H 'Expect: 100-continue' --data-binary @"$T/big" "$(URL /api/v1/rpc)")
check "a 200 KB body with Expect: 100-continue" grep -q '"id":8' <<<"$out"
check "... answered 100 Continue first" grep -q '^HTTP/1.1 100 Continue' <<<"$out"
check "notification: 204" grep -q '^204 ' <<<"$(rpc '{"jsonrpc":"2.0","method":"contacts","params":{}}')"
check "subscribe over HTTP is refused (use events)" grep -q '"code":1' <<<"$(rpc '{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"subscriber":"x"}}')"
check "not JSON: -32700" grep -q '"code":-32700' <<<"$(rpc 'nope')"
check "GET on /api/v1/rpc: 405" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "$(URL /api/v1/rpc)")" = 405
check "unknown path: 404" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "$(URL /api/v2/x)")" = 404
check "events without a subscriber: 400" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "$(URL /api/v1/events)")" = 400

# Limits of the parser.
check "a 9 KiB header: 431" grep -q ' 431 ' <<<"$(raw 'b"GET /api/v1/rpc HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n"')"
check "a body over 256 KiB: 413" grep -q ' 413 ' <<<"$(raw 'b"POST /api/v1/rpc HTTP/1.1\r\nContent-Length: 300000\r\n\r\n"')"
check "POST without Content-Length: 411" grep -q ' 411 ' <<<"$(raw 'b"POST /api/v1/rpc HTTP/1.1\r\nHost: x\r\n\r\n"')"
check "chunked: 411" grep -q ' 411 ' <<<"$(raw 'b"POST /api/v1/rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"')"
check "bare LF: 400" grep -q ' 400 ' <<<"$(raw 'b"GET /api/v1/rpc HTTP/1.1\nHost: x\n\n"')"
check "no token, a body announced: 401 without waiting for it" grep -q ' 401 ' <<<"$(raw 'b"POST /api/v1/rpc HTTP/1.1\r\nContent-Length: 1000\r\n\r\n"')"
check "the daemon still answers" grep -q '^200 ' <<<"$(rpc "$req")"

# Server-Sent Events from the journal, resumed from the cursor.
"$SOTTO" -a alice send bob -m "one" >/dev/null
# sse TEXT: the event stream of subscriber "web" until TEXT was in it
# (10 s at most), and what else came within 0.3 s.
sse() {
    python3 - "$HP" "$TOK" "$1" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.3)
s.sendall(("GET /api/v1/events?subscriber=web HTTP/1.1\r\nHost: x\r\n"
           "Authorization: Bearer %s\r\n\r\n" % sys.argv[2]).encode())
data, want, deadline = b"", sys.argv[3].encode(), time.time() + 10
while time.time() < deadline:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        if want in data:
            break
        continue
    if not chunk:
        break
    data += chunk
    sys.stdout.write(chunk.decode())  # as it comes: callers wait for lines
    sys.stdout.flush()
PY
}
out=$(sse '"text":"one"')
check "SSE delivers the message" grep -q '^data: {"jsonrpc":"2.0","method":"event","params":{"seq":[0-9]*,"kind":"message".*"text":"one"' <<<"$out"
seq=$(sed -n 's/^id: //p' <<<"$out" | tail -1)
check "with an id: line" test -n "$seq"
check "ack over HTTP" grep -q '"result":true' <<<"$(rpc "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ack\",\"params\":{\"subscriber\":\"web\",\"seq\":$seq}}")"
stop_http
"$SOTTO" -a alice send bob -m "two" >/dev/null
start_http
out=$(sse '"text":"two"')
check "after a restart: the unacked event comes" grep -q '"text":"two"' <<<"$out"
check "... the acked one does not" test "$(grep -c '"text":"one"' <<<"$out")" = 0
out=$(sse '"text":"two"')
check "unacked: delivered again on the next stream" grep -q '"text":"two"' <<<"$out"
sse '"typing":true' >"$T/sse_typing" &
SSEP=$!
for _ in $(seq 100); do grep -q '^: sotto events' "$T/sse_typing" && break; sleep 0.05; done
"$SOTTO" -a alice typing bob start
wait "$SSEP"
check "SSE carries a peer's typing indicator" grep -q '^data: {"jsonrpc":"2.0","method":"typing","params":{"kind":"typing","schema":"sotto.typing.v1","event":{"peer":"alice","typing":true}}}' "$T/sse_typing"
check "the token is in no log" test "$(cat "$T/daemon.log" "$T/all.log" | grep -c "$TOK")" = 0
stop_http

# Token file policy.
chmod 640 "$TOKF"
"$SOTTO" -a bob daemon --http 127.0.0.1:0 --token-file "$TOKF" 2>"$T/err"
check "a group-readable token file is refused (exit 1)" test $? = 1
check "... saying why" grep -q "readable by others" "$T/err"
chmod 600 "$TOKF"
: >"$T/empty"; chmod 600 "$T/empty"
"$SOTTO" -a bob daemon --http 127.0.0.1:0 --token-file "$T/empty" 2>/dev/null
check "an empty token file is refused (exit 1)" test $? = 1
start_http 0.0.0.0
check "a non-loopback address warns" grep -q "WARNING: 0.0.0.0:0 is not a loopback address" "$T/daemon.log"
stop_http
finish
