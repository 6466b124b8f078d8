// The facts of one held original: its recording time and clock flags, then (for recordings)
// its Art. 10 deadline. Annotates; never alters or blocks the original.
import { currentDeadlineFact } from '../store/rules-facts.js';
import { factsEnvOf } from './calendar-source.js';
import type { FactsContext, FactsEnv, HeldOriginal } from './context.js';
import { isoOrNull, recordDeadline } from './deadline.js';
import { recordingFactsOf } from './recording-facts.js';
import { recordRecordingTime } from './recording-time.js';

/** With a resolved calendar (the catch-up evaluates many originals with one). */
export function recordHeldFactsIn(env: FactsEnv, held: HeldOriginal, cause: string): void {
  const o = held.original;
  const rec = recordingFactsOf(env.db, o, held.provenance);
  recordRecordingTime(env, o, held.dockedAt, rec);
  // Art. 10 is about recordings (音像记录): a card's text files get no deadline.
  if (rec.notARecording) return void env.logger?.debug({ evidence: o.evidence_number, reason: rec.notARecording }, 'no deadline: not a recording');
  if (currentDeadlineFact(env.db, o.evidence_number)) return;
  const fact = recordDeadline(env, o, rec.who, cause);
  if (fact.status === 'late') {
    env.logger?.warn({ evidence: fact.evidence_number, officer: fact.officer_id, dueAt: isoOrNull(fact.due_at), lateHours: fact.late_hours }, 'held after the Art. 10 deadline');
  }
}

/**
 * Recording time, clock flags and deadline of one held original, each with its audit entry.
 * Give the provenance the ingest stage derived; without it the catalog's provenance row is read.
 */
export function recordHeldFacts(ctx: FactsContext, held: HeldOriginal, cause = 'held'): void {
  recordHeldFactsIn(factsEnvOf(ctx), held, cause);
}
