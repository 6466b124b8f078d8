// One docking session: scan -> copy+hash -> verify -> commit -> derived facts.
// A file is "held" only once its OCFL object is in place AND its catalog rows and audit entry
// are committed. Anything cut short leaves at most a staging folder, discarded or finished by
// recovery at the next start.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { appendAuditEntry, type Actor, type Json } from '../audit/log.js';
import type { Config, Home } from '../config.js';
import type { RecorderIdentity } from '../dock/events.js';
import { algorithmsFor, type Digests } from '../hash/digest.js';
import { CopyBuffers, copyWithDigest, hashFile } from '../hash/copy.js';
import type { Db } from '../store/catalog.js';
import { openOriginalsStore } from '../store/open-originals.js';
import type { OriginalsStore, StagedObject } from '../store/originals.js';
import type { ProvenanceRow } from '../store/provenance.js';
import {
  endSession,
  findKnownFile,
  findOriginalBySha256,
  insertSighting,
  startSession,
  type OriginalRow,
  type SightingOutcome,
} from '../store/records.js';
import { identityJson } from './identity-json.js';
import { walkRecorder, type WalkEntry } from './walk.js';

export interface IngestContext {
  db: Db;
  config: Config;
  home: Home;
  logger: Logger;
  actor: Actor;
  /** Injected so tests can control held times. */
  clock?: () => Date;
  hooks?: IngestHooks;
  /** The store's door for originals; opened from config and home when absent. */
  originals?: OriginalsStore;
}

/** What later rooms (meta, rules, docks) plug into a session. Hook errors never block a hold. */
export interface IngestHooks {
  /** Facts about the staged copy to put in provenance.json under "derived" (e.g. media metadata). */
  describeStaged?(file: { stagedPath: string; source: SourceFile; recorder: RecorderSource }, ctx: IngestContext): Promise<Record<string, Json>>;
  /**
   * Inside the commit transaction, after the original's rows: catalog rows that must exist exactly
   * when the original does (its provenance). Synchronous. An error is logged and skipped: the
   * hook's own statements are rolled back (run them in a nested db.transaction), the hold goes on.
   */
  inCommit?(held: { original: OriginalRow; provenance: ProvenanceRow | null; source: SourceFile; recorder: RecorderSource; sessionId: string }, ctx: IngestContext): void;
  /** After a file is held (committed). Derived facts: metadata, deadlines, gaps. */
  afterHeld?(held: HeldFile, ctx: IngestContext): Promise<void> | void;
  /** After the session's summary entry is written. */
  afterSession?(summary: IngestSummary, recorder: RecorderSource, ctx: IngestContext): Promise<void> | void;
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

export interface HeldFile {
  original: OriginalRow;
  source: SourceFile;
  objectRoot: string;
  contentFile: string;
  sessionId: string;
  recorder: RecorderSource;
}

export interface IngestProgress {
  phase: 'scanning' | 'copying' | 'verifying' | 'committing' | 'done';
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

/** The originals door of a context (opened on the configured backend when the caller gave none). */
export function originalsOf(ctx: IngestContext): OriginalsStore {
  return (
    ctx.originals ??
    openOriginalsStore({ db: ctx.db, storeRoot: ctx.home.store, stagingRoot: ctx.home.staging, station: ctx.config.station, algorithms: algorithmsFor(ctx.config.hash) })
  );
}

/** Errors that mean the recorder itself went away (unplugged, dead mount). */
function isRecorderGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOTCONN' || code === 'ENODEV' || code === 'ENXIO' || code === 'ESHUTDOWN';
}

function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? err);
}

export class IngestSession {
  readonly id = randomUUID();
  private readonly clock: () => Date;
  private readonly originals: OriginalsStore;
  private readonly algorithms;
  private readonly buffers: CopyBuffers;
  private readonly verifyBuffers: CopyBuffers;
  /** Re-reads each staged copy right behind the writer, on the second core. */
  private readonly log: Logger;
  private readonly summary: IngestSummary;
  private readonly started = process.hrtime.bigint();
  private progress: IngestProgress = { phase: 'scanning', fileIndex: 0, fileCount: 0, bytesDone: 0, bytesTotal: 0 };

  constructor(
    private readonly ctx: IngestContext,
    private readonly recorder: RecorderSource,
    private readonly opts: IngestOptions = {},
  ) {
    this.clock = ctx.clock ?? (() => new Date());
    this.originals = originalsOf(ctx);
    this.algorithms = algorithmsFor(ctx.config.hash);
    const size = ctx.config.hash.buffer_mib * 1024 * 1024;
    this.buffers = new CopyBuffers(size);
    this.verifyBuffers = this.buffers; // confirming a known file never overlaps a copy
    this.log = ctx.logger.child({ session: this.id, recorder: recorder.recorderId, slot: recorder.slot ?? undefined });
    this.summary = {
      sessionId: this.id,
      recorderId: recorder.recorderId,
      status: 'done',
      held: 0,
      alreadyHeld: 0,
      skipped: 0,
      failed: 0,
      bytesHeld: 0,
      seconds: 0,
      evidenceNumbers: [],
      problems: [],
    };
  }

  private audit(type: string, data: Record<string, Json | undefined>): void {
    appendAuditEntry(this.ctx.db, { type, data, actor: this.ctx.actor, at: this.clock() });
  }

  private report(p: Partial<IngestProgress>): void {
    this.progress = { ...this.progress, ...p };
    this.opts.onProgress?.(this.progress);
  }

  async run(): Promise<IngestSummary> {
    const { db } = this.ctx;
    const startedAt = this.clock().toISOString();
    db.transaction(() => {
      startSession(db, { id: this.id, recorder_id: this.recorder.recorderId, source: this.recorder.root, slot: this.recorder.slot ?? null, started_at: startedAt });
      this.audit('recorder.docked', {
        session: this.id,
        recorder: this.recorder.recorderId,
        officer: this.recorder.officerId ?? undefined,
        slot: this.recorder.slot ?? undefined,
        source: this.recorder.root,
        dockedAt: this.recorder.dockedAt?.toISOString(),
        identity: this.recorder.identity ? identityJson(this.recorder.identity) : undefined,
      });
    })();
    this.log.info({ source: this.recorder.root }, 'session started');

    let commits: Promise<void> = Promise.resolve();
    try {
      const files = await this.scan();
      this.report({ phase: 'copying', fileCount: files.length, bytesTotal: files.reduce((s, f) => s + f.stat.size, 0) });
      let bytesBefore = 0;
      for (let i = 0; i < files.length; i++) {
        if (this.opts.signal?.aborted) throw this.opts.signal.reason ?? new Error('aborted');
        this.report({ phase: 'copying', fileIndex: i + 1, filePath: files[i].path, bytesDone: bytesBefore });
        const staged = await this.stageOne(files[i], bytesBefore);
        bytesBefore += files[i].stat.size;
        // Commit in order, while the next file is already being copied.
        if (staged) {
          // Derived facts (metadata) start now, while earlier files commit and the next one copies.
          staged.described = this.describe(staged);
          // A staged copy that is not committed (this commit or an earlier one failed) is
          // discarded at once, not left in staging until the next start.
          commits = commits.then(
            () => this.commitOne(staged).catch((err) => (staged.staged.discard(), Promise.reject(err))),
            (err) => (staged.staged.discard(), Promise.reject(err)),
          );
        }
        await this.settleEarlyFailure(commits);
      }
      await commits;
    } catch (err) {
      if (this.opts.signal?.aborted || (await this.recorderGone(err))) {
        this.summary.status = 'interrupted';
        this.log.warn({ err: reasonOf(err) }, 'session interrupted: what was committed stays held, the rest is taken at the next docking');
      } else {
        this.summary.status = 'interrupted';
        this.log.error({ err }, 'session failed');
      }
      // Copies already staged do not need the recorder: their commits finish before the session ends.
      await commits.catch(() => undefined);
    }
    return this.finish();
  }

  /** Surface a commit failure (e.g. disk full) promptly instead of after the whole card. */
  private async settleEarlyFailure(commits: Promise<void>): Promise<void> {
    let failed: unknown;
    commits.catch((e) => (failed = e));
    await Promise.resolve();
    if (failed) throw failed;
  }

  /**
   * A pulled card often shows as EIO (or ENOENT) on the file in flight before the unmount: if the
   * recorder's root cannot be listed any more, the recorder is gone, not just one file unreadable.
   */
  private async recorderGone(err: unknown): Promise<boolean> {
    if (isRecorderGone(err)) return true;
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code !== 'EIO' && code !== 'ENOENT') return false;
    try {
      await readdir(this.recorder.root);
      return false;
    } catch {
      return true;
    }
  }

  private async scan(): Promise<WalkEntry[]> {
    const files: WalkEntry[] = [];
    for await (const entry of walkRecorder(this.recorder.root, (p) => this.recordProblem(p.rawPath, p.path, 'other', null, 'failed', `cannot read: ${reasonOf(p.error)}`))) {
      if (entry.kind === 'file') files.push(entry);
      else if (entry.kind !== 'directory') {
        this.recordProblem(entry.rawPath, entry.path, entry.kind, entry.stat, 'skipped', `not a regular file (${entry.kind}); not read`);
      }
    }
    return files;
  }

  private recordProblem(
    rawPath: Buffer,
    display: string,
    kind: string,
    st: { size: number; mtimeMs: number } | null,
    outcome: SightingOutcome,
    reason: string,
    sha256: string | null = null,
  ): void {
    const { db } = this.ctx;
    db.transaction(() => {
      insertSighting(db, {
        session_id: this.id,
        recorder_id: this.recorder.recorderId,
        source_path: display,
        source_path_raw: rawPath,
        kind,
        size: st?.size ?? null,
        mtime_ms: st ? Math.trunc(st.mtimeMs) : null,
        sha256,
        evidence_number: null,
        outcome,
        reason,
        seen_at: this.clock().toISOString(),
      });
      this.audit(outcome === 'skipped' ? 'file.skipped' : 'file.failed', {
        session: this.id,
        recorder: this.recorder.recorderId,
        path: display,
        pathBase64: rawPath.toString('base64'),
        kind,
        reason,
      });
    })();
    if (outcome === 'skipped') this.summary.skipped++;
    else this.summary.failed++;
    this.summary.problems.push({ path: display, outcome, reason });
    this.log.warn({ path: display, kind, outcome, reason }, `file ${outcome}`);
  }

  private recordAlreadyHeld(entry: WalkEntry, original: OriginalRow): void {
    const { db } = this.ctx;
    db.transaction(() => {
      insertSighting(db, {
        session_id: this.id,
        recorder_id: this.recorder.recorderId,
        source_path: entry.path,
        source_path_raw: entry.rawPath,
        kind: 'file',
        size: entry.stat.size,
        mtime_ms: Math.trunc(entry.stat.mtimeMs),
        sha256: original.sha256,
        evidence_number: original.evidence_number,
        outcome: 'already-held',
        reason: null,
        seen_at: this.clock().toISOString(),
      });
    })();
    this.summary.alreadyHeld++;
    this.log.debug({ path: entry.path, evidence: original.evidence_number }, 'already held');
  }

  private async stageOne(entry: WalkEntry, bytesBefore: number): Promise<StagedItem | undefined> {
    const { db, config } = this.ctx;
    const source: SourceFile = { rawPath: entry.rawPath, path: entry.path, size: entry.stat.size, mtimeMs: Math.trunc(entry.stat.mtimeMs) };
    const known = findKnownFile(db, { recorderId: this.recorder.recorderId, rawPath: entry.rawPath, size: source.size, mtimeMs: source.mtimeMs });
    if (known) {
      if (config.ingest.confirm_known === 'metadata') {
        this.recordAlreadyHeld(entry, known);
        return undefined;
      }
      try {
        this.report({ phase: 'verifying' });
        const { digests } = await hashFile(entry.absolute, this.algorithms, this.verifyBuffers, this.opts.signal);
        if (digests.sha256 === known.sha256) {
          this.recordAlreadyHeld(entry, known);
          return undefined;
        }
        this.log.warn({ path: entry.path, was: known.evidence_number }, 'same name, size and time as a held file but different bytes: holding it as a new original');
      } catch (err) {
        if (this.opts.signal?.aborted || (await this.recorderGone(err))) throw err;
        this.recordProblem(entry.rawPath, entry.path, 'file', entry.stat, 'failed', `cannot read to confirm: ${reasonOf(err)}`);
        return undefined;
      }
    }

    const staged = this.originals.stage(entry.rawPath, this.id);
    const stagedFile = staged.contentFile;
    const discard = () => staged.discard();
    let copied: { bytes: number; digests: Digests };
    try {
      this.report({ phase: 'copying' });
      const result = await copyWithDigest(entry.absolute, stagedFile, {
        algorithms: this.algorithms,
        buffers: this.buffers,
        signal: this.opts.signal,
        expect: entry.stat,
        onProgress: (n) => this.report({ bytesDone: bytesBefore + n }),
      });
      copied = result;
      source.size = result.source.size;
      source.mtimeMs = Math.trunc(result.source.mtimeMs);
    } catch (err) {
      discard();
      if (this.opts.signal?.aborted || (await this.recorderGone(err))) throw err;
      this.recordProblem(entry.rawPath, entry.path, 'file', entry.stat, 'failed', `copy failed: ${reasonOf(err)}; nothing held, will be retried at the next docking`);
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw err;
      return undefined;
    }

    const duplicate = findOriginalBySha256(db, copied.digests.sha256);
    if (duplicate) {
      discard();
      this.recordAlreadyHeld(entry, duplicate);
      return undefined;
    }
    return { entry, source, staged, digests: copied.digests, bytes: copied.bytes };
  }

  /** The describeStaged hooks for one staged file; never rejects. */
  private async describe(item: StagedItem): Promise<Record<string, Json> | undefined> {
    if (!this.ctx.hooks?.describeStaged) return undefined;
    try {
      return await this.ctx.hooks.describeStaged({ stagedPath: item.staged.contentFile, source: item.source, recorder: this.recorder }, this.ctx);
    } catch (err) {
      return { unavailable: true, reason: reasonOf(err) };
    }
  }

  private async commitOne(item: StagedItem): Promise<void> {
    const { db, home } = this.ctx;
    this.report({ phase: 'committing' });
    const derived = await (item.described ?? this.describe(item));
    const heldAt = this.clock();
    const outcome = await this.originals.hold(item.staged, {
      heldAt,
      file: {
        fileName: path.posix.basename(item.source.path),
        sourcePath: item.source.path,
        sourcePathRaw: item.source.rawPath,
        sourceMtimeMs: item.source.mtimeMs,
        sha256: item.digests.sha256,
        sm3: item.digests.sm3 ?? null,
        size: item.bytes,
        recorderId: this.recorder.recorderId,
        officerId: this.recorder.officerId ?? null,
        sessionId: this.id,
      },
      about: { recorderIdentity: this.recorder.identity ? identityJson(this.recorder.identity) : null, slot: this.recorder.slot ?? null, dockedAt: this.recorder.dockedAt?.toISOString() ?? null },
      derived: derived ?? null,
      message: `held by evidock from ${this.recorder.recorderId ?? 'unknown recorder'}: ${item.source.path}`,
      inCommit: (original, provenance) => {
        insertSighting(db, {
          session_id: this.id,
          recorder_id: this.recorder.recorderId,
          source_path: item.source.path,
          source_path_raw: item.source.rawPath,
          kind: 'file',
          size: item.source.size,
          mtime_ms: item.source.mtimeMs,
          sha256: item.digests.sha256,
          evidence_number: original.evidence_number,
          outcome: 'held',
          reason: null,
          seen_at: heldAt.toISOString(),
        });
        this.audit('file.held', heldEntryData(original));
        if (this.ctx.hooks?.inCommit) {
          try {
            this.ctx.hooks.inCommit({ original, provenance, source: item.source, recorder: this.recorder, sessionId: this.id }, this.ctx);
          } catch (err) {
            this.log.error({ err, evidence: original.evidence_number }, 'an in-commit step failed; the original is held without it');
          }
        }
      },
    });
    // Another recorder docked at the same time may have held the same bytes while this copy was staged.
    if ('alreadyHeld' in outcome) {
      this.recordAlreadyHeld(item.entry, outcome.alreadyHeld);
      return;
    }
    const original = outcome.held;
    const evidenceNumber = original.evidence_number;
    this.summary.held++;
    this.summary.bytesHeld += item.bytes;
    this.summary.evidenceNumbers.push(evidenceNumber);
    this.log.info({ path: item.source.path, evidence: evidenceNumber, sha256: item.digests.sha256, bytes: item.bytes }, 'file held');
    if (this.ctx.hooks?.afterHeld) {
      try {
        const objectRoot = path.join(home.store, original.object_path);
        await this.ctx.hooks.afterHeld({ original, source: item.source, objectRoot, contentFile: path.join(objectRoot, original.content_path), sessionId: this.id, recorder: this.recorder }, this.ctx);
      } catch (err) {
        this.log.error({ err, evidence: evidenceNumber }, 'a derived-facts step failed; the original stays held');
      }
    }
  }

  private async finish(): Promise<IngestSummary> {
    const { db } = this.ctx;
    this.summary.seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const endedAt = this.clock().toISOString();
    const counts = {
      held: this.summary.held,
      alreadyHeld: this.summary.alreadyHeld,
      skipped: this.summary.skipped,
      failed: this.summary.failed,
      bytesHeld: this.summary.bytesHeld,
    };
    db.transaction(() => {
      endSession(db, this.id, this.summary.status, endedAt, counts);
      this.audit('session.ended', { session: this.id, recorder: this.recorder.recorderId, status: this.summary.status, ...counts });
    })();
    this.report({ phase: 'done' });
    this.log.info({ ...counts, status: this.summary.status, seconds: Number(this.summary.seconds.toFixed(3)) }, 'session ended');
    if (this.ctx.hooks?.afterSession) {
      try {
        await this.ctx.hooks.afterSession(this.summary, this.recorder, this.ctx);
      } catch (err) {
        this.log.error({ err }, 'an after-session step failed');
      }
    }
    return this.summary;
  }
}

interface StagedItem {
  entry: WalkEntry;
  source: SourceFile;
  staged: StagedObject;
  digests: Digests;
  bytes: number;
  /** The describeStaged result, started as soon as the file was staged. */
  described?: Promise<Record<string, Json> | undefined>;
}

/** The audit entry data for a held file (also used by recovery). */
export function heldEntryData(o: OriginalRow): Record<string, Json> {
  return {
    evidenceNumber: o.evidence_number,
    objectId: o.object_id,
    sha256: o.sha256,
    sm3: o.sm3,
    size: o.size,
    recorder: o.recorder_id,
    officer: o.officer_id,
    sourcePath: o.source_path,
    session: o.session_id,
    heldAt: o.held_at,
  };
}

/** Ingest one recorder (one-shot CLI, or the daemon per docking). */
export function ingestRecorder(ctx: IngestContext, recorder: RecorderSource, opts: IngestOptions = {}): Promise<IngestSummary> {
  return new IngestSession(ctx, recorder, opts).run();
}
