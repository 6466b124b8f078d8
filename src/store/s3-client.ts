// The one place evidock speaks S3 (@aws-sdk/client-s3): a bucket with the few calls the s3 backend
// needs, every upload carrying Content-MD5 (Ceph RGW 16 ignores x-amz-checksum-*, but checks
// Content-MD5), and S3 failures turned into sentences a person can act on.
import type * as S3Sdk from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { S3StoreConfig } from '../store-config.js';
import type { S3Credentials } from './s3-credentials.js';

// The SDK warns on every process that Node 20 support ends in 2027; DESIGN.md §6 pins Node 20
// knowingly, and the warning would land in every command's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Loaded on first use, not at start: the SDK takes about a second of CPU to load, which every
// command and every `evidock ingest` on a local-backend station would otherwise pay.
let sdkLoading: Promise<typeof S3Sdk> | undefined;
function loadSdk(): Promise<typeof S3Sdk> {
  return (sdkLoading ??= import('@aws-sdk/client-s3'));
}

export type LockMode = 'COMPLIANCE' | 'GOVERNANCE';

export interface BucketLock {
  /** Object Lock is enabled on the bucket (can only be set when the bucket is created). */
  enabled: boolean;
  defaultMode?: string;
  defaultDays?: number;
  defaultYears?: number;
}

export interface HeadResult {
  size: number;
  etag: string;
  versionId?: string;
  lockMode?: string;
  retainUntil?: Date;
  metadata: Record<string, string>;
}

export interface ObjectVersion {
  key: string;
  versionId: string;
  isLatest: boolean;
  size: number;
  etag: string;
  lastModified?: Date;
  deleteMarker: boolean;
}

/** An S3 failure, said in words: what was asked, of which key, and what the service answered. */
export class S3Failure extends Error {
  override name = 'S3Failure';
  constructor(
    message: string,
    /** The service's error code ("AccessDenied", "BadDigest", ...), or the network error's code. */
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

export class S3Bucket {
  private client: S3Sdk.S3Client | undefined;
  private destroyed = false;
  readonly bucket: string;
  readonly endpoint: string;

  constructor(
    private readonly cfg: S3StoreConfig,
    private readonly creds: S3Credentials,
  ) {
    this.bucket = cfg.bucket;
    this.endpoint = cfg.endpoint;
  }

  private sdk: typeof S3Sdk | undefined;

  /** Loads the SDK and makes this bucket's client, once; every call awaits it first. */
  private async ready(): Promise<void> {
    this.sdk ??= await loadSdk();
    if (this.destroyed) throw new S3Failure(`the connection to ${this.endpoint} was closed`, 'Destroyed');
    this.client ??= new this.sdk.S3Client({
      endpoint: this.cfg.endpoint,
      region: this.cfg.region,
      forcePathStyle: this.cfg.force_path_style,
      credentials: { accessKeyId: this.creds.accessKeyId, secretAccessKey: this.creds.secretAccessKey },
      // RGW 16 ignores flexible checksums; Content-MD5 is what it verifies. Read-back proves the rest.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
    });
  }

  /** The client and the SDK's commands, once ready() has run. */
  private get c(): S3Sdk.S3Client {
    if (!this.client) throw new Error('S3Bucket used before ready()');
    return this.client;
  }
  private get m(): typeof S3Sdk {
    if (!this.sdk) throw new Error('S3Bucket used before ready()');
    return this.sdk;
  }

  destroy(): void {
    this.destroyed = true;
    this.client?.destroy();
  }

  /** Runs one call; a failure becomes an S3Failure naming the call, the key and the answer. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      await this.ready();
      return await run();
    } catch (err) {
      throw describeS3Error(err, what, this.endpoint, this.bucket);
    }
  }

  async lockConfiguration(): Promise<BucketLock> {
    try {
      await this.ready();
      const r = await this.c.send(new this.m.GetObjectLockConfigurationCommand({ Bucket: this.bucket }));
      const c = r.ObjectLockConfiguration;
      const d = c?.Rule?.DefaultRetention;
      return { enabled: c?.ObjectLockEnabled === 'Enabled', defaultMode: d?.Mode, defaultDays: d?.Days, defaultYears: d?.Years };
    } catch (err) {
      if (this.sdk && err instanceof this.sdk.S3ServiceException && err.name === 'ObjectLockConfigurationNotFoundError') return { enabled: false };
      throw describeS3Error(err, 'reading the Object Lock configuration', this.endpoint, this.bucket);
    }
  }

  async versioning(): Promise<string> {
    const r = await this.call('reading the versioning status', () => this.c.send(new this.m.GetBucketVersioningCommand({ Bucket: this.bucket })));
    return r.Status ?? 'never enabled';
  }

  /** One PUT with Content-MD5 and the lock: the service refuses bytes that do not match the digest. */
  async putObject(key: string, body: Buffer, lock: { mode: LockMode; until: Date }, metadata?: Record<string, string>): Promise<{ etag: string; versionId?: string }> {
    const r = await this.call(`putting ${key}`, () =>
      this.c.send(
        unsignedPayload(new this.m.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentMD5: md5Base64(body), ContentLength: body.length, ObjectLockMode: lock.mode, ObjectLockRetainUntilDate: lock.until, Metadata: metadata })),
      ),
    );
    return { etag: unquote(r.ETag), versionId: r.VersionId };
  }

  /** Deletes one version (the lock probe's attempt: a locked version must be refused). */
  async deleteVersion(key: string, versionId: string | undefined): Promise<void> {
    await this.call(`deleting ${key} version ${versionId}`, () => this.c.send(new this.m.DeleteObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId })));
  }

  /** Sets (or extends) a version's retention; the service refuses to shorten a COMPLIANCE lock. */
  async putRetention(key: string, versionId: string | undefined, lock: { mode: LockMode; until: Date }): Promise<void> {
    await this.call(`locking ${key} until ${lock.until.toISOString()}`, () =>
      this.c.send(new this.m.PutObjectRetentionCommand({ Bucket: this.bucket, Key: key, VersionId: versionId, Retention: { Mode: lock.mode, RetainUntilDate: lock.until } })),
    );
  }

  async createMultipart(key: string, lock: { mode: LockMode; until: Date }, metadata?: Record<string, string>): Promise<string> {
    const r = await this.call(`starting the multipart upload of ${key}`, () =>
      this.c.send(new this.m.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ObjectLockMode: lock.mode, ObjectLockRetainUntilDate: lock.until, Metadata: metadata })),
    );
    if (!r.UploadId) throw new S3Failure(`the S3 service gave no upload id for ${key}`, 'NoUploadId');
    return r.UploadId;
  }

  /** One part with its Content-MD5 (`md5`, the part's digest when the caller has it already: not computed twice). */
  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, signal?: AbortSignal, md5?: Buffer): Promise<string> {
    const contentMd5 = md5 ? md5.toString('base64') : md5Base64(body);
    const r = await this.call(`uploading part ${partNumber} of ${key}`, () =>
      this.c.send(unsignedPayload(new this.m.UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentMD5: contentMd5, ContentLength: body.length })), { abortSignal: signal }),
    );
    return unquote(r.ETag);
  }

  async completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<{ etag: string; versionId?: string }> {
    const r = await this.call(`completing the multipart upload of ${key}`, () =>
      this.c.send(
        new this.m.CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag}"` })) },
        }),
      ),
    );
    return { etag: unquote(r.ETag), versionId: r.VersionId };
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.call(`aborting the multipart upload of ${key}`, () => this.c.send(new this.m.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })));
  }

  async *multipartUploads(prefix: string): AsyncGenerator<{ key: string; uploadId: string; initiated?: Date }> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const r = await this.call(`listing unfinished uploads under ${prefix}`, () =>
        this.c.send(new this.m.ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker })),
      );
      for (const u of r.Uploads ?? []) if (u.Key && u.UploadId) yield { key: u.Key, uploadId: u.UploadId, initiated: u.Initiated };
      if (!r.IsTruncated) return;
      keyMarker = r.NextKeyMarker;
      uploadIdMarker = r.NextUploadIdMarker;
    }
  }

  /** HEAD of a key (its latest version, or the one named); null when there is none. */
  async head(key: string, versionId?: string): Promise<HeadResult | null> {
    try {
      await this.ready();
      const r = await this.c.send(new this.m.HeadObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }));
      return { size: r.ContentLength ?? 0, etag: unquote(r.ETag), versionId: r.VersionId, lockMode: r.ObjectLockMode, retainUntil: r.ObjectLockRetainUntilDate, metadata: r.Metadata ?? {} };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return null;
      throw describeS3Error(err, `reading the head of ${key}`, this.endpoint, this.bucket);
    }
  }

  async legalHold(key: string, versionId?: string): Promise<boolean> {
    try {
      await this.ready();
      const r = await this.c.send(new this.m.GetObjectLegalHoldCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }));
      return r.LegalHold?.Status === 'ON';
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return false;
      throw describeS3Error(err, `reading the legal hold of ${key}`, this.endpoint, this.bucket);
    }
  }

  /** Sets (on) or lifts (off) a version's legal hold; it keeps the version past any retention until lifted. */
  async putLegalHold(key: string, versionId: string | undefined, on: boolean): Promise<void> {
    await this.call(`${on ? 'setting' : 'lifting'} the legal hold of ${key}`, () =>
      this.c.send(new this.m.PutObjectLegalHoldCommand({ Bucket: this.bucket, Key: key, VersionId: versionId, LegalHold: { Status: on ? 'ON' : 'OFF' } })),
    );
  }

  /** The bytes of a key (a version of it, when named), as a stream. */
  async get(key: string, versionId?: string, signal?: AbortSignal): Promise<Readable> {
    const r = await this.call(`reading ${key}`, () => this.c.send(new this.m.GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }), { abortSignal: signal }));
    return r.Body as Readable;
  }

  /** The bytes of a key (a version of it, when named), as a stream, with the length the service states for them. */
  async getSized(key: string, versionId?: string, signal?: AbortSignal): Promise<{ body: Readable; length?: number }> {
    const r = await this.call(`reading ${key}`, () => this.c.send(new this.m.GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }), { abortSignal: signal }));
    return { body: r.Body as Readable, length: r.ContentLength };
  }

  async getBuffer(key: string, versionId?: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.get(key, versionId)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** Whether any version or delete marker is under a prefix (one listing of one key). */
  async hasAnyUnder(prefix: string): Promise<boolean> {
    const r = await this.call(`listing the objects under ${prefix}`, () => this.c.send(new this.m.ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1 })));
    return (r.Versions?.length ?? 0) + (r.DeleteMarkers?.length ?? 0) > 0;
  }

  /** Every version and delete marker under a prefix, newest first per key. */
  async *versions(prefix: string): AsyncGenerator<ObjectVersion> {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const r = await this.call(`listing the objects under ${prefix}`, () =>
        this.c.send(new this.m.ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker })),
      );
      const page: ObjectVersion[] = [];
      for (const v of r.Versions ?? []) {
        if (v.Key && v.VersionId) page.push({ key: v.Key, versionId: v.VersionId, isLatest: !!v.IsLatest, size: v.Size ?? 0, etag: unquote(v.ETag), lastModified: v.LastModified, deleteMarker: false });
      }
      for (const m of r.DeleteMarkers ?? []) {
        if (m.Key && m.VersionId) page.push({ key: m.Key, versionId: m.VersionId, isLatest: !!m.IsLatest, size: 0, etag: '', lastModified: m.LastModified, deleteMarker: true });
      }
      yield* page;
      if (!r.IsTruncated) return;
      keyMarker = r.NextKeyMarker;
      versionIdMarker = r.NextVersionIdMarker;
    }
  }
}

/**
 * Signs an upload's headers but not its body ("UNSIGNED-PAYLOAD", what the SDK does over HTTPS
 * anyway): otherwise, over plain HTTP, the SDK hashes every byte with SHA-256 for the signature
 * and the gateway hashes it again to check it, a third and fourth pass over each original. The
 * bytes are still checked: by the service against each part's Content-MD5, and by evidock's
 * read-back, which re-hashes every byte from the bucket before anything is held.
 */
function unsignedPayload<C extends { middlewareStack: { add: (mw: never, opts: { step: 'build'; name: string }) => void } }>(command: C): C {
  const mw = (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
    const request = args.request as { headers?: Record<string, string> };
    if (request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    return next(args);
  };
  command.middlewareStack.add(mw as never, { step: 'build', name: 'evidockUnsignedPayload' });
  return command;
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** Turns an SDK or network error into an S3Failure with a sentence for the session and the log. */
export function describeS3Error(err: unknown, what: string, endpoint: string, bucket: string): S3Failure {
  if (err instanceof S3Failure) return err;
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const status = e.$metadata?.httpStatusCode;
  const netCode = e.code ?? e.cause?.code ?? (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE/.exec(String(e.message))?.[0]);
  if (netCode && !status) return new S3Failure(`${what}: the S3 service at ${endpoint} is not answering (${netCode})`, netCode);
  if (e.name === 'AbortError') return new S3Failure(`${what}: cancelled`, 'AbortError');
  const code = e.name && e.name !== 'UnknownError' ? e.name : `HTTP${status ?? ''}`;
  const detail = e.message && e.message !== 'UnknownError' ? e.message : '';
  return new S3Failure(`${what} in bucket ${bucket}: the S3 service answered ${code}${status ? ` (HTTP ${status})` : ''}${detail ? `: ${detail}` : ''}`, code, status);
}
