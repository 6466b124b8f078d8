// Sequence-order clock flags over a session's recordings: per recorder and stream (recorders
// may number videos, photos and audio notes apart), a later number with an earlier time is
// flagged, and the flagged originals' deadlines are re-evaluated.
import { checkClocks } from '../rules/index.js';
import type { RecordingTimeWithKind } from '../store/rules-facts.js';
import { clockOptions, storeClockFlags } from './clock-flags.js';
import type { FactsEnv } from './context.js';
import { reevaluate } from './deadline.js';
import { streamOf } from './media-stream.js';

/** Returns how many originals were newly flagged. */
export function flagSequenceOrder(env: FactsEnv, rows: RecordingTimeWithKind[], dockedAt: number, now: Date): number {
  const streams = new Map<string, RecordingTimeWithKind[]>();
  for (const r of rows) {
    const key = `${r.recorder_id ?? ''}\u0000${streamOf(r)}`;
    const l = streams.get(key) ?? [];
    l.push(r);
    streams.set(key, l);
  }
  const flags = [...streams.values()].flatMap((list) =>
    checkClocks(
      list.map((r) => ({ id: r.evidence_number, start: r.start_at, seq: r.seq })),
      { dockedAt },
      clockOptions(env.config),
    ).filter((f) => f.kind === 'sequence-order'),
  );
  const newlyFlagged = env.db.transaction(() => storeClockFlags(env, flags, now))();
  if (newlyFlagged.length) reevaluate(env, newlyFlagged, 'clock-flagged');
  return newlyFlagged.length;
}
