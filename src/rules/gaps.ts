// Art. 9: interruptions between consecutive segments of one recorder. Pure.
//
// Recorders split one activity into segments (files). Two consecutive segments of the same
// recorder whose gap (next start − previous end) is above `thresholdMs` (default 2 min) but not
// above `activityMaxGapMs` (default 30 min: a longer pause starts a new activity) are an
// interruption that the officer has to explain. Overlapping segments are reported as clock
// problems by clock.ts, not here.

export interface Segment {
  id: string | number;
  recorder: string;
  officer?: string | null;
  /** Start and end, epoch ms (end = start + duration). */
  start: number;
  end: number;
  /** File sequence number if the file name carries one; used to order equal starts. */
  seq?: number | null;
}

export interface GapOptions {
  thresholdMs: number;
  activityMaxGapMs: number;
}

export const DEFAULT_GAP_OPTIONS: GapOptions = { thresholdMs: 2 * 60_000, activityMaxGapMs: 30 * 60_000 };
export const GAP_RULE = 'art9:gap@1';

export interface Interruption {
  recorder: string;
  officer: string | null;
  before: Segment['id'];
  after: Segment['id'];
  /** End of the earlier segment and start of the later one, epoch ms. */
  from: number;
  to: number;
  gapMs: number;
}

export function findInterruptions(segments: Segment[], opts: Partial<GapOptions> = {}): Interruption[] {
  const o = { ...DEFAULT_GAP_OPTIONS, ...opts };
  if (!(o.thresholdMs >= 0) || !(o.activityMaxGapMs >= o.thresholdMs)) {
    throw new RangeError(`gap options: need 0 ≤ thresholdMs ≤ activityMaxGapMs, got ${o.thresholdMs}, ${o.activityMaxGapMs}`);
  }
  const byRecorder = new Map<string, Segment[]>();
  for (const s of segments) {
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end)) continue;
    let l = byRecorder.get(s.recorder);
    if (!l) byRecorder.set(s.recorder, (l = []));
    l.push(s);
  }
  const out: Interruption[] = [];
  for (const [recorder, list] of [...byRecorder.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    list.sort((a, b) => a.start - b.start || (a.seq ?? 0) - (b.seq ?? 0) || a.end - b.end);
    // Track the furthest end so far: a short segment inside a long one is no gap.
    let prev = list[0]!;
    let reach = prev.end;
    for (let i = 1; i < list.length; i++) {
      const s = list[i]!;
      const gap = s.start - reach;
      if (gap > o.thresholdMs && gap <= o.activityMaxGapMs) {
        out.push({
          recorder,
          officer: s.officer ?? prev.officer ?? null,
          before: prev.id,
          after: s.id,
          from: reach,
          to: s.start,
          gapMs: gap,
        });
      }
      if (s.end >= reach) {
        reach = s.end;
        prev = s;
      }
    }
  }
  return out;
}
