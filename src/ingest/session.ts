// One docking session: the loop over the stages (scan -> stage -> describe -> hold -> facts),
// the commit order (a bounded queue of staged copies, held in batches) and the summary. A file
// is "held" only once the store's door has placed its object AND committed its catalog rows and
// audit entry; anything cut short leaves at most a staging entry, discarded or finished by
// recovery at the next start.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { algorithmsFor } from '../hash/digest.js';
import { endSession, startSession } from '../store/records.js';
import { describeStaged } from './describe.js';
import { CommitQueue } from './commit-queue.js';
import { factsOfHeldBatch, factsOfSession } from './facts-stage.js';
import { holdFailureReason, reasonOf, recorderDevice, recorderGone } from './failure.js';
import { holdStagedBatch } from './hold.js';
import { identityJson } from './identity-json.js';
import { originalsOf } from './originals-door.js';
import { scanRecorder } from './scan.js';
import { SessionRecord } from './session-record.js';
import { stageFile, type StageEnv } from './stage.js';
import type { HeldItem, IngestContext, IngestOptions, IngestProgress, IngestSummary, RecorderSource, StagedItem } from './types.js';
import { writerGateFor } from './writer-gate.js';

export type { IngestContext, IngestOptions, IngestProgress, IngestSummary, RecorderSource, SourceFile } from './types.js';
export { heldEntryData } from './session-record.js';
export { originalsOf } from './originals-door.js';

/** How long a staged copy may wait for others to share its commit while copying goes on. */
const BATCH_DELAY_MS = 200;

export class IngestSession {
  readonly id = randomUUID();
  private readonly log: Logger;
  private readonly record: SessionRecord;
  private readonly env: StageEnv;
  private readonly started = process.hrtime.bigint();
  private progress: IngestProgress = { phase: 'scanning', fileIndex: 0, fileCount: 0, bytesDone: 0, bytesTotal: 0 };

  constructor(
    private readonly ctx: IngestContext,
    private readonly recorder: RecorderSource,
    private readonly opts: IngestOptions = {},
  ) {
    this.log = ctx.logger.child({ session: this.id, recorder: recorder.recorderId, slot: recorder.slot ?? undefined });
    this.record = new SessionRecord(ctx, this.id, recorder, ctx.clock ?? (() => new Date()), this.log);
    this.env = {
      db: ctx.db,
      config: ctx.config,
      originals: originalsOf(ctx),
      recorder,
      record: this.record,
      algorithms: algorithmsFor(ctx.config.hash),
      writers: ctx.writers ?? writerGateFor(ctx.config),
      started: false,
      signal: opts.signal,
      report: (p) => this.report(p),
      firstBytes: () => {
        const since = this.recorder.dockedAt?.getTime();
        this.log.info({ waitedMs: since === undefined ? undefined : Date.now() - since }, 'first bytes copied');
      },
    };
  }

  private report(p: Partial<IngestProgress>): void {
    this.progress = { ...this.progress, ...p };
    this.opts.onProgress?.(this.progress);
  }

  async run(): Promise<IngestSummary> {
    this.begin();
    // Staged copies are held in order, in batches, while the next files copy; at most
    // ingest.max_staged wait (the copy waits for room), so a stop has little left to finish.
    const maxStaged = this.ctx.config.ingest.max_staged;
    // Copies let go because a commit failed (a full disk): failed files, said once the queue is still.
    const notHeld: { item: StagedItem; reason: string }[] = [];
    const commits = new CommitQueue<StagedItem>(
      (batch) => this.holdAndFacts(batch),
      (item, failure) => {
        item.staged.discard();
        if (failure) notHeld.push({ item, reason: holdFailureReason(failure.err, failure.tried) });
      },
      { maxStaged, maxBatch: Math.max(1, Math.ceil(maxStaged / 2)), maxDelayMs: BATCH_DELAY_MS },
    );
    // Describe steps still running (they never reject). A session whose commits failed or that
    // was stopped lets copies go while they are still being described: those describes are
    // aborted and the session ends after them, so none reads a copy or the catalog after it.
    const describing = new Set<Promise<unknown>>();
    const stillWanted = new AbortController();
    // One listener per describe in flight (as many as copies wait to commit), each removed when
    // its describe ends: many at once is expected, not a leak (Node warns past 10).
    setMaxListeners(0, stillWanted.signal);
    try {
      this.env.recorderDevice = await recorderDevice(this.recorder.root);
      const files = await scanRecorder(this.recorder.root, this.record, this.opts.signal, this.ctx.config.ingest.stall_seconds * 1000);
      this.report({ phase: 'copying', fileCount: files.length, bytesTotal: files.reduce((s, f) => s + f.stat.size, 0) });
      let bytesBefore = 0;
      for (let i = 0; i < files.length; i++) {
        await commits.room();
        if (this.opts.signal?.aborted) throw this.opts.signal.reason ?? new Error('aborted');
        this.report({ phase: 'copying', fileIndex: i + 1, filePath: files[i].path, bytesDone: bytesBefore });
        const staged = await stageFile(this.env, files[i], bytesBefore);
        bytesBefore += files[i].stat.size;
        if (staged) {
          // Derived facts start now, while earlier files commit and the next one copies.
          const described = describeStaged(this.ctx, staged, this.recorder, this.log, stillWanted.signal);
          describing.add(described);
          void described.finally(() => describing.delete(described));
          commits.add({ ...staged, described }, described);
        }
        // A commit failure (e.g. disk full) stops the copying promptly instead of after the whole card.
        if (commits.failed()) throw commits.failed();
      }
      await commits.drain();
    } catch (err) {
      this.record.summary.status = 'interrupted';
      // Said at once: what a slot shows stops here (the commits still finishing are no copying).
      this.report({ phase: 'interrupted' });
      if (this.opts.signal?.aborted || (await recorderGone(this.recorder.root, err, this.env.recorderDevice))) {
        // Stopping: the batch being committed (described already, or its first copy) finishes;
        // copies still waiting are let go (the card still has them, the next docking takes them).
        if (this.opts.signal?.aborted) commits.abandonWaiting();
        this.log.warn({ err: reasonOf(err) }, 'session interrupted: what was committed stays held, the rest is taken at the next docking');
      } else {
        this.log.error({ err }, 'session failed');
      }
      // Copies already staged do not need the recorder: their commits finish before the session ends.
      await commits.drain().catch(() => undefined);
      this.notHeld(notHeld);
    }
    // Every commit has ended: a describe still running is of a copy let go unheld.
    stillWanted.abort(new Error('its copy was let go unheld'));
    await Promise.all(describing);
    return this.finish();
  }

  /** Each copy a failed commit let go is a failed file with the reason (e.g. the full disk). */
  private notHeld(items: readonly { item: StagedItem; reason: string }[]): void {
    for (const { item, reason } of items) {
      try {
        this.record.problem(item.entry.rawPath, item.entry.path, 'file', item.entry.stat, 'failed', reason);
      } catch (err) {
        // The catalog itself cannot be written (its disk full): the log still says it.
        this.log.error({ err, path: item.entry.path, reason }, 'file not held; its failure cannot be recorded in the catalog');
        this.record.summary.failed++;
        this.record.summary.problems.push({ path: item.entry.path, outcome: 'failed', reason });
      }
    }
  }

  private async holdAndFacts(items: StagedItem[]): Promise<void> {
    const env = { ctx: this.ctx, originals: this.env.originals, recorder: this.recorder, record: this.record, report: this.env.report };
    const held = (await holdStagedBatch(env, items)).filter((h): h is HeldItem => h !== undefined);
    factsOfHeldBatch(this.ctx, held, this.recorder, this.log);
  }

  private begin(): void {
    const { db } = this.ctx;
    const startedAt = this.record.clock().toISOString();
    db.transaction(() => {
      startSession(db, { id: this.id, recorder_id: this.recorder.recorderId, source: this.recorder.root, slot: this.recorder.slot ?? null, started_at: startedAt });
      this.record.audit('recorder.docked', {
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
  }

  private finish(): IngestSummary {
    const { db } = this.ctx;
    const summary = this.record.summary;
    summary.seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const endedAt = this.record.clock().toISOString();
    const counts = { held: summary.held, alreadyHeld: summary.alreadyHeld, skipped: summary.skipped, failed: summary.failed, bytesHeld: summary.bytesHeld };
    // Its staging is empty now (held or let go); the entry goes (left to the next start if this fails).
    try {
      this.env.originals.endStaging?.(this.id);
    } catch (err) {
      this.log.warn({ err }, 'staging entry not removed; the next start removes it');
    }
    db.transaction(() => {
      endSession(db, this.id, summary.status, endedAt, counts);
      this.record.audit('session.ended', { session: this.id, recorder: this.recorder.recorderId, status: summary.status, ...counts });
    })();
    this.report({ phase: 'done' });
    this.log.info({ ...counts, status: summary.status, seconds: Number(summary.seconds.toFixed(3)) }, 'session ended');
    factsOfSession(this.ctx, summary, this.recorder, this.log);
    return summary;
  }
}

/** Ingest one recorder (one-shot CLI, or the daemon per docking). */
export function ingestRecorder(ctx: IngestContext, recorder: RecorderSource, opts: IngestOptions = {}): Promise<IngestSummary> {
  return new IngestSession(ctx, recorder, opts).run();
}
