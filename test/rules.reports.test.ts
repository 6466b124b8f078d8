import { describe, expect, it } from 'vitest';
import { compliance, lateList, median, type DeadlineRow } from '../src/rules/index.js';

const H = 3_600_000;
const t0 = Date.parse('2026-03-10T02:00:00Z');
const row = (recording: string, officer: string | null, status: DeadlineRow['status'], hoursToHeld: number, lateHours?: number, lateWorkingDays?: number): DeadlineRow => ({
  recording,
  officer,
  unit: officer === 'B' ? 'traffic' : 'patrol',
  madeAt: status === 'unknown' && hoursToHeld < 0 ? null : t0,
  heldAt: t0 + Math.abs(hoursToHeld) * H,
  dueAt: status === 'unknown' ? null : t0 + 50 * H,
  status,
  lateHours: lateHours ?? null,
  lateWorkingDays: lateWorkingDays ?? null,
});

const rows: DeadlineRow[] = [
  row('r1', 'A', 'on-time', 2),
  row('r2', 'A', 'on-time', 4),
  row('r3', 'A', 'late', 80, 30, 1),
  row('r4', 'A', 'late', 150, 100, 3),
  row('r5', 'B', 'on-time', 1),
  row('r6', 'B', 'unknown', -5), // no trustworthy time
  row('r7', null, 'late', 60, 10, 0),
];

describe('reports', () => {
  it('late list: most late first, filters', () => {
    expect(lateList(rows).map((r) => r.recording)).toEqual(['r4', 'r3', 'r7']);
    expect(lateList(rows, { officer: 'A' }).map((r) => r.recording)).toEqual(['r4', 'r3']);
    expect(lateList(rows, { unit: 'traffic' })).toEqual([]);
    expect(lateList(rows, { from: t0 + 1, to: t0 + 1000 * H })).toEqual([]); // made at t0: outside [t0+1, …)
    expect(lateList(rows, { from: t0, to: t0 + 1 }).length).toBe(3);
  });

  it('compliance per officer', () => {
    // A: hours to held 2, 4, 80, 150 -> median (4+80)/2 = 42; worst late 100 h / 3 working days
    // B: 1 (on time) and one without a time -> median 1; nothing late
    // (no officer): one late, 60 h
    expect(compliance(rows)).toEqual([
      { officer: 'A', recordings: 4, onTime: 2, late: 2, unknown: 0, medianHoursToHeld: 42, worstLateHours: 100, worstLateWorkingDays: 3 },
      { officer: 'B', recordings: 2, onTime: 1, late: 0, unknown: 1, medianHoursToHeld: 1, worstLateHours: null, worstLateWorkingDays: null },
      { officer: null, recordings: 1, onTime: 0, late: 1, unknown: 0, medianHoursToHeld: 60, worstLateHours: 10, worstLateWorkingDays: 0 },
    ]);
  });

  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([3])).toBe(3);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('many rows per officer (buffer growth)', () => {
    const many: DeadlineRow[] = [];
    for (let i = 0; i < 1001; i++) many.push(row(`m${i}`, 'C', 'on-time', i));
    const [c] = compliance(many);
    expect(c!.recordings).toBe(1001);
    expect(c!.medianHoursToHeld).toBe(500);
  });
});

describe('catalog report helpers', async () => {
  const { sortedIntegers, withoutValues } = await import('../src/facts/multiset.js');
  it('parses group_concat lists, negatives included, sorted', () => {
    expect([...sortedIntegers('12,-3,40,0,7')]).toEqual([-3, 0, 7, 12, 40]);
    expect([...sortedIntegers(null)]).toEqual([]);
    expect([...sortedIntegers('5')]).toEqual([5]);
  });
  it('removes one occurrence per value', () => {
    const a = sortedIntegers('1,2,2,2,3');
    expect([...withoutValues(a, [2, 2, 3, 9])]).toEqual([1, 2]);
    expect([...withoutValues(a, [])]).toEqual([1, 2, 2, 2, 3]);
  });
});
