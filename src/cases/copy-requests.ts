// Art. 13 copy requests: a party asks (recordings or whole case files, a reason), a registered
// approver who is not the requester approves or refuses, once. Each is a catalog fact with its
// audit entry in one transaction; a refusal of the command writes nothing.
import { appendAuditEntry, type Actor } from '../audit/log.js';
import type { Db } from '../store/catalog.js';
import { copiesMadeOf, copyRequestItems, findCopyDecision, findCopyRequest, insertCopyDecision, insertCopyRequest, listCopyRequests, type CopyDecisionRow, type CopyRequestRow } from '../store/copies.js';
import { actorName } from './actor.js';
import { requireApprover } from './approvers.js';
import { CasesError } from './errors.js';
import { resolveTargets } from './targets.js';

function checkText(text: string | undefined, option: string): string {
  const t = text?.trim() ?? '';
  if (!t) throw new CasesError(`${option} is empty; nothing written`);
  if (t.length > 2000) throw new CasesError(`${option} is longer than 2000 characters; nothing written`);
  return t;
}

export interface CopyRequestView {
  id: number;
  requester: string;
  reason: string;
  askedFor: string[];
  recordings: string[];
  requestedAt: string;
  requestedBy: string;
  state: 'pending' | 'approved' | 'refused';
  decision: CopyDecisionRow | null;
  copies: { id: number; out: string; madeAt: string; madeBy: string }[];
}

export function viewCopyRequest(db: Db, r: CopyRequestRow): CopyRequestView {
  const d = findCopyDecision(db, r.id) ?? null;
  return {
    id: r.id,
    requester: r.requester,
    reason: r.reason,
    askedFor: JSON.parse(r.asked_for) as string[],
    recordings: copyRequestItems(db, r.id),
    requestedAt: r.requested_at,
    requestedBy: r.requested_by,
    state: d ? d.decision : 'pending',
    decision: d,
    copies: copiesMadeOf(db, r.id).map((c) => ({ id: c.id, out: c.out, madeAt: c.made_at, madeBy: c.made_by })),
  };
}

export function requireCopyRequest(db: Db, id: string | number): CopyRequestRow {
  const n = typeof id === 'number' ? id : /^[1-9][0-9]{0,15}$/.test(id.trim()) ? Number(id.trim()) : NaN;
  const r = Number.isSafeInteger(n) ? findCopyRequest(db, n) : undefined;
  if (!r) throw new CasesError(`no copy request ${JSON.stringify(String(id))} (see \`evidock copy list\`); nothing written`);
  return r;
}

export function listCopyRequestViews(db: Db): CopyRequestView[] {
  return listCopyRequests(db).map((r) => viewCopyRequest(db, r));
}

export function requestCopy(db: Db, keys: readonly string[], requester: string, reason: string, actor: Actor): CopyRequestView {
  const who = checkText(requester, '--requester');
  const why = checkText(reason, '--reason');
  return db.transaction(() => {
    const originals = resolveTargets(db, keys);
    const row = { requester: who, reason: why, asked_for: JSON.stringify(keys.map((k) => k.trim())), requested_at: new Date().toISOString(), requested_by: actorName(actor) };
    const id = insertCopyRequest(db, row, originals.map((o) => o.evidence_number));
    appendAuditEntry(db, {
      type: 'copy.requested',
      data: { request: id, requester: who, reason: why, askedFor: keys.map((k) => k.trim()), recordings: originals.map((o) => o.evidence_number), requestedBy: row.requested_by },
      actor,
      at: new Date(row.requested_at),
    });
    return viewCopyRequest(db, findCopyRequest(db, id)!);
  })();
}

/** Approve or refuse a pending request; the approver must be registered and not the requester. */
export function decideCopy(db: Db, id: string, decision: 'approved' | 'refused', by: string | undefined, reason: string | undefined, actor: Actor): CopyRequestView {
  const why = decision === 'refused' ? checkText(reason, '--reason') : reason?.trim() || null;
  return db.transaction(() => {
    const r = requireCopyRequest(db, id);
    const approver = requireApprover(db, by, decision === 'approved' ? 'approving a copy' : 'refusing a copy');
    const requester = r.requester.trim();
    if (requester === approver.officer_number || requester === approver.name) {
      throw new CasesError(`approver ${approver.officer_number} (${approver.name}) made request ${r.id} and cannot decide it (Art. 13: no one approves their own copy); nothing written`, 'refused');
    }
    const earlier = findCopyDecision(db, r.id);
    if (earlier) throw new CasesError(`copy request ${r.id} was already ${earlier.decision} by ${earlier.approver} at ${earlier.decided_at}; a decision is never changed (file a new request)`, 'refused');
    const row: CopyDecisionRow = { request_id: r.id, decision, approver: approver.officer_number, reason: why, decided_at: new Date().toISOString(), decided_by: actorName(actor) };
    insertCopyDecision(db, row);
    appendAuditEntry(db, {
      type: decision === 'approved' ? 'copy.approved' : 'copy.refused',
      data: { request: r.id, requester: r.requester, approver: approver.officer_number, approverName: approver.name, reason: why ?? undefined, recordings: copyRequestItems(db, r.id), decidedBy: row.decided_by },
      actor,
      at: new Date(row.decided_at),
    });
    return viewCopyRequest(db, r);
  })();
}

/** The request if approved; a refusal (exit 1) otherwise. */
export function requireApproved(db: Db, id: string): CopyRequestView {
  const v = viewCopyRequest(db, requireCopyRequest(db, id));
  if (v.state === 'refused') throw new CasesError(`copy request ${v.id} was refused by ${v.decision!.approver} (${v.decision!.reason ?? 'no reason'}); no copy is made, nothing written`, 'refused');
  if (v.state !== 'approved') throw new CasesError(`copy request ${v.id} is not approved (Art. 13: a copy needs the approval of the agency's head: \`evidock copy approve ${v.id} --by APPROVER\`); no copy is made, nothing written`, 'refused');
  return v;
}
