// A written explanation of an Art. 9 interruption: a new fact with its `gap.explained` entry
// (earlier explanations stay).
import { appendAuditEntry } from '../audit/log.js';
import { findInterruption, insertExplanation, type InterruptionRow } from '../store/rules-facts.js';
import { nowOf, type FactsContext } from './context.js';

export type ExplainResult = { ok: true; explanation: number; at: Date; gap: InterruptionRow } | { ok: false; reason: 'no-such-interruption' };

export function explainInterruption(ctx: Pick<FactsContext, 'db' | 'actor' | 'clock'>, id: number, text: string): ExplainResult {
  const gap = findInterruption(ctx.db, id);
  if (!gap) return { ok: false, reason: 'no-such-interruption' };
  const at = nowOf(ctx);
  const explanation = ctx.db.transaction(() => {
    const eid = insertExplanation(ctx.db, { interruption_id: id, text, explained_by: ctx.actor.user, explained_at: at.toISOString() });
    appendAuditEntry(ctx.db, { type: 'gap.explained', data: { interruption: id, explanation: eid, recorder: gap.recorder_id, officer: gap.officer_id, text }, actor: ctx.actor, at });
    return eid;
  })();
  return { ok: true, explanation, at, gap };
}
