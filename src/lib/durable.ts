// Durable writes: a new file written, fsync'd and made read-only before anyone relies on it;
// a directory fsync'd so the names in it survive a power cut; many files flushed at once.
import { chmodSync, closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Create `file` (refusing one that exists), write all of `data`, fsync, then set `mode`
 * (0444 for write-once files). The file is 0600 until its contents are durable.
 */
export function writeNewFileDurably(file: string, data: string | Uint8Array, mode = 0o444): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(file, 'wx', 0o600);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, mode);
}

/** fsync a directory so its entries (new names, renames) are durable. Throws on failure. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a directory where the filesystem allows it (some refuse directory fsync): never throws. */
export function fsyncDirectoryIfSupported(dir: string): void {
  try {
    fsyncDirectory(dir);
  } catch {
    /* not supported everywhere */
  }
}

/**
 * Create `file` (refusing one that exists), write `data`, set `mode`: NOT yet durable. The caller
 * makes it durable (flushPathsTogether) before anyone relies on it; used to flush many files at once.
 */
export function writeNewFile(file: string, data: string | Uint8Array, mode = 0o444): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(file, 'wx', 0o600);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, mode);
}

/** fsyncs in flight at once (in libuv's pool, 64 threads under bin/evidock.js): a journal commit serves many. */
const FLUSHES_AT_ONCE = 16;

/**
 * Make `paths` (files and folders written with writeNewFile, renamed, or made) durable: one
 * fsync each, after all of them were written, so a batch of objects is flushed together before
 * anyone relies on any of them. The fsyncs are in flight together in the thread pool (the
 * filesystem's journal commits many at once); resolves when every one is durable, rejects with
 * the first failure once none is in flight.
 */
export async function flushPathsTogether(paths: readonly string[]): Promise<void> {
  const queue = [...new Set(paths)];
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < queue.length) {
      const p = queue[next++];
      try {
        const fh = await open(p, 'r');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FLUSHES_AT_ONCE, queue.length) }, worker));
  if (failure) throw failure.err;
}
