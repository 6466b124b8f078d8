// At every start: finish or discard what a crash, unplug or full disk left half-done.
// - a commit whose object reached the store but whose catalog rows did not: adopted (after
//   re-hashing the content against its provenance);
// - anything else in staging: discarded (the recorder still has the file; the next docking
//   copies it again);
// - sessions left 'running': marked interrupted.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { appendAuditEntry } from '../audit/log.js';
import { algorithmsFor } from '../hash/digest.js';
import { CopyBuffers, hashFile } from '../hash/copy.js';
import { discardStagedObject, finishCommittedObject, PROVENANCE_FILE } from '../store/ocfl.js';
import {
  clearCommitIntent,
  findOriginal,
  findOriginalBySha256,
  insertOriginal,
  insertSighting,
  interruptRunningSessions,
  pendingCommitIntents,
  type OriginalRow,
} from '../store/records.js';
import { heldEntryData, type IngestContext } from './session.js';

export interface RecoveryReport {
  adopted: string[];
  discardedStaging: string[];
  interruptedSessions: string[];
}

export async function recoverAtStart(ctx: IngestContext): Promise<RecoveryReport> {
  const { db, home, logger } = ctx;
  const now = (ctx.clock ?? (() => new Date()))();
  const report: RecoveryReport = { adopted: [], discardedStaging: [], interruptedSessions: [] };

  report.interruptedSessions = interruptRunningSessions(db, now.toISOString()).map((s) => s.id);

  for (const intent of pendingCommitIntents(db)) {
    const objectRoot = path.join(home.store, intent.object_path);
    if (findOriginal(db, intent.evidence_number)) {
      db.transaction(() => clearCommitIntent(db, intent.evidence_number))();
      continue;
    }
    if (existsSync(path.join(objectRoot, '0=ocfl_object_1.1'))) {
      finishCommittedObject(objectRoot);
      const prov = JSON.parse(readFileSync(path.join(objectRoot, 'v1', 'content', PROVENANCE_FILE), 'utf8'));
      // Two commits of the same bytes can race (another process ingesting at the same time): the
      // bytes are then held once already, and this copy is not adopted.
      const heldAlready = findOriginalBySha256(db, prov.digests.sha256);
      if (!heldAlready && (await contentMatches(ctx, path.join(objectRoot, prov.content.path), prov))) {
        const original: OriginalRow = {
          evidence_number: prov.evidenceNumber,
          object_id: prov.objectId,
          object_path: intent.object_path,
          content_path: prov.content.path,
          file_name: prov.source.fileName,
          sha256: prov.digests.sha256,
          sm3: prov.digests.sm3 ?? null,
          size: prov.content.size,
          recorder_id: prov.recorder.id ?? null,
          officer_id: prov.officer.id ?? null,
          source_path: prov.source.path,
          source_path_raw: Buffer.from(prov.source.pathBase64, 'base64'),
          source_mtime_ms: prov.source.mtimeMs ?? null,
          session_id: prov.session,
          held_at: prov.heldAt,
        };
        db.transaction(() => {
          insertOriginal(db, original);
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
          appendAuditEntry(db, { type: 'file.held', data: { ...heldEntryData(original), recovered: true }, actor: ctx.actor, at: now });
          clearCommitIntent(db, intent.evidence_number);
        })();
        report.adopted.push(original.evidence_number);
        logger.warn({ evidence: original.evidence_number }, 'recovery: finished a commit cut short by the last stop');
        continue;
      }
      // Never delete anything in the store: leave it for `evidock verify` to report as untracked.
      if (heldAlready)
        logger.error(
          { object: objectRoot, sha256: prov.digests.sha256, heldAs: heldAlready.evidence_number },
          'recovery: an object from an unfinished commit holds bytes already held; left in place, reported by verify',
        );
      else logger.error({ object: objectRoot }, 'recovery: an object from an unfinished commit does not match its provenance; left in place, reported by verify');
    }
    db.transaction(() => clearCommitIntent(db, intent.evidence_number))();
  }

  if (existsSync(home.staging)) {
    for (const name of readdirSync(home.staging)) {
      const dir = path.join(home.staging, name);
      discardStagedObject(dir);
      report.discardedStaging.push(name);
    }
  }
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

/** Whether an object's content re-hashes to what its provenance says. */
async function contentMatches(ctx: IngestContext, contentFile: string, prov: { digests: { sha256: string }; content: { size: number } }): Promise<boolean> {
  const { bytes, digests } = await hashFile(contentFile, algorithmsFor(ctx.config.hash), new CopyBuffers(4 * 1024 * 1024));
  return digests.sha256 === prov.digests.sha256 && bytes === prov.content.size;
}
