// The notary's state directory (0700, owned by the notary's user): its Ed25519 signing key, the
// last checkpoint it signed (replaced durably before any answer), and its own log of what it
// signed and refused. Nothing here is readable by the service user.
import { appendFileSync, chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fsyncDirectory } from '../lib/durable.js';
import { parseSignerKey, type Signer } from '../audit/note.js';

export interface NotaryPaths {
  dir: string;
  key: string;
  last: string;
  log: string;
}

export function notaryPaths(stateDir: string): NotaryPaths {
  const dir = path.resolve(stateDir);
  return { dir, key: path.join(dir, 'signing.key'), last: path.join(dir, 'last.checkpoint'), log: path.join(dir, 'notary-log.jsonl') };
}

/** A state directory or key the notary cannot work with: a configuration error (exit 2). */
export class NotaryStateError extends Error {
  override name = 'NotaryStateError';
  readonly exitCode = 2;
}

/** Make the state directory (0700) or check an existing one is private to its owner. */
export function prepareStateDir(stateDir: string): NotaryPaths {
  const p = notaryPaths(stateDir);
  if (!existsSync(p.dir)) mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  const mode = statSync(p.dir).mode & 0o777;
  if (mode & 0o077) throw new NotaryStateError(`notary state directory ${p.dir} is open to others (mode ${mode.toString(8)}); chmod 700 it`);
  return p;
}

/** The signing key in the state directory; an error naming what to do when there is none. */
export function loadNotaryKey(p: NotaryPaths): Signer {
  if (!existsSync(p.key)) {
    throw new NotaryStateError(`no signing key at ${p.key}: move the station's key here with \`evidock notary adopt-key --state ${p.dir}\` (run as root, once)`);
  }
  const mode = statSync(p.key).mode & 0o777;
  if (mode & 0o077) throw new NotaryStateError(`notary key ${p.key} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  try {
    return parseSignerKey(readFileSync(p.key, 'utf8'));
  } catch (err) {
    throw new NotaryStateError(`notary key ${p.key}: ${(err as Error).message}`);
  }
}

/** The signed note of the last checkpoint this notary signed, or null before its first. */
export function readLastSigned(p: NotaryPaths): string | null {
  return existsSync(p.last) ? readFileSync(p.last, 'utf8') : null;
}

/** Replace the last signed checkpoint: temp file, fsync, rename, fsync of the directory. */
export function writeLastSigned(p: NotaryPaths, note: string): void {
  const tmp = `${p.last}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    const bytes = Buffer.from(note, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, p.last);
  fsyncDirectory(p.dir);
}

/** Append one event (signed, refused, adopted, started) to the notary's own log, flushed. */
export function appendNotaryLog(p: NotaryPaths, event: Record<string, unknown>): void {
  const line = JSON.stringify({ at: new Date().toISOString(), ...event }) + '\n';
  appendFileSync(p.log, line, { mode: 0o600 });
  const fd = openSync(p.log, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(p.log, 0o600);
}
