// Art. 9 interruptions: per recorder, over the session's span widened by one activity gap,
// the gaps between consecutive trusted segments, each recorded with its `gap.found` entry.
import { appendAuditEntry } from '../audit/log.js';
import { distrustsTime, findInterruptions, GAP_RULE } from '../rules/index.js';
import { clockFlagsOf, insertInterruption, notARecordingReason, recorderSegments, type RecordingTimeRow } from '../store/rules-facts.js';
import type { FactsEnv } from './context.js';
import { isoOrNull } from './deadline.js';
import { streamOf } from './media-stream.js';

/** Returns how many interruptions were newly found. */
export function recordInterruptions(env: FactsEnv, rows: RecordingTimeRow[], now: Date): number {
  const maxGap = env.config.rules.activity_max_gap_seconds * 1000;
  const byRecorder = new Map<string, RecordingTimeRow[]>();
  for (const r of rows) {
    if (!r.recorder_id || r.start_at === null) continue;
    const l = byRecorder.get(r.recorder_id) ?? [];
    l.push(r);
    byRecorder.set(r.recorder_id, l);
  }
  let found = 0;
  for (const [rec, list] of byRecorder) {
    // Widened by a day before, so a long segment that started earlier is still a neighbour.
    const from = Math.min(...list.map((r) => r.start_at!)) - maxGap - 86_400_000;
    const to = Math.max(...list.map((r) => r.end_at ?? r.start_at!)) + maxGap;
    const segments = recorderSegments(env.db, rec, from, to)
      .filter((s) => s.start_at !== null && streamOf(s) !== 'photo' && clockFlagsOf(env.db, s.evidence_number).filter(distrustsTime).length === 0 && !notARecordingReason(env.db, s.evidence_number))
      .map((s) => ({ id: s.evidence_number, recorder: rec, officer: s.officer_id, start: s.start_at!, end: s.end_at, seq: s.seq, stream: streamOf(s) }));
    const gaps = findInterruptions(segments, { thresholdMs: env.config.rules.gap_threshold_seconds * 1000, activityMaxGapMs: maxGap });
    env.db.transaction(() => {
      for (const g of gaps) {
        const id = insertInterruption(env.db, {
          recorder_id: rec,
          officer_id: g.officer,
          before_evidence: String(g.before),
          after_evidence: String(g.after),
          from_at: g.from,
          to_at: g.to,
          gap_ms: g.gapMs,
          rule: GAP_RULE,
          found_at: now.toISOString(),
        });
        if (id !== null) {
          found++;
          appendAuditEntry(env.db, {
            type: 'gap.found',
            data: { interruption: id, recorder: rec, officer: g.officer, before: String(g.before), after: String(g.after), from: isoOrNull(g.from), to: isoOrNull(g.to), gapSeconds: g.gapMs / 1000, rule: GAP_RULE },
            actor: env.actor,
            at: now,
          });
        }
      }
    })();
  }
  return found;
}
