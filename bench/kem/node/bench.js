// libsignal peer for bench/kem: KEMKeyPair.generate() per second through
// node (the npm API offers no encapsulate/decapsulate), measured like
// bench_kem: best of five bursts over SECONDS (argv[2], default 1).
// With argv[3] = a path, also writes one key pair there (serialized public
// key then secret key, type byte included) for bench_kem --libsignal-key.
'use strict';
const fs = require('fs');
const { KEMKeyPair } = require('@signalapp/libsignal-client');

const secs = Number(process.argv[2] || 1);
for (let i = 0; i < 200; i++) KEMKeyPair.generate();
let best = 0;
for (let burst = 0; burst < 5; burst++) {
  let n = 0;
  const t0 = process.hrtime.bigint();
  let t;
  do {
    for (let i = 0; i < 20; i++) KEMKeyPair.generate();
    n += 20;
    t = process.hrtime.bigint();
  } while (Number(t - t0) / 1e9 < secs / 5);
  best = Math.max(best, n / (Number(t - t0) / 1e9));
}
const pad = (s, w) => s.padStart(w);
console.log(`${'libsignal'.padEnd(12)} ${'keygen'.padEnd(7)} ${pad(best.toFixed(0), 12)} ${pad((1e6 / best).toFixed(1), 10)}   (Kyber1024 via node ${process.version}, @signalapp/libsignal-client ${require('@signalapp/libsignal-client/package.json').version})`);
if (process.argv[3]) {
  const kp = KEMKeyPair.generate();
  fs.writeFileSync(process.argv[3], Buffer.concat([kp.getPublicKey().serialize(), kp.getSecretKey().serialize()]));
}
