// The rules' commands through the real CLI (dist/), on a temp home: gaps + explanation, late and
// compliance reports (CSV formula escaping), a trip registered after the fact, calendar import.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, initHome, runCli, tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-rules-cli-');
const H = t.dir;
const cli = (...args: string[]) => runCli(['--home', H, ...args]);
const json = (...args: string[]) => {
  const r = cli(...args, '--json');
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
};

beforeAll(() => {
  // The fixtures were recorded in March 2026: allow old recorder clocks so their times are trusted.
  writeFileSync(path.join(H, 'evidock.toml'), '[rules]\nclock_max_age_days = 3650\n');
  initHome(H);
  for (const [rec, officer] of [['1234567', '010203'], ['A9K3F20', '=1+1']]) {
    const r = cli('ingest', path.join(fixturesDir, rec), '--recorder', rec, '--officer', officer!);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

afterAll(() => t.cleanup());

describe('gaps', () => {
  it('lists the interruption, takes an explanation as a new fact', () => {
    const gaps = json('gaps');
    expect(gaps.map((g: any) => [g.recorder, g.officer, g.from, g.to, g.gapSeconds])).toEqual([
      ['1234567', '010203', '2026-03-15T08:30:04+08:00', '2026-03-15T08:41:00+08:00', 656],
      ['A9K3F20', '=1+1', '2026-03-16T14:00:02+08:00', '2026-03-16T14:10:00+08:00', 598],
    ]);
    expect(cli('gaps', '--unexplained').code).toBe(1);
    const id = gaps[0].id;
    expect(cli('gaps', 'explain', String(id), '--text', 'battery changed').code).toBe(0);
    expect(cli('gaps', 'explain', '999', '--text', 'x').code).toBe(2);
    const after = json('gaps', '--officer', '010203');
    expect(after[0].explanations.map((e: any) => e.text)).toEqual(['battery changed']);
  });
});

describe('reports', () => {
  it('late: each recording with due, held and lateness', () => {
    const rows = json('report', 'late', '--officer', '010203');
    // made Sun 2026-03-15 -> due end of Tue 03-17; held today, months later
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(r.dueAt).toBe('2026-03-18T00:00:00+08:00');
      expect(r.lateHours).toBeGreaterThan(24 * 200);
    }
    const csv = cli('report', 'late', '--format', 'csv', '--officer', '010203').stdout.split('\n');
    expect(csv[0]).toBe('evidence,officer,unit,recorder,recorded,due,held,late_hours,late_working_days,trip,calendar');
    expect(csv).toHaveLength(7); // header, 5 rows, final newline
    // status sums it up: 5 + 3 late, one interruption still unexplained (A9K3F20)
    expect(json('status').rules).toEqual({ late: 8, unknown: 0, unexplainedGaps: 1 });
  });

  it('compliance CSV escapes formulas', () => {
    const csv = cli('report', 'compliance', '--format', 'csv').stdout;
    expect(csv).toContain("\n'=1+1,3,0,3,0,");
    expect(csv).not.toContain('\n=1+1');
    expect(cli('report', 'compliance', '--format', 'xml').code).toBe(2);
  });

  it('a trip registered after the fact re-evaluates (new facts, logged)', () => {
    const r = json('trips', 'add', '010203', '--from', '2026-03-14', '--to', '2099-01-01', '--reason', 'long mission');
    expect(r.recordingsDuringTrip).toBe(5);
    expect(r.reevaluated).toHaveLength(5);
    const list = json('trips', 'list');
    expect(list.map((x: any) => [x.officer, x.from, x.reason])).toEqual([['010203', '2026-03-14T00:00:00+08:00', 'long mission']]);
    const c = json('report', 'compliance', '--officer', '010203');
    expect(c[0]).toMatchObject({ recordings: 5, onTime: 5, late: 0 });
    const db = new Database(path.join(H, 'catalog.sqlite'), { readonly: true });
    try {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM audit_entries WHERE type = 'deadline.reevaluated'`).get()).toEqual({ n: 5 });
      expect(db.prepare(`SELECT COUNT(*) AS n FROM deadline_facts WHERE officer_id = '010203'`).get()).toEqual({ n: 10 });
    } finally {
      db.close();
    }
    expect(cli('trips', 'add', '010203', '--from', '2026-03-14', '--to', '2026-03-01', '--reason', 'x').code).toBe(2);
  });
});

describe('calendar', () => {
  const dir = path.join(H, 'in');
  const file = (name: string, body: unknown) => {
    mkdirSync(dir, { recursive: true });
    const p = path.join(dir, name);
    writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
    return p;
  };

  it('2027 is unknown until imported', () => {
    const r = cli('calendar', 'show', '2027');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2027: unknown');
    expect(json('calendar', 'show', '2026').holidays).toHaveLength(33);
  });

  it('import rejects a bad file with the path of the bad key', () => {
    const r = cli('calendar', 'import', file('bad.json', { year: 2027, holidays: [{ date: '2026-12-31', name: '元旦' }], workdays: [] }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('$.holidays[0].date: 2026-12-31 is outside the year 2027');
    const both = cli('calendar', 'import', file('both.json', { year: 2027, holidays: [{ date: '2027-02-06', name: 'a' }], workdays: [{ date: '2027-02-06', name: 'b' }] }));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('2027-02-06 is also listed as a holiday');
  });

  it('import installs, is idempotent, and replaces only with --force (old file kept)', () => {
    const good = file('2027.json', { year: 2027, source: 'test', holidays: [{ date: '2027-01-01', name: '元旦' }], workdays: [] });
    const r = json('calendar', 'import', good);
    expect(r).toMatchObject({ year: 2027, changed: true });
    const shown = json('calendar', 'show', '2027');
    expect(shown).toMatchObject({ known: true, source: 'override' });
    expect(shown.version).toMatch(/^2027:override@sha256:[0-9a-f]{16}$/);
    expect(json('calendar', 'import', good)).toMatchObject({ changed: false });
    const other = file('2027b.json', { year: 2027, holidays: [{ date: '2027-01-01', name: '元旦' }, { date: '2027-01-02', name: '元旦' }] });
    expect(cli('calendar', 'import', other).code).toBe(2);
    expect(cli('calendar', 'import', other, '--force').code).toBe(0);
    expect(readdirSync(path.join(H, 'calendar', 'history'))).toHaveLength(1);
  });
});
