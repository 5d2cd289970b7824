#!/usr/bin/env python3
"""A malicious sottod operator: edits the server's SQLite store behind its
back (sottod stopped) to attack the key-transparency log and device lists.
Used by tests/adversarial/adv_*.sh; every edit is something the clients
must detect.

  kt_db.py DB ghost USER DEVICE_ID   add an unsigned device to USER's list
  kt_db.py DB ghost-row USER DEVICE_ID
                                     the server alone lists a device (not in
                                     the signed list)
  kt_db.py DB replay USER VERSION    serve USER's old signed list VERSION
                                     and its old log leaf as the newest
  kt_db.py DB rewrite-leaf INDEX     change leaf INDEX's timestamp (fork)
  kt_db.py DB truncate N             drop the newest N leaves (rollback)
  kt_db.py DB reset USER             log an ACCOUNT_RESET of USER to a new key
  kt_db.py DB drop-checkpoint        forget the stored checkpoint
  kt_db.py DB count-envelopes USER DEVICE_ID
"""
import os
import sqlite3
import struct
import sys


def varint(b, i):
    v, shift = 0, 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def enc_varint(v):
    out = bytearray()
    while True:
        c = v & 0x7F
        v >>= 7
        out.append(c | (0x80 if v else 0))
        if not v:
            return bytes(out)


def fields(b):
    """(field, wiretype, value) of a protobuf message (varint and bytes only)."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        else:
            raise ValueError("wire type %d" % wt)
        yield f, wt, v


def devices_of(devlist):
    out = []
    for f, _, v in fields(devlist):
        if f == 4:
            d = {k: val for k, _, val in fields(v)}
            out.append((d.get(1, 0), bytes(d.get(2, b"")), d.get(3, 0)))
    return out


def version_of(devlist):
    for f, _, v in fields(devlist):
        if f == 3:
            return v
    return 0


def account_id(db, user):
    return db.execute("SELECT id FROM accounts WHERE username_key = ?", (user.lower(),)).fetchone()[0]


def set_devices(db, aid, devs):
    db.execute("DELETE FROM devices WHERE account_id = ?", (aid,))
    for did, key, reg in devs:
        db.execute("INSERT INTO devices VALUES(?, ?, ?, ?)", (aid, did, key, reg))


def unlock(db):
    db.execute("DROP TRIGGER IF EXISTS kt_leaves_no_update")
    db.execute("DROP TRIGGER IF EXISTS kt_leaves_no_delete")


def ghost(db, user, did):
    aid = account_id(db, user)
    devlist, = db.execute("SELECT devlist FROM accounts WHERE id = ?", (aid,)).fetchone()
    key = b"\x05" + os.urandom(32)
    entry = b"\x08" + enc_varint(did) + b"\x12\x21" + key + b"\x18\x07"
    devlist = bytes(devlist) + b"\x22" + enc_varint(len(entry)) + entry
    db.execute("UPDATE accounts SET devlist = ? WHERE id = ?", (devlist, aid))
    set_devices(db, aid, devices_of(devlist))


def ghost_row(db, user, did):
    db.execute("INSERT INTO devices VALUES(?, ?, ?, 7)",
               (account_id(db, user), did, b"\x05" + os.urandom(32)))


def replay(db, user, version):
    aid = account_id(db, user)
    for payload, in db.execute("SELECT payload FROM change_log WHERE account_id = ? ORDER BY idx", (aid,)).fetchall():
        payload = bytes(payload)
        devlist, sig = payload[:-64], payload[-64:]
        if version_of(devlist) == version:
            break
    else:
        raise SystemExit("no list version %d" % version)
    db.execute("UPDATE accounts SET devlist = ?, devlist_sig = ?, devlist_version = ? WHERE id = ?",
               (devlist, sig, version, aid))
    set_devices(db, aid, devices_of(devlist))
    # Hide the newer leaves from this account's lookups (the tree keeps them).
    unlock(db)
    for idx, leaf in db.execute("SELECT idx, leaf FROM kt_leaves WHERE account_id = ?", (aid,)).fetchall():
        leaf = bytes(leaf)
        if leaf[1] == 2 and struct.unpack(">Q", leaf[2 + 8 + 2 + 16 + 2 + 2 + 33:][:8])[0] > version:
            db.execute("UPDATE kt_leaves SET account_id = -1 WHERE idx = ?", (idx,))


def rewrite_leaf(db, idx):
    unlock(db)
    leaf = bytearray(db.execute("SELECT leaf FROM kt_leaves WHERE idx = ?", (idx,)).fetchone()[0])
    leaf[2:10] = struct.pack(">Q", struct.unpack(">Q", bytes(leaf[2:10]))[0] + 1)
    db.execute("UPDATE kt_leaves SET leaf = ? WHERE idx = ?", (bytes(leaf), idx))


def truncate(db, n):
    unlock(db)
    db.execute("DELETE FROM kt_leaves WHERE idx >= (SELECT max(idx) + 1 - ? FROM kt_leaves)", (n,))


def reset(db, user):
    aid = account_id(db, user)
    prev, leaf = db.execute("SELECT idx, leaf FROM kt_leaves WHERE account_id = ? ORDER BY idx DESC LIMIT 1",
                            (aid,)).fetchone()
    uuid = bytes(leaf)[12:28]
    nxt, = db.execute("SELECT max(idx) + 1 FROM kt_leaves").fetchone()
    body = struct.pack(">H", 33) + b"\x05" + os.urandom(32) + b"\x01"
    new = (b"\x01\x03" + struct.pack(">Q", 1700000000000) + struct.pack(">H", 16) + uuid +
           struct.pack(">H", len(body)) + body + struct.pack(">Q", prev))
    db.execute("INSERT INTO kt_leaves(idx, account_id, type, uuid, leaf) VALUES(?, ?, 3, ?, ?)",
               (nxt, aid, uuid, new))


def main():
    db = sqlite3.connect(sys.argv[1])
    cmd, args = sys.argv[2], sys.argv[3:]
    if cmd == "ghost":
        ghost(db, args[0], int(args[1]))
    elif cmd == "ghost-row":
        ghost_row(db, args[0], int(args[1]))
    elif cmd == "replay":
        replay(db, args[0], int(args[1]))
    elif cmd == "rewrite-leaf":
        rewrite_leaf(db, int(args[0]))
    elif cmd == "truncate":
        truncate(db, int(args[0]))
    elif cmd == "reset":
        reset(db, args[0])
    elif cmd == "drop-checkpoint":
        db.execute("DELETE FROM kt_checkpoint")
    elif cmd == "count-envelopes":
        aid = account_id(db, args[0])
        n, = db.execute("SELECT count(*) FROM envelopes WHERE account_id = ? AND device_id = ?",
                        (aid, int(args[1]))).fetchone()
        print(n)
    else:
        raise SystemExit(__doc__)
    db.commit()
    db.close()


if __name__ == "__main__":
    main()
