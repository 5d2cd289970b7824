"""Minimal JSON-RPC 2.0 client for the daemon tests.

usage: rpc_client.py SOCKET SUBSCRIBER WANT [noack]
  Subscribes, prints the text of each incoming message event (one per line)
  until WANT of them arrived or 10 s passed, acking each event unless noack.
usage: rpc_client.py SOCKET call METHOD JSON-PARAMS
  Prints the response.
usage: rpc_client.py SOCKET listen SUBSCRIBER SECONDS
  Subscribes, prints {"subscribed": SUBSCRIBER}, then every notification
  (compact JSON, one per line) for SECONDS, acking nothing.
"""
import json
import socket
import sys
import time


class Conn:
    def __init__(self, path):
        self.buf = b""
        self.pending = []
        self.next_id = 1
        for _ in range(100):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("cannot connect to " + path)

    def read_msg(self, timeout):
        """Next JSON line, or None after timeout seconds."""
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.s.sendall((json.dumps({"jsonrpc": "2.0", "id": rid, "method": method,
                                    "params": params}) + "\n").encode())
        while True:
            msg = self.read_msg(10)
            if msg is None:
                raise SystemExit("no answer to " + method)
            if msg.get("id") == rid:
                return msg
            self.pending.append(msg)

    def next_event(self, timeout):
        if self.pending:
            return self.pending.pop(0)
        return self.read_msg(timeout)


def main():
    c = Conn(sys.argv[1])
    if sys.argv[2] == "call":
        r = c.call(sys.argv[3], json.loads(sys.argv[4]))
        print(json.dumps(r, separators=(",", ":")))
        return
    if sys.argv[2] == "listen":
        r = c.call("subscribe", {"subscriber": sys.argv[3]})
        assert "result" in r, r
        print(json.dumps({"subscribed": sys.argv[3]}), flush=True)
        deadline = time.time() + float(sys.argv[4])
        while time.time() < deadline:
            n = c.next_event(max(0.1, deadline - time.time()))
            if n is not None:
                print(json.dumps(n, separators=(",", ":"), ensure_ascii=False), flush=True)
        return
    sub, want = sys.argv[2], int(sys.argv[3])
    ack = len(sys.argv) < 5 or sys.argv[4] != "noack"
    r = c.call("subscribe", {"subscriber": sub})
    assert "result" in r, r
    got, seen, deadline = 0, set(), time.time() + 10
    while got < want and time.time() < deadline:
        n = c.next_event(max(0.1, deadline - time.time()))
        if n is None or n.get("method") != "event":
            continue
        p = n["params"]
        if p["seq"] in seen:
            continue
        seen.add(p["seq"])
        if p["kind"] == "message" and p["event"]["direction"] == "in":
            print(p["event"]["text"], flush=True)
            got += 1
        if ack:
            r = c.call("ack", {"subscriber": sub, "seq": p["seq"]})
            assert r.get("result") is True, r


main()
