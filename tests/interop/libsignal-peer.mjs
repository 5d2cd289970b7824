#!/usr/bin/env node
// libsignal-peer.mjs: the peer-driver contract (shared spec peer-driver.md)
// over @signalapp/libsignal-client. One JSON request per line on stdin, one
// JSON response per line on stdout, in request order.
//
//   LIBSIGNAL_DIR=tests/interop/libsignal-0.72.1 node libsignal-peer.mjs [--state FILE]
//
// LIBSIGNAL_DIR names a folder whose node_modules holds the libsignal version
// under test (default: libsignal-0.90.0 next to this file). All stores keep
// serialized bytes, so with --state FILE the whole state is written to FILE
// (tmp + rename) before any response that follows a change, and a driver
// restarted with the same FILE continues where it stopped.
//
// Conventions this driver fixes where the contract is open:
// - `fingerprint` identifiers are the UTF-8 bytes of local_id / remote_id.
// - `init` on a driver restored from --state answers the stored identity if
//   name and device match, else invalid_state.
// - `bundle` with kyber:false on a version that requires Kyber still returns
//   the bundle (it is only key generation); `process_bundle` of a Kyber-less
//   bundle there answers "unsupported".
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const libDir = path.resolve(process.env.LIBSIGNAL_DIR || path.join(here, 'libsignal-0.90.0'));
const pkgDir = path.join(libDir, 'node_modules', '@signalapp', 'libsignal-client');

function die(msg) {
  process.stderr.write(`libsignal-peer: ${msg}\n`);
  process.exit(2);
}

let pkg;
try {
  pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
} catch (e) {
  die(`cannot read ${pkgDir}/package.json (run tests/interop/setup): ${e.message}`);
}
const mod = await import(pathToFileURL(path.join(pkgDir, pkg.main || 'dist/index.js')).href);
const S = mod.default && mod.default.ProtocolAddress ? mod.default : mod;
const VERSION = pkg.version;
const [MAJ, MIN] = VERSION.split('.').map(Number);
const vge = (maj, min) => MAJ > maj || (MAJ === maj && MIN >= min);
const USE_BUFFER = !vge(0, 73); // 0.72.1 wants node Buffers
const KYBER_OPTIONAL = !vge(0, 73); // 0.73.0 made Kyber prekeys mandatory
const LOCAL_ADDR_CRYPT = vge(0, 91); // encrypt/decrypt take the local address
const LOCAL_ADDR_BUNDLE = vge(0, 93); // processPreKeyBundle takes it too

// ---- bytes and request checking -------------------------------------------

class BadRequest extends Error {}
class DriverError extends Error {
  constructor(code, message) {
    super(message);
    this.driverCode = code;
  }
}

// A fresh, unpooled byte array of the kind this version wants.
function bytes(buf) {
  if (USE_BUFFER) return Buffer.from(buf);
  const u = new Uint8Array(buf.length);
  u.set(buf);
  return u;
}
const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function reqHex(req, field, { optional = false } = {}) {
  const v = req[field];
  if (v === undefined || v === null) {
    if (optional) return null;
    throw new BadRequest(`missing field ${field}`);
  }
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v))
    throw new BadRequest(`field ${field} is not a hex string`);
  return bytes(Buffer.from(v, 'hex'));
}
function reqStr(req, field, { optional = false } = {}) {
  const v = req[field];
  if (v === undefined || v === null) {
    if (optional) return null;
    throw new BadRequest(`missing field ${field}`);
  }
  if (typeof v !== 'string') throw new BadRequest(`field ${field} is not a string`);
  return v;
}
function reqInt(req, field, lo, hi, dflt) {
  let v = req[field];
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new BadRequest(`missing field ${field}`);
  }
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw new BadRequest(`field ${field} must be an integer in ${lo}..${hi}`);
  return v;
}
function reqBool(req, field, dflt) {
  const v = req[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new BadRequest(`field ${field} is not a boolean`);
  return v;
}
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---- state: everything as bytes (hex) so it can be saved as JSON -----------

const stateFile = (() => {
  const i = process.argv.indexOf('--state');
  if (i < 0) return null;
  if (!process.argv[i + 1]) die('--state needs a file name');
  return process.argv[i + 1];
})();

let st = null; // { name, device, regId, identity, next: {...}, sessions, ... }
let dirty = false;

function freshState(name, device, regId) {
  return {
    version: 1,
    libsignal: VERSION,
    name,
    device,
    regId,
    identity: hex(S.PrivateKey.generate().serialize()),
    next: { prekey: 1, signed: 1, kyber: 1 },
    sessions: {}, // "name.device" -> SessionRecord
    identities: {}, // "name.device" -> PublicKey
    prekeys: {},
    signed: {},
    kyber: {},
    kyberUsed: [], // one-time kyber keys used ("id:signedId:baseKey")
    senderKeys: {}, // "name.device|distribution" -> SenderKeyRecord
  };
}

// Sessions are the hot path: kept as bytes in memory, hex only in the file.
const sessionMem = new Map(); // "name.device" -> serialized SessionRecord

function saveState() {
  if (!stateFile || !dirty || !st) return;
  st.sessions = {};
  for (const [k, v] of sessionMem) st.sessions[k] = hex(v);
  const tmp = `${stateFile}.tmp${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(st));
  fs.renameSync(tmp, stateFile);
  dirty = false;
}

if (stateFile && fs.existsSync(stateFile)) {
  try {
    st = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch (e) {
    die(`cannot load state ${stateFile}: ${e.message}`);
  }
  for (const [k, v] of Object.entries(st.sessions)) sessionMem.set(k, bytes(Buffer.from(v, 'hex')));
}

const unhex = (h) => bytes(Buffer.from(h, 'hex'));
const addrKey = (a) => `${a.name()}.${a.deviceId()}`;
function need() {
  if (!st) throw new DriverError('invalid_state', 'init has not been called');
  return st;
}
function put(table, key, value) {
  need()[table][key] = hex(value);
  dirty = true;
}

// ---- stores over st --------------------------------------------------------

class Sessions extends S.SessionStore {
  async saveSession(a, rec) {
    need();
    sessionMem.set(addrKey(a), rec.serialize());
    dirty = true;
  }
  async getSession(a) {
    need();
    const b = sessionMem.get(addrKey(a));
    return b ? S.SessionRecord.deserialize(b) : null;
  }
  async getExistingSessions(addrs) {
    const out = [];
    for (const a of addrs) {
      const r = await this.getSession(a);
      if (!r) throw new Error(`no session for ${addrKey(a)}`);
      out.push(r);
    }
    return out;
  }
}

class Identities extends S.IdentityKeyStore {
  async getIdentityKey() {
    return S.PrivateKey.deserialize(unhex(need().identity));
  }
  async getLocalRegistrationId() {
    return need().regId;
  }
  async saveIdentity(a, key) {
    const old = need().identities[addrKey(a)];
    const h = hex(key.serialize());
    if (old === h) return S.IdentityChange ? S.IdentityChange.NewOrUnchanged : false;
    put('identities', addrKey(a), key.serialize());
    const replaced = old !== undefined;
    if (S.IdentityChange) return replaced ? S.IdentityChange.ReplacedExisting : S.IdentityChange.NewOrUnchanged;
    return replaced;
  }
  async isTrustedIdentity(a, key) {
    const old = need().identities[addrKey(a)];
    return old === undefined || old === hex(key.serialize());
  }
  async getIdentity(a) {
    const h = need().identities[addrKey(a)];
    return h ? S.PublicKey.deserialize(unhex(h)) : null;
  }
}

function getRecord(table, id, cls, what) {
  const h = need()[table][id];
  if (!h) throw new Error(`no ${what} with id ${id}`);
  return cls.deserialize(unhex(h));
}

class PreKeys extends S.PreKeyStore {
  async savePreKey(id, rec) {
    put('prekeys', id, rec.serialize());
  }
  async getPreKey(id) {
    return getRecord('prekeys', id, S.PreKeyRecord, 'prekey');
  }
  async removePreKey(id) {
    delete need().prekeys[id];
    dirty = true;
  }
}

class SignedPreKeys extends S.SignedPreKeyStore {
  async saveSignedPreKey(id, rec) {
    put('signed', id, rec.serialize());
  }
  async getSignedPreKey(id) {
    return getRecord('signed', id, S.SignedPreKeyRecord, 'signed prekey');
  }
}

class KyberPreKeys extends S.KyberPreKeyStore {
  async saveKyberPreKey(id, rec) {
    put('kyber', id, rec.serialize());
  }
  async getKyberPreKey(id) {
    return getRecord('kyber', id, S.KyberPreKeyRecord, 'kyber prekey');
  }
  // 0.72.1: (id); 0.81+: (id, signedPreKeyId, baseKey). Bundles here carry
  // one-time Kyber keys, so a used key is removed (last-resort keys would be
  // kept and the (id, signedId, baseKey) triple remembered instead).
  async markKyberPreKeyUsed(id, signedId, baseKey) {
    const s = need();
    s.kyberUsed.push(`${id}:${signedId ?? ''}:${baseKey ? hex(baseKey.serialize()) : ''}`);
    delete s.kyber[id];
    dirty = true;
  }
}

class SenderKeys extends S.SenderKeyStore {
  async saveSenderKey(a, dist, rec) {
    put('senderKeys', `${addrKey(a)}|${dist}`, rec.serialize());
  }
  async getSenderKey(a, dist) {
    const h = need().senderKeys[`${addrKey(a)}|${dist}`];
    return h ? S.SenderKeyRecord.deserialize(unhex(h)) : null;
  }
}

const sessions = new Sessions();
const identities = new Identities();
const prekeys = new PreKeys();
const signedPrekeys = new SignedPreKeys();
const kyberPrekeys = new KyberPreKeys();
const senderKeys = new SenderKeys();

const localAddr = () => S.ProtocolAddress.new(need().name, need().device);
function peerAddr(req) {
  return S.ProtocolAddress.new(reqStr(req, 'peer'), reqInt(req, 'peer_device', 1, 127));
}

// ---- error mapping ---------------------------------------------------------

function mapError(e) {
  if (e instanceof BadRequest) return ['bad_request', e.message];
  if (e instanceof DriverError) return [e.driverCode, e.message];
  const msg = String((e && e.message) || e);
  const EC = S.ErrorCode || {};
  const code = e && e.code;
  const is = (name) => code !== undefined && (code === EC[name] || code === name);
  // "invalid PreKey message: <reason>": judge by the reason
  const m = msg.toLowerCase().replace(/^invalid [a-z ]*message: /, '');
  if (is('DuplicatedMessage') || m.includes('old counter')) return ['duplicate_message', msg];
  if (is('UntrustedIdentity') || m.includes('untrusted identity')) return ['untrusted_identity', msg];
  if (is('InvalidSession') || is('InvalidSenderKeySession') || m.includes('not found') || m.includes('no session'))
    return ['no_session', msg];
  if (m.includes('too far into the future')) return ['too_far_ahead', msg];
  if (m.includes('version') || m.includes('x3dh no longer supported')) return ['invalid_version', msg];
  if (/\bmac\b/.test(m)) return ['bad_mac', msg];
  if (m.includes('signature')) return ['invalid_signature', msg];
  if (/pre-?key (identifier|id)\b/.test(m) || /no (signed |kyber )?prekey with id/.test(m))
    return ['invalid_prekey', msg];
  if (m.includes('key type') || m.includes('key length') || m.includes('bad key') || m.includes('invalid key'))
    return ['invalid_key', msg];
  return ['invalid_message', msg];
}

// ---- ops -------------------------------------------------------------------

function keyHex(k) {
  return hex(k.serialize());
}

const ops = {
  async init(req) {
    const name = reqStr(req, 'name');
    const device = reqInt(req, 'device', 1, 127);
    const regId = reqInt(req, 'registration_id', 1, 16380);
    if (st) {
      if (st.name !== name || st.device !== device)
        throw new DriverError('invalid_state', `already initialised as ${st.name}.${st.device}`);
    } else {
      st = freshState(name, device, regId);
      dirty = true;
    }
    return { identity_key: keyHex((await identities.getIdentityKey()).getPublicKey()) };
  },

  async bundle(req) {
    const s = need();
    const kyber = reqBool(req, 'kyber', true);
    const oneTime = reqBool(req, 'one_time', true);
    const idPriv = await identities.getIdentityKey();
    const out = {
      registration_id: s.regId,
      device_id: s.device,
      prekey_id: null,
      prekey: null,
      identity_key: keyHex(idPriv.getPublicKey()),
      kyber_prekey_id: null,
      kyber_prekey: null,
      kyber_prekey_signature: null,
    };
    if (oneTime) {
      const id = s.next.prekey++;
      const k = S.PrivateKey.generate();
      await prekeys.savePreKey(id, S.PreKeyRecord.new(id, k.getPublicKey(), k));
      out.prekey_id = id;
      out.prekey = keyHex(k.getPublicKey());
    }
    const now = Date.now();
    {
      const id = s.next.signed++;
      const k = S.PrivateKey.generate();
      const sig = idPriv.sign(k.getPublicKey().serialize());
      await signedPrekeys.saveSignedPreKey(id, S.SignedPreKeyRecord.new(id, now, k.getPublicKey(), k, sig));
      out.signed_prekey_id = id;
      out.signed_prekey = keyHex(k.getPublicKey());
      out.signed_prekey_signature = hex(sig);
    }
    if (kyber) {
      const id = s.next.kyber++;
      const kp = S.KEMKeyPair.generate();
      const sig = idPriv.sign(kp.getPublicKey().serialize());
      await kyberPrekeys.saveKyberPreKey(id, S.KyberPreKeyRecord.new(id, now, kp, sig));
      out.kyber_prekey_id = id;
      out.kyber_prekey = keyHex(kp.getPublicKey());
      out.kyber_prekey_signature = hex(sig);
    }
    dirty = true;
    return out;
  },

  async process_bundle(req) {
    need();
    const remote = peerAddr(req);
    const b = req.bundle;
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new BadRequest('missing field bundle');
    const regId = reqInt(b, 'registration_id', 0, 0xffffffff);
    const devId = reqInt(b, 'device_id', 0, 0xffffffff);
    const preId = b.prekey_id === null || b.prekey_id === undefined ? null : reqInt(b, 'prekey_id', 0, 0xffffffff);
    const preKey = reqHex(b, 'prekey', { optional: true });
    const spkId = reqInt(b, 'signed_prekey_id', 0, 0xffffffff);
    const spk = reqHex(b, 'signed_prekey');
    const spkSig = reqHex(b, 'signed_prekey_signature');
    const ik = reqHex(b, 'identity_key');
    const kId = b.kyber_prekey_id === null || b.kyber_prekey_id === undefined ? null : reqInt(b, 'kyber_prekey_id', 0, 0xffffffff);
    const kKey = reqHex(b, 'kyber_prekey', { optional: true });
    const kSig = reqHex(b, 'kyber_prekey_signature', { optional: true });
    if ((preId === null) !== (preKey === null)) throw new BadRequest('prekey_id and prekey go together');
    const hasKyber = kId !== null || kKey !== null || kSig !== null;
    if (hasKyber && (kId === null || kKey === null || kSig === null))
      throw new BadRequest('kyber_prekey_id, kyber_prekey and kyber_prekey_signature go together');
    if (!hasKyber && !KYBER_OPTIONAL)
      throw new DriverError('unsupported', `libsignal ${VERSION} requires a Kyber prekey in bundles`);
    let bundle;
    try {
      const args = [
        regId,
        devId,
        preId,
        preKey ? S.PublicKey.deserialize(preKey) : null,
        spkId,
        S.PublicKey.deserialize(spk),
        spkSig,
        S.PublicKey.deserialize(ik),
      ];
      if (hasKyber) args.push(kId, S.KEMPublicKey.deserialize(kKey), kSig);
      bundle = S.PreKeyBundle.new(...args);
    } catch (e) {
      const [code, msg] = mapError(e);
      throw new DriverError(code === 'invalid_message' ? 'invalid_key' : code, msg);
    }
    if (LOCAL_ADDR_BUNDLE) await S.processPreKeyBundle(bundle, remote, localAddr(), sessions, identities);
    else await S.processPreKeyBundle(bundle, remote, sessions, identities);
    return {};
  },

  async encrypt(req) {
    need();
    const remote = peerAddr(req);
    const pt = reqHex(req, 'plaintext');
    if (!(await sessions.getSession(remote))) throw new DriverError('no_session', `no session with ${addrKey(remote)}`);
    const m = LOCAL_ADDR_CRYPT
      ? await S.signalEncrypt(pt, remote, localAddr(), sessions, identities)
      : await S.signalEncrypt(pt, remote, sessions, identities);
    return { type: m.type(), ciphertext: hex(m.serialize()) };
  },

  async decrypt(req) {
    need();
    const remote = peerAddr(req);
    const type = reqInt(req, 'type', 0, 255);
    const ct = reqHex(req, 'ciphertext');
    let pt;
    if (type === 2) {
      const m = S.SignalMessage.deserialize(ct);
      pt = LOCAL_ADDR_CRYPT
        ? await S.signalDecrypt(m, remote, localAddr(), sessions, identities)
        : await S.signalDecrypt(m, remote, sessions, identities);
    } else if (type === 3) {
      const m = S.PreKeySignalMessage.deserialize(ct);
      const stores = [sessions, identities, prekeys, signedPrekeys, kyberPrekeys];
      pt = LOCAL_ADDR_CRYPT
        ? await S.signalDecryptPreKey(m, remote, localAddr(), ...stores)
        : await S.signalDecryptPreKey(m, remote, ...stores);
    } else {
      throw new BadRequest(`type must be 2 or 3, not ${type}`);
    }
    return { plaintext: hex(pt) };
  },

  async identity(req) {
    const k = await identities.getIdentity(peerAddr(req));
    return { identity_key: k ? keyHex(k) : null };
  },

  async fingerprint(req) {
    const localId = reqStr(req, 'local_id');
    const remoteId = reqStr(req, 'remote_id');
    const remoteKey = reqHex(req, 'remote_identity_key');
    const version = reqInt(req, 'version', 0, 0xffffffff, 2);
    const iterations = reqInt(req, 'iterations', 1, 10000000, 5200);
    const localKey = (await identities.getIdentityKey()).getPublicKey();
    let rk;
    try {
      rk = S.PublicKey.deserialize(remoteKey);
    } catch (e) {
      throw new DriverError('invalid_key', String(e.message || e));
    }
    const fp = S.Fingerprint.new(
      iterations,
      version,
      bytes(Buffer.from(localId, 'utf8')),
      localKey,
      bytes(Buffer.from(remoteId, 'utf8')),
      rk,
    );
    return {
      displayable: fp.displayableFingerprint().toString(),
      scannable: hex(fp.scannableFingerprint().toBuffer()),
    };
  },

  async compare_scannable(req) {
    const mine = S.ScannableFingerprint._fromBuffer(reqHex(req, 'mine'));
    const theirs = S.ScannableFingerprint._fromBuffer(reqHex(req, 'theirs'));
    return { match: mine.compare(theirs) };
  },

  async group_create(req) {
    need();
    const dist = reqStr(req, 'distribution_id');
    if (!UUID_RE.test(dist)) throw new BadRequest('distribution_id is not a UUID');
    const m = await S.SenderKeyDistributionMessage.create(localAddr(), dist, senderKeys);
    return { skdm: hex(m.serialize()) };
  },

  async group_process(req) {
    need();
    const remote = peerAddr(req);
    const m = S.SenderKeyDistributionMessage.deserialize(reqHex(req, 'skdm'));
    await S.processSenderKeyDistributionMessage(remote, m, senderKeys);
    return {};
  },

  async group_encrypt(req) {
    need();
    const dist = reqStr(req, 'distribution_id');
    if (!UUID_RE.test(dist)) throw new BadRequest('distribution_id is not a UUID');
    const m = await S.groupEncrypt(localAddr(), dist, senderKeys, reqHex(req, 'plaintext'));
    return { ciphertext: hex(m.serialize()) };
  },

  async group_decrypt(req) {
    need();
    const remote = peerAddr(req);
    const pt = await S.groupDecrypt(remote, senderKeys, reqHex(req, 'ciphertext'));
    return { plaintext: hex(pt) };
  },

  async sealed_encrypt(req) {
    need();
    const remote = peerAddr(req);
    const cert = S.SenderCertificate.deserialize(reqHex(req, 'sender_cert'));
    const pt = reqHex(req, 'plaintext');
    const ct = await S.sealedSenderEncryptMessage(pt, remote, cert, sessions, identities);
    return { ciphertext: hex(ct) };
  },

  async sealed_decrypt(req) {
    const s = need();
    const root = S.PublicKey.deserialize(reqHex(req, 'trust_root'));
    const ts = reqInt(req, 'timestamp', 0, Number.MAX_SAFE_INTEGER);
    const ct = reqHex(req, 'ciphertext');
    const r = await S.sealedSenderDecryptMessage(
      ct,
      root,
      ts,
      null,
      s.name,
      s.device,
      sessions,
      identities,
      prekeys,
      signedPrekeys,
      kyberPrekeys,
    );
    return { sender: r.senderUuid(), sender_device: r.deviceId(), plaintext: hex(r.message()) };
  },
};

// ---- the loop --------------------------------------------------------------

// Responses are buffered while more requests are already waiting (pipelined
// callers) and written as soon as the queue is empty; with --state the file
// is saved before each response enters the buffer.
let out = [];
function flush() {
  if (!out.length) return;
  process.stdout.write(out.join(''));
  out = [];
}

function respond(obj) {
  try {
    saveState();
  } catch (e) {
    obj = { ok: false, error: 'invalid_state', message: `cannot save state: ${e.message}` };
  }
  out.push(`${JSON.stringify(obj)}\n`);
}

async function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return { ok: false, error: 'bad_request', message: 'not JSON' };
  }
  if (!req || typeof req !== 'object' || Array.isArray(req) || typeof req.op !== 'string')
    return { ok: false, error: 'bad_request', message: 'not a request object with an op' };
  if (req.op === 'quit') return null;
  const fn = Object.hasOwn(ops, req.op) ? ops[req.op] : null;
  if (!fn) return { ok: false, error: 'bad_request', message: `unknown op ${req.op}` };
  try {
    return { ok: true, ...(await fn(req)) };
  } catch (e) {
    const [error, message] = mapError(e);
    if (process.env.LIBSIGNAL_PEER_DEBUG) process.stderr.write(`${req.op}: ${e && e.stack}\n`);
    return { ok: false, error, message };
  }
}

const queue = [];
let running = false;
let closed = false;

async function pump() {
  if (running) return;
  running = true;
  while (queue.length) {
    const res = await handle(queue.shift());
    if (res === null) {
      respond({ ok: true });
      flush();
      process.exit(0);
    }
    respond(res);
    if (!queue.length || out.length >= 128) flush();
  }
  running = false;
  if (closed) {
    flush();
    saveState();
    process.exit(0);
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  queue.push(line);
  void pump();
});
rl.on('close', () => {
  closed = true;
  void pump();
});
