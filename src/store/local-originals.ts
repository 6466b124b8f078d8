// The local backend of the originals door: an OCFL storage root on this server's disk, objects
// built in a marked staging entry and renamed into place, catalog rows in the same SQLite file.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { runFsSteps, type FsStep } from '../lib/fs-steps.js';
import { oneAtATime } from '../lib/one-at-a-time.js';
import { localDateOf } from '../lib/time-zone.js';
import { constants as fsc } from 'node:fs';
import { CopyBuffers, hashFile } from '../hash/copy.js';
import { sha256Hex, type DigestAlgorithm, type Digests } from '../hash/digest.js';
import type { Db } from './catalog.js';
import {
  buildInventory,
  commitStagedObjectSteps,
  createStagedObject,
  discardStagedObject,
  finishCommittedObject,
  listObjectRoots,
  objectPathFor,
  OCFL_OBJECT_DECLARATION,
  PROVENANCE_FILE,
  readInventory,
  safeFileName,
  sealStagedObjectSteps,
} from './ocfl.js';
import type { CheckOptions, HoldOutcome, HoldRequest, LegalHoldEffect, ObjectCheck, OriginalsStore, RecheckOptions, StagedObject, StoredObject, UnfinishedHoldsReport, UntrackedEntry } from './originals.js';
import { buildProvenanceFile, parseProvenanceFile, provenanceFileText, provenanceRowOf, originalRowOf, type ProvenanceFile } from './provenance-file.js';
import {
  clearCommitIntent,
  findOriginal,
  findOriginalBySha256,
  insertOriginal,
  pendingCommitIntents,
  recordCommitIntent,
  reserveEvidenceNumber,
  type OriginalRow,
} from './records.js';
import { clearStaging, createStagingEntry, removeStagingEntry } from './staging-entries.js';
import { checkLocalObjects, throttledFullCheck, untrackedLocalEntries } from './local-verify.js';

export interface LocalOriginalsOptions {
  db: Db;
  /** The OCFL storage root. */
  storeRoot: string;
  /** Where copies are staged (same filesystem as the store). */
  stagingRoot: string;
  station: { id: string; name: string; timezone: string };
  /** Digests a recovered object's content is re-hashed with. */
  algorithms: readonly DigestAlgorithm[];
}

/** A session's staging entry: one marked folder holding each of its objects while it is built. */
interface SessionEntry {
  entry: string;
  marker: string;
  /** Whether the marker is durable yet (flushed with the first objects held). */
  markerFlushed: boolean;
}

class LocalStagedObject implements StagedObject {
  constructor(
    readonly session: SessionEntry,
    readonly objectDir: string,
    readonly logicalName: string,
    readonly contentFile: string,
  ) {}
  get entry(): string {
    return this.session.entry;
  }
  /** Removes this object from its session's entry (nothing once it was moved into the store). */
  discard(): void {
    discardStagedObject(this.objectDir);
  }
}

/** Room kept free beside each copy: the object's small files and the catalog's growth. */
const STAGING_RESERVE_BYTES = 16 * 1024 * 1024;

export class LocalOriginalsStore implements OriginalsStore {
  /** holdMany flushes each content file with its object's other files, before the commit intent. */
  readonly flushesStagedContent = true;

  /**
   * The staging entry of each session staging here. One entry per session, not per copy: every
   * object is built in it and renamed into the store, so a held copy leaves nothing to delete
   * (on ext4 without a journal, each inode freed makes the next thousands of inode allocations
   * slower for minutes).
   */
  private readonly sessions = new Map<string, SessionEntry>();

  constructor(private readonly o: LocalOriginalsOptions) {}

  spaceFor(size: number): { fits: boolean; free: number; needed: number } {
    const fs = statfsSync(this.o.stagingRoot);
    const free = fs.bavail * fs.bsize;
    // The object's other files (provenance.json, inventories) and the catalog's next pages.
    const needed = size + STAGING_RESERVE_BYTES;
    return { fits: needed <= free, free, needed };
  }

  stage(nameOnCard: Buffer, tag: string): StagedObject {
    let session = this.sessions.get(tag);
    if (!session) {
      // The marker is flushed with the first objects held (holdMany), not now: no fsync waited for here.
      const { entry, marker } = createStagingEntry(this.o.stagingRoot, `${tag}-${randomUUID().slice(0, 8)}`, { flushMarkerLater: true });
      session = { entry, marker, markerFlushed: false };
      this.sessions.set(tag, session);
    }
    const objectDir = path.join(session.entry, `object-${randomUUID().slice(0, 8)}`);
    const contentDir = createStagedObject(objectDir);
    const logicalName = safeFileName(Buffer.from(nameOnCard.subarray(nameOnCard.lastIndexOf(0x2f) + 1)));
    return new LocalStagedObject(session, objectDir, logicalName, path.join(contentDir, logicalName));
  }

  /** The session's staging entry removed (whatever is still in it: nothing of it is held). */
  endStaging(tag: string): void {
    const session = this.sessions.get(tag);
    if (!session) return;
    this.sessions.delete(tag);
    removeStagingEntry(session.entry);
  }

  async hold(staged: StagedObject, req: HoldRequest): Promise<HoldOutcome> {
    return (await this.holdMany([{ staged, request: req }]))[0];
  }

  holdMany(batch: readonly { staged: StagedObject; request: HoldRequest }[]): Promise<HoldOutcome[]> {
    // The flushes are awaited: holds into this store run one at a time in this process, so no
    // other hold can be placed between a duplicate check and its catalog insert (the catalog's
    // UNIQUE(sha256) stays the backstop against another process).
    return oneAtATime(`local-originals:${path.resolve(this.o.storeRoot)}`, () => this.holdManyNow(batch as readonly { staged: LocalStagedObject; request: HoldRequest }[]));
  }

  /**
   * hold for many: every object built in staging first, then all their files and folders flushed
   * (fsyncs in flight together) before the commit intents (one transaction); the renames into the
   * store, then the store's new entries flushed before the catalog's one transaction for all.
   * Durable before the catalog says held; a crash in between leaves intents that the next start
   * finishes. The emptied staging entries are removed last (a crash leaves them to the next start).
   */
  private async holdManyNow(batch: readonly { staged: LocalStagedObject; request: HoldRequest }[]): Promise<HoldOutcome[]> {
    const { db, station } = this.o;
    const outcomes: HoldOutcome[] = new Array(batch.length);
    // Bytes held before, or twice in this batch, are sightings of one original, never two objects.
    const firstInBatch = new Map<string, number>();
    const dupOf = batch.map(({ request: req }, i) => {
      const held = findOriginalBySha256(db, req.file.sha256);
      if (held) return held;
      const first = firstInBatch.get(req.file.sha256);
      if (first !== undefined) return first;
      firstInBatch.set(req.file.sha256, i);
      return null;
    });
    const numbers = db.transaction(() =>
      batch.map(({ request: req }, i) => (dupOf[i] === null ? reserveEvidenceNumber(db, station.id, localDateOf(req.heldAt.getTime(), station.timezone).replaceAll('-', '')) : null)),
    )();
    const toHold: { at: number; staged: LocalStagedObject; req: HoldRequest; original: OriginalRow; doc: ProvenanceFile }[] = [];
    const stagedPaths: string[] = [];
    const sealing: FsStep[] = [];
    batch.forEach(({ staged, request: req }, i) => {
      const evidenceNumber = numbers[i];
      if (evidenceNumber === null) {
        staged.discard();
        return;
      }
      const original = this.originalRowFor(staged, req, evidenceNumber);
      const doc = buildProvenanceFile(original, { ...req.about, station }, req.derived);
      sealing.push(...this.sealSteps(staged, req, original, doc, stagedPaths));
      if (!staged.session.markerFlushed) stagedPaths.push(staged.session.marker);
      toHold.push({ at: i, staged, req, original, doc });
    });
    if (toHold.length) {
      // The objects' many small writes, chmods and fsyncs run on the filesystem thread.
      await runFsSteps([...sealing, { op: 'flush', paths: stagedPaths }]);
      for (const h of toHold) h.staged.session.markerFlushed = true;
      db.transaction(() => {
        for (const h of toHold) recordCommitIntent(db, { evidence_number: h.original.evidence_number, staging_dir: h.staged.entry, object_path: h.original.object_path, created_at: h.original.held_at });
      })();
      const storePaths: string[] = [];
      const placing = toHold.flatMap((h) => commitStagedObjectSteps(this.o.storeRoot, h.staged.objectDir, h.original.object_path, storePaths));
      await runFsSteps([...placing, { op: 'flush', paths: storePaths }]);
      db.transaction(() => {
        for (const h of toHold) {
          insertOriginal(db, h.original);
          clearCommitIntent(db, h.original.evidence_number);
          h.req.inCommit(h.original, provenanceRowOf(h.doc), { provenanceSha256: sha256Hex(provenanceFileText(h.doc)) });
        }
      })();
      for (const h of toHold) outcomes[h.at] = { held: h.original };
    }
    dupOf.forEach((d, i) => {
      if (d === null) return;
      outcomes[i] = { alreadyHeld: typeof d === 'number' ? (outcomes[d] as { held: OriginalRow }).held : d };
    });
    return outcomes;
  }

  /** The catalog row a staged copy will have once held as `evidenceNumber`. */
  private originalRowFor(staged: LocalStagedObject, req: HoldRequest, evidenceNumber: string): OriginalRow {
    const objectId = `urn:evidock:${evidenceNumber}`;
    const f = req.file;
    return {
      evidence_number: evidenceNumber,
      object_id: objectId,
      object_path: objectPathFor(objectId),
      content_path: `v1/content/${staged.logicalName}`,
      file_name: f.fileName,
      sha256: f.sha256,
      sm3: f.sm3,
      size: f.size,
      recorder_id: f.recorderId,
      officer_id: f.officerId,
      source_path: f.sourcePath,
      source_path_raw: f.sourcePathRaw,
      source_mtime_ms: f.sourceMtimeMs,
      session_id: f.sessionId,
      held_at: req.heldAt.toISOString(),
    };
  }

  /**
   * The steps that write provenance.json, the inventories and the declaration into a staged
   * object and make it read-only; durable once the caller flushes the paths added to `flush`.
   */
  private sealSteps(staged: LocalStagedObject, req: HoldRequest, original: OriginalRow, doc: ProvenanceFile, flush: string[]): FsStep[] {
    const text = provenanceFileText(doc);
    const inventory = buildInventory({
      id: original.object_id,
      created: original.held_at,
      message: req.message,
      user: { name: `evidock@${this.o.station.id}` },
      files: [
        { logicalPath: staged.logicalName, sha256: original.sha256, size: original.size },
        { logicalPath: PROVENANCE_FILE, sha256: sha256Hex(text), size: Buffer.byteLength(text) },
      ],
      // SM3 is not in OCFL's fixity vocabulary (nor its digest-algorithm extension): it is kept
      // in provenance.json and the catalog, not in the inventory, so the object stays valid.
    });
    return sealStagedObjectSteps(staged.objectDir, inventory, staged.contentFile, [{ name: PROVENANCE_FILE, data: text }], flush);
  }

  async finishUnfinishedHolds(inCommit: HoldRequest['inCommit'], signal?: AbortSignal): Promise<UnfinishedHoldsReport> {
    const { db, storeRoot } = this.o;
    const report: UnfinishedHoldsReport = { adopted: [], leftInPlace: [], discardedStaging: [], strangersInStaging: [] };
    for (const intent of pendingCommitIntents(db)) {
      const objectRoot = path.join(storeRoot, intent.object_path);
      if (!findOriginal(db, intent.evidence_number) && existsSync(path.join(objectRoot, OCFL_OBJECT_DECLARATION))) {
        finishCommittedObject(objectRoot);
        const provenanceText = readFileSync(path.join(objectRoot, 'v1', 'content', PROVENANCE_FILE));
        const doc = parseProvenanceFile(provenanceText.toString('utf8'));
        // Two commits of the same bytes can race (another process ingesting at the same time): the
        // bytes are then held once already, and this copy is not adopted.
        const heldAlready = findOriginalBySha256(db, doc.digests.sha256);
        if (heldAlready) {
          report.leftInPlace.push({ evidenceNumber: intent.evidence_number, problem: 'holds bytes already held', heldAs: heldAlready.evidence_number });
        } else if (await this.contentMatches(path.join(objectRoot, doc.content.path), doc, signal)) {
          const original = originalRowOf(doc, intent.object_path);
          db.transaction(() => {
            insertOriginal(db, original);
            clearCommitIntent(db, intent.evidence_number);
            inCommit(original, provenanceRowOf(doc), { provenanceSha256: sha256Hex(provenanceText) });
          })();
          report.adopted.push(original);
          continue;
        } else {
          report.leftInPlace.push({ evidenceNumber: intent.evidence_number, problem: 'content does not match its provenance' });
        }
      }
      // Never delete anything in the store: an object left in place is reported by verify as untracked.
      db.transaction(() => clearCommitIntent(db, intent.evidence_number))();
    }
    const staging = clearStaging(this.o.stagingRoot);
    report.discardedStaging = staging.removed;
    report.strangersInStaging = staging.strangers;
    return report;
  }

  /** Whether an object's content re-hashes to what its provenance says. */
  private async contentMatches(contentFile: string, doc: ProvenanceFile, signal?: AbortSignal): Promise<boolean> {
    const { bytes, digests } = await hashFile(contentFile, this.o.algorithms, new CopyBuffers(4 * 1024 * 1024), signal);
    return digests.sha256 === doc.digests.sha256 && bytes === doc.content.size;
  }

  hashContent(original: OriginalRow, algorithms: readonly DigestAlgorithm[], buffers: CopyBuffers, signal?: AbortSignal): Promise<{ bytes: number; digests: Digests }> {
    return hashFile(this.contentPath(original), algorithms, buffers, signal);
  }

  private contentPath(original: OriginalRow): string {
    return path.join(this.o.storeRoot, original.object_path, original.content_path);
  }

  openContent(original: OriginalRow): Promise<FileHandle> {
    return open(this.contentPath(original), fsc.O_RDONLY | fsc.O_NOFOLLOW);
  }

  async readProvenance(original: OriginalRow): Promise<ProvenanceFile> {
    return parseProvenanceFile(readFileSync(this.locate(original).provenance, 'utf8'));
  }

  locate(original: OriginalRow): { content: string; provenance: string } {
    return { content: this.contentPath(original), provenance: path.join(this.o.storeRoot, original.object_path, 'v1', 'content', PROVENANCE_FILE) };
  }

  async countObjects(): Promise<number> {
    let n = 0;
    for (const _ of listObjectRoots(this.o.storeRoot)) n++;
    return n;
  }

  async *list(): AsyncIterable<StoredObject> {
    yield* listStoredObjects(this.o.storeRoot);
  }

  check(rows: readonly OriginalRow[], opts: CheckOptions, onResult: (row: OriginalRow, result: ObjectCheck) => void): Promise<void> {
    return checkLocalObjects(this.o.storeRoot, rows, opts, onResult);
  }

  recheck(row: OriginalRow, opts: RecheckOptions): Promise<ObjectCheck | undefined> {
    return throttledFullCheck(this.o.storeRoot, row, opts);
  }

  async *untracked(tracked: ReadonlySet<string>): AsyncIterable<UntrackedEntry> {
    yield* untrackedLocalEntries(this.o.storeRoot, tracked);
  }

  /** Local objects are read-only files already: an Art. 14 hold is the catalog's fact only. */
  legalHold(): Promise<LegalHoldEffect> {
    return Promise.resolve('catalog-only');
  }
}

/** Every object under a local storage root, with its provenance.json parsed (or why not). */
export function* listStoredObjects(storeRoot: string): Generator<StoredObject> {
  for (const objectRoot of listObjectRoots(storeRoot)) {
    const objectPath = path.relative(storeRoot, objectRoot);
    let objectId = '';
    try {
      objectId = String((readInventory(objectRoot) as { id?: unknown }).id ?? '');
      const provenance = parseProvenanceFile(readFileSync(path.join(objectRoot, 'v1', 'content', PROVENANCE_FILE), 'utf8'));
      yield { objectId, objectPath, provenance };
    } catch (err) {
      yield { objectId, objectPath, problem: `provenance unreadable: ${(err as Error).message}` };
    }
  }
}
