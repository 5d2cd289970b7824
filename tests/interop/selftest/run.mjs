#!/usr/bin/env node
// run.mjs: self-test of scenarios.mjs against broken drivers (fake-peer.mjs):
// each run must fail, quickly, naming the driver and what went wrong.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const runner = path.join(here, '..', 'scenarios.mjs');
const fake = (mode) => `'${process.execPath}' '${path.join(here, 'fake-peer.mjs')}' ${mode}`;
const good = `'${process.execPath}' '${path.join(here, 'fake-peer.mjs')}' fine`;

const cases = [
  { mode: 'crash', want: [/driver B=fake-crash exited \(exit code 139\)/, /fake-peer: crashing on bundle/] },
  { mode: 'hang', want: [/driver B=fake-hang did not answer within 2 s/] },
  { mode: 'garbage', want: [/driver B=fake-garbage answered op bundle with a non-JSON line: this is not json/] },
  { mode: 'noexit', want: [/FAIL preflight: driver B=fake-noexit did not exit 0 after quit/] },
  { mode: 'wrongquit', want: [/FAIL preflight: driver B=fake-wrongquit did not exit 0 after quit \(exit code 3\)/] },
  { mode: 'missing', cmd: '/nonexistent/sotto-peer', want: [/FAIL preflight: driver B=fake-missing could not run/] },
];

let bad = 0;
for (const c of cases) {
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [runner, '--a', good, '--a-label', 'fake-fine', '--b', c.cmd ?? fake(c.mode), '--b-label', `fake-${c.mode}`,
      '--only', 'first_contact_ab', '--timeout', '2', '--seed', '1'],
    { encoding: 'utf8', timeout: 30000 },
  );
  const out = `${r.stdout}${r.stderr}`;
  const secs = (Date.now() - t0) / 1000;
  const problems = [];
  if (r.status !== 1) problems.push(`exit status ${r.status}, expected 1`);
  if (!/\n0 passed, 1 failed\n$/.test(r.stdout)) problems.push('no "0 passed, 1 failed" summary line');
  for (const w of c.want) if (!w.test(out)) problems.push(`output lacks ${w}`);
  if (secs > 15) problems.push(`took ${secs} s`);
  if (problems.length) {
    bad++;
    console.log(`FAIL ${c.mode}: ${problems.join('; ')}\n${out.replace(/^/gm, '    ')}`);
  } else {
    console.log(`PASS ${c.mode} (${secs.toFixed(1)} s)`);
  }
}
console.log(`${cases.length - bad} passed, ${bad} failed`);
process.exit(bad ? 1 : 0);
