// A torn journal tail (an append cut short, e.g. by a full disk): the bytes after the file's last
// newline, or a last line that is not JSON. Found here; set aside into a named file beside the
// journal (a record of what happened, never dropped) and cut from the journal, with a warning.
import { chmodSync, closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface TornTail {
  /** The journal file's name. */
  file: string;
  /** The byte where the torn tail starts (the file is kept up to here). */
  at: number;
  bytes: Buffer;
}

/** Where a torn tail of `file` starting at byte `at` is kept: `<day>.jsonl.torn-at-<at>[-n]`. */
function asideName(dir: string, file: string, at: number): string {
  let name = `${file}.torn-at-${at}`;
  for (let n = 2; existsSync(path.join(dir, name)); n++) name = `${file}.torn-at-${at}-${n}`;
  return name;
}

function parses(line: Buffer): boolean {
  try {
    JSON.parse(line.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** The torn tail of a journal file's content, or undefined when it ends with a whole JSON line. */
export function tornTailOf(file: string, content: Buffer): TornTail | undefined {
  if (content.length === 0) return undefined;
  const lastNl = content.lastIndexOf(0x0a);
  if (lastNl !== content.length - 1) return { file, at: lastNl + 1, bytes: Buffer.from(content.subarray(lastNl + 1)) };
  const start = content.lastIndexOf(0x0a, lastNl - 1) + 1;
  if (parses(content.subarray(start, lastNl))) return undefined;
  return { file, at: start, bytes: Buffer.from(content.subarray(start)) };
}

/**
 * The end of a journal file, enough for its last line and the one before: the last 64 KiB (far
 * more than an entry's line), more only when that holds no newline. It is read at every append.
 */
function readEnd(fd: number, size: number): { content: Buffer; offset: number } {
  let chunk = 64 * 1024;
  for (;;) {
    const offset = Math.max(0, size - chunk);
    const content = Buffer.alloc(size - offset);
    readSync(fd, content, 0, content.length, offset);
    // Enough when it holds a newline before the last line (or is the whole file).
    const last = content.lastIndexOf(0x0a, content.length - 2);
    if (last >= 0 || offset === 0) return { content, offset };
    chunk *= 4;
  }
}

/**
 * Set aside and cut a torn tail of the journal file `name` in `dir`, if it has one. Call only
 * while no one else appends (the catalog's write lock). The tail is written to its own file and
 * made durable before the journal is cut. Returns what was set aside.
 */
export function setAsideTornTail(dir: string, name: string): (TornTail & { aside: string }) | undefined {
  const file = path.join(dir, name);
  const fd = openSync(file, 'r');
  let torn: TornTail | undefined;
  let mode: number;
  try {
    const st = fstatSync(fd);
    mode = st.mode & 0o777;
    const { content, offset } = readEnd(fd, st.size);
    const t = tornTailOf(name, content);
    if (t) torn = { ...t, at: t.at + offset };
  } finally {
    closeSync(fd);
  }
  if (!torn) return undefined;
  const aside = asideName(dir, name, torn.at);
  writeDurably(path.join(dir, aside), torn.bytes);
  // A sealed (0444) day file is made writable only for the cut, then sealed again.
  const sealed = (mode & 0o200) === 0;
  if (sealed) chmodSync(file, mode | 0o200);
  try {
    const w = openSync(file, 'r+');
    try {
      ftruncateSync(w, torn.at);
      fsyncSync(w);
    } finally {
      closeSync(w);
    }
  } finally {
    if (sealed) chmodSync(file, mode);
  }
  fsyncDir(dir);
  process.emitWarning(
    `journal ${name}: a torn last line of ${torn.bytes.length} bytes at byte ${torn.at} (an append cut short, e.g. a full disk) was set aside in ${aside} and cut from the journal`,
    { code: 'EVIDOCK_JOURNAL_TORN_TAIL' },
  );
  return { ...torn, aside };
}

/** A new file (never an existing one) with these bytes, fsync'd, read-only. */
function writeDurably(file: string, bytes: Buffer): void {
  const fd = openSync(file, 'wx', 0o444);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported everywhere */
  }
}
