// Reads a version of an object back from the bucket and hashes every byte: the service's word
// (an ETag, a status 200) is not enough, a held original is one whose bytes came back.
import type { DigestAlgorithm, Digests } from '../hash/digest.js';
import { MultiDigest } from '../hash/digest.js';
import type { S3Bucket } from './s3-client.js';

export async function hashObject(bucket: S3Bucket, key: string, versionId: string | undefined, algorithms: readonly DigestAlgorithm[], signal?: AbortSignal): Promise<{ bytes: number; digests: Digests }> {
  const digest = new MultiDigest(algorithms);
  let bytes = 0;
  for await (const chunk of await bucket.get(key, versionId, signal)) {
    digest.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, digests: digest.digest() };
}
