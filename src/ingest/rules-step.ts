// Adapter until ingest's typed stages replace the hooks: runs facts/ after each hold and after
// the session. The facts themselves live in src/facts/.
import { recordHeldFacts, recordSessionFacts } from '../facts/index.js';
import type { IngestHooks } from './session.js';

export function rulesHooks(): IngestHooks {
  return {
    afterHeld(held, ctx) {
      recordHeldFacts(ctx, { original: held.original, dockedAt: held.recorder.dockedAt?.getTime() ?? null });
    },
    afterSession(summary, recorder, ctx) {
      recordSessionFacts(ctx, summary.evidenceNumbers, recorder.dockedAt?.getTime() ?? null);
    },
  };
}
