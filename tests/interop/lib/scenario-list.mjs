// scenario-list.mjs: the interop scenarios, in run order. Each gets a ctx
// (seeded rng, scratch dir, newDriver) and throws fail()/skip() or returns an
// optional note. Semantics follow libsignal's (spec signal-wire.md §3).
import path from 'node:path';
import { certAuthority } from './certs.mjs';
import { encryptMany, establish, fail, notOk, ok, pair, Party, plaintext, send, skip, unsupported, versionNibble } from './peers.mjs';

// Both directions of conversation still work.
async function stillWorks(rng, A, B, what) {
  await send(rng, A, B, ` (${what}, A to B)`);
  await send(rng, B, A, ` (${what}, B to A)`);
  await send(rng, A, B, ` (${what}, A to B again)`);
}

async function firstContact(ctx, first) {
  const [A, B] = await pair(ctx);
  const [X, Y] = first === 'A' ? [A, B] : [B, A];
  await establish(ctx.rng, X, Y);
  for (const [p, q] of [
    [X, Y],
    [Y, X],
  ]) {
    const r = ok(await p.d.req({ op: 'identity', ...p.to(q) }), `${p.label} identity`);
    if (r.identity_key !== q.ik) fail(`${p.label} stores identity ${r.identity_key} for ${q.which}, which announced ${q.ik}`);
  }
  for (let i = 0; i < 5; i++) await send(ctx.rng, i % 2 ? Y : X, i % 2 ? X : Y);
}

// Can party p build a session from a Kyber-less (v3, X3DH) bundle?
async function v3Probe(ctx, p, q) {
  const b = await q.bundle({ kyber: false });
  for (const k of ['kyber_prekey_id', 'kyber_prekey', 'kyber_prekey_signature'])
    if (b[k] !== null && b[k] !== undefined) fail(`${q.label} bundle kyber:false has ${k} = ${b[k]}`);
  const r = await p.processBundle(q, b);
  return r.ok ? 'yes' : r.error === 'unsupported' ? 'no' : fail(`${p.label} process_bundle of a v3 bundle: ${r.error}: ${r.message}`);
}

export const scenarios = [
  {
    name: 'first_contact_ab',
    about: 'A processes B\'s bundle and sends first; replies both ways',
    run: (ctx) => firstContact(ctx, 'A'),
  },
  {
    name: 'first_contact_ba',
    about: 'B processes A\'s bundle and sends first; replies both ways',
    run: (ctx) => firstContact(ctx, 'B'),
  },
  {
    name: 'v3_bundle',
    about: 'X3DH (kyber:false) bundle both ways where both allow it; otherwise the v3 PreKey message must be refused',
    async run(ctx) {
      const { rng } = ctx;
      // capabilities first, on a pair of their own
      const [A0, B0] = await pair(ctx);
      const capA = await v3Probe(ctx, A0, B0);
      const capB = await v3Probe(ctx, B0, A0);
      await Promise.all([A0.d.quit(), B0.d.quit()]);
      if (capA === 'no' && capB === 'no') skip('neither side builds v3 sessions');
      const notes = [];
      for (const [first, cap, capY] of [
        ['A', capA, capB],
        ['B', capB, capA],
      ]) {
        if (cap === 'no') continue;
        const [A, B] = await pair(ctx);
        const [X, Y] = first === 'A' ? [A, B] : [B, A];
        ok(await X.processBundle(Y, await Y.bundle({ kyber: false })), `${X.label} process_bundle of a v3 bundle`);
        const m = await X.encrypt(Y, plaintext(rng));
        if (m.type !== 3) fail(`${X.label}: first v3 message has type ${m.type}`);
        if (versionNibble(m) !== 3) fail(`${X.label}: v3 PreKey message starts with ${m.ciphertext.slice(0, 2)}, expected 0x3?`);
        if (capY === 'yes') {
          await Y.decrypt(X, m, ' (v3 PreKey)');
          const reply = await Y.encrypt(X, plaintext(rng));
          if (versionNibble(reply) !== 3) fail(`${Y.label}: v3 reply starts with ${reply.ciphertext.slice(0, 2)}`);
          await X.decrypt(Y, reply, ' (v3 reply)');
          for (let i = 0; i < 6; i++) await send(rng, i % 2 ? Y : X, i % 2 ? X : Y);
          notes.push(`v3 ${X.which} first ok`);
        } else {
          notOk(await Y.decryptRaw(X, m), `${Y.label} (no v3) must refuse a v3 PreKey message`);
          notes.push(`${Y.label} refused ${X.label}'s v3 PreKey message as expected`);
        }
        await Promise.all([A.d.quit(), B.d.quit()]);
      }
      return notes.join('; ');
    },
  },
  {
    name: 'v4_bundle',
    about: 'PQXDH (Kyber) bundle both ways, version nibble 4',
    async run(ctx) {
      const { rng } = ctx;
      for (const dir of ['AB', 'BA']) {
        const [A, B] = await pair(ctx);
        const [X, Y] = dir === 'AB' ? [A, B] : [B, A];
        const first = await establish(rng, X, Y, { kyber: true });
        if (versionNibble(first) !== 4) fail(`${X.label}: v4 PreKey message starts with ${first.ciphertext.slice(0, 2)}`);
        // also without a one-time prekey
        const [C, D] = await pair(ctx);
        const [P, Q] = dir === 'AB' ? [C, D] : [D, C];
        const f2 = await establish(rng, P, Q, { kyber: true, one_time: false });
        if (versionNibble(f2) !== 4) fail(`${P.label}: v4 PreKey message (no one-time prekey) starts with ${f2.ciphertext.slice(0, 2)}`);
        await Promise.all([A, B, C, D].map((p) => p.d.quit()));
      }
    },
  },
  {
    name: 'alternating_1000',
    about: '1,000 messages alternating direction (a DH ratchet step each)',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      await establish(rng, A, B);
      for (let i = 0; i < 1000; i++) {
        const [X, Y] = i % 2 ? [B, A] : [A, B];
        await send(rng, X, Y, ` (#${i})`);
      }
    },
  },
  {
    name: 'reorder_drop_dup_500',
    about: '500 one-way messages delivered shuffled, 10% dropped, 5% duplicated',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      await establish(rng, A, B);
      const msgs = await encryptMany(rng, A, B, 500);
      const deliveries = [];
      let dropped = 0;
      let dups = 0;
      msgs.forEach((m, i) => {
        if (rng.chance(0.1)) {
          dropped++;
          return;
        }
        deliveries.push(i);
        if (rng.chance(0.05)) {
          deliveries.push(i);
          dups++;
        }
      });
      rng.shuffle(deliveries);
      const res = await B.d.batch(deliveries.map((i) => B.decryptReq(A, msgs[i])));
      const seen = new Set();
      res.forEach((r, k) => {
        const i = deliveries[k];
        const what = `${B.label} delivery ${k} (message #${i})`;
        if (seen.has(i)) {
          notOk(r, `${what}, second copy`, ['duplicate_message']);
        } else {
          seen.add(i);
          ok(r, what);
          if (r.plaintext !== msgs[i].plaintext) fail(`${what}: wrong plaintext`);
        }
      });
      await stillWorks(rng, A, B, 'after the shuffle');
      return `${deliveries.length - dups} delivered, ${dropped} dropped, ${dups} duplicated`;
    },
  },
  {
    name: 'prekey_reorder',
    about: '50 PreKey messages sent before any reply, delivered shuffled with duplicates; then the reply',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      ok(await A.processBundle(B, await B.bundle()), `${A.label} process_bundle`);
      const msgs = await encryptMany(rng, A, B, 50);
      msgs.forEach((m, i) => m.type !== 3 && fail(`${A.label} message #${i} before any reply has type ${m.type}, expected 3`));
      const deliveries = [...Array(50).keys()];
      for (let i = 0; i < 50; i++) if (rng.chance(0.1)) deliveries.push(i);
      rng.shuffle(deliveries);
      const seen = new Set();
      for (const i of deliveries) {
        const r = await B.decryptRaw(A, msgs[i]);
        if (seen.has(i)) notOk(r, `${B.label} second copy of PreKey message #${i}`, ['duplicate_message']);
        else if (ok(r, `${B.label} PreKey message #${i}`).plaintext !== msgs[i].plaintext) fail(`${B.label} PreKey message #${i}: wrong plaintext`);
        seen.add(i);
      }
      const reply = await B.encrypt(A, plaintext(rng));
      if (reply.type !== 2) fail(`${B.label} reply has type ${reply.type}`);
      await A.decrypt(B, reply, ' (reply)');
      const next = await A.encrypt(B, plaintext(rng));
      if (next.type !== 2) fail(`${A.label} message after the reply has type ${next.type}, expected 2`);
      await B.decrypt(A, next);
      await stillWorks(rng, A, B, 'after the PreKey burst');
      return `${deliveries.length - 50} duplicates`;
    },
  },
  {
    name: 'bit_flip',
    about: 'every byte of one message altered in turn: each rejected, session intact',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      await establish(rng, A, B);
      const m = await A.encrypt(B, plaintext(rng, 48));
      const ct = Buffer.from(m.ciphertext, 'hex');
      const reqs = [];
      for (let i = 0; i < ct.length; i++) {
        const c = Buffer.from(ct);
        c[i] ^= rng.int(1, 255);
        reqs.push(B.decryptReq(A, { type: m.type, ciphertext: c.toString('hex') }));
      }
      const res = await B.d.batch(reqs);
      const codes = {};
      res.forEach((r, i) => {
        notOk(r, `${B.label} decrypt with byte ${i} of ${ct.length} altered`);
        codes[r.error] = (codes[r.error] || 0) + 1;
      });
      await B.decrypt(A, m, ' (the unaltered message)');
      await stillWorks(rng, A, B, 'after the altered copies');
      return `${ct.length} bytes; ${Object.entries(codes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`;
    },
  },
  {
    name: 'simultaneous_init',
    about: 'both process each other\'s bundle and send first; conversation converges',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      const [bA, bB] = [await A.bundle(), await B.bundle()];
      ok(await A.processBundle(B, bB), `${A.label} process_bundle`);
      ok(await B.processBundle(A, bA), `${B.label} process_bundle`);
      const mA = await A.encrypt(B, plaintext(rng));
      const mB = await B.encrypt(A, plaintext(rng));
      if (mA.type !== 3 || mB.type !== 3) fail(`first messages have types ${mA.type}/${mB.type}, expected 3/3`);
      await B.decrypt(A, mA, ' (crossing PreKey message)');
      await A.decrypt(B, mB, ' (crossing PreKey message)');
      // libsignal: each side now talks on the session the other initiated;
      // the other side finds it among its archived states and promotes it.
      for (let i = 0; i < 10; i++) await send(rng, i % 2 ? B : A, i % 2 ? A : B, ` (after crossing, #${i})`);
      // a burst each way, crossing in flight
      const xa = [await A.encrypt(B, plaintext(rng)), await A.encrypt(B, plaintext(rng))];
      const xb = [await B.encrypt(A, plaintext(rng)), await B.encrypt(A, plaintext(rng))];
      for (const m of xa) await B.decrypt(A, m, ' (crossing burst)');
      for (const m of xb) await A.decrypt(B, m, ' (crossing burst)');
      await stillWorks(rng, A, B, 'after the crossing burst');
    },
  },
  {
    name: 'gap_2000',
    about: '2,000 sent, the last delivered first, then the rest shuffled; then 2,002 and the oldest skipped key evicted',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      await establish(rng, A, B);
      const msgs = await encryptMany(rng, A, B, 2000);
      await B.decrypt(A, msgs[1999], ' (message #1999 of a new chain, 1,999 skipped)');
      const order = rng.shuffle([...Array(1999).keys()]);
      const res = await B.d.batch(order.map((i) => B.decryptReq(A, msgs[i])));
      res.forEach((r, k) => {
        const i = order[k];
        ok(r, `${B.label} decrypt of skipped message #${i}`);
        if (r.plaintext !== msgs[i].plaintext) fail(`${B.label} skipped message #${i}: wrong plaintext`);
      });
      // over MAX_MESSAGE_KEYS (2,000): 2,001 skipped keys, the oldest is dropped
      const more = await encryptMany(rng, A, B, 2002);
      await B.decrypt(A, more[2001], ' (2,001 skipped in one chain)');
      notOk(await B.decryptRaw(A, more[0]), `${B.label} message whose skipped key was evicted (over 2,000 kept)`);
      await B.decrypt(A, more[1], ' (oldest kept skipped key)');
      await B.decrypt(A, more[2000], ' (newest skipped key)');
      await stillWorks(rng, A, B, 'after the gaps');
    },
  },
  {
    name: 'gap_over_limit',
    about: 'counter jump of 25,001 rejected (too_far_ahead/invalid_message), 24,999 accepted, session intact',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      await establish(rng, A, B);
      const n = 25002;
      const reqs = [];
      for (let i = 0; i < n; i++) reqs.push(A.encryptReq(B, i === n - 1 || i === n - 3 ? plaintext(rng, 32) : ''));
      const res = await A.d.batch(reqs, 1024);
      const last = { type: ok(res[n - 1], 'encrypt').type, ciphertext: res[n - 1].ciphertext, plaintext: reqs[n - 1].plaintext };
      const prev = { type: ok(res[n - 3], 'encrypt').type, ciphertext: res[n - 3].ciphertext, plaintext: reqs[n - 3].plaintext };
      const r = notOk(await B.decryptRaw(A, last), `${B.label} message 25,001 ahead of its chain`, ['too_far_ahead', 'invalid_message']);
      // the refusal left the session as it was: a jump of 24,999 is accepted
      // (25,000 is libsignal's limit, but with SPQR active libsignal already
      // refuses 25,000), after which the refused message is only 2 ahead
      await B.decrypt(A, prev, ' (jump of 24,999 after the refusal)');
      await B.decrypt(A, last, ' (the refused message, now 2 ahead)');
      await stillWorks(rng, A, B, 'after the jumps');
      return `25,001 refused with ${r.error}`;
    },
  },
  {
    name: 'restart',
    about: 'kill -9 and respawn either driver with --state mid-conversation',
    async run(ctx) {
      const { rng } = ctx;
      // restarts inside session setup: after the bundle, after process_bundle,
      // after the first PreKey message was sent and after it was received
      const [C, D] = await pair(ctx, { stateA: path.join(ctx.dir, 'c.state'), stateB: path.join(ctx.dir, 'd.state') });
      const bD = await D.bundle();
      await D.restart();
      ok(await C.processBundle(D, bD), `${C.label} process_bundle`);
      await C.restart();
      const m0 = await C.encrypt(D, plaintext(rng));
      await C.restart();
      await D.decrypt(C, m0, ' (PreKey message after restarts)');
      await D.restart();
      notOk(await D.decryptRaw(C, m0), `${D.label} PreKey message replayed after a restart`);
      await stillWorks(rng, C, D, 'after restarts during setup');
      await Promise.all([C.d.quit(), D.d.quit()]);

      const [A, B] = await pair(ctx, { stateA: path.join(ctx.dir, 'a.state'), stateB: path.join(ctx.dir, 'b.state') });
      await establish(rng, A, B);
      for (let i = 0; i < 6; i++) await send(rng, i % 2 ? B : A, i % 2 ? A : B);
      await A.restart();
      await stillWorks(rng, A, B, 'after restarting A');
      await B.restart();
      await stillWorks(rng, A, B, 'after restarting B');
      // messages in flight across a restart of the receiver, then the sender
      const inflight = await encryptMany(rng, A, B, 5);
      await B.restart();
      for (const i of [3, 0, 4]) await B.decrypt(A, inflight[i], ` (in flight #${i} across B's restart)`);
      await A.restart();
      for (const i of [2, 1]) await B.decrypt(A, inflight[i], ` (in flight #${i} across A's restart)`);
      notOk(await B.decryptRaw(A, inflight[0]), `${B.label} replay after restart`, ['duplicate_message']);
      await A.restart();
      await B.restart();
      await stillWorks(rng, A, B, 'after restarting both');
      const r = ok(await A.d.req({ op: 'identity', ...A.to(B) }), `${A.label} identity after restart`);
      if (r.identity_key !== B.ik) fail(`${A.label} forgot ${B.which}'s identity across restarts`);
      // kill -9 in the middle of a pipeline: every answered encrypt must have
      // been saved, so after the restart A never reuses a message key
      const pts = Array.from({ length: 300 }, () => plaintext(rng, 32));
      const ps = pts.map((pt) => A.d.req(A.encryptReq(B, pt)));
      const got = new Array(pts.length).fill(null);
      ps.forEach((p, i) => p.then((res) => (got[i] = res), () => {}));
      await Promise.all(ps.slice(0, 100));
      await A.restart();
      const answered = got.map((res, i) => (res && res.ok ? { type: res.type, ciphertext: res.ciphertext, plaintext: pts[i] } : null)).filter(Boolean);
      if (answered.length < 100) fail(`only ${answered.length} of the first 100 pipelined encrypts were answered`);
      const fresh = await A.encrypt(B, plaintext(rng));
      await B.decrypt(A, fresh, ` (first message after a kill with ${answered.length} answered)`);
      for (const m of rng.shuffle(answered)) await B.decrypt(A, m, ' (answered before the kill)');
      await stillWorks(rng, A, B, 'after the kill mid-pipeline');
      return `killed after ${answered.length} of 300 pipelined encrypts were answered`;
    },
  },
  {
    name: 'identity_change',
    about: 'the peer comes back with a new identity key: its bundle and its PreKey message are refused (untrusted_identity)',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      await establish(rng, A, B);
      // B2: same address as B, fresh identity
      const B2 = new Party(ctx, 'B', rng);
      B2.name = B.name;
      B2.device = B.device;
      await B2.init();
      if (B2.ik === B.ik) fail('the new driver has the same identity key');
      notOk(await A.processBundle(B2, await B2.bundle()), `${A.label} process_bundle with a changed identity`, ['untrusted_identity']);
      ok(await B2.processBundle(A, await A.bundle()), `${B2.label} process_bundle`);
      const m = await B2.encrypt(A, plaintext(rng));
      notOk(await A.decryptRaw(B2, m), `${A.label} PreKey message from a changed identity`, ['untrusted_identity']);
      const id = ok(await A.d.req({ op: 'identity', ...A.to(B) }), `${A.label} identity`);
      if (id.identity_key !== B.ik) fail(`${A.label} replaced the stored identity of ${B.which} without being asked`);
      await stillWorks(rng, A, B, 'with the original peer');
    },
  },
  {
    name: 'bad_bundle',
    about: 'bundles with a bad signature or key are refused; a PreKey message for lost prekeys gives invalid_prekey',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      const flip = (h, i) => {
        const b = Buffer.from(h, 'hex');
        b[i] ^= 1 << rng.int(0, 7);
        return b.toString('hex');
      };
      const cases = [
        ['signed prekey signature', (b) => ({ ...b, signed_prekey_signature: flip(b.signed_prekey_signature, rng.int(0, 63)) }), 'invalid_signature'],
        ['Kyber prekey signature', (b) => ({ ...b, kyber_prekey_signature: flip(b.kyber_prekey_signature, rng.int(0, 63)) }), 'invalid_signature'],
        ['signed prekey (another key)', (b) => ({ ...b, signed_prekey: b.prekey }), 'invalid_signature'],
        ['signed prekey type byte', (b) => ({ ...b, signed_prekey: `06${b.signed_prekey.slice(2)}` }), 'invalid_key'],
        ['identity key type byte', (b) => ({ ...b, identity_key: `06${b.identity_key.slice(2)}` }), 'invalid_key'],
        // a wrong length may be refused as a malformed request too
        ['truncated identity key', (b) => ({ ...b, identity_key: b.identity_key.slice(0, 64) }), 'invalid_key', 'bad_request'],
      ];
      for (const [what, mutate, ...codes] of cases) {
        const r = await A.processBundle(B, mutate(await B.bundle({ kyber: true })));
        notOk(r, `${A.label} process_bundle with a bad ${what}`, codes);
      }
      notOk(await A.d.req(A.encryptReq(B, '00')), `${A.label} encrypt after refused bundles`, ['no_session']);
      // B loses its prekeys (a fresh driver at the same address)
      ok(await A.processBundle(B, await B.bundle()), `${A.label} process_bundle`);
      const m = await A.encrypt(B, plaintext(rng));
      const B2 = new Party(ctx, 'B', rng);
      B2.name = B.name;
      B2.device = B.device;
      await B2.init();
      notOk(await B2.decryptRaw(A, m), `${B2.label} PreKey message for prekeys it does not have`, ['invalid_prekey']);
      await B.decrypt(A, m, ' (the same message at the real B)');
    },
  },
  {
    name: 'multi_device',
    about: 'one account on two devices (two B drivers, same name): separate sessions; a message for one device fails on the other',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B1] = await pair(ctx);
      const B2 = new Party(ctx, 'B', rng);
      B2.name = B1.name;
      B2.device = B1.device === 127 ? 1 : B1.device + 1;
      await B2.init();
      await establish(rng, A, B1);
      await establish(rng, A, B2);
      const r1 = ok(await A.d.req({ op: 'identity', ...A.to(B1) }), `${A.label} identity of device ${B1.device}`);
      const r2 = ok(await A.d.req({ op: 'identity', ...A.to(B2) }), `${A.label} identity of device ${B2.device}`);
      if (r1.identity_key !== B1.ik || r2.identity_key !== B2.ik) fail(`${A.label} mixes up the identities of the two devices`);
      for (let i = 0; i < 6; i++) {
        const B = i % 2 ? B2 : B1;
        await send(rng, A, B, ` (device ${B.device})`);
        await send(rng, B, A, ` (device ${B.device})`);
      }
      const m = await A.encrypt(B1, plaintext(rng));
      notOk(await B2.decryptRaw(A, m), `${B2.label} (device ${B2.device}) decrypting a message for device ${B1.device}`);
      await B1.decrypt(A, m, ' (the right device)');
      // the sender's device matters too: B1 claims a message came from another device of A
      const m2 = await B1.encrypt(A, plaintext(rng));
      const other = [1, 2, 3].find((d) => d !== B1.device && d !== B2.device);
      notOk(
        await A.d.req({ op: 'decrypt', peer: B1.name, peer_device: other, type: m2.type, ciphertext: m2.ciphertext }),
        `${A.label} decrypting ${B1.which}'s message as if from device ${other}, which it has no session with`,
      );
      await A.decrypt(B1, m2);
      await stillWorks(rng, A, B1, 'device 1');
      await stillWorks(rng, A, B2, 'device 2');
    },
  },
  {
    name: 'address_binding',
    about: 'a message addressed to another device of the recipient: refused where addresses are bound (0.91+), per --address-binding yes|no|any',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      // A believes B's bundle belongs to another device of B's account
      const wrong = B.device === 127 ? 1 : B.device + 1;
      const b = await B.bundle();
      const W = { name: B.name, device: wrong, which: 'B', label: B.label };
      ok(await A.processBundle(W, b), `${A.label} process_bundle (for device ${wrong})`);
      const m = await A.encrypt(W, plaintext(rng));
      const r = await B.decryptRaw(A, m);
      const bound = !r.ok;
      const want = ctx.addressBinding ?? 'any';
      if (want === 'yes' && !bound) fail(`${B.label} accepted a message addressed to device ${wrong} (expected the addresses binding to refuse it)`);
      if (want === 'no' && bound) fail(`${B.label} refused a message addressed to device ${wrong}: ${r.error}: ${r.message}`);
      if (!bound && r.plaintext !== m.plaintext) fail(`${B.label}: wrong plaintext`);
      return bound ? `refused (${r.error}): addresses bound` : 'accepted: no address binding';
    },
  },
  {
    name: 'fingerprint',
    about: 'safety numbers both ways agree; scannable compare true both ways; a wrong key gives false',
    async run(ctx) {
      const [A, B] = await pair(ctx);
      const fp = async (P, Q, key = Q.ik, extra = {}) => {
        const r = await P.d.req({ op: 'fingerprint', local_id: P.name, remote_id: Q.name, remote_identity_key: key, ...extra });
        unsupported(ctx, r, `${P.label} fingerprint`);
        return ok(r, `${P.label} fingerprint`);
      };
      const fa = await fp(A, B);
      const fb = await fp(B, A);
      for (const [P, f] of [
        [A, fa],
        [B, fb],
      ])
        if (!/^[0-9]{60}$/.test(f.displayable)) fail(`${P.label} displayable ${f.displayable} is not 60 digits`);
      if (fa.displayable !== fb.displayable) fail(`displayable differs: ${A.label} ${fa.displayable}, ${B.label} ${fb.displayable}`);
      const cmp = async (P, mine, theirs) => {
        const r = await P.d.req({ op: 'compare_scannable', mine, theirs });
        unsupported(ctx, r, `${P.label} compare_scannable`);
        return ok(r, `${P.label} compare_scannable`).match;
      };
      if ((await cmp(A, fa.scannable, fb.scannable)) !== true) fail(`${A.label} scannable compare with ${B.label}'s is not true`);
      if ((await cmp(B, fb.scannable, fa.scannable)) !== true) fail(`${B.label} scannable compare with ${A.label}'s is not true`);
      // a wrong key for B (B's signed prekey is a well-formed key that is not B's identity)
      const wrongKey = (await B.bundle()).signed_prekey;
      const fw = await fp(A, B, wrongKey);
      if (fw.displayable === fb.displayable) fail('displayable unchanged with a wrong key');
      if ((await cmp(B, fb.scannable, fw.scannable)) !== false) fail(`${B.label}: scannable of a wrong key compares true`);
      if ((await cmp(A, fw.scannable, fb.scannable)) !== false) fail(`${A.label}: scannable with a wrong key compares true`);
      // explicit version/iterations (the E.164 convention, version 1)
      const f1a = await fp(A, B, B.ik, { version: 1, iterations: 1024 });
      const f1b = await fp(B, A, A.ik, { version: 1, iterations: 1024 });
      if (f1a.displayable !== f1b.displayable) fail('version 1 / 1024 iterations: displayable differs');
      if (f1a.displayable === fa.displayable) fail('iterations do not change the displayable');
      if ((await cmp(A, f1a.scannable, f1b.scannable)) !== true) fail('version 1 scannable compare is not true');
      const mixed = await A.d.req({ op: 'compare_scannable', mine: fa.scannable, theirs: f1b.scannable });
      if (mixed.ok && mixed.match) fail('scannables of different versions compare true');
    },
  },
  {
    name: 'malformed',
    about: 'garbage, missing fields, bad hex: bad_request, and the driver keeps working',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      await establish(rng, A, B);
      const p = JSON.stringify(A.to(B)).slice(1, -1);
      const bad = [
        'garbage',
        '{',
        '{"op":"encrypt"',
        '[]',
        '[{"op":"encrypt"}]',
        'null',
        '42',
        '"encrypt"',
        '{}',
        '{"op":42}',
        '{"op":"no_such_op"}',
        '{"op":"encrypt"}',
        `{"op":"encrypt",${p}}`,
        `{"op":"encrypt","peer_device":${B.device},"plaintext":"00"}`,
        `{"op":"encrypt",${p},"plaintext":"zz"}`,
        `{"op":"encrypt",${p},"plaintext":"abc"}`,
        `{"op":"encrypt",${p},"plaintext":42}`,
        `{"op":"encrypt","peer":7,"peer_device":${B.device},"plaintext":"00"}`,
        `{"op":"encrypt","peer":"${B.name}","peer_device":"one","plaintext":"00"}`,
        `{"op":"decrypt",${p},"type":2}`,
        `{"op":"decrypt",${p},"type":2,"ciphertext":"not hex"}`,
        `{"op":"decrypt",${p},"ciphertext":"00"}`,
        `{"op":"process_bundle",${p}}`,
        `{"op":"fingerprint","local_id":"x","remote_id":"y","remote_identity_key":"0g"}`,
        `{"op":"compare_scannable","mine":"00"}`,
        `{"op":"init","name":5,"device":1,"registration_id":1}`,
        `x${'\u00ff'.repeat(3)}{"op":"encrypt"}`,
        `{"op":"encrypt",${p},"plaintext":"${'z'.repeat(200000)}"}`,
        'g'.repeat(100000),
      ];
      const raw = await Promise.all(bad.map((l) => A.d.sendLine(l, `malformed line ${l.slice(0, 40)}`)));
      // a driver without an optional op may answer unsupported (not with --strict)
      const core = /"op":"(init|bundle|process_bundle|encrypt|decrypt|identity)"/;
      raw.forEach((r, i) => {
        const codes = ctx.strict || core.test(bad[i]) || !/"op":"/.test(bad[i]) ? ['bad_request'] : ['bad_request', 'unsupported'];
        notOk(r, `${A.label} on line ${JSON.stringify(bad[i].slice(0, 80))}`, codes);
      });
      await stillWorks(rng, A, B, 'after malformed lines');
      // errors that are not bad_request but must not be ok either
      const rej = [
        { op: 'decrypt', ...A.to(B), type: 2, ciphertext: '' },
        { op: 'decrypt', ...A.to(B), type: 2, ciphertext: '33' },
        { op: 'decrypt', ...A.to(B), type: 3, ciphertext: rng.hex(80) },
        { op: 'decrypt', ...A.to(B), type: 2, ciphertext: rng.hex(80) },
        { op: 'encrypt', peer: rng.uuid(), peer_device: 1, plaintext: '00' },
      ];
      const rr = await A.d.batch(rej);
      rr.forEach((r, i) => notOk(r, `${A.label} on ${JSON.stringify(rej[i]).slice(0, 120)}`));
      notOk(rr[4], `${A.label} encrypt to an unknown peer`, ['no_session']);
      await stillWorks(rng, A, B, 'after rejected requests');
    },
  },
  {
    name: 'no_session',
    about: 'encrypt/decrypt without a session answer no_session',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      notOk(await A.d.req(A.encryptReq(B, '00')), `${A.label} encrypt without a session`, ['no_session']);
      // a Whisper message from a peer we have no session with
      const [C, D] = await pair(ctx);
      await establish(rng, C, D);
      const m = await C.encrypt(D, plaintext(rng));
      const r = notOk(await B.decryptRaw(A, m), `${B.label} Whisper message without a session`, ['no_session', 'invalid_message']);
      const id = ok(await A.d.req({ op: 'identity', ...A.to(B) }), `${A.label} identity of an unknown peer`);
      if (id.identity_key !== null) fail(`${A.label} identity of an unknown peer is ${id.identity_key}, not null`);
      return `Whisper without session: ${r.error}`;
    },
  },
  {
    name: 'group',
    about: 'sender keys both ways: distribution, shuffled delivery, duplicate',
    async run(ctx) {
      const { rng } = ctx;
      const [A, B] = await pair(ctx);
      for (const [X, Y] of [
        [A, B],
        [B, A],
      ]) {
        const dist = rng.uuid();
        const c = await X.d.req({ op: 'group_create', distribution_id: dist });
        unsupported(ctx, c, `${X.label} group_create`);
        ok(c, `${X.label} group_create`);
        const gp = await Y.d.req({ op: 'group_process', ...Y.to(X), skdm: c.skdm });
        unsupported(ctx, gp, `${Y.label} group_process`);
        ok(gp, `${Y.label} group_process`);
        const pts = Array.from({ length: 20 }, () => plaintext(rng));
        const cts = (await X.d.batch(pts.map((pt) => ({ op: 'group_encrypt', distribution_id: dist, plaintext: pt })))).map(
          (r, i) => ok(r, `${X.label} group_encrypt #${i}`).ciphertext,
        );
        const order = rng.shuffle([...Array(20).keys()]);
        order.splice(rng.int(1, 19), 0, order[0]); // one duplicate
        const seen = new Set();
        for (const i of order) {
          const r = await Y.d.req({ op: 'group_decrypt', ...Y.to(X), ciphertext: cts[i] });
          if (seen.has(i)) notOk(r, `${Y.label} group_decrypt duplicate of #${i}`, ['duplicate_message']);
          else if (ok(r, `${Y.label} group_decrypt #${i}`).plaintext !== pts[i]) fail(`${Y.label} group #${i}: wrong plaintext`);
          seen.add(i);
        }
        const bad = Buffer.from(cts[0], 'hex');
        bad[bad.length - 1] ^= 1;
        notOk(await Y.d.req({ op: 'group_decrypt', ...Y.to(X), ciphertext: bad.toString('hex') }), `${Y.label} group_decrypt with a bad signature`);
      }
    },
  },
  {
    name: 'sealed',
    about: 'sealed sender v1 both ways: first (PreKey) and later messages, sender recovered; expired cert and wrong trust root refused',
    async run(ctx) {
      const { rng } = ctx;
      const ca = await certAuthority(ctx.libDirs);
      if (!ca) skip('no libsignal installed to mint certificates');
      const now = 1_800_000_000_000;
      const notes = [];
      for (const first of ['A', 'B']) {
        const [A, B] = await pair(ctx);
        const [X, Y] = first === 'A' ? [A, B] : [B, A];
        ok(await X.processBundle(Y, await Y.bundle()), `${X.label} process_bundle`);
        const certX = ca.sender(X.name, X.device, X.ik, now + 86_400_000);
        const certY = ca.sender(Y.name, Y.device, Y.ik, now + 86_400_000);
        const seal = async (P, Q, cert, pt) => {
          const r = await P.d.req({ op: 'sealed_encrypt', ...P.to(Q), sender_cert: cert, plaintext: pt });
          unsupported(ctx, r, `${P.label} sealed_encrypt`);
          return ok(r, `${P.label} sealed_encrypt`).ciphertext;
        };
        const open = (Q, ct, extra = {}) => Q.d.req({ op: 'sealed_decrypt', trust_root: ca.trustRoot, timestamp: now, ciphertext: ct, ...extra });
        const check = (r, P, Q, pt, what) => {
          unsupported(ctx, r, `${Q.label} sealed_decrypt`);
          ok(r, `${Q.label} sealed_decrypt ${what}`);
          if (r.sender !== P.name || r.sender_device !== P.device)
            fail(`${Q.label} sealed_decrypt ${what}: sender ${r.sender}.${r.sender_device}, expected ${P.name}.${P.device}`);
          if (r.plaintext !== pt) fail(`${Q.label} sealed_decrypt ${what}: wrong plaintext`);
        };
        let pt = plaintext(rng);
        check(await open(Y, await seal(X, Y, certX, pt)), X, Y, pt, '(first, PreKey inside)');
        pt = plaintext(rng);
        check(await open(X, await seal(Y, X, certY, pt)), Y, X, pt, '(reply)');
        for (let i = 0; i < 4; i++) {
          const [P, Q, c] = i % 2 ? [Y, X, certY] : [X, Y, certX];
          pt = plaintext(rng);
          check(await open(Q, await seal(P, Q, c, pt)), P, Q, pt, `(#${i})`);
        }
        // refusals: expired certificate, unknown trust root
        const ct = await seal(X, Y, certX, plaintext(rng));
        notOk(await open(Y, ct, { timestamp: now + 2 * 86_400_000 }), `${Y.label} sealed_decrypt with an expired certificate`);
        notOk(await open(Y, ct, { trust_root: ca.otherRoot }), `${Y.label} sealed_decrypt with the wrong trust root`);
        await stillWorks(rng, A, B, 'after sealed messages');
        await Promise.all([A.d.quit(), B.d.quit()]);
        notes.push(`${first} first ok`);
      }
      return notes.join('; ');
    },
  },
];
