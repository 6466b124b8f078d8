// The recording time of one held original (start, end, sequence number, docking time) and the
// clock flags that single recording earns (future, before registration, far from the dock time).
import { checkClocks } from '../rules/index.js';
import { recorderRegisteredAt } from '../store/fact-inputs.js';
import { insertRecordingTime } from '../store/rules-facts.js';
import type { OriginalRow } from '../store/records.js';
import { clockOptions, storeClockFlags } from './clock-flags.js';
import { nowOf, type FactsEnv } from './context.js';
import type { RecordingFacts } from './recording-facts.js';

function registeredAtMs(env: FactsEnv, recorder: string | null): number | null {
  const at = recorder ? recorderRegisteredAt(env.db, recorder) : null;
  if (at === null) return null;
  const t = Date.parse(at);
  return Number.isFinite(t) ? t : null;
}

/** Records the recording time and its clock flags (one transaction). */
export function recordRecordingTime(env: FactsEnv, o: OriginalRow, dockedAtGiven: number | null, rec: RecordingFacts): void {
  const now = nowOf(env);
  const dockedAt = dockedAtGiven ?? Date.parse(o.held_at);
  const flags = checkClocks(
    [{ id: o.evidence_number, start: rec.start, seq: rec.seq }],
    { dockedAt, registeredAt: registeredAtMs(env, rec.who.recorder) },
    clockOptions(env.config),
  );
  env.db.transaction(() => {
    insertRecordingTime(env.db, {
      evidence_number: o.evidence_number,
      recorder_id: rec.who.recorder,
      officer_id: rec.who.officer,
      start_at: rec.start,
      end_at: rec.end,
      start_source: rec.startSource,
      seq: rec.seq,
      docked_at: dockedAt,
      recorded_at: now.toISOString(),
    });
    storeClockFlags(env, flags, now);
  })();
}
