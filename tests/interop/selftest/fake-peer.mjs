// fake-peer.mjs MODE: a broken peer driver for the runner's self-test. It
// answers init and quit like a driver; on its first other request it
// misbehaves as MODE says: crash (exit 139 with a note on stderr), hang,
// garbage (a non-JSON line), noexit (quit answered, process stays), or
// wrongquit (exit 3 on quit).
import readline from 'node:readline';

const mode = process.argv[2];
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    process.stdout.write('{"ok":false,"error":"bad_request"}\n');
    return;
  }
  if (req.op === 'quit') {
    process.stdout.write('{"ok":true}\n');
    if (mode === 'noexit') return;
    process.exit(mode === 'wrongquit' ? 3 : 0);
  }
  if (req.op === 'init') {
    process.stdout.write(`{"ok":true,"identity_key":"05${'11'.repeat(32)}"}\n`);
    return;
  }
  switch (mode) {
    case 'crash':
      process.stderr.write(`fake-peer: crashing on ${req.op}\n`);
      process.exit(139);
      break;
    case 'hang':
      break;
    case 'garbage':
      process.stdout.write('this is not json\n');
      break;
    default:
      process.stdout.write('{"ok":false,"error":"unsupported","message":"fake"}\n');
  }
});
