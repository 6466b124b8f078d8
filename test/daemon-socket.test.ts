// The daemon's read socket with real processes on a real socket: a read is logged with the uid the
// reader proved by owning the nonce's file (a uid claimed in the request is ignored, $SUDO_USER is
// only a claim); bad requests, a planted symlink or hard link, a nonce reused on another connection
// and a second request are refused with a clear error and log nothing; a socket left by a killed
// daemon is taken back at the next start.
import { closeSync, linkSync, lstatSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logReadThroughDaemon } from '../src/cli/read-socket-client.js';
import { DaemonProcess, initHome, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-rsock-');
const home = path.join(tmp.dir, 'home');
const socket = path.join(home, 'run', 'daemon.sock');
const challenges = `${socket}.challenges`;
let daemon: DaemonProcess;

function journalEntries(): { seq: number; type: string; data: Record<string, unknown>; actor: Record<string, unknown> }[] {
  const dir = path.join(home, 'journal');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n').filter(Boolean))
    .map((l) => JSON.parse(l));
}

/** A raw connection: the daemon's hello, then whatever the test sends, then the daemon's answer. */
class Conn {
  private buf = '';
  private readonly lines: string[] = [];
  private wake?: () => void;
  readonly closed: Promise<void>;
  readonly sock: net.Socket;
  constructor() {
    this.sock = net.connect(socket);
    this.sock.setEncoding('utf8');
    this.sock.on('data', (d: string) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
      }
      this.wake?.();
    });
    this.closed = new Promise((resolve) => this.sock.on('close', () => resolve()));
    this.sock.on('close', () => this.wake?.());
  }
  async next(): Promise<any> {
    while (!this.lines.length) {
      if (this.sock.destroyed) throw new Error('connection closed without an answer');
      await new Promise<void>((r) => (this.wake = r));
    }
    return JSON.parse(this.lines.shift()!);
  }
  send(value: unknown): void {
    this.sock.write((typeof value === 'string' ? value : JSON.stringify(value)) + '\n');
  }
}

function createChallengeFile(nonce: string): void {
  closeSync(openSync(path.join(challenges, nonce), 'wx', 0o600));
}

beforeAll(async () => {
  initHome(home);
  daemon = new DaemonProcess(['--home', home]);
  await daemon.waitFor((l) => l.msg === 'read socket listening');
}, 120_000);
afterAll(async () => {
  await daemon?.stop();
  tmp.cleanup();
});

describe('the daemon read socket', () => {
  it('is a 0660 socket with a 1733 challenge folder the daemon owns', () => {
    const st = lstatSync(socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);
    const dir = lstatSync(challenges);
    expect(dir.isDirectory()).toBe(true);
    expect(dir.mode & 0o7777).toBe(0o1733);
    expect(dir.uid).toBe(process.getuid!());
  });

  it('logs a read with the uid that owns the nonce file, ignoring a uid claimed in the request; $SUDO_USER only as a claim', async () => {
    const c = new Conn();
    const hello = await c.next();
    expect(hello.nonce).toMatch(/^[0-9a-f]{64}$/);
    expect(hello.challenges).toBe(challenges);
    createChallengeFile(hello.nonce);
    c.send({ op: 'log-read', nonce: hello.nonce, type: 'record.read', data: { evidenceNumber: 'EV-1' }, sudoUser: 'someone-else', uid: 4242, user: 'mallory', actor: { uid: 4242 } });
    const reply = await c.next();
    expect(reply, JSON.stringify(reply)).toMatchObject({ ok: true, uid: process.getuid!() });
    await c.closed;
    const last = journalEntries().pop()!;
    expect(last.seq).toBe(reply.seq);
    expect(last.type).toBe('record.read');
    expect(last.data).toEqual({ evidenceNumber: 'EV-1' });
    expect(last.actor).toEqual({ via: 'socket', user: os.userInfo().username, uid: process.getuid!(), sudoUser: 'someone-else' });
    expect(existsSync(path.join(challenges, hello.nonce))).toBe(false);
  });

  it('the CLI client logs a read before returning, with its seq', () => {
    const before = journalEntries().length;
    const r = logReadThroughDaemon(socket, 'records.listed', { count: 3, officer: undefined });
    expect(r).toMatchObject({ logged: true });
    const entries = journalEntries();
    expect(entries.length).toBe(before + 1);
    expect(entries[entries.length - 1]).toMatchObject({ type: 'records.listed', data: { count: 3 }, actor: { via: 'socket', uid: process.getuid!() } });
  });

  const bad: [string, (nonce: string) => string | object, RegExp][] = [
    ['not JSON', () => '{"op": "log-read",', /not JSON/],
    ['an unknown op', (n) => ({ op: 'append', nonce: n, type: 'record.read', data: {} }), /unknown op "append"/],
    ['an entry type that is not a read', (n) => ({ op: 'log-read', nonce: n, type: 'file.held', data: {} }), /"file.held" is not a read this socket logs/],
    ['another nonce', () => ({ op: 'log-read', nonce: 'a'.repeat(64), type: 'record.read', data: {} }), /not the one this connection was given/],
    ['data that is not an object', (n) => ({ op: 'log-read', nonce: n, type: 'record.read', data: [1] }), /data must be a JSON object/],
    ['no challenge file', (n) => ({ op: 'log-read', nonce: n, type: 'record.read', data: {} }), /no file [0-9a-f]{64} in .*ENOENT/],
  ];
  for (const [what, request, error] of bad) {
    it(`answers ${what} with a clear error and logs nothing`, async () => {
      const before = journalEntries().length;
      const c = new Conn();
      const hello = await c.next();
      c.send(request(hello.nonce));
      const reply = await c.next();
      expect(reply.ok).toBe(false);
      expect(reply.error).toMatch(error);
      await c.closed;
      expect(journalEntries().length).toBe(before);
    });
  }

  it('refuses a request line longer than 64 KiB', async () => {
    const before = journalEntries().length;
    const c = new Conn();
    await c.next();
    c.sock.write('x'.repeat(70 * 1024));
    const reply = await c.next();
    expect(reply).toEqual({ ok: false, error: 'request line longer than 65536 bytes' });
    await c.closed;
    expect(journalEntries().length).toBe(before);
  });

  it('refuses a symlink planted under the nonce name (and leaves its target alone)', async () => {
    const before = journalEntries().length;
    const target = path.join(tmp.dir, 'someone-elses-file');
    writeFileSync(target, 'not yours');
    const c = new Conn();
    const hello = await c.next();
    symlinkSync(target, path.join(challenges, hello.nonce));
    c.send({ op: 'log-read', nonce: hello.nonce, type: 'record.read', data: {} });
    const reply = await c.next();
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(/is a symbolic link, not a file the reader created: refused/);
    expect(readFileSync(target, 'utf8')).toBe('not yours');
    expect(existsSync(path.join(challenges, hello.nonce))).toBe(false);
    expect(journalEntries().length).toBe(before);
  });

  it('refuses a hard link planted under the nonce name', async () => {
    const before = journalEntries().length;
    const other = path.join(tmp.dir, 'linked-file');
    writeFileSync(other, 'x');
    const c = new Conn();
    const hello = await c.next();
    linkSync(other, path.join(challenges, hello.nonce));
    c.send({ op: 'log-read', nonce: hello.nonce, type: 'record.read', data: {} });
    const reply = await c.next();
    expect(reply.error).toMatch(/has 2 links .*refused/);
    expect(journalEntries().length).toBe(before);
  });

  it("refuses a nonce reused on a second connection, and a second request on the first", async () => {
    const first = new Conn();
    const hello = await first.next();
    createChallengeFile(hello.nonce);
    first.send({ op: 'log-read', nonce: hello.nonce, type: 'record.read', data: { n: 1 } });
    expect((await first.next()).ok).toBe(true);
    first.send({ op: 'log-read', nonce: hello.nonce, type: 'record.read', data: { n: 2 } });
    await first.closed; // one request per connection: the second gets no answer, only the close
    const before = journalEntries().length;
    const second = new Conn();
    const hello2 = await second.next();
    expect(hello2.nonce).not.toBe(hello.nonce);
    createChallengeFile(hello.nonce); // the old nonce's file made again
    second.send({ op: 'log-read', nonce: hello.nonce, type: 'record.read', data: { n: 3 } });
    const reply = await second.next();
    expect(reply.error).toMatch(/not the one this connection was given/);
    expect(journalEntries().slice(before)).toEqual([]);
  });

  it('takes back a socket left by a killed daemon', async () => {
    await daemon.stop('SIGKILL');
    expect(lstatSync(socket).isSocket()).toBe(true); // left behind
    expect(logReadThroughDaemon(socket, 'record.read', {})).toMatchObject({ logged: false, reason: expect.stringMatching(/the daemon is not running to log it through \(socket .*ECONNREFUSED\)/) });
    daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'read socket listening', 60_000);
    expect(readdirSync(challenges)).toEqual([]); // stale nonce files cleared
    expect(logReadThroughDaemon(socket, 'record.read', { again: true })).toMatchObject({ logged: true });
    await daemon.stop();
    expect(existsSync(socket)).toBe(false);
    expect(logReadThroughDaemon(socket, 'record.read', {})).toMatchObject({ logged: false, reason: expect.stringMatching(/the daemon is not running to log it through \(socket .*ENOENT\)/) });
  }, 120_000);
});
