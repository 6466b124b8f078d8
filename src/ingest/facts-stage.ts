// Facts stage: the regulation's derived facts of each held file (given the provenance the
// describe step derived, never derived again) and, after the session, of the session's files
// together. They annotate; an error is logged and never undoes a hold.
import type { Logger } from 'pino';
import { recordHeldFacts, recordSessionFacts } from '../facts/index.js';
import type { HeldItem, IngestContext, IngestSummary, RecorderSource } from './types.js';

/** The facts of a batch of held files, in one catalog transaction (one durable flush). */
export function factsOfHeldBatch(ctx: IngestContext, held: readonly HeldItem[], recorder: RecorderSource, log: Logger): void {
  if (ctx.deriveFacts === false || held.length === 0) return;
  try {
    // Each file's facts are a savepoint inside: one file's error rolls back its facts only.
    ctx.db.transaction(() => {
      for (const h of held) {
        try {
          ctx.db.transaction(() => recordHeldFacts(ctx, { original: h.original, dockedAt: recorder.dockedAt?.getTime() ?? null, provenance: h.described.provenance ?? undefined }))();
        } catch (err) {
          log.error({ err, evidence: h.original.evidence_number }, 'a derived-facts step failed; the original stays held');
        }
      }
    })();
  } catch (err) {
    log.error({ err }, 'the derived facts of a batch were not written; the originals stay held (the catch-up derives them)');
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
