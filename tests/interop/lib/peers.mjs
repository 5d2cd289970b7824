// peers.mjs: the vocabulary scenarios are written in (a party = one driver
// plus its address), with checks that throw readable failures.

export function fail(msg) {
  const e = new Error(msg);
  e.fail = true;
  throw e;
}

export function skip(msg) {
  const e = new Error(msg);
  e.skip = true;
  throw e;
}

const brief = (res) => {
  const s = JSON.stringify(res);
  return s.length > 300 ? `${s.slice(0, 300)}...` : s;
};

// An "unsupported" answer is a missing feature: SKIP, or FAIL with --strict.
export function unsupported(ctx, res, what) {
  if (res.ok || res.error !== 'unsupported') return;
  const msg = `${what}: unsupported by the driver`;
  if (ctx.strict) fail(msg);
  skip(msg);
}

export function ok(res, what) {
  if (!res.ok) fail(`${what}: ${res.error}: ${res.message ?? ''}`);
  return res;
}

export function notOk(res, what, codes = null) {
  if (res.ok) fail(`${what}: expected an error, got ${brief(res)}`);
  if (codes && !codes.includes(res.error)) fail(`${what}: expected ${codes.join(' or ')}, got ${res.error}: ${res.message ?? ''}`);
  return res;
}

export class Party {
  constructor(ctx, which, rng, stateFile = null) {
    this.ctx = ctx;
    this.which = which;
    this.name = rng.uuid();
    this.device = rng.int(1, 127);
    this.regId = rng.int(1, 16380);
    // --state-all: every driver persists (a file of its own per party)
    this.stateFile = stateFile ?? (ctx.stateAll ? ctx.stateFileFor(which) : null);
    this.d = ctx.newDriver(which, this.stateFile);
  }

  get label() {
    return this.d.label;
  }

  async init() {
    const r = ok(await this.d.req({ op: 'init', name: this.name, device: this.device, registration_id: this.regId }), `${this.label} init`);
    if (!/^05[0-9a-f]{64}$/.test(r.identity_key)) fail(`${this.label} init: identity_key ${r.identity_key} is not a 33-byte 0x05 key`);
    this.ik = r.identity_key;
    return this;
  }

  // Kill the process (no quit) and start it again on the same state file.
  async restart() {
    if (!this.stateFile) fail('restart needs a state file');
    await this.d.kill();
    this.d = this.ctx.newDriver(this.which, this.stateFile);
  }

  to(peer, extra = {}) {
    return { peer: peer.name, peer_device: peer.device, ...extra };
  }

  // --v3 makes kyber:false the default for every bundle not asking otherwise
  async bundle(opts = {}) {
    const r = ok(await this.d.req({ op: 'bundle', ...this.ctx.bundleDefaults, ...opts }), `${this.label} bundle`);
    delete r.ok;
    return r;
  }

  processBundle(peer, bundle) {
    return this.d.req({ op: 'process_bundle', ...this.to(peer), bundle });
  }

  encryptReq(peer, pt) {
    return { op: 'encrypt', ...this.to(peer), plaintext: pt };
  }

  async encrypt(peer, pt) {
    const r = ok(await this.d.req(this.encryptReq(peer, pt)), `${this.label} encrypt to ${peer.which}`);
    if (r.type !== 2 && r.type !== 3) fail(`${this.label} encrypt: type ${r.type} is neither 2 nor 3`);
    return { type: r.type, ciphertext: r.ciphertext, plaintext: pt };
  }

  decryptReq(peer, msg) {
    return { op: 'decrypt', ...this.to(peer), type: msg.type, ciphertext: msg.ciphertext };
  }

  decryptRaw(peer, msg) {
    return this.d.req(this.decryptReq(peer, msg));
  }

  async decrypt(peer, msg, what = '') {
    const r = ok(await this.decryptRaw(peer, msg), `${this.label} decrypt from ${peer.which}${what}`);
    if (r.plaintext !== msg.plaintext)
      fail(`${this.label} decrypt from ${peer.which}${what}: plaintext ${r.plaintext.slice(0, 64)} != sent ${msg.plaintext.slice(0, 64)}`);
    return r;
  }
}

// Random plaintext, 0..maxLen bytes (hex).
export function plaintext(rng, maxLen = 160) {
  return rng.hex(rng.int(0, maxLen));
}

// One message from -> to, checked.
export async function send(rng, from, to, what = '') {
  const m = await from.encrypt(to, plaintext(rng));
  await to.decrypt(from, m, what);
  return m;
}

// Two started parties, both initialised.
export async function pair(ctx, { stateA = null, stateB = null } = {}) {
  const A = new Party(ctx, 'A', ctx.rng, stateA);
  const B = new Party(ctx, 'B', ctx.rng, stateB);
  if (A.name === B.name) fail('name clash');
  await Promise.all([A.init(), B.init()]);
  return [A, B];
}

// `from` takes `to`'s bundle and sends first; `to` replies; `from` answers.
// Returns the first (PreKey) message.
export async function establish(rng, from, to, bundleOpts = {}) {
  const b = await to.bundle(bundleOpts);
  ok(await from.processBundle(to, b), `${from.label} process_bundle of ${to.which}`);
  const first = await from.encrypt(to, plaintext(rng));
  if (first.type !== 3) fail(`${from.label}: first message has type ${first.type}, expected 3 (PreKey)`);
  const v = b.kyber_prekey ? 4 : 3;
  if (versionNibble(first) !== v) fail(`${from.label}: first message starts with ${first.ciphertext.slice(0, 2)}, expected session version ${v}`);
  await to.decrypt(from, first, ' (first PreKey message)');
  const reply = await to.encrypt(from, plaintext(rng));
  if (reply.type !== 2) fail(`${to.label}: reply has type ${reply.type}, expected 2`);
  await from.decrypt(to, reply, ' (reply)');
  const third = await from.encrypt(to, plaintext(rng));
  if (third.type !== 2) fail(`${from.label}: message after the reply has type ${third.type}, expected 2`);
  await to.decrypt(from, third);
  return first;
}

export function versionNibble(msg) {
  return parseInt(msg.ciphertext.slice(0, 1), 16);
}

// Encrypt n messages from -> to, pipelined.
export async function encryptMany(rng, from, to, n) {
  const pts = Array.from({ length: n }, () => plaintext(rng, 64));
  const res = await from.d.batch(pts.map((pt) => from.encryptReq(to, pt)));
  return res.map((r, i) => {
    ok(r, `${from.label} encrypt #${i}`);
    return { type: r.type, ciphertext: r.ciphertext, plaintext: pts[i] };
  });
}
