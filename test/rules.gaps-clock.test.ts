import { describe, expect, it } from 'vitest';
import { checkClocks, findInterruptions, outOfSequence, type Segment } from '../src/rules/index.js';

const T0 = Date.parse('2026-03-10T02:00:00Z'); // 10:00 Shanghai
const M = 60_000;
/** A segment of recorder R from minute a to minute b after T0. */
const seg = (id: string, a: number, b: number, recorder = 'R1', seq?: number): Segment => ({
  id,
  recorder,
  officer: 'A001',
  start: T0 + a * M,
  end: T0 + b * M,
  seq: seq ?? null,
});

describe('Art. 9 gaps: above the threshold (2 min) within one activity (≤ 30 min)', () => {
  it.each([
    // name, segments, expected [before, after, gap minutes]
    ['back-to-back segments: no gap', [seg('a', 0, 10), seg('b', 10, 20)], []],
    ['exactly 2 min: not above the threshold', [seg('a', 0, 10), seg('b', 12, 20)], []],
    ['2 min 1 s: an interruption', [seg('a', 0, 10), { ...seg('b', 12, 20), start: T0 + 12 * M + 1000 }], [['a', 'b', 2 + 1 / 60]]],
    ['5 min battery swap', [seg('a', 0, 10), seg('b', 15, 20)], [['a', 'b', 5]]],
    ['exactly 30 min: still the same activity', [seg('a', 0, 10), seg('b', 40, 50)], [['a', 'b', 30]]],
    ['31 min: a new activity, not an interruption', [seg('a', 0, 10), seg('b', 41, 50)], []],
    ['input order does not matter', [seg('c', 30, 40), seg('a', 0, 10), seg('b', 15, 20)], [['a', 'b', 5], ['b', 'c', 10]]],
    ['other recorders are separate', [seg('a', 0, 10, 'R1'), seg('x', 12.5, 20, 'R2'), seg('b', 15, 20, 'R1')], [['a', 'b', 5]]],
    ['a short segment inside a long one is no gap', [seg('a', 0, 30), seg('b', 5, 6), seg('c', 31, 40)], []],
    ['overlap is not a gap (clock checks report it)', [seg('a', 0, 10), seg('b', 8, 20)], []],
    // An audio note at minute 12 does not close a video gap 10 -> 15 (streams compared separately).
    // A damaged file (end unknown) at minute 15: the gap before it counts, the one after it is unknown.
    ['unknown end', [seg('a', 0, 10), { ...seg('b', 15, 15), end: null }, seg('c', 25, 30)], [['a', 'b', 5]]],
    ['streams are separate', [{ ...seg('a', 0, 10), stream: 'video' }, { ...seg('n', 12, 13), stream: 'audio' }, { ...seg('b', 15, 20), stream: 'video' }], [['a', 'b', 5]]],
  ])('%s', (_name, segments, expected) => {
    const got = findInterruptions(segments as Segment[]).map((i) => [i.before, i.after, i.gapMs / M]);
    expect(got.length).toBe(expected.length);
    got.forEach((g, k) => {
      expect(g[0]).toBe(expected[k]![0]);
      expect(g[1]).toBe(expected[k]![1]);
      expect(g[2] as number).toBeCloseTo(expected[k]![2] as number, 9);
    });
  });

  it('thresholds are configurable', () => {
    const s = [seg('a', 0, 10), seg('b', 15, 20), seg('c', 80, 90)];
    expect(findInterruptions(s, { thresholdMs: 10 * M }).length).toBe(0);
    expect(findInterruptions(s, { activityMaxGapMs: 120 * M }).map((i) => i.after)).toEqual(['b', 'c']);
    expect(() => findInterruptions(s, { thresholdMs: 10 * M, activityMaxGapMs: 5 * M })).toThrow(/thresholdMs/);
  });

  it('reports recorder, officer and the gap interval', () => {
    const [i] = findInterruptions([seg('a', 0, 10), seg('b', 15, 20)]);
    expect(i).toEqual({ recorder: 'R1', stream: null, officer: 'A001', before: 'a', after: 'b', from: T0 + 10 * M, to: T0 + 15 * M, gapMs: 5 * M });
  });
});

describe('clock sanity', () => {
  const docked = Date.parse('2026-03-12T10:00:00Z');
  const registered = Date.parse('2026-01-15T00:00:00Z');
  const D = 86_400_000;
  it.each([
    // name, start, expected kinds
    ['normal, an hour before docking', docked - 3_600_000, []],
    ['4 min after docking: within the 5 min drift tolerance', docked + 4 * M, []],
    ['6 min after docking: future', docked + 6 * M, ['future']],
    ['a year ahead: future', docked + 365 * D, ['future']],
    ['before registration (and too old)', registered - D, ['before-registration', 'too-old']],
    ['exactly 30 days before docking: fine', docked - 30 * D, []],
    ['31 days before docking: too old', docked - 31 * D, ['too-old']],
    ['2000-01-01 (reset clock): before registration, too old', Date.parse('2000-01-01T00:00:00Z'), ['before-registration', 'too-old']],
  ])('%s', (_n, start, kinds) => {
    const flags = checkClocks([{ id: 'x', start }], { dockedAt: docked, registeredAt: registered });
    expect(flags.map((f) => f.kind)).toEqual(kinds);
    for (const f of flags) expect(f.reason.length).toBeGreaterThan(10);
  });

  it('max age is configurable; no registration, no registration check', () => {
    expect(checkClocks([{ id: 'x', start: docked - 10 * D }], { dockedAt: docked }, { maxAgeDays: 7 }).map((f) => f.kind)).toEqual(['too-old']);
    expect(checkClocks([{ id: 'x', start: Date.parse('2001-01-01T00:00:00Z') }], { dockedAt: docked }, { maxAgeDays: 100000 })).toEqual([]);
  });

  it('missing start times are not flagged here (the deadline marks them untrusted)', () => {
    expect(checkClocks([{ id: 'x', start: null }], { dockedAt: docked })).toEqual([]);
  });

  const h = (n: number): number => docked - 10 * 3_600_000 + n * 60_000;
  it.each([
    // name, [seq, start minute], ids expected out of order
    ['in order', [[1, 0], [2, 10], [3, 20]], []],
    ['equal starts are in order', [[1, 0], [2, 0], [3, 20]], []],
    ['one file with a jumped clock in the middle', [[1, 0], [2, 500], [3, 20], [4, 30]], ['s2']],
    ['one file with a clock reset in the middle', [[1, 100], [2, 110], [3, -300], [4, 130]], ['s3']],
    ['sequence numbers need not be contiguous or sorted in the input', [[9, 90], [3, 30], [5, 50], [7, 10]], ['s7']],
    ['the whole second half reset', [[1, 100], [2, 110], [3, 5], [4, 15], [5, 25]], ['s1', 's2']],
  ])('sequence order: %s', (_n, pairs, expected) => {
    const items = (pairs as number[][]).map(([seq, m]) => ({ id: `s${seq}`, seq: seq!, start: h(m!) }));
    expect(outOfSequence(items).sort()).toEqual(expected);
    const flags = checkClocks(items, { dockedAt: docked }).filter((f) => f.kind === 'sequence-order');
    expect(flags.map((f) => f.id).sort()).toEqual(expected);
  });

  it('files without a sequence number are not order-checked', () => {
    expect(outOfSequence([{ id: 'a', start: h(10) }, { id: 'b', start: h(0) }])).toEqual([]);
  });
});
