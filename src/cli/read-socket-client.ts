// The CLI's one client of the daemon's read socket (src/daemon/read-socket.ts): a reader who cannot
// write the home asks the daemon to log the read, proving its uid by creating the file the daemon's
// nonce names. Reads are logged before their output is printed, synchronously, so the exchange runs
// in a short child process (node -e) that prints the daemon's one-line answer.
import { spawnSync } from 'node:child_process';
import type { Json } from '../lib/json.js';
import { challengeDirOf } from '../daemon/read-socket.js';

export type ReadLogged = { logged: true; seq: number } | { logged: false; reason: string };

const CHILD = `
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const [socketPath, dir] = process.argv.slice(1);
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const say = (o) => { process.stdout.write(JSON.stringify(o)); };
  const sock = net.connect(socketPath);
  let buf = '';
  let nonce;
  sock.setEncoding('utf8');
  sock.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (nonce === undefined) {
        let hello;
        try { hello = JSON.parse(line); } catch { say({ ok: false, error: 'the daemon sent no nonce' }); return sock.destroy(); }
        if (!hello.ok || !/^[0-9a-f]{64}$/.test(String(hello.nonce))) { say({ ok: false, error: hello.error || 'the daemon sent no nonce' }); return sock.destroy(); }
        nonce = hello.nonce;
        try {
          fs.closeSync(fs.openSync(path.join(dir, nonce), fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW, 0o600));
        } catch (e) { say({ ok: false, error: 'cannot create the challenge file in ' + dir + ': ' + (e.code || e.message) }); return sock.destroy(); }
        const req = JSON.parse(input);
        req.nonce = nonce;
        sock.write(JSON.stringify(req) + '\\n');
      } else {
        process.stdout.write(line);
        try { fs.unlinkSync(path.join(dir, nonce)); } catch {}
        return sock.destroy();
      }
    }
  });
  sock.on('error', (e) => { say({ ok: false, unavailable: true, error: e.code || e.message }); });
  sock.on('end', () => { if (nonce !== undefined) try { fs.unlinkSync(path.join(dir, nonce)); } catch {} });
});`;

/** Ask the daemon at `socketPath` to log this read as the caller's uid; never throws. */
export function logReadThroughDaemon(socketPath: string, type: string, data: { [key: string]: Json | undefined }, timeoutMs = 20_000): ReadLogged {
  const request = { op: 'log-read', type, data: JSON.parse(JSON.stringify(data)) as Json, sudoUser: process.env.SUDO_USER || undefined };
  const r = spawnSync(process.execPath, ['-e', CHILD, socketPath, challengeDirOf(socketPath)], { input: JSON.stringify(request), encoding: 'utf8', timeout: timeoutMs });
  if (r.error) return { logged: false, reason: `the daemon's socket ${socketPath} did not answer (${r.error.message})` };
  let reply: { ok?: boolean; seq?: number; error?: string; unavailable?: boolean };
  try {
    reply = JSON.parse(r.stdout) as typeof reply;
  } catch {
    return { logged: false, reason: `the daemon's socket ${socketPath} gave no answer${r.stderr ? `: ${r.stderr.trim()}` : ''}` };
  }
  if (reply.ok && typeof reply.seq === 'number') return { logged: true, seq: reply.seq };
  if (reply.unavailable) {
    const why = reply.error === 'ENOENT' || reply.error === 'ECONNREFUSED' ? 'the daemon is not running' : 'the daemon cannot be reached';
    return { logged: false, reason: `${why} to log it through (socket ${socketPath}: ${reply.error})` };
  }
  return { logged: false, reason: `the daemon refused to log it: ${reply.error ?? 'no reason given'}` };
}
