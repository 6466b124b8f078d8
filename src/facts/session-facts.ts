// The facts over a whole session's recordings (and their neighbours), after each file's own:
// sequence-order clock flags, then interruptions (gaps).
import { recordingTimes } from '../store/rules-facts.js';
import { factsEnvOf } from './calendar-source.js';
import { nowOf, type FactsContext, type FactsEnv } from './context.js';
import { recordInterruptions } from './gaps.js';
import { flagSequenceOrder } from './sequence-order.js';

/** With a resolved calendar. */
export function recordSessionFactsIn(env: FactsEnv, evidenceNumbers: string[], dockedAt: number | null): { interruptions: number; sequenceFlags: number } {
  if (evidenceNumbers.length === 0) return { interruptions: 0, sequenceFlags: 0 };
  const now = nowOf(env);
  const rows = recordingTimes(env.db, evidenceNumbers);
  const sequenceFlags = flagSequenceOrder(env, rows, dockedAt ?? now.getTime(), now);
  const interruptions = recordInterruptions(env, rows, now);
  if (interruptions) env.logger?.warn({ interruptions }, 'recording interruptions found (Art. 9): explain them with `evidock gaps explain`');
  return { interruptions, sequenceFlags };
}

/** Sequence-order flags and interruptions over a session's held originals (dockedAt: epoch ms, or null). */
export function recordSessionFacts(ctx: FactsContext, evidenceNumbers: string[], dockedAt: number | null): { interruptions: number; sequenceFlags: number } {
  return recordSessionFactsIn(factsEnvOf(ctx), evidenceNumbers, dockedAt);
}
