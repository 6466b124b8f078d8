// The types of one docking session, in one place: what a session is given (context, recorder),
// what travels between its stages (scanned, staged and held items) and what it reports.
import type { Logger } from 'pino';
import type { Actor } from '../audit/log.js';
import type { RecorderIdentity } from '../dock/events.js';
import type { Config } from '../config.js';
import type { Home } from '../home.js';
import type { Digests } from '../hash/digest.js';
import type { Db } from '../store/catalog.js';
import type { OriginalsStore, StagedObject } from '../store/originals.js';
import type { OriginalRow, SightingOutcome } from '../store/records.js';
import type { WalkEntry } from './walk.js';
import type { WriterGate } from './writer-gate.js';
import type { Attribution, Flag, MetadataResult, ParsedName } from '../meta/index.js';

/** Everything derived for one file; what goes into provenance.json and the catalog row. */
export interface DerivedProvenance {
  metadata: MetadataResult;
  fileName: ParsedName | null;
  attribution: Attribution;
  recordedStart: string | null;
  recordedEnd: string | null;
  startMs: number | null;
  endMs: number | null;
  startSource: string | null;
  method: string;
  flags: Flag[];
}

/**
 * Derives a staged copy's provenance (metadata, attribution, recording time); null: nothing derived.
 * `signal` is aborted when the copy is let go unheld (its session failed or stopped): stop early.
 */
export type DescribeFn = (file: { stagedPath: string; source: SourceFile; recorder: RecorderSource; signal?: AbortSignal }, ctx: IngestContext) => Promise<DerivedProvenance | null>;

export interface IngestContext {
  db: Db;
  config: Config;
  home: Home;
  logger: Logger;
  actor: Actor;
  /** Injected so tests can control held times. */
  clock?: () => Date;
  /** The store's door for originals; opened from config and home when absent. */
  originals?: OriginalsStore;
  /** Injected so tests can slow or replace the derivation; default: metadata, name, attribution. */
  describe?: DescribeFn;
  /** false: hold without the facts stage (as crash recovery does; the catch-up derives them). */
  deriveFacts?: boolean;
  /** The station's writer gate, shared by all its sessions; a session without one makes its own. */
  writers?: WriterGate;
}

export interface RecorderSource {
  /** Folder where the recorder's files are readable. */
  root: string;
  recorderId: string | null;
  officerId?: string | null;
  slot?: string | null;
  dockedAt?: Date;
  /** What the recorder says about itself (USB ids, identity files), as the dock read it. */
  identity?: RecorderIdentity;
}

export interface SourceFile {
  rawPath: Buffer;
  path: string;
  size: number;
  mtimeMs: number;
}

/** What the describe step found for one file: computed once, carried to the hold and the facts. */
export interface Described {
  /** null when nothing was derived (describe off, or it failed: `reason`). */
  provenance: DerivedProvenance | null;
  reason?: string;
}

/** A file copied into staging, hashed and read back, not held yet. */
export interface StagedItem {
  entry: WalkEntry;
  source: SourceFile;
  staged: StagedObject;
  digests: Digests;
  bytes: number;
  /** Started as soon as the file is staged, while earlier files commit and the next one copies. */
  described: Promise<Described>;
}

/** A file the store holds (its catalog rows and audit entry committed). */
export interface HeldItem {
  original: OriginalRow;
  source: SourceFile;
  described: Described;
}

export interface IngestProgress {
  phase: 'scanning' | 'copying' | 'verifying' | 'committing' | 'interrupted' | 'done';
  fileIndex: number;
  fileCount: number;
  filePath?: string;
  bytesDone: number;
  bytesTotal: number;
}

export interface IngestSummary {
  sessionId: string;
  recorderId: string | null;
  status: 'done' | 'interrupted';
  held: number;
  alreadyHeld: number;
  skipped: number;
  failed: number;
  bytesHeld: number;
  seconds: number;
  evidenceNumbers: string[];
  problems: { path: string; outcome: SightingOutcome; reason: string }[];
}

export interface IngestOptions {
  signal?: AbortSignal;
  onProgress?: (p: IngestProgress) => void;
}
