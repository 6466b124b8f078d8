// Reads a version of an object back from the bucket and hashes every byte: the service's word
// (an ETag, a status 200) is not enough, a held original is one whose bytes came back. One GET,
// streamed as it arrives: a large object's bytes are copied into two shared buffers in turn, each
// full one hashed on a hashing thread while the other fills (memory: two buffers, whatever the
// object's size); a small one is hashed here as it arrives. Every byte that came is counted, and
// fewer or more than the length the service stated is a failure.
import type { Readable } from 'node:stream';
import type { DigestAlgorithm, Digests } from '../hash/digest.js';
import { MultiDigest } from '../hash/digest.js';
import { ThreadedDigest } from '../hash/threaded-digest.js';
import { S3Failure, type S3Bucket } from './s3-client.js';

/** Bytes per buffer handed to the hashing thread; objects up to this size are hashed on this thread. */
export const BUFFER_BYTES = 8 * 1024 * 1024;

export interface ReadBack {
  bytes: number;
  digests: Digests;
}

export async function hashObject(bucket: S3Bucket, key: string, versionId: string | undefined, algorithms: readonly DigestAlgorithm[], signal?: AbortSignal): Promise<ReadBack> {
  const { body, length } = await bucket.getSized(key, versionId, signal);
  const back = length !== undefined && length <= BUFFER_BYTES ? await hashHere(body, algorithms) : await hashOnThread(body, algorithms);
  if (length !== undefined && back.bytes !== length) {
    throw new S3Failure(`reading ${key}: the service stated ${length} bytes and sent ${back.bytes}`, 'ShortRead');
  }
  return back;
}

async function hashHere(body: Readable, algorithms: readonly DigestAlgorithm[]): Promise<ReadBack> {
  const digest = new MultiDigest(algorithms);
  let bytes = 0;
  for await (const chunk of body) {
    digest.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, digests: digest.digest() };
}

async function hashOnThread(body: Readable, algorithms: readonly DigestAlgorithm[]): Promise<ReadBack> {
  const buffers = [0, 1].map(() => Buffer.from(new SharedArrayBuffer(BUFFER_BYTES)));
  const digest = new ThreadedDigest(algorithms.includes('sha256') ? algorithms : ['sha256', ...algorithms]);
  // The buffer being filled, how far, and the hashing of the other one (awaited before it is refilled).
  let filling = 0;
  let at = 0;
  let hashing: Promise<void> = Promise.resolve();
  let bytes = 0;
  try {
    for await (const chunk of body) {
      const c = chunk as Buffer;
      for (let from = 0; from < c.length; ) {
        const n = Math.min(BUFFER_BYTES - at, c.length - from);
        c.copy(buffers[filling], at, from, from + n);
        at += n;
        from += n;
        if (at === BUFFER_BYTES) {
          await hashing;
          hashing = digest.update(buffers[filling]);
          filling ^= 1;
          at = 0;
        }
      }
      bytes += c.length;
    }
    await hashing;
    if (at > 0) await digest.update(buffers[filling].subarray(0, at));
  } catch (err) {
    body.destroy();
    await hashing.catch(() => undefined);
    await digest.digest().catch(() => undefined);
    throw err;
  }
  const digests = await digest.digest();
  const wanted: Partial<Digests> = {};
  for (const a of algorithms) wanted[a] = digests[a];
  return { bytes, digests: wanted as Digests };
}
