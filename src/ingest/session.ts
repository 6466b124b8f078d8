// One docking session: the loop over the stages (scan -> stage -> describe -> hold -> facts),
// the commit order and the summary. A file is "held" only once the store's door has placed its
// object AND committed its catalog rows and audit entry; anything cut short leaves at most a
// staging entry, discarded or finished by recovery at the next start.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { CopyBuffers } from '../hash/copy.js';
import { algorithmsFor } from '../hash/digest.js';
import { endSession, startSession } from '../store/records.js';
import { describeStaged } from './describe.js';
import { factsOfHeld, factsOfSession } from './facts-stage.js';
import { reasonOf, recorderGone } from './failure.js';
import { holdStaged } from './hold.js';
import { identityJson } from './identity-json.js';
import { originalsOf } from './originals-door.js';
import { scanRecorder } from './scan.js';
import { SessionRecord } from './session-record.js';
import { stageFile, type StageEnv } from './stage.js';
import type { IngestContext, IngestOptions, IngestProgress, IngestSummary, RecorderSource, StagedItem } from './types.js';

export type { IngestContext, IngestOptions, IngestProgress, IngestSummary, RecorderSource, SourceFile } from './types.js';
export { heldEntryData } from './session-record.js';
export { originalsOf } from './originals-door.js';

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
      buffers: new CopyBuffers(ctx.config.hash.buffer_mib * 1024 * 1024),
      signal: opts.signal,
      report: (p) => this.report(p),
    };
  }

  private report(p: Partial<IngestProgress>): void {
    this.progress = { ...this.progress, ...p };
    this.opts.onProgress?.(this.progress);
  }

  async run(): Promise<IngestSummary> {
    this.begin();
    let commits: Promise<void> = Promise.resolve();
    try {
      const files = await scanRecorder(this.recorder.root, this.record, this.opts.signal);
      this.report({ phase: 'copying', fileCount: files.length, bytesTotal: files.reduce((s, f) => s + f.stat.size, 0) });
      let bytesBefore = 0;
      for (let i = 0; i < files.length; i++) {
        if (this.opts.signal?.aborted) throw this.opts.signal.reason ?? new Error('aborted');
        this.report({ phase: 'copying', fileIndex: i + 1, filePath: files[i].path, bytesDone: bytesBefore });
        const staged = await stageFile(this.env, files[i], bytesBefore);
        bytesBefore += files[i].stat.size;
        if (staged) {
          // Derived facts start now, while earlier files commit and the next one copies.
          const item: StagedItem = { ...staged, described: describeStaged(this.ctx, staged, this.recorder, this.log) };
          // Commit in order, while the next file is already being copied. A staged copy that is
          // not committed (this commit or an earlier one failed) is discarded at once.
          commits = commits.then(
            () => this.holdAndFacts(item).catch((err) => (item.staged.discard(), Promise.reject(err))),
            (err) => (item.staged.discard(), Promise.reject(err)),
          );
        }
        await settleEarlyFailure(commits);
      }
      await commits;
    } catch (err) {
      this.record.summary.status = 'interrupted';
      if (this.opts.signal?.aborted || (await recorderGone(this.recorder.root, err))) {
        this.log.warn({ err: reasonOf(err) }, 'session interrupted: what was committed stays held, the rest is taken at the next docking');
      } else {
        this.log.error({ err }, 'session failed');
      }
      // Copies already staged do not need the recorder: their commits finish before the session ends.
      await commits.catch(() => undefined);
    }
    return this.finish();
  }

  private async holdAndFacts(item: StagedItem): Promise<void> {
    const held = await holdStaged({ ctx: this.ctx, originals: this.env.originals, recorder: this.recorder, record: this.record, report: this.env.report }, item);
    if (held) factsOfHeld(this.ctx, held, this.recorder, this.log);
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

/** Surface a commit failure (e.g. disk full) promptly instead of after the whole card. */
async function settleEarlyFailure(commits: Promise<void>): Promise<void> {
  let failed: unknown;
  commits.catch((e) => (failed = e));
  await Promise.resolve();
  if (failed) throw failed;
}

/** Ingest one recorder (one-shot CLI, or the daemon per docking). */
export function ingestRecorder(ctx: IngestContext, recorder: RecorderSource, opts: IngestOptions = {}): Promise<IngestSummary> {
  return new IngestSession(ctx, recorder, opts).run();
}
