// Durable writes: a new file written, fsync'd and made read-only before anyone relies on it;
// a directory fsync'd so the names in it survive a power cut; many files flushed at once.
import { chmodSync, closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

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
 * makes it durable (fsync) before anyone relies on it; used to flush many files at once.
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
