#!/usr/bin/env node
// scenarios.mjs: run interop scenarios between two peer drivers.
//
//   node scenarios.mjs --a "node libsignal-peer.mjs" --a-env LIBSIGNAL_DIR=libsignal-0.72.1 \
//                      --b /path/to/sotto-peer [--seed N] [--only NAME[,NAME]] [--skip NAME[,NAME]]
//
// Each scenario starts fresh A and B drivers (so one failure cannot poison
// the next), prints PASS/FAIL/SKIP with details, and the run ends with
// "N passed, N failed". Exit status is non-zero if anything failed. The seed
// is random unless given by --seed or the environment (SOTTO_INTEROP_SEED).
// Options: --a-label/--b-label NAME, --timeout SECONDS (per request, default
// 60), --list, --verbose, --strict (an "unsupported" answer fails the
// scenario instead of skipping it), --state-all (every driver runs with
// --state FILE, so persistence is exercised on every request), --v3 (bundles
// are Kyber-less unless a scenario asks for Kyber: X3DH sessions throughout),
// --address-binding yes|no|any (must B refuse a message A addressed to another
// of B's devices? libsignal 0.91+ binds addresses; default any).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Driver, DriverError, splitCommand } from './lib/driver.mjs';
import { Rng } from './lib/rng.mjs';
import { scenarios } from './lib/scenario-list.mjs';

function usage(msg) {
  if (msg) process.stderr.write(`scenarios.mjs: ${msg}\n`);
  process.stderr.write(
    'usage: node scenarios.mjs --a CMD [--a-env K=V]... [--a-label L] --b CMD [--b-env K=V]... [--b-label L]\n' +
      '       [--seed N] [--only NAME[,NAME]] [--skip NAME[,NAME]] [--timeout S] [--strict] [--state-all] [--v3] [--address-binding yes|no|any] [--list] [--verbose]\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = { a: null, b: null, aEnv: {}, bEnv: {}, only: [], skip: [], seed: null, timeout: 60, list: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${k} needs a value`);
      return argv[++i];
    };
    const env = (into) => {
      const v = val();
      const eq = v.indexOf('=');
      if (eq <= 0) usage(`${k} wants KEY=VALUE, not ${v}`);
      into[v.slice(0, eq)] = v.slice(eq + 1);
    };
    switch (k) {
      case '--a': o.a = val(); break;
      case '--b': o.b = val(); break;
      case '--a-env': env(o.aEnv); break;
      case '--b-env': env(o.bEnv); break;
      case '--a-label': o.aLabel = val(); break;
      case '--b-label': o.bLabel = val(); break;
      case '--seed': o.seed = Number(val()); if (!Number.isInteger(o.seed) || o.seed < 0) usage('bad --seed'); break;
      case '--only': o.only.push(...val().split(',').filter(Boolean)); break;
      case '--skip': o.skip.push(...val().split(',').filter(Boolean)); break;
      case '--timeout': o.timeout = Number(val()); if (!(o.timeout > 0)) usage('bad --timeout'); break;
      case '--list': o.list = true; break;
      case '--verbose': o.verbose = true; break;
      case '--strict': o.strict = true; break;
      case '--state-all': o.stateAll = true; break;
      case '--v3': o.v3 = true; break;
      case '--address-binding': o.addressBinding = val(); if (!['yes', 'no', 'any'].includes(o.addressBinding)) usage('--address-binding yes|no|any'); break;
      case '-h': case '--help': usage();
      default: usage(`unknown argument ${k}`);
    }
  }
  return o;
}

function label(cmd, env, given) {
  if (given) return given;
  if (env.LIBSIGNAL_DIR) return path.basename(path.resolve(env.LIBSIGNAL_DIR));
  return path.basename(splitCommand(cmd).at(-1) || cmd);
}

const opts = parseArgs(process.argv.slice(2));
const names = scenarios.map((s) => s.name);
if (opts.list) {
  for (const s of scenarios) console.log(`${s.name.padEnd(22)} ${s.about}`);
  process.exit(0);
}
if (!opts.a || !opts.b) usage('--a and --b are required');
for (const n of [...opts.only, ...opts.skip]) if (!names.includes(n)) usage(`no scenario ${n} (have: ${names.join(', ')})`);

const envSeed = process.env.SOTTO_INTEROP_SEED;
const seed = opts.seed ?? (envSeed !== undefined && envSeed !== '' ? Number(envSeed) >>> 0 : crypto.randomBytes(4).readUInt32BE(0));
const specA = { label: `A=${label(opts.a, opts.aEnv, opts.aLabel)}`, argv: splitCommand(opts.a), env: opts.aEnv, timeoutMs: opts.timeout * 1000 };
const specB = { label: `B=${label(opts.b, opts.bEnv, opts.bLabel)}`, argv: splitCommand(opts.b), env: opts.bEnv, timeoutMs: opts.timeout * 1000 };
console.log(`interop ${specA.label} ${specB.label}${opts.v3 ? ' (v3 bundles)' : ''} seed ${seed} (replay: --seed ${seed})`);

// Preflight: both drivers must start and quit cleanly (a missing
// node_modules or binary fails here once, loudly, instead of in every scenario).
for (const spec of [specA, specB]) {
  const d = new Driver(spec).start();
  try {
    await d.quit();
  } catch (e) {
    console.log(`FAIL preflight: ${e.message}`);
    console.log('(for libsignal drivers: run tests/interop/setup to install node_modules)');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sotto-interop-'));
let passed = 0;
let failed = 0;
const skipped = [];
const t0 = Date.now();

for (const sc of scenarios) {
  if (opts.only.length && !opts.only.includes(sc.name)) continue;
  if (opts.skip.includes(sc.name)) continue;
  const rng = new Rng(seed, sc.name);
  const dir = fs.mkdtempSync(path.join(tmpRoot, `${sc.name}-`));
  const drivers = [];
  let stateFiles = 0;
  const ctx = {
    rng,
    dir,
    verbose: opts.verbose,
    strict: opts.strict,
    stateAll: opts.stateAll,
    bundleDefaults: opts.v3 ? { kyber: false } : {},
    addressBinding: opts.addressBinding,
    stateFileFor: (which) => path.join(dir, `${which}-${++stateFiles}.state`),
    libDirs: [opts.aEnv.LIBSIGNAL_DIR, opts.bEnv.LIBSIGNAL_DIR],
    log: (m) => opts.verbose && console.log(`    ${m}`),
    newDriver(which, stateFile = null) {
      const d = new Driver(which === 'A' ? specA : specB, stateFile);
      drivers.push(d);
      return d.start();
    },
  };
  const start = Date.now();
  let result;
  let detail = '';
  try {
    const note = await sc.run(ctx);
    result = 'PASS';
    if (note) detail = `: ${note}`;
  } catch (e) {
    if (e && e.skip) {
      result = 'SKIP';
      detail = `: ${e.message}`;
    } else {
      result = 'FAIL';
      detail = `: ${e instanceof DriverError || (e && e.fail) ? e.message : (e && e.stack) || e}`;
    }
  }
  // quit what is still running; a driver that does not exit cleanly fails the scenario
  for (const d of drivers) {
    if (!d.child || d.exitInfo) continue;
    try {
      await d.quit();
    } catch (e) {
      if (result !== 'FAIL') {
        result = 'FAIL';
        detail = `: ${e.message}`;
      }
      await d.kill();
    }
  }
  const secs = ((Date.now() - start) / 1000).toFixed(1);
  console.log(`${result} ${sc.name} (${secs} s)${detail}`);
  if (result === 'PASS') passed++;
  else if (result === 'FAIL') failed++;
  else skipped.push(sc.name);
  if (result !== 'FAIL') fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`    (seed ${seed}; files kept in ${dir})`);
}
if (!failed) fs.rmSync(tmpRoot, { recursive: true, force: true });
if (skipped.length) console.log(`skipped: ${skipped.join(', ')}`);
console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
