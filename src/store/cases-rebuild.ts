// Catalog rebuild for the cases room: case files, approvers, copy requests, decisions, copies
// made and holds again from their audit entries (each entry carries every field of its row).
import type { Db } from './catalog.js';

export interface CasesRebuildCounts {
  cases: number;
  caseRecordings: number;
  caseClosures: number;
  approvers: number;
  copyRequests: number;
  copyDecisions: number;
  copiesMade: number;
  holds: number;
  holdReleases: number;
}

const TYPES = ['case.opened', 'case.recording-added', 'case.filed', 'registry.approver.added', 'copy.requested', 'copy.approved', 'copy.refused', 'copy.made', 'hold.added', 'hold.released'];

type Data = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export function rebuildCasesFromAudit(db: Db): CasesRebuildCounts {
  const n: CasesRebuildCounts = { cases: 0, caseRecordings: 0, caseClosures: 0, approvers: 0, copyRequests: 0, copyDecisions: 0, copiesMade: 0, holds: 0, holdReleases: 0 };
  const rows = db.prepare(`SELECT at, type, entry FROM audit_entries WHERE type IN (${TYPES.map(() => '?').join(', ')}) ORDER BY seq`).all(...TYPES) as { at: string; type: string; entry: string }[];
  const run = (sql: string, params: unknown[]) => db.prepare(sql).run(...params).changes;
  db.transaction(() => {
    for (const { at, type, entry } of rows) {
      const d = (JSON.parse(entry) as { data: Data }).data;
      switch (type) {
        case 'case.opened':
          n.cases += run('INSERT OR IGNORE INTO cases (ref, title, action_ended, due, officers, opened_at, opened_by) VALUES (?, ?, ?, ?, ?, ?, ?)', [
            str(d.ref), str(d.title), str(d.actionEnded), str(d.due), JSON.stringify(Array.isArray(d.officers) ? d.officers : []), at, str(d.openedBy) ?? '',
          ]);
          break;
        case 'case.recording-added':
          n.caseRecordings += run('INSERT OR IGNORE INTO case_recordings (id, case_ref, evidence_number, proves, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)', [
            num(d.id), str(d.ref), str(d.evidenceNumber), str(d.proves), at, str(d.addedBy) ?? '',
          ]);
          break;
        case 'case.filed':
          n.caseClosures += run('INSERT OR IGNORE INTO case_closures (case_ref, closed_at, closed_by, note) VALUES (?, ?, ?, ?)', [str(d.ref), at, str(d.closedBy) ?? '', str(d.note)]);
          break;
        case 'registry.approver.added':
          n.approvers += run('INSERT OR IGNORE INTO approvers (officer_number, title, registered_at, registered_by) VALUES (?, ?, ?, ?)', [str(d.officer), str(d.title), at, str(d.registeredBy) ?? '']);
          break;
        case 'copy.requested': {
          const id = num(d.request);
          n.copyRequests += run('INSERT OR IGNORE INTO copy_requests (id, requester, reason, asked_for, requested_at, requested_by) VALUES (?, ?, ?, ?, ?, ?)', [
            id, str(d.requester), str(d.reason), JSON.stringify(Array.isArray(d.askedFor) ? d.askedFor : []), at, str(d.requestedBy) ?? '',
          ]);
          for (const e of Array.isArray(d.recordings) ? d.recordings : []) run('INSERT OR IGNORE INTO copy_request_items (request_id, evidence_number) VALUES (?, ?)', [id, e]);
          break;
        }
        case 'copy.approved':
        case 'copy.refused':
          n.copyDecisions += run('INSERT OR IGNORE INTO copy_decisions (request_id, decision, approver, reason, decided_at, decided_by) VALUES (?, ?, ?, ?, ?, ?)', [
            num(d.request), type === 'copy.approved' ? 'approved' : 'refused', str(d.approver), str(d.reason), at, str(d.decidedBy) ?? '',
          ]);
          break;
        case 'copy.made': {
          const recordings = Array.isArray(d.recordings) ? d.recordings : [];
          n.copiesMade += run('INSERT OR IGNORE INTO copies_made (id, request_id, out, tagmanifest_sha256, files, bytes, made_at, made_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
            num(d.copy), num(d.request), str(d.out), str(d.tagManifestSha256) ?? str(d.isoSha256), recordings.length, num(d.bytes) ?? 0, at, str(d.madeBy) ?? '',
          ]);
          break;
        }
        case 'hold.added': {
          const id = num(d.hold);
          n.holds += run('INSERT OR IGNORE INTO holds (id, reason, text, asked_for, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)', [
            id, str(d.reason), str(d.text), JSON.stringify(Array.isArray(d.askedFor) ? d.askedFor : []), at, str(d.addedBy) ?? '',
          ]);
          for (const r of Array.isArray(d.recordings) ? (d.recordings as Data[]) : []) {
            run('INSERT OR IGNORE INTO hold_items (hold_id, evidence_number, backend_hold) VALUES (?, ?, ?)', [id, str(r.evidenceNumber), str(r.backend) ?? 'catalog-only']);
          }
          break;
        }
        case 'hold.released':
          n.holdReleases += run('INSERT OR IGNORE INTO hold_releases (hold_id, approver, text, released_at, released_by) VALUES (?, ?, ?, ?, ?)', [num(d.hold), str(d.approver), str(d.text), at, str(d.releasedBy) ?? '']);
          break;
      }
    }
  })();
  return n;
}
