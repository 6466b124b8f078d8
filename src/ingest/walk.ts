// Walk a recorder's tree read-only. Names are bytes (a card may carry GBK names): we keep the
// exact bytes, join them ourselves below the root, and never follow a symlink. Bounded: no
// folder twice, no deeper than MAX_DEPTH, stopped by an AbortSignal, and ended with
// CardStalledError by a card that stops answering (every card operation is watched, hash/stall.ts).
import { constants as fsc, existsSync, type Dirent, type Stats } from 'node:fs';
import { lstat, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { belowFd } from '../hash/open-path.js';
import { CardOps } from '../hash/stall.js';
import { decodeUtf8OrGbk } from '../lib/text.js';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'device' | 'other';

export interface WalkEntry {
  /** Path below the recorder root, '/'-separated, exact bytes. */
  rawPath: Buffer;
  /** The same path for people and logs (see displayPath). */
  path: string;
  /** Absolute path (bytes) to open. */
  absolute: Buffer;
  kind: EntryKind;
  stat: Stats;
}

export interface WalkProblem {
  rawPath: Buffer;
  path: string;
  error: NodeJS.ErrnoException;
}

const SLASH = Buffer.from('/');
const MAX_DEPTH = 256;
/** A folder opened to be listed: never through a symlink. */
const DIR_FLAGS = fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW;

function kindOf(st: Stats): EntryKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'device';
  return 'other';
}

/**
 * A readable form of a name's bytes: UTF-8 when valid, else GBK (common on Chinese recorders)
 * when it decodes cleanly, else UTF-8 with each bad byte shown as \xNN. Control characters are
 * shown as \xNN too, so a log line never carries a raw newline or escape sequence.
 */
export function displayPath(raw: Buffer): string {
  let text = decodeUtf8OrGbk(raw);
  if (text === null) {
    text = '';
    let i = 0;
    while (i < raw.length) {
      // Take the longest valid UTF-8 sequence at i, else escape one byte.
      let taken = false;
      for (let len = 4; len >= 1; len--) {
        if (i + len > raw.length) continue;
        const slice = raw.subarray(i, i + len);
        const s = slice.toString('utf8');
        if (!s.includes('\uFFFD') && Buffer.from(s, 'utf8').equals(slice)) {
          text += s;
          i += len;
          taken = true;
          break;
        }
      }
      if (!taken) text += '\\x' + raw[i++].toString(16).padStart(2, '0');
    }
  }
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/** Sorted by name bytes, so one recorder's files are always handled in the same order. */
function byName(a: Dirent<Buffer>, b: Dirent<Buffer>): number {
  return Buffer.compare(a.name, b.name);
}

export interface WalkOptions {
  /** Stop the walk (daemon shutdown, SIGTERM, recorder pulled): the generator throws its reason. */
  signal?: AbortSignal;
  /** Folders below the root that are read (far above real cards); deeper ones are named in a problem. */
  maxDepth?: number;
  /** A listing, lstat or open that the card does not answer for this many ms ends the walk with CardStalledError. */
  stallMs?: number;
}

/** Linux: /proc/self/fd/<fd>/<name> reaches <name> below an open directory, however deep it is. */
const PROC_FD = existsSync('/proc/self/fd');

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('walk abandoned');
}

function problem(message: string, code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * Yield every entry below root (directories included, not descended through symlinks).
 * Errors reading a directory are yielded as problems; the walk goes on with the rest.
 * Each folder is read through its own open handle (a short path below the folder's handle), so
 * a file however deep, whose absolute path is longer than PATH_MAX, is listed like any other.
 * A folder that is the same (dev, ino) as one already walked (a directory cycle on a damaged
 * card, a bind mount inside the card) is not walked again, and folders deeper than maxDepth are
 * not read: each is named in a problem. The walk stops with opts.signal's reason when aborted.
 */
export async function* walkRecorder(root: string, onProblem: (p: WalkProblem) => void, opts: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const rootBytes = Buffer.from(root);
  const maxDepth = opts.maxDepth ?? MAX_DEPTH;
  const seen = new Map<string, Buffer>(); // dev:ino of each folder walked -> its path below the root
  const report = (rawPath: Buffer, error: NodeJS.ErrnoException) => onProblem({ rawPath, path: displayPath(rawPath), error });
  const card = new CardOps({ signal: opts.signal, stallMs: opts.stallMs });
  /** Close a folder handle; in the background when an operation on the card was given up on (close waits for it). */
  const closeDir = async (fh: FileHandle | undefined) => {
    if (!fh) return;
    if (card.abandoned) void fh.close().catch(() => undefined);
    else await fh.close();
  };

  async function* visit(dir: FileHandle | undefined, rel: Buffer, depth: number): AsyncGenerator<WalkEntry> {
    checkAbort(opts.signal);
    const dirAbs = rel.length ? Buffer.concat([rootBytes, SLASH, rel]) : rootBytes;
    const at = (name: Buffer) => (dir ? belowFd(dir, name) : Buffer.concat([dirAbs, SLASH, name]));
    let entries: Dirent<Buffer>[];
    try {
      entries = await card.run(readdir(dir ? belowFd(dir, '.') : dirAbs, { encoding: 'buffer', withFileTypes: true }), () => `listing ${rel.length ? displayPath(rel) : 'the card root'}`);
    } catch (error) {
      if (rel.length === 0 || card.abandoned) throw error; // stalled or stopped: the walk ends // the recorder itself is gone or unreadable
      report(rel, error as NodeJS.ErrnoException);
      return;
    }
    entries.sort(byName);
    for (const d of entries) {
      checkAbort(opts.signal);
      const childRel = rel.length ? Buffer.concat([rel, SLASH, d.name]) : Buffer.from(d.name);
      const absolute = Buffer.concat([rootBytes, SLASH, childRel]);
      let st: Stats;
      try {
        st = await card.run(lstat(at(d.name)), () => `to lstat ${displayPath(childRel)}`);
      } catch (error) {
        if (card.abandoned) throw error;
        report(childRel, error as NodeJS.ErrnoException);
        continue;
      }
      const entry: WalkEntry = { rawPath: childRel, path: displayPath(childRel), absolute, kind: kindOf(st), stat: st };
      yield entry;
      if (entry.kind !== 'directory') continue;
      if (depth + 1 > maxDepth) {
        report(childRel, problem(`more than ${maxDepth} folders deep: not read, nothing below it is held`, 'ELOOP'));
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      const before = seen.get(key);
      if (before) {
        report(childRel, problem(`the same folder (device ${st.dev}, inode ${st.ino}) as ${before.length ? displayPath(before) : 'the card root'}: a directory cycle or a second link to it; not walked again`, 'ELOOP'));
        continue;
      }
      let child: FileHandle | undefined;
      if (dir) {
        try {
          const opening = open(at(d.name), DIR_FLAGS).then((fh) => {
            if (card.abandoned) void fh.close().catch(() => undefined);
            return fh;
          });
          child = await card.run(opening, () => `opening the folder ${displayPath(childRel)}`);
          const now = await card.run(child.stat(), () => `to fstat the folder ${displayPath(childRel)}`);
          if (now.dev !== st.dev || now.ino !== st.ino) throw problem('the folder was replaced while it was being listed', 'ESTALE');
        } catch (error) {
          await closeDir(child);
          if (card.abandoned) throw error;
          report(childRel, error as NodeJS.ErrnoException);
          continue;
        }
      }
      seen.set(key, childRel);
      try {
        yield* visit(child, childRel, depth + 1);
      } finally {
        await closeDir(child);
      }
    }
  }

  // A root that cannot be opened is walked by path, so that listing it fails as it always did
  // (scandir on the root: the recorder's folder is unreadable or gone).
  const top = PROC_FD ? await card.run(open(root, fsc.O_RDONLY | fsc.O_DIRECTORY), () => 'opening the card root').catch((error) => (card.abandoned ? Promise.reject(error) : undefined)) : undefined;
  try {
    const st = top ? await card.run(top.stat(), () => 'to fstat the card root') : await card.run(stat(root), () => 'to stat the card root').catch((error) => (card.abandoned ? Promise.reject(error) : undefined));
    if (st) seen.set(`${st.dev}:${st.ino}`, Buffer.alloc(0));
    yield* visit(top, Buffer.alloc(0), 0);
  } finally {
    await closeDir(top);
  }
}
