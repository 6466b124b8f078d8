// Approvers (Art. 13: 行政机关负责人, the agency's head or whom it names): registered officers
// given the role, each an audit entry. Only they approve or refuse copies and release holds.
import { appendAuditEntry, type Actor } from '../audit/log.js';
import type { Db } from '../store/catalog.js';
import { findApprover, insertApprover, type ApproverRow } from '../store/copies.js';
import { findOfficer } from '../store/registry.js';
import { actorName } from './actor.js';
import { CasesError } from './errors.js';

export function addApprover(db: Db, officerNumber: string, title: string | undefined, actor: Actor): ApproverRow {
  return db.transaction(() => {
    const o = findOfficer(db, officerNumber);
    if (!o) throw new CasesError(`officer ${JSON.stringify(officerNumber)} is not registered; register them first (\`evidock officers add NUMBER --name NAME\`); nothing written`);
    if (findApprover(db, o.number)) throw new CasesError(`officer ${o.number} is already an approver (registrations are never edited)`);
    const row: ApproverRow = { officer_number: o.number, title: title?.trim() || null, registered_at: new Date().toISOString(), registered_by: actorName(actor) };
    insertApprover(db, row);
    appendAuditEntry(db, { type: 'registry.approver.added', data: { officer: o.number, name: o.name, title: row.title ?? undefined, registeredBy: row.registered_by }, actor, at: new Date(row.registered_at) });
    return row;
  })();
}

/** The registered approver `by` names, or a refusal saying how to register one. */
export function requireApprover(db: Db, by: string | undefined, what: string): ApproverRow & { name: string } {
  if (!by?.trim()) throw new CasesError(`${what} needs --by <approver>: the officer number of a registered approver (\`evidock approvers list\`); nothing written`);
  const a = findApprover(db, by);
  if (!a) throw new CasesError(`${JSON.stringify(by)} is not a registered approver (\`evidock approvers add OFFICER-NUMBER\`, \`evidock approvers list\`); nothing written`);
  return a;
}
