// Art. 11 case files: open a case (due 20 calendar days after the action ended), add held
// recordings with what they prove (Art. 8), file (close) it. Each change is a catalog fact and
// an audit entry in one transaction; anything refused writes nothing.
import { appendAuditEntry, type Actor } from '../audit/log.js';
import type { Db } from '../store/catalog.js';
import { caseRecordings, findCase, findCaseClosure, insertCase, insertCaseClosure, insertCaseRecording, listCases, type CaseRow } from '../store/cases.js';
import { insertProvesNote } from '../store/proves-notes.js';
import { findOfficer } from '../store/registry.js';
import { actorName } from './actor.js';
import { caseFileDue, checkCalendarDate, isOverdue } from './due-date.js';
import { CasesError } from './errors.js';
import { findHeld } from './targets.js';

const REF = /^[\p{L}\p{N}][\p{L}\p{N}._\-/()（）〔〕[\]]{0,63}$/u;

export function checkCaseRef(ref: string): string {
  const r = ref.trim();
  if (!REF.test(r)) throw new CasesError(`case ref ${JSON.stringify(ref)}: use 1-64 letters, digits and . _ - / ( ) 〔 〕 (e.g. XZ-2026-031)`);
  return r;
}

/** The case, or a clear refusal naming the ref. */
export function requireCase(db: Db, ref: string): CaseRow {
  const c = findCase(db, ref.trim());
  if (!c) throw new CasesError(`no case ${JSON.stringify(ref)} (see \`evidock case list\`; open one with \`evidock case open REF --action-ended DATE\`); nothing written`);
  return c;
}

export interface OpenCaseInput {
  ref: string;
  actionEnded: string;
  title?: string;
  officers: readonly string[];
}

export function openCase(db: Db, input: OpenCaseInput, actor: Actor): CaseRow {
  const ref = checkCaseRef(input.ref);
  const actionEnded = checkCalendarDate(input.actionEnded, '--action-ended');
  const officers = input.officers.map((n) => {
    const o = findOfficer(db, n);
    if (!o) throw new CasesError(`officer ${JSON.stringify(n)} is not registered (\`evidock officers add ${n} --name NAME\`); nothing written`);
    return o.number;
  });
  const row: CaseRow = {
    ref,
    title: input.title?.trim() || null,
    action_ended: actionEnded,
    due: caseFileDue(actionEnded),
    officers: JSON.stringify(officers),
    opened_at: new Date().toISOString(),
    opened_by: actorName(actor),
  };
  return db.transaction(() => {
    if (findCase(db, ref)) throw new CasesError(`case ${ref} is already open (a case is never re-opened or edited)`);
    insertCase(db, row);
    appendAuditEntry(db, {
      type: 'case.opened',
      data: { ref, title: row.title ?? undefined, actionEnded, due: row.due, officers, openedBy: row.opened_by },
      actor,
      at: new Date(row.opened_at),
    });
    return row;
  })();
}

export interface AddedRecording {
  evidenceNumber: string;
  proves: string | null;
}

/** Adds held recordings to an open case; each with the same proves text when given. */
export function addToCase(db: Db, ref: string, keys: readonly string[], proves: string | undefined, actor: Actor): AddedRecording[] {
  const text = proves?.trim() || null;
  if (proves !== undefined && !text) throw new CasesError('--proves is empty: say what the recordings prove');
  if (text && text.length > 4000) throw new CasesError('--proves is longer than 4000 characters');
  if (!keys.length) throw new CasesError('name at least one evidence number or SHA-256');
  return db.transaction(() => {
    const c = requireCase(db, ref);
    if (findCaseClosure(db, c.ref)) throw new CasesError(`case ${c.ref} is filed; a filed case takes no more recordings`, 'refused');
    const already = new Set(caseRecordings(db, c.ref).map((r) => r.evidence_number));
    const added: AddedRecording[] = [];
    const at = new Date();
    for (const key of keys) {
      const o = findHeld(db, key);
      if (!o) throw new CasesError(`no held recording has evidence number or SHA-256 ${JSON.stringify(key)} (see \`evidock list\`); nothing added`);
      if (already.has(o.evidence_number)) throw new CasesError(`${o.evidence_number} is already in case ${c.ref}; nothing added`);
      already.add(o.evidence_number);
      const row = { case_ref: c.ref, evidence_number: o.evidence_number, proves: text, added_at: at.toISOString(), added_by: actorName(actor) };
      const id = insertCaseRecording(db, row);
      appendAuditEntry(db, { type: 'case.recording-added', data: { ref: c.ref, evidenceNumber: o.evidence_number, sha256: o.sha256, proves: text ?? undefined, addedBy: row.added_by, id }, actor, at });
      if (text) {
        // The same note `evidock proves` keeps, so `show` and a catalog rebuild see it too.
        const note = { evidence_number: o.evidence_number, text, case_ref: c.ref, noted_by: row.added_by, noted_at: row.added_at };
        const noteId = insertProvesNote(db, note);
        appendAuditEntry(db, { type: 'recording.proves-noted', data: { evidenceNumber: o.evidence_number, note: noteId, text, case: c.ref, notedBy: note.noted_by }, actor, at });
      }
      added.push({ evidenceNumber: o.evidence_number, proves: text });
    }
    return added;
  })();
}

/** Files a case; `today` is the station's date, to tell whether it was filed after its due date. */
export function closeCase(db: Db, ref: string, note: string | undefined, actor: Actor, today: string): { ref: string; closedAt: string; late: boolean } {
  return db.transaction(() => {
    const c = requireCase(db, ref);
    if (findCaseClosure(db, c.ref)) throw new CasesError(`case ${c.ref} is already filed`, 'refused');
    if (!caseRecordings(db, c.ref).length) throw new CasesError(`case ${c.ref} has no recordings; add them before filing it`, 'refused');
    const closedAt = new Date();
    const row = { case_ref: c.ref, closed_at: closedAt.toISOString(), closed_by: actorName(actor), note: note?.trim() || null };
    insertCaseClosure(db, row);
    const late = today > c.due;
    appendAuditEntry(db, { type: 'case.filed', data: { ref: c.ref, due: c.due, late, note: row.note ?? undefined, closedBy: row.closed_by }, actor, at: closedAt });
    return { ref: c.ref, closedAt: row.closed_at, late };
  })();
}

export interface CaseListItem {
  ref: string;
  title: string | null;
  actionEnded: string;
  due: string;
  officers: string[];
  recordings: number;
  filed: boolean;
  filedAt: string | null;
  overdue: boolean;
}

export function caseList(db: Db, today: string, opts: { openOnly?: boolean; overdueOnly?: boolean } = {}): CaseListItem[] {
  const rows = listCases(db, { openOnly: opts.openOnly || opts.overdueOnly }).map((c) => ({
    ref: c.ref,
    title: c.title,
    actionEnded: c.action_ended,
    due: c.due,
    officers: JSON.parse(c.officers) as string[],
    recordings: c.recordings,
    filed: c.closed_at !== null,
    filedAt: c.closed_at,
    overdue: isOverdue(c.due, c.closed_at !== null, today),
  }));
  return opts.overdueOnly ? rows.filter((r) => r.overdue) : rows;
}

/** What `status` and `report compliance` show: cases not yet filed and the overdue among them. */
export function caseFilingSummary(db: Db, today: string): { open: number; overdue: number; overdueRefs: string[]; today: string } {
  const open = caseList(db, today, { openOnly: true });
  const overdue = open.filter((c) => c.overdue);
  return { open: open.length, overdue: overdue.length, overdueRefs: overdue.map((c) => c.ref), today };
}
