// certs.mjs: mint sealed-sender certificates for a scenario with whichever
// libsignal the runner can load (certificates are plain bytes, so any version
// serves every driver). Returns null if no libsignal is installed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let lib;

async function load(dirs) {
  if (lib !== undefined) return lib;
  lib = null;
  for (const dir of dirs) {
    if (!dir) continue;
    const pkgDir = path.join(path.resolve(dir), 'node_modules', '@signalapp', 'libsignal-client');
    let pkg;
    try {
      pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    const mod = await import(pathToFileURL(path.join(pkgDir, pkg.main || 'dist/index.js')).href);
    const S = mod.default && mod.default.ProtocolAddress ? mod.default : mod;
    lib = { S, buffer: pkg.version.startsWith('0.72.') };
    break;
  }
  return lib;
}

const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

// A trust root and a server certificate, and a function making sender
// certificates: sender(uuid, device, identityKeyHex, expirationMs) -> hex.
export async function certAuthority(libDirs) {
  const L = await load([...libDirs, path.join(here, '..', 'libsignal-0.90.0'), path.join(here, '..', 'libsignal-0.72.1')]);
  if (!L) return null;
  const { S } = L;
  const bytes = (h) => (L.buffer ? Buffer.from(h, 'hex') : new Uint8Array(Buffer.from(h, 'hex')));
  const root = S.PrivateKey.generate();
  const serverKey = S.PrivateKey.generate();
  const serverCert = S.ServerCertificate.new(1, serverKey.getPublicKey(), root);
  return {
    trustRoot: hex(root.getPublicKey().serialize()),
    otherRoot: hex(S.PrivateKey.generate().getPublicKey().serialize()),
    sender(uuid, device, identityKeyHex, expiration) {
      const key = S.PublicKey.deserialize(bytes(identityKeyHex));
      return hex(S.SenderCertificate.new(uuid, null, device, key, expiration, serverCert, serverKey).serialize());
    },
  };
}
