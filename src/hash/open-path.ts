// Open a file or folder read-only by a path of any length: a path longer than PATH_MAX
// (ENAMETOOLONG) is opened a few folders at a time, each step relative to the folder opened
// before it (Linux: /proc/self/fd/<fd>/<rest> is a short path to <rest> below an open directory).
import { constants as fsc } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Read-only, no final symlink followed, never blocking on a fifo. */
const READ_FLAGS = fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK;
const DIR_FLAGS = fsc.O_RDONLY | fsc.O_DIRECTORY;
/** Bytes of names joined into one step (far below PATH_MAX = 4096, leaving room for the prefix). */
const STEP_BYTES = 2048;
const SLASH = 0x2f;

/** The short path of `rest` below the open directory `dir`. */
export function belowFd(dir: FileHandle | number, rest: Buffer | string): Buffer {
  const fd = typeof dir === 'number' ? dir : dir.fd;
  return Buffer.concat([Buffer.from(`/proc/self/fd/${fd}/`), Buffer.from(rest)]);
}

/** Open `file` read-only (see READ_FLAGS), however long its path. */
export async function openReadOnly(file: string | Buffer): Promise<FileHandle> {
  try {
    return await open(file, READ_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENAMETOOLONG') throw err;
  }
  return openLong(Buffer.from(file), READ_FLAGS);
}

/** Open the folder `dir` read-only, however long its path. */
export async function openDirectory(dir: string | Buffer): Promise<FileHandle> {
  try {
    return await open(dir, DIR_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENAMETOOLONG') throw err;
  }
  return openLong(Buffer.from(dir), DIR_FLAGS);
}

/** Longest absolute path used as it is (PATH_MAX is 4096 with its NUL; a little room kept). */
const SHORT_ENOUGH = 4000;

/**
 * Run `op` on a path to `file` the kernel accepts: `file` itself, or, when it is longer than
 * PATH_MAX, its last name below its folder opened by handle (see belowFd).
 */
export async function atShortPath<T>(file: Buffer, op: (p: Buffer) => Promise<T>): Promise<T> {
  if (file.length <= SHORT_ENOUGH) return op(file);
  const cut = file.lastIndexOf(SLASH);
  const dir = await openDirectory(file.subarray(0, cut));
  try {
    return await op(belowFd(dir, file.subarray(cut + 1)));
  } finally {
    await dir.close();
  }
}

/** Split a path into steps of whole names, each at most STEP_BYTES long (a name is at most 255). */
function steps(names: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let group: Buffer[] = [];
  let bytes = 0;
  for (const name of names) {
    if (group.length && bytes + 1 + name.length > STEP_BYTES) {
      out.push(joinNames(group));
      group = [];
      bytes = 0;
    }
    group.push(name);
    bytes += name.length + 1;
  }
  if (group.length) out.push(joinNames(group));
  return out;
}

function joinNames(names: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  names.forEach((n, i) => parts.push(...(i ? [Buffer.from([SLASH]), n] : [n])));
  return Buffer.concat(parts);
}

async function openLong(file: Buffer, lastFlags: number): Promise<FileHandle> {
  const names: Buffer[] = [];
  let from = 0;
  for (let i = 0; i <= file.length; i++) {
    if (i === file.length || file[i] === SLASH) {
      if (i > from) names.push(file.subarray(from, i));
      from = i + 1;
    }
  }
  const parts = steps(names);
  let dir = await open(file[0] === SLASH ? '/' : '.', DIR_FLAGS);
  try {
    for (let k = 0; k < parts.length - 1; k++) {
      const next = await open(belowFd(dir, parts[k]), DIR_FLAGS);
      await dir.close();
      dir = next;
    }
    return await open(belowFd(dir, parts[parts.length - 1]), lastFlags);
  } finally {
    await dir.close();
  }
}
