// libsignal side of bench/session: the same three cases as bench_session,
// through @signalapp/libsignal-client in node, measured the same way (best
// of three bursts of SECONDS/3 each, after a short untimed warm-up for the
// JIT; SECONDS is argv[2], default 3).
//
//   one-way      A encrypts a 100-byte message, B decrypts it
//   alternating  the same, with the direction flipped on every message
//   pqxdh        A processes B's Kyber bundle, encrypts "hi", B decrypts
//                the PreKey message; bundle generation (B's one-time,
//                signed and Kyber prekeys) is done before the timed part
//
// The session store keeps each session as serialized bytes, so every
// encrypt/decrypt runs SessionRecord.deserialize on get and serialize on
// save, as sotto's in-memory store does (prekey stores keep bytes too).
// Output: one line per case, "libsignal <case> <rate> <unit> (notes)".
'use strict';
const S = require('@signalapp/libsignal-client');
const VERSION = require('@signalapp/libsignal-client/package.json').version;

const secs = Number(process.argv[2] || 3) > 0 ? Number(process.argv[2] || 3) : 3;
const BURSTS = 3;

const key = (a) => `${a.name()}.${a.deviceId()}`;

class Sessions extends S.SessionStore {
  constructor() {
    super();
    this.m = new Map();
  }
  async saveSession(a, rec) {
    this.m.set(key(a), rec.serialize());
  }
  async getSession(a) {
    const b = this.m.get(key(a));
    return b ? S.SessionRecord.deserialize(b) : null;
  }
  async getExistingSessions(addrs) {
    return Promise.all(addrs.map((a) => this.getSession(a)));
  }
}

class Identities extends S.IdentityKeyStore {
  constructor(priv, regId) {
    super();
    this.priv = priv;
    this.regId = regId;
    this.m = new Map(); // address -> serialized PublicKey (trust on first use)
  }
  async getIdentityKey() {
    return this.priv;
  }
  async getLocalRegistrationId() {
    return this.regId;
  }
  async saveIdentity(a, k) {
    const old = this.m.get(key(a));
    const b = Buffer.from(k.serialize());
    this.m.set(key(a), b);
    return old && !old.equals(b) ? S.IdentityChange.ReplacedExisting : S.IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity(a, k) {
    const old = this.m.get(key(a));
    return !old || old.equals(Buffer.from(k.serialize()));
  }
  async getIdentity(a) {
    const old = this.m.get(key(a));
    return old ? S.PublicKey.deserialize(new Uint8Array(old)) : null;
  }
}

// id -> serialized record tables
function byteStore(Base, cls, names) {
  return class extends Base {
    constructor() {
      super();
      this.m = new Map();
    }
    async [names.save](id, rec) {
      this.m.set(id, rec.serialize());
    }
    async [names.get](id) {
      const b = this.m.get(id);
      if (!b) throw new Error(`no record ${id}`);
      return cls.deserialize(b);
    }
    async [names.remove](id) {
      this.m.delete(id);
    }
  };
}
const PreKeys = byteStore(S.PreKeyStore, S.PreKeyRecord, {
  save: 'savePreKey',
  get: 'getPreKey',
  remove: 'removePreKey',
});
const SignedPreKeys = byteStore(S.SignedPreKeyStore, S.SignedPreKeyRecord, {
  save: 'saveSignedPreKey',
  get: 'getSignedPreKey',
  remove: 'removeSignedPreKey',
});
// One-time Kyber prekeys: a used one is removed, as sotto's memstore does.
const KyberPreKeys = byteStore(S.KyberPreKeyStore, S.KyberPreKeyRecord, {
  save: 'saveKyberPreKey',
  get: 'getKyberPreKey',
  remove: 'markKyberPreKeyUsed',
});

function party(name) {
  const priv = S.PrivateKey.generate();
  return {
    priv,
    addr: S.ProtocolAddress.new(name, 1),
    sessions: new Sessions(),
    ids: new Identities(priv, 42),
    prekeys: new PreKeys(),
    signed: new SignedPreKeys(),
    kyber: new KyberPreKeys(),
    next: 1,
  };
}

// A fresh bundle for p; its private records go into p's stores.
async function bundle(p) {
  const now = Date.now();
  const preId = p.next++;
  const pre = S.PrivateKey.generate();
  await p.prekeys.savePreKey(preId, S.PreKeyRecord.new(preId, pre.getPublicKey(), pre));
  const spkId = p.next++;
  const spk = S.PrivateKey.generate();
  const spkSig = p.priv.sign(spk.getPublicKey().serialize());
  await p.signed.saveSignedPreKey(spkId, S.SignedPreKeyRecord.new(spkId, now, spk.getPublicKey(), spk, spkSig));
  const kId = p.next++;
  const kp = S.KEMKeyPair.generate();
  const kSig = p.priv.sign(kp.getPublicKey().serialize());
  await p.kyber.saveKyberPreKey(kId, S.KyberPreKeyRecord.new(kId, now, kp, kSig));
  return S.PreKeyBundle.new(
    42,
    1,
    preId,
    pre.getPublicKey(),
    spkId,
    spk.getPublicKey(),
    spkSig,
    p.priv.getPublicKey(),
    kId,
    kp.getPublicKey(),
    kSig,
  );
}

async function oneMessage(from, to, pt) {
  const m = await S.signalEncrypt(pt, to.addr, from.sessions, from.ids);
  const ct = m.serialize();
  let out;
  if (m.type() === S.CiphertextMessageType.Whisper) {
    out = await S.signalDecrypt(S.SignalMessage.deserialize(ct), from.addr, to.sessions, to.ids);
  } else {
    out = await S.signalDecryptPreKey(
      S.PreKeySignalMessage.deserialize(ct),
      from.addr,
      to.sessions,
      to.ids,
      to.prekeys,
      to.signed,
      to.kyber,
    );
  }
  if (!Buffer.from(out).equals(Buffer.from(pt))) throw new Error('round trip failed');
}

async function setup(a, b) {
  await S.processPreKeyBundle(await bundle(b), b.addr, a.sessions, a.ids);
  await oneMessage(a, b, new Uint8Array(Buffer.from('hi')));
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

// Best rate over BURSTS bursts of secs/BURSTS; step(n) runs one unit of
// work and returns the seconds to subtract from it (untimed preparation).
async function bestOf(step, batch) {
  let best = 0;
  let total = 0;
  for (let i = 0; i < 2 * batch; i++) await step(-1 - i); // warm-up (JIT), not counted
  for (let burst = 0; burst < BURSTS; burst++) {
    let n = 0;
    let timed = 0;
    do {
      const t0 = now();
      let excluded = 0;
      for (let i = 0; i < batch; i++, n++) excluded += await step(n);
      timed += now() - t0 - excluded;
    } while (timed < secs / BURSTS);
    total += n;
    best = Math.max(best, n / timed);
  }
  return [best, total];
}

function line(what, rate, unit, note) {
  console.log(`${'libsignal'.padEnd(10)} ${what.padEnd(12)} ${rate.toFixed(0).padStart(9)} ${unit}  (${note})`);
}

async function messages(alternate) {
  const a = party('a');
  const b = party('b');
  await setup(a, b);
  await oneMessage(b, a, new Uint8Array(Buffer.from('ack')));
  const pt = new Uint8Array(100).fill(0x78);
  const [rate, n] = await bestOf(async (i) => {
    const flip = alternate && i & 1;
    await oneMessage(flip ? b : a, flip ? a : b, pt);
    return 0;
  }, 50);
  line(alternate ? 'alternating' : 'one-way', rate, 'msg/s   ', `${n} messages`);
}

async function setups() {
  const a = party('a');
  const b = party('b');
  const [rate, n] = await bestOf(async () => {
    const g0 = now();
    const bun = await bundle(b);
    const gen = now() - g0;
    a.sessions.m.clear();
    b.sessions.m.clear();
    await S.processPreKeyBundle(bun, b.addr, a.sessions, a.ids);
    await oneMessage(a, b, new Uint8Array(Buffer.from('hi')));
    b.signed.m.clear();
    return gen;
  }, 10);
  line('pqxdh', rate, 'setups/s', `${n} setups; bundle generation excluded`);
}

(async () => {
  const only = process.argv[3];
  console.log(`libsignal: @signalapp/libsignal-client ${VERSION}, node ${process.version}`);
  if (!only || only === 'one-way') await messages(false);
  if (!only || only === 'alternating') await messages(true);
  if (!only || only === 'pqxdh') await setups();
})().catch((e) => {
  console.error(`bench.js: ${e.stack || e}`);
  process.exit(1);
});
