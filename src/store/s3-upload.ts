// Uploads one staged file to a key under Object Lock: a single PUT with Content-MD5 when small,
// else a multipart upload with each part's Content-MD5, a few parts in flight (memory bounded by
// PARTS_IN_FLIGHT x part size, whatever the file's size). A failed multipart is aborted.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { md5Hex, S3Failure, type LockMode, type S3Bucket } from './s3-client.js';

/** Files up to this size go in one PUT; larger ones in parts of this size (S3's minimum part is 5 MiB). */
export const PART_BYTES = 16 * 1024 * 1024;
/** Parts uploaded at once: enough to keep the gateway busy while this side reads and digests the next. */
export const PARTS_IN_FLIGHT = 4;

export interface UploadResult {
  etag: string;
  versionId?: string;
  /** The ETag the service must give these bytes: md5, or md5 of the parts' md5s + "-N". */
  expectedEtag: string;
}

export async function uploadFile(bucket: S3Bucket, key: string, file: string, lock: { mode: LockMode; until: Date }, metadata: Record<string, string>, signal?: AbortSignal): Promise<UploadResult> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size <= PART_BYTES) {
      const body = Buffer.alloc(size);
      const { bytesRead } = await fh.read(body, 0, size, 0);
      if (bytesRead !== size) throw new S3Failure(`staged file ${file} ended after ${bytesRead} of ${size} bytes`, 'ShortRead');
      const r = await bucket.putObject(key, body, lock, metadata);
      return { ...r, expectedEtag: md5Hex(body) };
    }
    const partCount = Math.ceil(size / PART_BYTES);
    const uploadId = await bucket.createMultipart(key, lock, metadata);
    const partMd5s: Buffer[] = new Array(partCount);
    const etags: string[] = new Array(partCount);
    try {
      let nextPart = 0;
      const worker = async (): Promise<void> => {
        // Each worker owns one buffer: PARTS_IN_FLIGHT buffers in all, reused part after part.
        const buffer = Buffer.allocUnsafe(PART_BYTES);
        for (let i = nextPart++; i < partCount; i = nextPart++) {
          if (signal?.aborted) throw signal.reason ?? new Error('aborted');
          const length = Math.min(PART_BYTES, size - i * PART_BYTES);
          const { bytesRead } = await fh.read(buffer, 0, length, i * PART_BYTES);
          if (bytesRead !== length) throw new S3Failure(`staged file ${file} ended early at part ${i + 1}`, 'ShortRead');
          const body = buffer.subarray(0, length);
          partMd5s[i] = createHash('md5').update(body).digest();
          etags[i] = await bucket.uploadPart(key, uploadId, i + 1, body, signal, partMd5s[i]);
          if (etags[i] !== partMd5s[i].toString('hex')) throw new S3Failure(`part ${i + 1} of ${key}: the service's ETag ${etags[i]} is not the part's MD5`, 'PartEtagMismatch');
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, partCount) }, worker));
      const r = await bucket.completeMultipart(key, uploadId, etags.map((etag, i) => ({ partNumber: i + 1, etag })));
      return { ...r, expectedEtag: `${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${partCount}` };
    } catch (err) {
      // Leave no orphaned parts behind (stale ones left by a crash are aborted at the next start).
      await bucket.abortMultipart(key, uploadId).catch(() => undefined);
      throw err;
    }
  } finally {
    await fh.close();
  }
}
