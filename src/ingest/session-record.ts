// What a session writes about itself as it goes: sightings of each file (held, already held,
// skipped, failed) with their audit entries, and the running summary counts.
import type { Logger } from 'pino';
import { appendAuditEntry } from '../audit/log.js';
import type { Json } from '../lib/json.js';
import type { HeldObjectFacts } from '../store/originals.js';
import { insertSighting, type OriginalRow, type SightingOutcome } from '../store/records.js';
import type { IngestContext, IngestSummary, RecorderSource, SourceFile } from './types.js';
import type { WalkEntry } from './walk.js';

export class SessionRecord {
  readonly summary: IngestSummary;

  constructor(
    private readonly ctx: IngestContext,
    readonly sessionId: string,
    private readonly recorder: RecorderSource,
    readonly clock: () => Date,
    readonly log: Logger,
  ) {
    this.summary = {
      sessionId,
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

  /** An audit entry in the caller's transaction. */
  audit(type: string, data: Record<string, Json | undefined>): void {
    appendAuditEntry(this.ctx.db, { type, data, actor: this.ctx.actor, at: this.clock() });
  }

  /** A file skipped or failed: its sighting and audit entry, one transaction. */
  problem(rawPath: Buffer, display: string, kind: string, st: { size: number; mtimeMs: number } | null, outcome: SightingOutcome, reason: string): void {
    const { db } = this.ctx;
    db.transaction(() => {
      insertSighting(db, {
        session_id: this.sessionId,
        recorder_id: this.recorder.recorderId,
        source_path: display,
        source_path_raw: rawPath,
        kind,
        size: st?.size ?? null,
        mtime_ms: st ? Math.trunc(st.mtimeMs) : null,
        sha256: null,
        evidence_number: null,
        outcome,
        reason,
        seen_at: this.clock().toISOString(),
      });
      this.audit(outcome === 'skipped' ? 'file.skipped' : 'file.failed', {
        session: this.sessionId,
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

  /** A file whose bytes the store already holds. */
  alreadyHeld(entry: WalkEntry, original: OriginalRow): void {
    const { db } = this.ctx;
    db.transaction(() => {
      insertSighting(db, {
        session_id: this.sessionId,
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

  /** The 'held' sighting and the file.held entry: inside the hold's catalog transaction. */
  heldInCommit(original: OriginalRow, source: SourceFile, heldAt: Date, held: HeldObjectFacts): void {
    insertSighting(this.ctx.db, {
      session_id: this.sessionId,
      recorder_id: this.recorder.recorderId,
      source_path: source.path,
      source_path_raw: source.rawPath,
      kind: 'file',
      size: source.size,
      mtime_ms: source.mtimeMs,
      sha256: original.sha256,
      evidence_number: original.evidence_number,
      outcome: 'held',
      reason: null,
      seen_at: heldAt.toISOString(),
    });
    this.audit('file.held', heldEntryData(original, held));
  }

  /** Counted once the hold's transaction has committed. */
  held(original: OriginalRow): void {
    this.summary.held++;
    this.summary.bytesHeld += original.size;
    this.summary.evidenceNumbers.push(original.evidence_number);
    this.log.info({ path: original.source_path, evidence: original.evidence_number, sha256: original.sha256, bytes: original.size }, 'file held');
  }
}

/** The audit entry data for a held file (also used by recovery). */
export function heldEntryData(o: OriginalRow, held: HeldObjectFacts): Record<string, Json> {
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
    // provenance.json (attribution, recording time, media facts) is bound to the log by its digest.
    provenanceSha256: held.provenanceSha256,
    // s3: the bucket version of each file held, so a catalog rebuilt from the bucket still names it.
    ...(held.s3Versions ? { s3Versions: held.s3Versions } : {}),
  };
}
