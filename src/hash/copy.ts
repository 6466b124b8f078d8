// Copy a file while hashing exactly the bytes written, then re-read and re-hash the copy.
// Two large buffers are reused across files: one is being read into while the other is hashed
// and written, so the disk and the CPU overlap.
import { constants as fsc, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { MultiDigest, type DigestAlgorithm, type Digests } from './digest.js';
import type { ReadBackVerifier } from './read-back.js';

export class CopyBuffers {
  readonly a: Buffer;
  readonly b: Buffer;
  constructor(readonly size = 8 * 1024 * 1024) {
    this.a = Buffer.allocUnsafeSlow(size);
    this.b = Buffer.allocUnsafeSlow(size);
  }
}

export interface CopyOptions {
  algorithms: readonly DigestAlgorithm[];
  buffers: CopyBuffers;
  /** Abandon the copy between two chunks (daemon shutdown, recorder pulled). */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes copied so far. */
  onProgress?: (bytesDone: number) => void;
  /** Re-read and re-hash the copy right behind the writer (second core); see read-back.ts. */
  readBack?: ReadBackVerifier;
  /** The lstat of the source taken while walking: the opened file must be that same file. */
  expect?: Pick<Stats, 'dev' | 'ino'>;
}

export interface CopyResult {
  bytes: number;
  digests: Digests;
  /** fstat of the source as opened (size, mtime of what was actually copied). */
  source: Stats;
  /** What the read-back verifier read from the copy after fdatasync, when one was given. */
  readBack?: { bytes: number; digests: Digests };
}

/** Bytes written between two early writeback flushes. */
const FLUSH_EVERY = 64 * 1024 * 1024;

export class SourceChangedError extends Error {
  override name = 'SourceChangedError';
}

/** Open a source read-only without following a final symlink and without blocking on a fifo. */
async function openSource(src: string | Buffer, expect?: Pick<Stats, 'dev' | 'ino'>): Promise<{ fh: FileHandle; st: Stats }> {
  const fh = await open(src, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new SourceChangedError('not a regular file when opened');
    if (expect && (st.dev !== expect.dev || st.ino !== expect.ino)) {
      throw new SourceChangedError('the file was replaced between listing and opening');
    }
    return { fh, st };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function readFull(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await fh.read(buf, filled, buf.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

async function writeFull(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await fh.write(buf, done, length - done, position + done);
    done += bytesWritten;
  }
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('copy abandoned');
}

/**
 * Copy src to a new file dest (which must not exist), hashing each chunk right before it is
 * written, then fdatasync. The caller removes dest if this throws.
 */
export async function copyWithDigest(src: string | Buffer, dest: string, opts: CopyOptions): Promise<CopyResult> {
  const { fh: input, st } = await openSource(src, opts.expect);
  let output: FileHandle | undefined;
  try {
    output = await open(dest, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    opts.readBack?.begin(dest, opts.algorithms);
    const digest = new MultiDigest(opts.algorithms);
    let current = opts.buffers.a;
    let next = opts.buffers.b;
    let position = 0;
    let n = await readFull(input, current, 0);
    let flushing: Promise<void> | undefined;
    let unflushed = 0;
    while (n > 0) {
      checkAbort(opts.signal);
      const pending = n === current.length ? readFull(input, next, position + n) : Promise.resolve(0);
      // The write (in libuv's pool) and the hash (here) read the same untouched buffer at once:
      // the digest is of exactly the bytes written.
      const written = writeFull(output, current, n, position);
      digest.update(current.subarray(0, n));
      await written;
      position += n;
      unflushed += n;
      // Start writeback early, one flush in flight, so the final fdatasync has little left.
      if (unflushed >= FLUSH_EVERY && !flushing) {
        unflushed = 0;
        flushing = output.datasync().finally(() => (flushing = undefined));
      }
      opts.readBack?.advance(position);
      opts.onProgress?.(position);
      const m = await pending;
      [current, next] = [next, current];
      n = m;
    }
    await flushing;
    await output.datasync();
    const readBack = await opts.readBack?.finish();
    return { bytes: position, digests: digest.digest(), source: st, readBack };
  } catch (err) {
    await opts.readBack?.cancel();
    throw err;
  } finally {
    await output?.close();
    await input.close();
  }
}

/** Hash a whole file with reused buffers (verification of a staged or held copy). */
export async function hashFile(
  file: string | Buffer,
  algorithms: readonly DigestAlgorithm[],
  buffers: CopyBuffers,
  signal?: AbortSignal,
): Promise<{ bytes: number; digests: Digests }> {
  const fh = await open(file, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new SourceChangedError('not a regular file');
    const digest = new MultiDigest(algorithms);
    let current = buffers.a;
    let next = buffers.b;
    let position = 0;
    let n = await readFull(fh, current, 0);
    while (n > 0) {
      checkAbort(signal);
      const pending = n === current.length ? readFull(fh, next, position + n) : Promise.resolve(0);
      digest.update(current.subarray(0, n));
      position += n;
      const m = await pending;
      [current, next] = [next, current];
      n = m;
    }
    return { bytes: position, digests: digest.digest() };
  } finally {
    await fh.close();
  }
}
