// driver.mjs: one peer-driver child process (shared spec peer-driver.md)
// spoken to over line JSON, with a timeout per request and clear errors when
// the child dies, hangs or writes something that is not a response.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

export class DriverError extends Error {}

// Split a command line on blanks, honouring '...' and "..." quoting.
export function splitCommand(s) {
  const out = [];
  let cur = null;
  let q = null;
  for (const ch of s) {
    if (q) {
      if (ch === q) q = null;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      q = ch;
      cur = cur ?? '';
    } else if (/\s/.test(ch)) {
      if (cur !== null) out.push(cur);
      cur = null;
    } else {
      cur = (cur ?? '') + ch;
    }
  }
  if (q) throw new Error(`unbalanced quote in command: ${s}`);
  if (cur !== null) out.push(cur);
  return out;
}

export class Driver {
  // spec: { label, argv: [cmd, ...args], env: {K: V}, timeoutMs }
  constructor(spec, stateFile = null) {
    this.spec = spec;
    this.label = spec.label;
    this.stateFile = stateFile;
    this.child = null;
    this.pending = []; // { resolve, reject, what }
    this.timer = null;
    this.stderrTail = '';
    this.exitInfo = null;
    this.exited = null;
    this.requests = 0;
  }

  start() {
    const argv = [...this.spec.argv];
    if (this.stateFile) argv.push('--state', this.stateFile);
    this.exitInfo = null;
    this.stderrTail = '';
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ...this.spec.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so kill() also ends its children
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      // 'close' comes after the pipes are drained, so stderr is complete
      const done = (info, msg) => {
        if (this.exitInfo) return;
        this.exitInfo = info;
        this.failAll(msg());
        resolve(info);
      };
      child.on('close', (code, signal) => done({ code, signal }, () => `driver ${this.label} exited (${this.exitText()})`));
      child.on('error', (e) =>
        done({ code: null, signal: null, error: e.message }, () => `driver ${this.label} could not run ${argv.join(' ')}: ${e.message}`),
      );
    });
    child.stdin.on('error', () => {}); // EPIPE after a crash shows up as exit
    child.stderr.on('data', (d) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
    const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on('line', (line) => this.onLine(line));
    return this;
  }

  exitText() {
    const e = this.exitInfo;
    if (!e) return 'running';
    if (e.error) return e.error;
    return e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
  }

  stderrText() {
    const t = this.stderrTail.trim();
    return t ? `\n    stderr of ${this.label}: ${t.split('\n').slice(-15).join('\n      ')}` : '';
  }

  failAll(msg) {
    clearTimeout(this.timer);
    this.timer = null;
    const p = this.pending;
    this.pending = [];
    for (const r of p) r.reject(new DriverError(`${msg} while waiting for the answer to ${r.what}${this.stderrText()}`));
  }

  armTimer() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const head = this.pending[0];
    this.timer = setTimeout(() => {
      const what = head.what;
      this.failAll(`driver ${this.label} did not answer within ${this.spec.timeoutMs / 1000} s`);
      void what;
      this.kill();
    }, this.spec.timeoutMs);
  }

  onLine(line) {
    const head = this.pending.shift();
    if (!head) {
      process.stderr.write(`driver ${this.label} wrote an unrequested line: ${line.slice(0, 200)}\n`);
      return;
    }
    this.armTimer();
    let res;
    try {
      res = JSON.parse(line);
    } catch {
      head.reject(new DriverError(`driver ${this.label} answered ${head.what} with a non-JSON line: ${line.slice(0, 200)}`));
      return;
    }
    if (!res || typeof res !== 'object' || typeof res.ok !== 'boolean') {
      head.reject(new DriverError(`driver ${this.label} answered ${head.what} without "ok": ${line.slice(0, 200)}`));
      return;
    }
    head.resolve(res);
  }

  // Send one raw line; resolves with the parsed response (ok or not).
  sendLine(line, what) {
    if (!this.child || this.exitInfo)
      return Promise.reject(new DriverError(`driver ${this.label} is not running (${this.exitText()}); cannot send ${what}${this.stderrText()}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject, what });
      if (this.pending.length === 1) this.armTimer();
      this.requests++;
      this.child.stdin.write(`${line}\n`);
    });
  }

  req(obj) {
    return this.sendLine(JSON.stringify(obj), `op ${obj.op}`);
  }

  // Pipelined: send all, then collect all answers in order.
  async batch(objs, window = 256) {
    const out = [];
    for (let i = 0; i < objs.length; i += window) {
      const part = objs.slice(i, i + window).map((o) => this.req(o));
      out.push(...(await Promise.all(part)));
    }
    return out;
  }

  async quit() {
    if (!this.child || this.exitInfo) return this.exitInfo;
    const res = await this.req({ op: 'quit' });
    if (!res.ok) throw new DriverError(`driver ${this.label} refused quit: ${JSON.stringify(res)}`);
    const t = setTimeout(() => this.kill(), this.spec.timeoutMs);
    const info = await this.exited;
    clearTimeout(t);
    if (info.code !== 0) throw new DriverError(`driver ${this.label} did not exit 0 after quit (${this.exitText()})${this.stderrText()}`);
    return info;
  }

  async kill() {
    if (!this.child || this.exitInfo) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
    // 'close' waits for the pipes; do not hang on a grandchild holding them
    let t;
    await Promise.race([this.exited, new Promise((r) => (t = setTimeout(r, 3000)))]);
    clearTimeout(t);
  }
}
