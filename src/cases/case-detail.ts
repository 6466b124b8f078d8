// One case as `case show` and the statement read it: the case, its officers, its recordings
// with what they prove, its filing and the holds on its recordings.
import type { Db } from '../store/catalog.js';
import { caseRecordings, findCaseClosure, type CaseRow } from '../store/cases.js';
import { holdsOfRecording } from '../store/holds.js';
import { findOriginal } from '../store/records.js';
import { findOfficer } from '../store/registry.js';
import { isOverdue } from './due-date.js';

export interface CaseDetail {
  ref: string;
  title: string | null;
  actionEnded: string;
  due: string;
  overdue: boolean;
  filed: boolean;
  filedAt: string | null;
  filedBy: string | null;
  openedAt: string;
  openedBy: string;
  officers: { number: string; name: string | null }[];
  recordings: { evidenceNumber: string; sha256: string; proves: string | null; addedAt: string; addedBy: string; activeHolds: number }[];
}

export function caseDetail(db: Db, c: CaseRow, today: string): CaseDetail {
  const closure = findCaseClosure(db, c.ref);
  return {
    ref: c.ref,
    title: c.title,
    actionEnded: c.action_ended,
    due: c.due,
    overdue: isOverdue(c.due, closure !== undefined, today),
    filed: closure !== undefined,
    filedAt: closure?.closed_at ?? null,
    filedBy: closure?.closed_by ?? null,
    openedAt: c.opened_at,
    openedBy: c.opened_by,
    officers: (JSON.parse(c.officers) as string[]).map((n) => ({ number: n, name: findOfficer(db, n)?.name ?? null })),
    recordings: caseRecordings(db, c.ref).map((r) => ({
      evidenceNumber: r.evidence_number,
      sha256: findOriginal(db, r.evidence_number)!.sha256,
      proves: r.proves,
      addedAt: r.added_at,
      addedBy: r.added_by,
      activeHolds: holdsOfRecording(db, r.evidence_number).filter((h) => h.released_at === null).length,
    })),
  };
}
