// The store's one door for originals: stage, hold, finish unfinished holds, read, list, verify.
// Backends (local OCFL today, S3 Object Lock next) implement it; callers see evidence numbers,
// object ids and catalog rows, never renames, listings or paths into the store.
import type { FileHandle } from 'node:fs/promises';
import type { CopyBuffers } from '../hash/copy.js';
import type { DigestAlgorithm, Digests } from '../hash/digest.js';
import type { Json } from '../lib/json.js';
import type { ProvenanceContext, ProvenanceFile } from './provenance-file.js';
import type { ProvenanceRow } from './provenance.js';
import type { OriginalRow } from './records.js';

/** A copy being written into staging (local disk, for every backend). */
export interface StagedObject {
  /** The local file the caller writes the recording's bytes into. */
  readonly contentFile: string;
  /** Removes the staged copy (idempotent). Never touches the store. */
  discard(): void;
}

/** What the caller knows of a staged copy when it asks for the hold. */
export interface HoldRequest {
  heldAt: Date;
  file: {
    fileName: string;
    sourcePath: string;
    sourcePathRaw: Buffer;
    sourceMtimeMs: number | null;
    sha256: string;
    sm3: string | null;
    size: number;
    recorderId: string | null;
    officerId: string | null;
    sessionId: string;
  };
  about: Omit<ProvenanceContext, 'station'>;
  /** Facts derived from the copy, written into provenance.json and (mapped) the provenance row. */
  derived: { [key: string]: Json | undefined } | null;
  /** The inventory's version message. */
  message: string;
  /**
   * Runs inside the catalog transaction that makes the original held, after its row: the
   * caller's audit entry, sighting and provenance row (`provenance`, mapped from the object's
   * provenance.json; null without derived facts). Throwing rolls the hold's catalog rows back
   * (the object, already in place, is then adopted by the next start's recovery).
   */
  inCommit(original: OriginalRow, provenance: ProvenanceRow | null, held: HeldObjectFacts): void;
}

/** What the store wrote beside the recording, for the file.held entry (so verify can compare it with the log). */
export interface HeldObjectFacts {
  /** SHA-256 of the object's provenance.json. */
  provenanceSha256: string;
  /** s3 backend: the version id each file of the object was held as, by its path in the object. */
  s3Versions?: Record<string, string>;
}

export type HoldOutcome =
  | { held: OriginalRow }
  /** The same bytes were held meanwhile (another recorder, another process): nothing new is held. */
  | { alreadyHeld: OriginalRow };

/** What finishing the unfinished holds at start did. */
export interface UnfinishedHoldsReport {
  adopted: OriginalRow[];
  /** Objects in the store the catalog does not hold, left in place for verify to report. */
  leftInPlace: { evidenceNumber: string; problem: string; heldAs?: string }[];
  /** Staging entries evidock made and removed. */
  discardedStaging: string[];
  /** Staging entries without evidock's marker: not removed. */
  strangersInStaging: string[];
}

export interface StoredObject {
  objectId: string;
  /** The object's provenance.json, or why it could not be read. */
  provenance?: ProvenanceFile;
  problem?: string;
  /** Where the object sits relative to the store's root (catalog column object_path). */
  objectPath: string;
}

/** A file of a held object that is not as it was held. */
export interface ChangedObject {
  evidenceNumber: string;
  objectPath: string;
  file: string;
  problem: string;
  expected?: string;
  actual?: string;
}

export interface MissingObject {
  evidenceNumber: string;
  objectPath: string;
  problem: string;
}

/** One held object checked: what changed, whether it is gone, how many content bytes were read. */
export interface ObjectCheck {
  changed: ChangedObject[];
  missing?: MissingObject;
  bytes: number;
  /** SHA-256 of the object's provenance.json as the store holds it (compared with the log). */
  provenanceSha256?: string;
}

/** An object or entry in the store that is no held original. */
export interface UntrackedEntry {
  path: string;
  problem: string;
}

/** quick: presence, inventories, file count and size; full: that plus every file re-hashed. */
export type CheckMode = 'quick' | 'full';

export interface CheckOptions {
  mode: CheckMode;
  /** Objects checked at the same time (full mode hashes on that many threads where it can). */
  jobs: number;
  signal?: AbortSignal;
}

/** The daemon's rolling verification: one object, at most this rate, pausing while busy. */
export interface RecheckOptions {
  bytesPerSecond: number;
  busy: () => boolean;
  signal?: AbortSignal;
}

/** A file of the audit log kept where the station cannot take it back (a signed checkpoint, a sealed journal day). */
export interface WitnessFile {
  kind: 'checkpoint' | 'journal';
  /** The file's name in the home (checkpoints/<name>, journal/<name>). */
  name: string;
  bytes: Buffer;
}

/** What the backend did for an Art. 14 legal hold on one object. */
export type LegalHoldEffect =
  /** The backend has no hold of its own (local OCFL): the catalog's hold row is the fact. */
  | 'catalog-only'
  /** An S3 Object Lock legal hold was set (or lifted) on the object and read back. */
  | 'object-lock';

export interface OriginalsStore {
  /**
   * Bytes free where a staged copy of `size` bytes would be written, and whether it fits with the
   * store's reserve left over: asked before each copy, so a huge file fails at once with
   * "needs X, Y free" instead of filling the disk.
   */
  spaceFor(size: number): { fits: boolean; free: number; needed: number };
  /** Starts a staged copy for a recording whose name on the card is `nameOnCard` (raw bytes). */
  stage(nameOnCard: Buffer, tag: string): StagedObject;
  /**
   * true: hold/holdMany flush each staged content file with its object's other files, so a small
   * copy needs no flush of its own (one wait for a batch instead of one per copy).
   */
  readonly flushesStagedContent?: boolean;
  /** Optional: the session `tag` stages nothing more; what is left of its staging is removed. */
  endStaging?(tag: string): void;
  /**
   * Holds a staged copy: duplicate check, commit intent, place it (rename / upload + read back),
   * then ONE catalog transaction with its row and the caller's inCommit.
   * Locally the flushes between the duplicate check and the catalog insert are awaited: holds
   * into one store run one at a time in this process, and the home's lock keeps other processes
   * out, so no other hold comes in between (the catalog's UNIQUE(sha256) stays the backstop).
   */
  hold(staged: StagedObject, request: HoldRequest): Promise<HoldOutcome>;
  /**
   * Holds several staged copies as `hold` does each, in order, with one durable flush and one
   * catalog transaction for all (each inCommit in it): all are held, or none is (a throw leaves
   * what reached the store to the next start's recovery). Optional: without it, hold each.
   */
  holdMany?(batch: readonly { staged: StagedObject; request: HoldRequest }[]): Promise<HoldOutcome[]>;
  /** At start: adopt objects placed but not catalogued (inCommit as for a hold), clear stale intents, empty staging. */
  finishUnfinishedHolds(inCommit: HoldRequest['inCommit'], signal?: AbortSignal): Promise<UnfinishedHoldsReport>;
  /** Re-hashes a held original's content as the store holds it (verify, verify-then-wipe). */
  hashContent(original: OriginalRow, algorithms: readonly DigestAlgorithm[], buffers: CopyBuffers, signal?: AbortSignal): Promise<{ bytes: number; digests: Digests }>;
  /** Opens a held original's content for reading. */
  openContent(original: OriginalRow): Promise<FileHandle>;
  /** The provenance.json of a held original. */
  readProvenance(original: OriginalRow): Promise<ProvenanceFile>;
  /** Where a held original's content and provenance.json are, for people (a path, or a URL). */
  locate(original: OriginalRow): { content: string; provenance: string };
  /** How many objects the store holds (for a progress bar over list()). */
  countObjects(): Promise<number>;
  /** Every object in the store, with its provenance. */
  list(): AsyncIterable<StoredObject>;
  /**
   * Checks held objects as the store holds them against their catalog rows (`verify`); calls
   * onResult once per row, in any order. Never changes anything.
   */
  check(rows: readonly OriginalRow[], opts: CheckOptions, onResult: (row: OriginalRow, result: ObjectCheck) => void): Promise<void>;
  /** One object fully re-checked at a limited rate (the daemon's rolling verification); undefined if stopped. */
  recheck(row: OriginalRow, opts: RecheckOptions): Promise<ObjectCheck | undefined>;
  /** Objects and entries in the store that are not among the `tracked` object paths (held or in flight). */
  untracked(tracked: ReadonlySet<string>): AsyncIterable<UntrackedEntry>;
  /**
   * Sets (on) or lifts (off) an Art. 14 legal hold on a held original. Optional: a backend
   * without it, like one returning 'catalog-only', keeps the hold as a catalog fact only.
   * The S3 backend sets an Object Lock legal hold; its `check` reports a hold that is gone.
   */
  legalHold?(original: OriginalRow, on: boolean): Promise<LegalHoldEffect>;
  /**
   * Witnesses of the audit log (s3: put under COMPLIANCE retention beside the objects). Optional:
   * a backend on the same server as the log (local) has no place the station cannot rewrite.
   */
  witness?: {
    /** Puts the files not witnessed yet; never replaces one. */
    put(files: readonly WitnessFile[]): Promise<{ put: string[]; already: number }>;
    /** Every witnessed file as first put. */
    list(): AsyncIterable<WitnessFile>;
    /** Where the witnesses are, for people. */
    where(): string;
  };
  /** Releases what the backend holds open (the s3 backend's connections); the catalog is the caller's. */
  close?(): void;
}
