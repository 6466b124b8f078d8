// Art. 14 long-term holds: recordings (or whole case files) kept long-term for a reason the
// article names; the store's door sets a legal hold where its backend has one (S3 Object Lock),
// else the hold is the catalog's fact. Released only by a registered approver, with a text.
import { appendAuditEntry } from '../audit/log.js';
import { findHold, findHoldRelease, holdItems, holdsOfRecording, HOLD_REASONS, insertHold, insertHoldItem, insertHoldRelease, listHolds, type HoldReason, type HoldSummaryRow } from '../store/holds.js';
import type { LegalHoldEffect } from '../store/originals.js';
import { findOriginal } from '../store/records.js';
import { actorName } from './actor.js';
import { requireApprover } from './approvers.js';
import type { CasesContext } from './context.js';
import { CasesError } from './errors.js';
import { resolveTargets } from './targets.js';

/** Art. 14's items: (一) dispute, (二) obstruction or assault, (三) mass or sudden incident, (四) other. */
export const HOLD_REASON_ARTICLE: Record<HoldReason, string> = {
  dispute: 'Art. 14 (1): the party disputes the enforcement',
  obstruction: 'Art. 14 (2): evading, refusing or obstructing officers',
  assault: 'Art. 14 (2): abusing, insulting or assaulting officers',
  'mass-incident': 'Art. 14 (3): a mass or sudden incident',
  other: 'Art. 14 (4): other cases needing long-term keeping',
};

function checkText(text: string | undefined, option: string): string {
  const t = text?.trim() ?? '';
  if (!t) throw new CasesError(`${option} is empty: say why; nothing written`);
  if (t.length > 2000) throw new CasesError(`${option} is longer than 2000 characters; nothing written`);
  return t;
}

export function checkHoldReason(reason: string): HoldReason {
  if (!(HOLD_REASONS as readonly string[]).includes(reason)) throw new CasesError(`--reason ${JSON.stringify(reason)}: use one of ${HOLD_REASONS.join(', ')} (Art. 14); nothing written`);
  return reason as HoldReason;
}

export interface AddedHold {
  id: number;
  reason: HoldReason;
  recordings: { evidenceNumber: string; backend: LegalHoldEffect }[];
}

export async function addHold(ctx: CasesContext, keys: readonly string[], reason: string, text: string | undefined, now = new Date()): Promise<AddedHold> {
  const why = checkHoldReason(reason);
  const words = checkText(text, '--text');
  const originals = resolveTargets(ctx.db, keys);
  // The backend's hold first: should the catalog write fail, an object is held too long, never too short.
  const effects: { evidenceNumber: string; backend: LegalHoldEffect }[] = [];
  for (const o of originals) effects.push({ evidenceNumber: o.evidence_number, backend: ctx.store.legalHold ? await ctx.store.legalHold(o, true) : 'catalog-only' });
  const id = ctx.db.transaction(() => {
    const holdId = insertHold(ctx.db, { reason: why, text: words, asked_for: JSON.stringify(keys.map((k) => k.trim())), added_at: now.toISOString(), added_by: actorName(ctx.actor) });
    for (const e of effects) insertHoldItem(ctx.db, { hold_id: holdId, evidence_number: e.evidenceNumber, backend_hold: e.backend });
    appendAuditEntry(ctx.db, {
      type: 'hold.added',
      data: { hold: holdId, reason: why, article: HOLD_REASON_ARTICLE[why], text: words, askedFor: keys.map((k) => k.trim()), recordings: effects.map((e) => ({ evidenceNumber: e.evidenceNumber, backend: e.backend })), addedBy: actorName(ctx.actor) },
      actor: ctx.actor,
      at: now,
    });
    return holdId;
  })();
  return { id, reason: why, recordings: effects };
}

export function requireHold(ctx: CasesContext, id: string): number {
  const n = /^[1-9][0-9]{0,15}$/.test(id.trim()) ? Number(id.trim()) : NaN;
  if (!Number.isSafeInteger(n) || !findHold(ctx.db, n)) throw new CasesError(`no hold ${JSON.stringify(id)} (see \`evidock hold list\`); nothing written`);
  return n;
}

export async function releaseHold(ctx: CasesContext, id: string, by: string | undefined, text: string | undefined): Promise<{ id: number; approver: string; lifted: string[]; stillHeld: string[] }> {
  const holdId = requireHold(ctx, id);
  const approver = requireApprover(ctx.db, by, 'releasing a hold');
  const words = checkText(text, '--text');
  const earlier = findHoldRelease(ctx.db, holdId);
  if (earlier) throw new CasesError(`hold ${holdId} was already released by ${earlier.approver} at ${earlier.released_at}`, 'refused');
  const items = holdItems(ctx.db, holdId);
  const now = new Date();
  ctx.db.transaction(() => {
    insertHoldRelease(ctx.db, { hold_id: holdId, approver: approver.officer_number, text: words, released_at: now.toISOString(), released_by: actorName(ctx.actor) });
    appendAuditEntry(ctx.db, {
      type: 'hold.released',
      data: { hold: holdId, approver: approver.officer_number, approverName: approver.name, text: words, recordings: items.map((i) => i.evidence_number), releasedBy: actorName(ctx.actor) },
      actor: ctx.actor,
      at: now,
    });
  })();
  // Lift the backend's hold only where no other active hold still covers the object (after the release is recorded: too long, never too short).
  const lifted: string[] = [];
  const stillHeld: string[] = [];
  for (const i of items) {
    if (holdsOfRecording(ctx.db, i.evidence_number).some((h) => h.released_at === null)) stillHeld.push(i.evidence_number);
    else {
      if (i.backend_hold !== 'catalog-only' && ctx.store.legalHold) await ctx.store.legalHold(findOriginal(ctx.db, i.evidence_number)!, false);
      lifted.push(i.evidence_number);
    }
  }
  return { id: holdId, approver: approver.officer_number, lifted, stillHeld };
}

export function holdList(ctx: Pick<CasesContext, 'db'>, activeOnly: boolean): (HoldSummaryRow & { items: string[] })[] {
  return listHolds(ctx.db, { activeOnly }).map((h) => ({ ...h, items: holdItems(ctx.db, h.id).map((i) => i.evidence_number) }));
}
