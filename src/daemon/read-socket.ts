// The daemon's read socket: a reader who cannot write the home (an auditor) asks the daemon to log
// a read, and the daemon proves the reader's uid without SO_PEERCRED (Node has no API for it) by
// file ownership. On each connection the daemon sends a fresh random nonce (256 bits); the client
// creates a file of that name with O_CREAT|O_EXCL (never through a symlink, never an existing
// file) in the challenge folder, which the daemon owns with mode 1733: anyone may create a file
// there, nobody but the daemon may list it (so nobody learns another connection's nonce), and the
// sticky bit stops anyone removing or renaming another's file. The kernel gives a new file its
// creator's (filesystem) uid, and only root may give a file to another user, so a regular file
// with one link, under the name only this connection was told, born after the nonce was sent and
// found before the timeout, was made by a process of that uid. The daemon lstat()s it (never
// following a link), takes st_uid, removes it, and appends the entry with that uid, its passwd name
// and $SUDO_USER only as a claim beside it. A uid or user in the request is ignored; a nonce serves
// one request on the connection it was sent on, and is gone after it.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Actor } from '../audit/log.js';
import type { Json } from '../lib/json.js';
import { groupId, userNameOf } from '../lib/os-ids.js';

/** The reads a reader may ask to log: nothing else can be written through the socket. */
export const LOGGABLE_READS = ['records.listed', 'record.read', 'report.read', 'verify.run', 'log.exported', 'log.proof', 'log.witnesses-compared'] as const;
/** The longest request line accepted, in bytes. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** How long a connection may take from its nonce to its request, in ms. */
export const CHALLENGE_TIMEOUT_MS = 10_000;
/** A file's birth time may read up to this much before the nonce was sent (coarse kernel clocks). */
const BIRTH_SLACK_MS = 1000;
/** The longest unix socket path Linux takes (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/** The folder the reader proves its uid in, beside the socket. */
export function challengeDirOf(socketPath: string): string {
  return `${socketPath}.challenges`;
}

export interface ReadToLog {
  type: string;
  data: { [key: string]: Json };
  actor: Actor;
}

export interface ReadSocketOptions {
  socketPath: string;
  /** The group the socket is given (0660) where it exists (evidock-audit). */
  auditGroup?: string;
  /** Appends the entry; returns its seq. Throws when it cannot. */
  logRead(read: ReadToLog): number;
  timeoutMs?: number;
}

export interface RunningReadSocket {
  /** What did not work as configured (the socket's group), for status. */
  warnings: string[];
  close(): Promise<void>;
}

type Reply = { ok: true; seq: number; uid: number; user: string } | { ok: false; error: string };

class Refused extends Error {}

function isJsonObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The request, checked: a loggable read type, this connection's nonce, an object of data. */
function parseRequest(line: string, nonce: string): { type: string; data: { [key: string]: Json }; sudoUser?: string } {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    throw new Refused('the request is not JSON');
  }
  if (!isJsonObject(req)) throw new Refused('the request is not a JSON object');
  if (req.op !== 'log-read') throw new Refused(`unknown op ${JSON.stringify(req.op)}: the only op is "log-read"`);
  if (req.nonce !== nonce) throw new Refused('the nonce is not the one this connection was given');
  if (typeof req.type !== 'string' || !(LOGGABLE_READS as readonly string[]).includes(req.type)) {
    throw new Refused(`type ${JSON.stringify(req.type)} is not a read this socket logs (${LOGGABLE_READS.join(', ')})`);
  }
  if (!isJsonObject(req.data)) throw new Refused('data must be a JSON object');
  if (req.sudoUser !== undefined && (typeof req.sudoUser !== 'string' || req.sudoUser.length > 256)) throw new Refused('sudoUser must be a string of at most 256 characters');
  return { type: req.type, data: req.data, sudoUser: req.sudoUser || undefined };
}

/** The uid that made the nonce's file, proven as the first comment says; the file is removed. */
function proveUid(dir: string, nonce: string, sentAtMs: number): number {
  const file = path.join(dir, nonce);
  let st;
  try {
    st = lstatSync(file);
  } catch (err) {
    throw new Refused(`no file ${nonce} in ${dir} (${(err as NodeJS.ErrnoException).code}): create it (O_CREAT|O_EXCL) before sending the request`);
  }
  try {
    if (st.isSymbolicLink()) throw new Refused(`${file} is a symbolic link, not a file the reader created: refused`);
    if (!st.isFile()) throw new Refused(`${file} is not a regular file: refused`);
    if (st.nlink !== 1) throw new Refused(`${file} has ${st.nlink} links (a hard link to another's file?): refused`);
    if (st.birthtimeMs > 0 && st.birthtimeMs < sentAtMs - BIRTH_SLACK_MS) throw new Refused(`${file} was made before its nonce was sent: refused`);
    return st.uid;
  } finally {
    rmSync(file, { force: true });
  }
}

/** The challenge folder, made (or taken back from a crash) empty, owned by us, mode 1733. */
function prepareChallengeDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder; remove it or choose another [daemon] socket`);
  if (st.uid !== process.geteuid?.()) throw new Error(`${dir} belongs to uid ${st.uid}, not to the daemon; remove it`);
  chmodSync(dir, 0o700); // nobody creates while the stale files of an earlier run are cleared
  for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { force: true, recursive: true });
  chmodSync(dir, 0o1733);
}

/** A socket file left by a crash is removed; a live one (another daemon) or another kind of file is an error. */
async function clearStaleSocket(socketPath: string): Promise<void> {
  let st;
  try {
    st = lstatSync(socketPath);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${socketPath} exists and is not a socket; remove it or choose another [daemon] socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another process answers on ${socketPath}; is another daemon using this [daemon] socket?`);
  unlinkSync(socketPath);
}

/** One connection: nonce out, one request in, one answer out, closed. */
function serve(sock: net.Socket, dir: string, opts: ReadSocketOptions): void {
  const nonce = randomBytes(32).toString('hex');
  const sentAtMs = Date.now();
  let buffered = '';
  let answered = false;
  const finish = (reply: Reply) => {
    if (answered) return;
    answered = true;
    sock.end(JSON.stringify(reply) + '\n');
  };
  sock.setEncoding('utf8');
  sock.setTimeout(opts.timeoutMs ?? CHALLENGE_TIMEOUT_MS, () => {
    rmSync(path.join(dir, nonce), { force: true });
    if (answered) sock.destroy();
    else finish({ ok: false, error: `no request within ${opts.timeoutMs ?? CHALLENGE_TIMEOUT_MS} ms of the nonce` });
  });
  sock.on('data', (chunk: string) => {
    if (answered) return;
    buffered += chunk;
    const nl = buffered.indexOf('\n');
    if (nl < 0) {
      if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) finish({ ok: false, error: `request line longer than ${MAX_REQUEST_BYTES} bytes` });
      return;
    }
    const line = buffered.slice(0, nl);
    if (Buffer.byteLength(line) > MAX_REQUEST_BYTES) return finish({ ok: false, error: `request line longer than ${MAX_REQUEST_BYTES} bytes` });
    try {
      const req = parseRequest(line, nonce);
      if (Date.now() - sentAtMs > (opts.timeoutMs ?? CHALLENGE_TIMEOUT_MS)) throw new Refused('the nonce has expired');
      const uid = proveUid(dir, nonce, sentAtMs);
      const user = userNameOf(uid) ?? `uid ${uid}`;
      const seq = opts.logRead({ type: req.type, data: req.data, actor: { via: 'socket', user, uid, sudoUser: req.sudoUser } });
      finish({ ok: true, seq, uid, user });
    } catch (err) {
      finish({ ok: false, error: err instanceof Refused ? err.message : `the daemon could not log the read: ${(err as Error).message}` });
    } finally {
      rmSync(path.join(dir, nonce), { force: true });
    }
  });
  sock.on('error', () => sock.destroy());
  sock.write(JSON.stringify({ ok: true, nonce, challenges: dir }) + '\n');
}

/** Listen on the read socket (mode 0660, the audit group where it exists) with its challenge folder. */
export async function startReadSocket(opts: ReadSocketOptions): Promise<RunningReadSocket> {
  const socketPath = path.resolve(opts.socketPath);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) throw new Error(`the socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes; set a shorter [daemon] socket`);
  const dir = challengeDirOf(socketPath);
  await clearStaleSocket(socketPath);
  prepareChallengeDir(dir);
  const server = net.createServer((sock) => serve(sock, dir, opts));
  server.maxConnections = 64;
  const oldMask = process.umask(0o177); // no moment in which others may connect
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  const warnings: string[] = [];
  const gid = opts.auditGroup ? groupId(opts.auditGroup) : undefined;
  if (opts.auditGroup && gid === undefined) warnings.push(`group ${opts.auditGroup} does not exist: only the service user can log reads through ${socketPath}`);
  if (gid !== undefined && statSync(socketPath).gid !== gid) {
    try {
      chownSync(socketPath, -1, gid);
    } catch (err) {
      warnings.push(`cannot give ${socketPath} to group ${opts.auditGroup} (${(err as NodeJS.ErrnoException).code}): auditors cannot log reads; make its folder setgid with that group`);
    }
  }
  chmodSync(socketPath, 0o660);
  return {
    warnings,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(socketPath, { force: true });
      }),
  };
}
