// Art. 9: interruptions between consecutive segments of one recorder. Pure.
//
// Recorders split one activity into segments (files). Two consecutive segments of the same
// recorder whose gap (next start − previous end) is above `thresholdMs` (default 2 min) but not
// above `activityMaxGapMs` (default 30 min: a longer pause starts a new activity) are an
// interruption that the officer has to explain. Only segments of the same stream are compared
// (a photo or an audio note taken during a video pause does not close the gap). Overlapping segments are reported as clock
// problems by clock.ts, not here.

export interface Segment {
  id: string | number;
  recorder: string;
  officer?: string | null;
  /** Start and end, epoch ms (end = start + duration; null when unknown, e.g. a damaged file). */
  start: number;
  end: number | null;
  /** File sequence number if the file name carries one; used to order equal starts. */
  seq?: number | null;
  /**
   * Which continuous stream of the recorder the segment belongs to (e.g. 'video', 'audio'):
   * segments are only compared within the same recorder and stream. Photos are not segments.
   */
  stream?: string | null;
}

export interface GapOptions {
  thresholdMs: number;
  activityMaxGapMs: number;
}

export const DEFAULT_GAP_OPTIONS: GapOptions = { thresholdMs: 2 * 60_000, activityMaxGapMs: 30 * 60_000 };
export const GAP_RULE = 'art9:gap@1';

export interface Interruption {
  recorder: string;
  stream: string | null;
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
  const byStream = new Map<string, Segment[]>();
  for (const s of segments) {
    if (!Number.isFinite(s.start) || (s.end !== null && !Number.isFinite(s.end))) continue;
    const key = `${s.recorder}\u0000${s.stream ?? ''}`;
    let l = byStream.get(key);
    if (!l) byStream.set(key, (l = []));
    l.push(s);
  }
  const out: Interruption[] = [];
  for (const [, list] of [...byStream.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const { recorder } = list[0]!;
    const stream = list[0]!.stream ?? null;
    list.sort((a, b) => a.start - b.start || (a.seq ?? 0) - (b.seq ?? 0) || (a.end ?? a.start) - (b.end ?? b.start));
    // Track the furthest end so far: a short segment inside a long one is no gap. After a
    // segment whose end is unknown, the next gap is unknown too and is not reported.
    let prev = list[0]!;
    let reach: number | null = prev.end;
    for (let i = 1; i < list.length; i++) {
      const s = list[i]!;
      if (reach === null) {
        reach = s.end;
        prev = s;
        continue;
      }
      const gap = s.start - reach;
      if (gap > o.thresholdMs && gap <= o.activityMaxGapMs) {
        out.push({
          recorder,
          stream,
          officer: s.officer ?? prev.officer ?? null,
          before: prev.id,
          after: s.id,
          from: reach,
          to: s.start,
          gapMs: gap,
        });
      }
      if (s.end === null || s.end >= reach) {
        reach = s.end;
        prev = s;
      }
    }
  }
  return out;
}
