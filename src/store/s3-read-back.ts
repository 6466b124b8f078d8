// Reads a version of an object back from the bucket and hashes every byte: the service's word
// (an ETag, a status 200) is not enough, a held original is one whose bytes came back. Large
// objects are read as ranged GETs, a few in flight, each into its own buffer and hashed in order
// on a hashing thread (memory: RANGES_IN_FLIGHT ranges, whatever the object's size); the object's
// size is the one the service states in Content-Range, so no byte past a range is left unread.
import type { Readable } from 'node:stream';
import type { DigestAlgorithm, Digests } from '../hash/digest.js';
import { MultiDigest } from '../hash/digest.js';
import { ThreadedDigest } from '../hash/threaded-digest.js';
import { S3Failure, type S3Bucket } from './s3-client.js';

/** Bytes per ranged GET. */
export const RANGE_BYTES = 8 * 1024 * 1024;
/** Ranged GETs in flight while the one before them is hashed. */
export const RANGES_IN_FLIGHT = 4;

export interface ReadBack {
  bytes: number;
  digests: Digests;
}

export async function hashObject(bucket: S3Bucket, key: string, versionId: string | undefined, algorithms: readonly DigestAlgorithm[], signal?: AbortSignal): Promise<ReadBack> {
  let first: { body: Readable; total: number; length: number };
  try {
    first = await bucket.getRange(key, versionId, 0, RANGE_BYTES - 1, signal);
  } catch (err) {
    // An empty object has no byte 0 to range over (416): read it whole.
    if (err instanceof S3Failure && err.status === 416) return hashStream(bucket, key, versionId, algorithms, signal);
    throw err;
  }
  if (first.total <= RANGE_BYTES) return hashBody(first.body, algorithms);
  return hashInRanges(bucket, key, versionId, algorithms, first, signal);
}

async function hashStream(bucket: S3Bucket, key: string, versionId: string | undefined, algorithms: readonly DigestAlgorithm[], signal?: AbortSignal): Promise<ReadBack> {
  return hashBody(await bucket.get(key, versionId, signal), algorithms);
}

async function hashBody(body: Readable, algorithms: readonly DigestAlgorithm[]): Promise<ReadBack> {
  const digest = new MultiDigest(algorithms);
  let bytes = 0;
  for await (const chunk of body) {
    digest.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, digests: digest.digest() };
}

/** Reads a range's body into a buffer of exactly its length; fewer or more bytes is a failure. */
async function fill(body: Readable, into: Buffer, length: number, what: string): Promise<Buffer> {
  let at = 0;
  for await (const chunk of body) {
    const c = chunk as Buffer;
    if (at + c.length > length) {
      body.destroy();
      throw new S3Failure(`${what}: the service sent more than the ${length} bytes of the range`, 'BadRange');
    }
    c.copy(into, at);
    at += c.length;
  }
  if (at !== length) throw new S3Failure(`${what}: the service sent ${at} of the range's ${length} bytes`, 'ShortRange');
  return into.subarray(0, length);
}

async function hashInRanges(
  bucket: S3Bucket,
  key: string,
  versionId: string | undefined,
  algorithms: readonly DigestAlgorithm[],
  first: { body: Readable; total: number; length: number },
  signal?: AbortSignal,
): Promise<ReadBack> {
  const total = first.total;
  const count = Math.ceil(total / RANGE_BYTES);
  // One buffer per range in flight, plus the one being hashed; shared so the thread hashes it in place.
  const free: Buffer[] = Array.from({ length: RANGES_IN_FLIGHT + 1 }, () => Buffer.from(new SharedArrayBuffer(RANGE_BYTES)));
  const digest = new ThreadedDigest(algorithms.includes('sha256') ? algorithms : ['sha256', ...algorithms]);
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const fetchRange = async (i: number, buffer: Buffer): Promise<Buffer> => {
    const start = i * RANGE_BYTES;
    const end = Math.min(total, start + RANGE_BYTES) - 1;
    const what = `reading bytes ${start}-${end} of ${key}`;
    const r = i === 0 ? first : await bucket.getRange(key, versionId, start, end, controller.signal);
    if (r.total !== total) {
      r.body.destroy();
      throw new S3Failure(`${what}: the object's size changed from ${total} to ${r.total} while it was read`, 'SizeChanged');
    }
    return fill(r.body, buffer, end - start + 1, what);
  };
  const inFlight: Promise<Buffer>[] = [];
  try {
    let next = 0;
    const startNext = () => {
      const buffer = free.pop();
      if (!buffer) throw new Error('read-back: no free range buffer');
      const p = fetchRange(next++, buffer);
      p.catch(() => undefined); // awaited in order below; a failure of a later range is not unhandled meanwhile
      inFlight.push(p);
    };
    while (next < count && inFlight.length < RANGES_IN_FLIGHT) startNext();
    let bytes = 0;
    while (inFlight.length) {
      const bytesOfRange = await inFlight.shift()!;
      if (next < count) startNext();
      await digest.update(bytesOfRange);
      bytes += bytesOfRange.length;
      free.push(Buffer.from(bytesOfRange.buffer as SharedArrayBuffer));
    }
    const digests = await digest.digest();
    const wanted: Partial<Digests> = {};
    for (const a of algorithms) wanted[a] = digests[a];
    return { bytes, digests: wanted as Digests };
  } catch (err) {
    controller.abort();
    await Promise.allSettled(inFlight);
    await digest.digest().catch(() => undefined);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
