// Walk a recorder's tree read-only. Names are bytes (a card may carry GBK names): we keep the
// exact bytes, join them ourselves below the root, and never follow a symlink.
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
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
const MAX_DEPTH = 32;

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

/**
 * Yield every entry below root (directories included, not descended through symlinks).
 * Errors reading a directory are yielded as problems; the walk goes on with the rest.
 */
export async function* walkRecorder(root: string, onProblem: (p: WalkProblem) => void): AsyncGenerator<WalkEntry> {
  const rootBytes = Buffer.from(root);
  async function* visit(rel: Buffer, depth: number): AsyncGenerator<WalkEntry> {
    const dirAbs = rel.length ? Buffer.concat([rootBytes, SLASH, rel]) : rootBytes;
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdir(dirAbs, { encoding: 'buffer', withFileTypes: true });
    } catch (error) {
      if (rel.length === 0) throw error; // the recorder itself is gone or unreadable
      onProblem({ rawPath: rel, path: displayPath(rel), error: error as NodeJS.ErrnoException });
      return;
    }
    entries.sort(byName);
    for (const d of entries) {
      const childRel = rel.length ? Buffer.concat([rel, SLASH, d.name]) : Buffer.from(d.name);
      const absolute = Buffer.concat([rootBytes, SLASH, childRel]);
      let st: Stats;
      try {
        st = await lstat(absolute);
      } catch (error) {
        onProblem({ rawPath: childRel, path: displayPath(childRel), error: error as NodeJS.ErrnoException });
        continue;
      }
      const entry: WalkEntry = { rawPath: childRel, path: displayPath(childRel), absolute, kind: kindOf(st), stat: st };
      yield entry;
      if (entry.kind === 'directory') {
        if (depth + 1 >= MAX_DEPTH) {
          const error = Object.assign(new Error(`deeper than ${MAX_DEPTH} levels; not descended`), { code: 'ELOOP' });
          onProblem({ rawPath: childRel, path: entry.path, error });
          continue;
        }
        yield* visit(childRel, depth + 1);
      }
    }
  }
  yield* visit(Buffer.alloc(0), 0);
}
