// The s3 backend of the originals door: each original's OCFL object built in local staging as
// for the local backend, then uploaded under `prefix` with COMPLIANCE retention and Content-MD5,
// read back from the bucket and re-hashed; only then one catalog transaction makes it held, and
// only after that is staging removed. A start finishes what a crash or an outage cut short.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import type { CopyBuffers } from '../hash/copy.js';
import { sha256Hex, type DigestAlgorithm, type Digests } from '../hash/digest.js';
import type { S3StoreConfig } from '../store-config.js';
import type { Db } from './catalog.js';
import { OCFL_OBJECT_DECLARATION, objectPathFor, PROVENANCE_FILE } from './ocfl.js';
import type { CheckOptions, HoldOutcome, LegalHoldEffect, WitnessFile, HoldRequest, ObjectCheck, OriginalsStore, RecheckOptions, StagedObject, StoredObject, UnfinishedHoldsReport, UntrackedEntry } from './originals.js';
import { originalRowOf, parseProvenanceFile, provenanceFileText, provenanceRowOf, type ProvenanceFile } from './provenance-file.js';
import { recordingsUnderObjectLockHold } from './holds.js';
import { clearCommitIntent, findOriginal, findOriginalBySha256, insertOriginal, pendingCommitIntents, recordCommitIntent, type OriginalRow } from './records.js';
import { S3Bucket, S3Failure, type LockMode } from './s3-client.js';
import type { S3Credentials } from './s3-credentials.js';
import { hashObject } from './s3-read-back.js';
import { heldVersionsOf, recordHeldVersions, type HeldVersions } from './s3-held-versions.js';
import { uploadFile } from './s3-upload.js';
import { checkS3Object, checkS3Objects, firstVersionsUnder, heldVersionOf, listBucketObjects, objectPathOfKey, s3Prefix, untrackedS3 } from './s3-verify.js';
import { putWitnesses, witnessedFiles } from './s3-witness.js';
import { reserveForHold, sealForHold, stageObject, stagingSpaceFor, type StagingObject } from './staged-object.js';
import { createStagingEntry, isMarkedEntry, objectDirOf, removeStagingEntry } from './staging-entries.js';

export interface S3OriginalsOptions {
  db: Db;
  stagingRoot: string;
  station: { id: string; name: string; timezone: string };
  algorithms: readonly DigestAlgorithm[];
  s3: S3StoreConfig;
  credentials: S3Credentials;
  /** Told how long each phase of a hold took (upload, lock, read-back, commit): the bench's breakdown. */
  phaseTimes?: (phase: string, ms: number) => void;
}


/** Every original is locked in this mode, whatever the bucket's default. */
export const HOLD_MODE: LockMode = 'COMPLIANCE';
/** Unfinished multipart uploads older than this are stale at start (no upload of ours runs that long unseen). */
const STALE_UPLOAD_MS = 60 * 60 * 1000;

/** The files of a sealed staged object, content first and the declaration last (its presence = complete). */
function objectFiles(objectDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(objectDir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  const rank = (r: string) => (r === OCFL_OBJECT_DECLARATION ? 3 : r.startsWith('v1/content/') && !r.endsWith(`/${PROVENANCE_FILE}`) ? 0 : r.endsWith(PROVENANCE_FILE) ? 1 : 2);
  return out.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export class S3OriginalsStore implements OriginalsStore {
  readonly bucket: S3Bucket;
  /** This station's prefix in the bucket, with its trailing "/". */
  readonly prefix: string;

  constructor(private readonly o: S3OriginalsOptions) {
    this.bucket = new S3Bucket(o.s3, o.credentials);
    this.prefix = s3Prefix(o.s3, o.station.id);
  }

  private keyOf(objectPath: string, rel: string): string {
    return `${this.prefix}${objectPath}/${rel}`;
  }

  private lockFor(heldAt: string): { mode: LockMode; until: Date } {
    return { mode: HOLD_MODE, until: new Date(Date.parse(heldAt) + this.o.s3.retention_days * 86_400_000) };
  }

  spaceFor(size: number): { fits: boolean; free: number; needed: number } {
    return stagingSpaceFor(this.o.stagingRoot, size);
  }

  stage(nameOnCard: Buffer, tag: string): StagedObject {
    return stageObject(this.o.stagingRoot, nameOnCard, tag);
  }

  async hold(stagedObject: StagedObject, req: HoldRequest): Promise<HoldOutcome> {
    const { db, station } = this.o;
    const staged = stagedObject as StagingObject;
    const duplicate = findOriginalBySha256(db, req.file.sha256);
    if (duplicate) {
      staged.discard();
      return { alreadyHeld: duplicate };
    }
    const { original, provenance } = sealForHold(db, station, staged, req, await this.freeEvidenceNumber(req.heldAt));
    db.transaction(() => recordCommitIntent(db, { evidence_number: original.evidence_number, staging_dir: staged.entry, object_path: original.object_path, created_at: original.held_at }))();
    // An upload or read-back failure throws: nothing is held; the intent stays for the next start.
    const versions = await this.place(staged.objectDir, original, { fresh: true });
    const t = performance.now();
    const commit = this.commitHeld(original, provenance, versions, req.inCommit);
    this.o.phaseTimes?.('commit', performance.now() - t);
    staged.discard();
    return commit;
  }

  /**
   * The next evidence number whose object is not in the bucket yet. After a rollback of the
   * catalog its counter is behind the bucket: the numbers already there are locked under other
   * bytes, so they are passed over (each one taken from the counter, and left as a gap).
   */
  private async freeEvidenceNumber(heldAt: Date): Promise<string> {
    for (;;) {
      const candidate = reserveForHold(this.o.db, this.o.station, heldAt);
      const objectPrefix = `${this.prefix}${objectPathFor(`urn:evidock:${candidate}`)}/`;
      if (!(await this.bucket.hasAnyUnder(objectPrefix))) return candidate;
    }
  }

  /** The catalog transaction that makes an object in the bucket held (or finds its bytes held meanwhile). */
  private commitHeld(original: OriginalRow, provenance: ProvenanceFile, versions: HeldVersions, inCommit: HoldRequest['inCommit']): HoldOutcome {
    const { db } = this.o;
    return db.transaction((): HoldOutcome => {
      // Awaited uploads let another process hold the same bytes meanwhile: then this object stays
      // in the bucket (it is locked) and verify reports it as not in the catalog.
      const duplicate = findOriginalBySha256(db, original.sha256);
      clearCommitIntent(db, original.evidence_number);
      if (duplicate) return { alreadyHeld: duplicate };
      insertOriginal(db, original);
      recordHeldVersions(db, original.evidence_number, versions);
      inCommit(original, provenanceRowOf(provenance), { provenanceSha256: sha256Hex(provenanceFileText(provenance)), s3Versions: versions });
      return { held: original };
    })();
  }

  /**
   * Uploads every file of a sealed staged object (unless `fresh`, skipping one already in the
   * bucket with the same size: a restart after an outage), content first and the declaration last, then reads
   * each back (all at once) and compares its SHA-256. Returns the version id each file was held
   * as: the one its upload returned, else (a file found already there) the first under its key.
   */
  private async place(objectDir: string, original: OriginalRow, opts: { fresh: boolean; signal?: AbortSignal }): Promise<HeldVersions> {
    const { signal } = opts;
    const lock = this.lockFor(original.held_at);
    const files = objectFiles(objectDir);
    const versions: HeldVersions = {};
    const timed = async <T>(phase: string, run: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      try {
        return await run();
      } finally {
        this.o.phaseTimes?.(phase, performance.now() - t);
      }
    };
    const upload = async (rel: string): Promise<void> => {
      const key = this.keyOf(original.object_path, rel);
      const local = path.join(objectDir, rel);
      const isContent = rel === original.content_path;
      // A fresh hold's object prefix was just found empty (freeEvidenceNumber): nothing to look for.
      const there = opts.fresh ? null : await this.bucket.head(key);
      if (there && there.size === (isContent ? original.size : readFileSync(local).length)) return;
      const r = await uploadFile(this.bucket, key, local, lock, isContent ? { sha256: original.sha256 } : {}, signal);
      if (r.versionId) versions[rel] = r.versionId;
    };
    await timed('upload', async () => {
      // The content alone first, then the small files together, the declaration (complete) last.
      const declaration = files.filter((rel) => rel === OCFL_OBJECT_DECLARATION);
      const content = files.filter((rel) => rel === original.content_path);
      const rest = files.filter((rel) => rel !== OCFL_OBJECT_DECLARATION && rel !== original.content_path);
      for (const rel of content) await upload(rel);
      await Promise.all(rest.map(upload));
      for (const rel of declaration) await upload(rel);
    });
    const readBack = async (rel: string): Promise<void> => {
      const key = this.keyOf(original.object_path, rel);
      const isContent = rel === original.content_path;
      const expected = isContent ? { sha256: original.sha256, size: original.size } : (() => {
        const bytes = readFileSync(path.join(objectDir, rel));
        return { sha256: sha256Hex(bytes), size: bytes.length };
      })();
      const versionId = await timed('lock', async () => {
        const versionId = versions[rel] ?? (await heldVersionOf(this.bucket, key))?.versionId;
        if (!versionId) throw new S3Failure(`read-back of ${key}: the object is not in the bucket after its upload`, 'ReadBackMissing');
        // The lock as the service keeps it: Ceph RGW 16 drops the retention asked for at
        // CreateMultipartUpload and applies the bucket's default, so it is set (extended) here.
        const head = await this.bucket.head(key, versionId);
        if (!head) throw new S3Failure(`read-back of ${key}: version ${versionId} is not in the bucket after its upload`, 'ReadBackMissing');
        if (head.lockMode !== lock.mode || !head.retainUntil || head.retainUntil.getTime() < lock.until.getTime() - 1000) {
          await this.bucket.putRetention(key, versionId, lock);
          const again = await this.bucket.head(key, versionId);
          if (again?.lockMode !== lock.mode || !again.retainUntil || again.retainUntil.getTime() < lock.until.getTime() - 1000) {
            throw new S3Failure(`${key}: the service keeps it ${again?.lockMode ?? 'unlocked'} until ${again?.retainUntil?.toISOString() ?? 'never'}, not ${lock.mode} until ${lock.until.toISOString()}; nothing held`, 'LockNotKept');
          }
        }
        return versionId;
      });
      const back = await timed(isContent ? 'read-back' : 'read-back (small files)', () => hashObject(this.bucket, key, versionId, ['sha256'], signal));
      if (back.digests.sha256 !== expected.sha256 || back.bytes !== expected.size) {
        throw new S3Failure(`read-back of ${key}: the bucket returns ${back.bytes} bytes with SHA-256 ${back.digests.sha256}, not the ${expected.size} bytes with ${expected.sha256} uploaded; nothing held`, 'ReadBackMismatch');
      }
      versions[rel] = versionId;
    };
    await Promise.all(files.map(readBack));
    return versions;
  }

  async finishUnfinishedHolds(inCommit: HoldRequest['inCommit'], signal?: AbortSignal): Promise<UnfinishedHoldsReport> {
    const { db } = this.o;
    const report: UnfinishedHoldsReport = { adopted: [], leftInPlace: [], discardedStaging: [], strangersInStaging: [] };
    const intents = pendingCommitIntents(db);
    await this.abortStaleUploads(new Set(intents.map((i) => `${this.prefix}${i.object_path}/`)));
    const keep = new Set<string>();
    for (const intent of intents) {
      if (findOriginal(db, intent.evidence_number)) {
        db.transaction(() => clearCommitIntent(db, intent.evidence_number))();
        continue;
      }
      const objectDir = objectDirOf(intent.staging_dir);
      const inStaging = isMarkedEntry(intent.staging_dir) && existsSync(path.join(objectDir, OCFL_OBJECT_DECLARATION));
      try {
        let doc: ProvenanceFile;
        let versions: HeldVersions;
        if (inStaging) {
          // Staging survived: finish the upload (what is there already is only read back).
          doc = parseProvenanceFile(readFileSync(path.join(objectDir, 'v1', 'content', PROVENANCE_FILE), 'utf8'));
          versions = await this.place(objectDir, originalRowOf(doc, intent.object_path), { fresh: false, signal });
        } else {
          const declaration = await this.bucket.head(this.keyOf(intent.object_path, OCFL_OBJECT_DECLARATION));
          if (!declaration) {
            // Never complete in the bucket: what was uploaded stays (locked) and verify reports it.
            db.transaction(() => clearCommitIntent(db, intent.evidence_number))();
            continue;
          }
          doc = parseProvenanceFile((await this.bucket.getBuffer(this.keyOf(intent.object_path, `v1/content/${PROVENANCE_FILE}`))).toString('utf8'));
          const back = await hashObject(this.bucket, this.keyOf(intent.object_path, doc.content.path), undefined, this.o.algorithms, signal);
          if (back.digests.sha256 !== doc.digests.sha256 || back.bytes !== doc.content.size) {
            report.leftInPlace.push({ evidenceNumber: intent.evidence_number, problem: 'content does not match its provenance' });
            db.transaction(() => clearCommitIntent(db, intent.evidence_number))();
            continue;
          }
          versions = await firstVersionsUnder(this.bucket, `${this.prefix}${intent.object_path}/`);
        }
        const outcome = this.commitHeld(originalRowOf(doc, intent.object_path), doc, versions, inCommit);
        if ('held' in outcome) report.adopted.push(outcome.held);
        else report.leftInPlace.push({ evidenceNumber: intent.evidence_number, problem: 'holds bytes already held', heldAs: outcome.alreadyHeld.evidence_number });
      } catch (err) {
        // The bucket is still out of reach: keep the intent and its staging for the next start.
        if (inStaging) keep.add(path.resolve(intent.staging_dir));
        report.leftInPlace.push({ evidenceNumber: intent.evidence_number, problem: `upload not finished, retried at the next start: ${(err as Error).message}` });
      }
    }
    if (existsSync(this.o.stagingRoot)) {
      for (const name of readdirSync(this.o.stagingRoot)) {
        const entry = path.join(this.o.stagingRoot, name);
        if (keep.has(path.resolve(entry))) continue;
        if (removeStagingEntry(entry)) report.discardedStaging.push(name);
        else report.strangersInStaging.push(name);
      }
    }
    return report;
  }

  /** Aborts unfinished multipart uploads of this station: stale ones, and those of the holds being finished. */
  private async abortStaleUploads(finishing: Set<string>): Promise<void> {
    const now = Date.now();
    try {
      for await (const u of this.bucket.multipartUploads(this.prefix)) {
        const mine = [...finishing].some((p) => u.key.startsWith(p));
        if (mine || !u.initiated || now - u.initiated.getTime() > STALE_UPLOAD_MS) await this.bucket.abortMultipart(u.key, u.uploadId).catch(() => undefined);
      }
    } catch {
      // The bucket out of reach at start: the holds below say so; stale uploads wait for the next start.
    }
  }

  /** The version a file of a held original was held as: the one in the catalog, else the first under its key. */
  private async heldVersion(original: OriginalRow, rel: string): Promise<string | undefined> {
    return heldVersionsOf(this.o.db, original.evidence_number)?.[rel] ?? (await heldVersionOf(this.bucket, this.keyOf(original.object_path, rel)))?.versionId;
  }

  async hashContent(original: OriginalRow, algorithms: readonly DigestAlgorithm[], _buffers: CopyBuffers, signal?: AbortSignal): Promise<{ bytes: number; digests: Digests }> {
    const key = this.keyOf(original.object_path, original.content_path);
    const versionId = await this.heldVersion(original, original.content_path);
    if (!versionId) throw new S3Failure(`${original.evidence_number}: ${key} is not in bucket ${this.bucket.bucket}`, 'NoSuchKey');
    return hashObject(this.bucket, key, versionId, algorithms, signal);
  }

  /**
   * The held version, fetched into a marked staging entry and opened; the entry is removed at
   * once (the open handle keeps the bytes; a crash leaves an entry the next start removes). The
   * caller hashes what it reads (a copy for Art. 13 is checked against the catalog).
   */
  async openContent(original: OriginalRow): Promise<FileHandle> {
    const key = this.keyOf(original.object_path, original.content_path);
    const versionId = await this.heldVersion(original, original.content_path);
    if (!versionId) throw new S3Failure(`${original.evidence_number}: ${key} is not in bucket ${this.bucket.bucket}`, 'NoSuchKey');
    const space = stagingSpaceFor(this.o.stagingRoot, original.size);
    if (!space.fits) throw new S3Failure(`${original.evidence_number}: reading it from the bucket needs ${original.size} bytes in staging, ${space.free} free`, 'NoSpace');
    const entry = createStagingEntry(this.o.stagingRoot, `read-${randomBytes(6).toString('hex')}`);
    try {
      const file = path.join(entry.entry, 'content');
      await pipeline(await this.bucket.get(key, versionId), createWriteStream(file, { flags: 'wx', mode: 0o400 }));
      return await open(file, 'r');
    } finally {
      removeStagingEntry(entry.entry);
    }
  }

  async readProvenance(original: OriginalRow): Promise<ProvenanceFile> {
    const rel = `v1/content/${PROVENANCE_FILE}`;
    return parseProvenanceFile((await this.bucket.getBuffer(this.keyOf(original.object_path, rel), await this.heldVersion(original, rel))).toString('utf8'));
  }

  locate(original: OriginalRow): { content: string; provenance: string } {
    const url = (rel: string) => `s3://${this.bucket.bucket}/${this.keyOf(original.object_path, rel)}`;
    return { content: url(original.content_path), provenance: url(`v1/content/${PROVENANCE_FILE}`) };
  }

  /** Object folders under the prefix that carry the OCFL declaration (complete uploads). */
  private async *objectPaths(): AsyncGenerator<string> {
    for await (const key of listBucketObjects(this.bucket, this.prefix)) {
      if (key.endsWith(`/${OCFL_OBJECT_DECLARATION}`)) yield objectPathOfKey(this.prefix, key);
    }
  }

  async countObjects(): Promise<number> {
    let n = 0;
    for await (const _ of this.objectPaths()) n++;
    return n;
  }

  async *list(): AsyncIterable<StoredObject> {
    for await (const objectPath of this.objectPaths()) {
      const objectId = '';
      try {
        const key = this.keyOf(objectPath, `v1/content/${PROVENANCE_FILE}`);
        const provenance = parseProvenanceFile((await this.bucket.getBuffer(key, (await heldVersionOf(this.bucket, key))?.versionId)).toString('utf8'));
        yield { objectId: provenance.objectId, objectPath, provenance };
      } catch (err) {
        yield { objectId, objectPath, problem: `provenance unreadable: ${(err as Error).message}` };
      }
    }
  }

  check(rows: readonly OriginalRow[], opts: CheckOptions, onResult: (row: OriginalRow, result: ObjectCheck) => void): Promise<void> {
    return checkS3Objects(this.bucket, this.prefix, this.o.s3.retention_days, recordingsUnderObjectLockHold(this.o.db), rows, opts, onResult, (n) => heldVersionsOf(this.o.db, n));
  }

  /** The daemon's rolling verification of one object: waits while a recorder is ingested, then a full check. */
  async recheck(row: OriginalRow, opts: RecheckOptions): Promise<ObjectCheck | undefined> {
    while (opts.busy()) {
      if (opts.signal?.aborted) return undefined;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (opts.signal?.aborted) return undefined;
    return checkS3Object(this.bucket, this.prefix, this.o.s3.retention_days, recordingsUnderObjectLockHold(this.o.db).has(row.evidence_number), row, 'full', opts.signal, heldVersionsOf(this.o.db, row.evidence_number));
  }

  untracked(tracked: ReadonlySet<string>): AsyncIterable<UntrackedEntry> {
    return untrackedS3(this.bucket, this.prefix, tracked);
  }

  readonly witness = {
    put: (files: readonly WitnessFile[]) => putWitnesses(this.bucket, this.prefix, this.o.s3.retention_days, files),
    list: () => witnessedFiles(this.bucket, this.prefix),
    where: () => `s3://${this.bucket.bucket}/${this.prefix}_evidock/witness/`,
  };

  /**
   * Art. 14: an Object Lock legal hold on the held version (the one kept in the catalog, else the
   * first) of every file of the object (content, provenance, inventory), each read back; a hold keeps the version past its retention until lifted.
   */
  async legalHold(original: OriginalRow, on: boolean): Promise<LegalHoldEffect> {
    const objectPrefix = `${this.prefix}${original.object_path}/`;
    const kept = heldVersionsOf(this.o.db, original.evidence_number);
    let files = 0;
    for await (const key of listBucketObjects(this.bucket, objectPrefix)) {
      const versionId = kept?.[key.slice(objectPrefix.length)] ?? (await heldVersionOf(this.bucket, key))?.versionId;
      if (!versionId) continue;
      await this.bucket.putLegalHold(key, versionId, on);
      if ((await this.bucket.legalHold(key, versionId)) !== on) {
        throw new S3Failure(`${key}: the service does not keep the legal hold ${on ? 'set' : 'lifted'} after being asked to`, 'LegalHoldNotKept');
      }
      files++;
    }
    if (files === 0) throw new S3Failure(`${original.evidence_number}: nothing under ${objectPrefix} in bucket ${this.bucket.bucket} to hold`, 'NoSuchKey');
    return 'object-lock';
  }

  close(): void {
    this.bucket.destroy();
  }
}
