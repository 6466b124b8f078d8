// Clock sanity of recorder timestamps. Pure.
//
// Recorders keep their own clocks, often wrong after a battery change. A start time is flagged:
//   future               later than the docking time (+ a tolerance for clock drift);
//   before-registration  earlier than the recorder's registration in evidock;
//   too-old              more than maxAgeDays before the docking time;
//   sequence-order       out of order with the file sequence numbers: the files, ordered by
//                        sequence number, should have non-decreasing start times; the fewest
//                        files that break the order (outside a longest non-decreasing run) are
//                        flagged, so one bad file does not flag all that follow it.
// A start time flagged future, before-registration or sequence-order is not trusted for the
// deadline (see deadline.ts). A too-old start stays trusted: an old recording docked late is what
// lateness looks like, and distrusting it would report every recording kept back more than
// maxAgeDays as on time. The flag stays, for a supervisor to look at.

export type ClockFlagKind = 'future' | 'before-registration' | 'too-old' | 'sequence-order';

export interface ClockFlag {
  id: string | number;
  kind: ClockFlagKind;
  reason: string;
}

export interface ClockOptions {
  maxAgeDays: number;
  futureToleranceMs: number;
}

export const DEFAULT_CLOCK_OPTIONS: ClockOptions = { maxAgeDays: 30, futureToleranceMs: 5 * 60_000 };
export const CLOCK_RULE = 'clock@1';

export interface ClockSubject {
  id: string | number;
  /** Start time from the recording, epoch ms, or null when it has none. */
  start: number | null;
  /** Sequence number from the file name, if any. */
  seq?: number | null;
}

export interface ClockContext {
  dockedAt: number;
  /** When the recorder was registered, if it is. */
  registeredAt?: number | null;
}

const DAY_MS = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();

export function checkClocks(items: ClockSubject[], ctx: ClockContext, opts: Partial<ClockOptions> = {}): ClockFlag[] {
  const o = { ...DEFAULT_CLOCK_OPTIONS, ...opts };
  const flags: ClockFlag[] = [];
  for (const it of items) {
    if (it.start === null || !Number.isFinite(it.start)) continue;
    if (it.start > ctx.dockedAt + o.futureToleranceMs) {
      flags.push({ id: it.id, kind: 'future', reason: `starts ${iso(it.start)}, after the recorder was docked at ${iso(ctx.dockedAt)}` });
    }
    if (ctx.registeredAt != null && it.start < ctx.registeredAt) {
      flags.push({ id: it.id, kind: 'before-registration', reason: `starts ${iso(it.start)}, before the recorder was registered at ${iso(ctx.registeredAt)}` });
    }
    if (it.start < ctx.dockedAt - o.maxAgeDays * DAY_MS) {
      const days = Math.floor((ctx.dockedAt - it.start) / DAY_MS);
      flags.push({ id: it.id, kind: 'too-old', reason: `starts ${iso(it.start)}, ${days} days before docking (limit ${o.maxAgeDays})` });
    }
  }
  for (const id of outOfSequence(items)) {
    const it = items.find((x) => x.id === id)!;
    flags.push({ id, kind: 'sequence-order', reason: `start ${iso(it.start!)} is out of order with file sequence number ${it.seq}` });
  }
  return flags;
}

/** Ids outside a longest run of non-decreasing start times when ordered by sequence number. */
export function outOfSequence(items: ClockSubject[]): Array<string | number> {
  const seqd = items
    .filter((i) => i.seq != null && i.start !== null && Number.isFinite(i.start))
    .sort((a, b) => a.seq! - b.seq!);
  const n = seqd.length;
  if (n < 2) return [];
  // Longest non-decreasing subsequence by start, O(n log n), with predecessor links.
  const tailIdx: number[] = [];
  const prev = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = seqd[i]!.start!;
    let lo = 0;
    let hi = tailIdx.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqd[tailIdx[mid]!]!.start! <= v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tailIdx[lo - 1]!;
    tailIdx[lo] = i;
  }
  const keep = new Set<number>();
  for (let k = tailIdx[tailIdx.length - 1]!; k !== -1; k = prev[k]!) keep.add(k);
  const out: Array<string | number> = [];
  for (let i = 0; i < n; i++) if (!keep.has(i)) out.push(seqd[i]!.id);
  return out;
}

/** Whether a flag makes its start time untrustworthy (see the note at the top). */
export function distrustsTime(flag: { kind: string }): boolean {
  return flag.kind !== 'too-old';
}

/** Whether a start time is trustworthy: true when no distrusting flag names it. */
export function trustedIds(items: ClockSubject[], flags: ClockFlag[]): Set<string | number> {
  const bad = new Set(flags.filter(distrustsTime).map((f) => f.id));
  return new Set(items.filter((i) => i.start !== null && !bad.has(i.id)).map((i) => i.id));
}
