// The catch-up: derived facts for originals held without them (by crash recovery, or when the
// facts step failed). Run when a station opens (daemon and `evidock ingest` alike).
import { originalsWithoutFacts } from '../store/fact-inputs.js';
import { factsEnvOf } from './calendar-source.js';
import type { FactsContext } from './context.js';
import { recordHeldFactsIn } from './held-facts.js';
import { recordSessionFactsIn } from './session-facts.js';

/** Returns how many originals it caught up. */
export function catchUpFacts(ctx: FactsContext): number {
  const missing = originalsWithoutFacts(ctx.db);
  if (missing.length === 0) return 0;
  const env = factsEnvOf(ctx);
  for (const o of missing) {
    try {
      recordHeldFactsIn(env, { original: o, dockedAt: null }, 'caught-up');
    } catch (err) {
      ctx.logger?.error({ err, evidence: o.evidence_number }, 'facts: derived facts failed; the original stays held');
    }
  }
  recordSessionFactsIn(env, missing.map((o) => o.evidence_number), null);
  ctx.logger?.info({ originals: missing.length }, 'facts: derived facts caught up for originals held without them');
  return missing.length;
}
