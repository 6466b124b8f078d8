// Facts stage: the regulation's derived facts of each held file (given the provenance the
// describe step derived, never derived again) and, after the session, of the session's files
// together. They annotate; an error is logged and never undoes a hold.
import type { Logger } from 'pino';
import { recordHeldFacts, recordSessionFacts } from '../facts/index.js';
import type { HeldItem, IngestContext, IngestSummary, RecorderSource } from './types.js';

export function factsOfHeld(ctx: IngestContext, held: HeldItem, recorder: RecorderSource, log: Logger): void {
  if (ctx.deriveFacts === false) return;
  try {
    recordHeldFacts(ctx, { original: held.original, dockedAt: recorder.dockedAt?.getTime() ?? null, provenance: held.described.provenance ?? undefined });
  } catch (err) {
    log.error({ err, evidence: held.original.evidence_number }, 'a derived-facts step failed; the original stays held');
  }
}

export function factsOfSession(ctx: IngestContext, summary: IngestSummary, recorder: RecorderSource, log: Logger): void {
  if (ctx.deriveFacts === false) return;
  try {
    recordSessionFacts(ctx, summary.evidenceNumbers, recorder.dockedAt?.getTime() ?? null);
  } catch (err) {
    log.error({ err }, 'an after-session step failed');
  }
}
