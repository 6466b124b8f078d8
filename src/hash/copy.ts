// Copy a file while hashing exactly the bytes written, and read every chunk back from the copy to
// compare it byte for byte with what was written. Large buffers are reused across files: while
// one chunk is hashed and written, the next is read from the recorder and the previous one is
// read back from the copy, so the disk and both cores overlap.
import { constants as fsc, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { DigestAlgorithm, Digests } from './digest.js';
import { digestFor } from './threaded-digest.js';
import { ioError, ReadBackError, ShortReadError, SourceChangedError } from './copy-errors.js';
import { openReadOnly } from './open-path.js';
import { CardOps } from './stall.js';

export { CopyError, ReadBackError, ShortReadError, SourceChangedError } from './copy-errors.js';
export { CARD_STALLED, CardStalledError } from './stall.js';

export class CopyBuffers {
  a: Buffer;
  b: Buffer;
  private more?: { c: Buffer; check: Buffer };
  /** shared: in shared memory, so a hashing thread can hash them in place (SM3 off the main thread). */
  constructor(
    readonly size = 8 * 1024 * 1024,
    private readonly shared = false,
  ) {
    this.a = this.alloc();
    this.b = this.alloc();
  }
  private alloc(): Buffer {
    return this.shared ? Buffer.from(new SharedArrayBuffer(this.size)) : Buffer.allocUnsafeSlow(this.size);
  }
  /** New buffers: a read given up on (a stalled card) may still write into the old ones. */
  renew(): void {
    this.a = this.alloc();
    this.b = this.alloc();
    this.more = undefined;
  }
  /** A copy's third chunk buffer and its read-back buffer (only copies need them). */
  forCopy(): { chunks: [Buffer, Buffer, Buffer]; check: Buffer } {
    this.more ??= { c: this.alloc(), check: Buffer.allocUnsafeSlow(this.size) };
    return { chunks: [this.a, this.b, this.more.c], check: this.more.check };
  }
}

export interface CopyOptions {
  algorithms: readonly DigestAlgorithm[];
  buffers: CopyBuffers;
  /** Abandon the copy between two chunks (daemon shutdown, recorder pulled). */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes copied so far (back to 0 when a changed file is copied again). */
  onProgress?: (bytesDone: number) => void;
  /** The lstat of the source taken while walking: the opened file must be that same file. */
  expect?: Pick<Stats, 'dev' | 'ino'>;
  /** The source as named in failure reasons (e.g. its path on the card); default: src. */
  label?: string;
  /** How many times a source that changes while it is copied is copied again from the start (default 3 tries). */
  attempts?: number;
  /** Fail with CardStalledError when the source gives no answer for this many ms (0: wait for ever). */
  stallMs?: number;
  /**
   * false: no fdatasync at the end; the caller flushes dest before relying on it (the local store
   * flushes a batch of small copies together at hold). Default true.
   */
  flushAtEnd?: boolean;
}

export interface CopyResult {
  bytes: number;
  digests: Digests;
  /** fstat of the source as opened (size, mtime of what was actually copied). */
  source: Stats;
}

/** Bytes written between two early writeback flushes. */
const FLUSH_EVERY = 64 * 1024 * 1024;

/** Open a source read-only without following a final symlink and without blocking on a fifo. */
async function openSource(src: string | Buffer, label: string, card: CardOps, expect?: Pick<Stats, 'dev' | 'ino'>): Promise<{ fh: FileHandle; st: Stats }> {
  let fh: FileHandle;
  try {
    fh = await card.run(openReadOnly(src).then(closeIfAbandoned(card)), () => `opening ${label}`);
  } catch (err) {
    throw ioError('cannot open', label, undefined, err);
  }
  try {
    const st = await card.run(fh.stat(), () => `to fstat ${label}`);
    if (!st.isFile()) throw new SourceChangedError(`${label} is not a regular file when opened`);
    if (expect && (st.dev !== expect.dev || st.ino !== expect.ino)) {
      throw new SourceChangedError(`${label} was replaced between listing and opening`);
    }
    return { fh, st };
  } catch (err) {
    await closeSource(fh, card);
    throw err;
  }
}

/** An open that answers after it was given up on: its handle is closed then, not leaked. */
function closeIfAbandoned(card: CardOps): (fh: FileHandle) => FileHandle {
  return (fh) => {
    if (card.abandoned) void fh.close().catch(() => undefined);
    return fh;
  };
}

/**
 * Close a source; when an operation on it was given up on, in the background (FileHandle.close
 * waits for pending operations, which a stalled card may never finish). The close itself is
 * watched too: on a card whose filesystem answers one request at a time, it waits behind
 * another file's hung read.
 */
async function closeSource(fh: FileHandle, card: CardOps): Promise<void> {
  if (card.abandoned) void fh.close().catch(() => undefined);
  else await card.run(fh.close(), () => 'closing the file');
}

/**
 * Read until buf is full or the end of the file; a read error names `what`, `where` and the byte.
 * With `card`, each read is watched for a stall and the session's stop. With `endAt` (the size
 * the file had when opened), a read that asked for more and stopped exactly there is taken as
 * the end without one more read to see 0 (a small file: one read, not two); the caller's fstat
 * after the last read tells whether the file grew meanwhile.
 */
async function readFull(fh: FileHandle, buf: Buffer, position: number, what = 'read error', where = 'the file', card?: CardOps, endAt?: number): Promise<number> {
  let filled = 0;
  while (filled < buf.length) {
    let bytesRead: number;
    try {
      const at = position + filled;
      const read = fh.read(buf, filled, buf.length - filled, at);
      ({ bytesRead } = await (card ? card.run(read, () => `at byte ${at} of ${where}`) : read));
    } catch (err) {
      if (card?.guard.signal?.aborted) throw err; // stopped: the stop's reason, as it is
      throw ioError(what, where, position + filled, err);
    }
    if (bytesRead === 0) break;
    filled += bytesRead;
    if (position + filled === endAt && filled < buf.length) break;
  }
  return filled;
}

async function writeFull(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    try {
      const { bytesWritten } = await fh.write(buf, done, length - done, position + done);
      done += bytesWritten;
    } catch (err) {
      throw ioError('write error', 'the staged copy', position + done, err);
    }
  }
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('copy abandoned');
}

/** What differs between the source's fstat at open and after its last read, or undefined. */
function changeBetween(before: Stats, after: Stats): string | undefined {
  const changes: string[] = [];
  if (after.size !== before.size) changes.push(`size ${before.size} -> ${after.size} bytes`);
  if (after.mtimeMs !== before.mtimeMs) changes.push(`mtime ${before.mtime.toISOString()} -> ${after.mtime.toISOString()}`);
  if (after.ctimeMs !== before.ctimeMs) changes.push(`ctime ${before.ctime.toISOString()} -> ${after.ctime.toISOString()}`);
  if (after.ino !== before.ino || after.dev !== before.dev) changes.push('replaced by another file');
  return changes.length ? changes.join(', ') : undefined;
}

/**
 * Copy src to a new file dest (which must not exist), hashing each chunk right before it is
 * written; read each chunk back from dest and compare it with the bytes written; fdatasync; check
 * the copy's size. The source's size, mtime and ctime at open must be those after its last read
 * and every byte of that size must have been read: a source that changed while it was copied is
 * copied again from the start (opts.attempts tries), and one that still changes, or that ends
 * early without an error (a short read), fails with SourceChangedError or ShortReadError; a torn
 * or truncated copy is never returned. Throws ReadBackError when the copy differs. Every error
 * says what failed, on which file and at which byte. The caller removes dest if this throws.
 * (The read-back reads what the kernel holds for dest, usually its page cache: Node cannot
 * bypass the cache. `evidock verify` re-reads the held copy from disk later.)
 */
export async function copyWithDigest(src: string | Buffer, dest: string, opts: CopyOptions): Promise<CopyResult> {
  const label = opts.label ?? src.toString();
  const attempts = Math.max(1, opts.attempts ?? 3);
  // The copy is created, and opened again to be read back, while the source is opened (a small
  // file's copy is mostly such waits).
  const creating = createCopy(dest);
  creating.catch(() => undefined); // awaited in copyOnce, after the source is open
  try {
    const failures: string[] = [];
    for (let attempt = 1; ; attempt++) {
      checkAbort(opts.signal);
      if (attempt > 1) await (await creating).output.truncate(0);
      try {
        return await copyOnce(src, label, creating, opts);
      } catch (err) {
        if (!(err instanceof SourceChangedError || err instanceof ShortReadError) || err.message.includes('between listing and opening')) throw err;
        failures.push(err.message);
        if (attempt >= attempts) {
          const Kind = err instanceof ShortReadError ? ShortReadError : SourceChangedError;
          throw new Kind(`${failures[failures.length - 1]} (${attempts} ${attempts === 1 ? 'try' : 'tries'}; nothing of it held)`);
        }
      }
    }
  } finally {
    const copy = await creating.catch(() => undefined);
    await copy?.back.close();
    await copy?.output.close();
  }
}

/** dest created (it must not exist) for writing, and opened a second time for the read-back. */
async function createCopy(dest: string): Promise<CopyHandles> {
  let output: FileHandle | undefined;
  try {
    output = await open(dest, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    return { output, back: await open(dest, fsc.O_RDONLY) };
  } catch (err) {
    await output?.close();
    throw ioError('cannot create', 'the staged copy', undefined, err);
  }
}

interface CopyHandles {
  output: FileHandle;
  back: FileHandle;
}

/** One pass over the source into output (empty), checked against the source's fstat at open. */
async function copyOnce(src: string | Buffer, label: string, creating: Promise<CopyHandles>, opts: CopyOptions): Promise<CopyResult> {
  const card = new CardOps({ signal: opts.signal, stallMs: opts.stallMs });
  const { fh: input, st } = await openSource(src, label, card, opts.expect);
  let checking: Promise<void> = Promise.resolve();
  let pending: Promise<number> = Promise.resolve(0);
  let flushing: Promise<void> | undefined;
  try {
    const { output, back } = await creating;
    const flushAtEnd = opts.flushAtEnd !== false;
    const { chunks, check } = opts.buffers.forCopy();
    const size = opts.buffers.size;
    const digest = digestFor(opts.algorithms, chunks[0]);
    // chunks[i % 3] holds chunk i: chunk i is hashed and written while chunk i+1 is read from
    // the source and chunk i-1 is read back from the copy and compared.
    let i = 0;
    let position = 0;
    let n = await readFull(input, chunks[0], 0, 'read error', label, card, st.size);
    let unflushed = 0;
    while (n > 0) {
      checkAbort(opts.signal);
      const current = chunks[i % 3];
      pending = n === size ? readFull(input, chunks[(i + 1) % 3], position + n, 'read error', label, card, st.size) : Promise.resolve(0);
      pending.catch(() => undefined); // awaited below; a pulled card's EIO must not go unhandled meanwhile
      // The write (in libuv's pool) and the hash (here, or on a hashing thread) read the same
      // untouched buffer at once: the digest is of exactly the bytes written.
      const written = writeFull(output, current, n, position);
      const hashed = Promise.resolve(digest.update(current.subarray(0, n)));
      hashed.catch(() => undefined); // awaited right below, after the write
      await written;
      await hashed;
      await checking; // chunk i-1 compared: its buffer is free for chunk i+2, `check` for chunk i
      checking = readBackAndCompare(back, check, current, n, position);
      checking.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      position += n;
      unflushed += n;
      // Start writeback early, one flush in flight, so the final fdatasync has little left.
      if (unflushed >= FLUSH_EVERY && !flushing) {
        unflushed = 0;
        flushing = output.datasync().finally(() => (flushing = undefined));
        flushing.catch(() => undefined); // awaited below
      }
      opts.onProgress?.(position);
      n = await pending;
      i++;
    }
    await checking;
    await flushing;
    // The source after its last read must be the source as opened, read to its end. (The copy's
    // size is asked for meanwhile: nothing is written to it any more.)
    const copyStat = flushAtEnd ? undefined : output.stat();
    copyStat?.catch(() => undefined); // awaited below
    const after = await card.run(input.stat(), () => `to fstat ${label} after its last read`);
    const changed = changeBetween(st, after);
    if (changed) throw new SourceChangedError(`${label} changed while it was copied (${changed})`);
    if (position < st.size) {
      throw new ShortReadError(`short read: ${label} ended at byte ${position} of ${st.size} without an error (the card gave less than the file's size)`);
    }
    if (position > st.size) throw new SourceChangedError(`${label} changed while it was copied (${position} bytes read, ${st.size} at open)`);
    if (flushAtEnd) {
      try {
        await output.datasync();
      } catch (err) {
        throw ioError('fdatasync failed on', 'the staged copy', undefined, err);
      }
    }
    const written = (await (copyStat ?? output.stat())).size;
    if (written !== position) throw new ReadBackError(`the copy holds ${written} bytes${flushAtEnd ? ' after fdatasync' : ''}, ${position} were written`);
    return { bytes: position, digests: await digest.digest(), source: st };
  } catch (err) {
    // Nothing left running on the buffers or the files when they are closed and reused.
    // (A card read given up on is not waited for: `pending` rejected at once; its buffer is renewed.)
    await Promise.allSettled([checking, pending, flushing]);
    if (card.abandoned) opts.buffers.renew();
    throw err;
  } finally {
    await closeSource(input, card);
  }
}

/** Read `length` bytes at `position` from the copy into `check` and compare them with `written`. */
async function readBackAndCompare(copy: FileHandle, check: Buffer, written: Buffer, length: number, position: number): Promise<void> {
  const got = await readFull(copy, check.subarray(0, length), position, 'read-back error', 'the staged copy');
  if (got !== length) throw new ReadBackError(`the copy is short: ${got} of ${length} bytes read back at byte ${position}`);
  if (!check.subarray(0, length).equals(written.subarray(0, length))) {
    let k = 0;
    while (check[k] === written[k]) k++;
    throw new ReadBackError(`the copy does not read back as written: first difference at byte ${position + k}`);
  }
}

/** Hash a whole file with reused buffers (verification of a staged or held copy). */
export async function hashFile(
  file: string | Buffer,
  algorithms: readonly DigestAlgorithm[],
  buffers: CopyBuffers,
  signal?: AbortSignal,
  /** A file on a card: fail with CardStalledError after this many ms without an answer. */
  stallMs?: number,
): Promise<{ bytes: number; digests: Digests }> {
  const where = file.toString();
  const card = new CardOps({ signal, stallMs });
  let fh: FileHandle;
  try {
    fh = await card.run(openReadOnly(file).then(closeIfAbandoned(card)), () => `opening ${where}`);
  } catch (err) {
    throw ioError('cannot open', where, undefined, err);
  }
  try {
    const st = await card.run(fh.stat(), () => `to fstat ${where}`);
    if (!st.isFile()) throw new SourceChangedError(`${where} is not a regular file`);
    const digest = digestFor(algorithms, buffers.a);
    let current = buffers.a;
    let next = buffers.b;
    let position = 0;
    let n = await readFull(fh, current, 0, 'read error', where, card);
    while (n > 0) {
      checkAbort(signal);
      const pending = n === current.length ? readFull(fh, next, position + n, 'read error', where, card) : Promise.resolve(0);
      pending.catch(() => undefined); // awaited below
      await digest.update(current.subarray(0, n));
      position += n;
      const m = await pending;
      [current, next] = [next, current];
      n = m;
    }
    return { bytes: position, digests: await digest.digest() };
  } catch (err) {
    if (card.abandoned) buffers.renew();
    throw err;
  } finally {
    await closeSource(fh, card);
  }
}
