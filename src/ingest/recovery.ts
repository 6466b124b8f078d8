// At every start: finish or discard what a crash, unplug or full disk left half-done.
// The store finishes its unfinished holds (an object placed but not catalogued is re-hashed and
// adopted, with its provenance row from its provenance.json) and clears its staging; ingest
// writes each adopted original's sighting and audit entry, and marks sessions left 'running'
// as interrupted.
import { appendAuditEntry } from '../audit/log.js';
import { insertProvenance } from '../store/provenance.js';
import { insertSighting, interruptRunningSessions } from '../store/records.js';
import { originalsOf } from './originals-door.js';
import { heldEntryData } from './session-record.js';
import type { IngestContext } from './types.js';

export interface RecoveryReport {
  adopted: string[];
  discardedStaging: string[];
  interruptedSessions: string[];
}

export async function recoverAtStart(ctx: IngestContext): Promise<RecoveryReport> {
  const { db, logger } = ctx;
  const now = (ctx.clock ?? (() => new Date()))();
  const report: RecoveryReport = { adopted: [], discardedStaging: [], interruptedSessions: [] };

  report.interruptedSessions = interruptRunningSessions(db, now.toISOString()).map((s) => s.id);

  const store = await originalsOf(ctx).finishUnfinishedHolds((original, provenance, held) => {
    insertSighting(db, {
      session_id: original.session_id,
      recorder_id: original.recorder_id,
      source_path: original.source_path,
      source_path_raw: original.source_path_raw,
      kind: 'file',
      size: original.size,
      mtime_ms: original.source_mtime_ms,
      sha256: original.sha256,
      evidence_number: original.evidence_number,
      outcome: 'held',
      reason: 'commit finished by recovery at start',
      seen_at: now.toISOString(),
    });
    appendAuditEntry(db, { type: 'file.held', data: { ...heldEntryData(original, held), recovered: true }, actor: ctx.actor, at: now });
    // The provenance row from the object's provenance.json (as catalog rebuild maps it), in a
    // savepoint: a row that cannot be written never keeps the original from being held.
    if (provenance) {
      try {
        db.transaction(() => insertProvenance(db, provenance))();
      } catch (err) {
        logger.error({ err, evidence: original.evidence_number }, 'recovery: provenance row not written; the original is held without it');
      }
    }
  });
  for (const o of store.adopted) logger.warn({ evidence: o.evidence_number }, 'recovery: finished a commit cut short by the last stop');
  for (const left of store.leftInPlace) {
    if (left.heldAs)
      logger.error({ evidence: left.evidenceNumber, heldAs: left.heldAs }, 'recovery: an object from an unfinished commit holds bytes already held; left in place, reported by verify');
    else logger.error({ evidence: left.evidenceNumber, problem: left.problem }, 'recovery: an object from an unfinished commit does not match its provenance; left in place, reported by verify');
  }
  for (const name of store.strangersInStaging)
    logger.error({ entry: name }, 'recovery: an entry in staging that evidock did not make (no staging marker); left alone: move it away');
  report.adopted = store.adopted.map((o) => o.evidence_number);
  report.discardedStaging = store.discardedStaging;

  if (report.discardedStaging.length || report.interruptedSessions.length || report.adopted.length) {
    db.transaction(() =>
      appendAuditEntry(db, {
        type: 'recovery',
        data: { adopted: report.adopted, discardedStaging: report.discardedStaging.length, interruptedSessions: report.interruptedSessions },
        actor: ctx.actor,
        at: now,
      }),
    )();
    logger.warn(report, 'recovery at start: unfinished work cleaned up; the next docking copies what was not held');
  }
  return report;
}
