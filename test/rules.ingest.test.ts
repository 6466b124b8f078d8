// The rules through real ingest sessions (in-process, real SQLite, real exiftool/ffprobe on the
// committed fixtures), with the clock injected so held times are exact: deadline facts, gaps,
// reports, and re-evaluation by a field trip registered after the fact.
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complianceReport, lateReport } from '../src/facts/index.js';
import { compliance } from '../src/rules/index.js';
import { currentActor } from '../src/audit/log.js';
import { loadConfig, prepareHome } from '../src/home.js';
import { endIngestHelpers } from '../src/ingest/describe.js';
import { catchUpFacts, loadStationCalendar, reevaluate } from '../src/facts/index.js';
import { ingestRecorder, type IngestContext } from '../src/ingest/session.js';
import { openCatalog } from '../src/store/catalog.js';
import { initStorageRoot } from '../src/store/ocfl.js';
import { addAssignment, addOfficer, addRecorder } from '../src/store/registry.js';
import { currentDeadlineFacts, deadlineHistory, insertFieldTrip, listInterruptions } from '../src/store/rules-facts.js';
import { fixturesDir, tempDir } from './helpers/evidock.js';

const TZ = 'Asia/Shanghai';
const sh = (t: string): number => Date.parse(t.replace(' ', 'T') + '+08:00');
const t = tempDir('evidock-rules-ingest-');
let ctx: IngestContext;
let now = 0;

// Held times chosen per recorder (all fixture recordings are from Sun 2026-03-15 or Mon 03-16):
//   1234567 (officer 010203), D = Sun 03-15: Mon 16 =1, Tue 17 =2 -> due 03-18 00:00;
//     held Tue 03-17 10:00 -> on time.
//   7654321 (officer 020304), D = Sun 03-15 -> due 03-18 00:00; held Wed 03-18 09:00 -> 9 h late,
//     working days after Tue 17 up to Wed 18: 1.
//   A9K3F20 (officer 030405 by assignment), D = Mon 03-16: Tue 17 =1, Wed 18 =2 -> due 03-19 00:00;
//     held Fri 03-20 12:00 -> 36 h late, working days after Wed 18 up to Fri 20: Thu, Fri = 2.
const HELD: Record<string, string> = {
  '1234567': '2026-03-17 10:00:00',
  '7654321': '2026-03-18 09:00:00',
  A9K3F20: '2026-03-20 12:00:00',
};

beforeAll(async () => {
  const { config, home } = loadConfig({ home: t.dir });
  prepareHome(home);
  initStorageRoot(home.store);
  const db = openCatalog(home.catalog);
  ctx = { db, config, home, logger: pino({ level: 'silent' }), actor: currentActor('cli'), clock: () => new Date(now) };
  const at = '2026-03-01T00:00:00Z';
  const by = 'test';
  db.transaction(() => {
    addRecorder(db, { serial: '1234567', make: 'Jingwei', model: 'DSJ-JW1', unit: '320102000000', usb_serial: null, registered_at: at, registered_by: by });
    addRecorder(db, { serial: '7654321', make: 'Anbao', model: 'DSJ-AB5', unit: '320102000000', usb_serial: null, registered_at: at, registered_by: by });
    addRecorder(db, { serial: 'A9K3F20', make: 'Generic', model: 'BWC-300', unit: null, usb_serial: null, registered_at: at, registered_by: by });
    addOfficer(db, { number: '010203', name: 'a', unit: 'patrol', registered_at: at, registered_by: by });
    addOfficer(db, { number: '020304', name: 'b', unit: 'traffic', registered_at: at, registered_by: by });
    addOfficer(db, { number: '030405', name: 'c', unit: 'patrol', registered_at: at, registered_by: by });
    addAssignment(db, { recorder_serial: 'A9K3F20', officer_number: '030405', from_ms: sh('2026-03-16 00:00:00'), to_ms: sh('2026-03-17 00:00:00'), supersedes: null, reason: null, created_at: at, created_by: by });
  })();
  for (const rec of ['1234567', '7654321', 'A9K3F20']) {
    now = sh(HELD[rec]!);
    // A9K3F20 is held without the facts stage (as crash recovery does); the daemon's start-up
    // catch-up then derives its facts.
    const session = rec === 'A9K3F20' ? { ...ctx, deriveFacts: false } : ctx;
    const s = await ingestRecorder(session, { root: path.join(fixturesDir, rec), recorderId: rec, officerId: null, slot: null, dockedAt: new Date(now - 60_000) });
    expect(s.failed).toBe(0);
  }
  expect(catchUpFacts(ctx)).toBe(4); // A9K3F20: 3 recordings + DEVICE.LOG
  expect(catchUpFacts(ctx)).toBe(0);
}, 120_000);

afterAll(async () => {
  await endIngestHelpers();
  ctx?.db.close();
  t.cleanup();
});

describe("deadline facts of held fixtures", () => {
  it('one fact per recording; text files on the card (ZFY_INFO.TXT, DEVICE.LOG) get none', () => {
    const facts = currentDeadlineFacts(ctx.db);
    // 5 + 3 + 3 recordings; 13 files held in all
    expect(facts).toHaveLength(11);
    expect((ctx.db.prepare('SELECT COUNT(*) AS n FROM originals').get() as { n: number }).n).toBe(13);
  });

  it('exact rows per recorder', () => {
    const facts = currentDeadlineFacts(ctx.db);
    const by = (r: string) => facts.filter((f) => f.recorder_id === r);
    for (const f of by('1234567')) {
      expect([f.officer_id, f.status, f.due_at, f.unit]).toEqual(['010203', 'on-time', sh('2026-03-18 00:00:00'), 'patrol']);
      expect(f.made_on).toBe('2026-03-15');
      expect(f.time_flagged).toBe(0);
    }
    for (const f of by('7654321')) {
      expect([f.officer_id, f.status, f.due_at, f.late_hours, f.late_working_days]).toEqual(['020304', 'late', sh('2026-03-18 00:00:00'), 9, 1]);
    }
    for (const f of by('A9K3F20')) {
      expect([f.officer_id, f.status, f.due_at, f.late_hours, f.late_working_days]).toEqual(['030405', 'late', sh('2026-03-19 00:00:00'), 36, 2]);
    }
    expect(by('1234567')).toHaveLength(5);
    expect(by('7654321')).toHaveLength(3);
    expect(by('A9K3F20')).toHaveLength(3);
    for (const f of facts) {
      expect(f.rule).toBe('art10:2-working-days+trip-24h@1');
      expect(f.calendar_version).toMatch(/^2026:chinese-days@1\.5\.\d+$/);
      expect(f.cause).toBe(f.recorder_id === 'A9K3F20' ? 'caught-up' : 'held');
    }
  });

  it('each evaluation is in the audit log', () => {
    const types = ctx.db.prepare(`SELECT type, COUNT(*) AS n FROM audit_entries WHERE type LIKE 'deadline.%' GROUP BY type ORDER BY type`).all();
    expect(types).toEqual([
      { type: 'deadline.evaluated', n: 5 },
      { type: 'deadline.late', n: 6 },
    ]);
  });
});

describe('gaps of held fixtures', () => {
  it('lists the 1234567 video gap 08:30:04 -> 08:41:00 and the A9K3F20 pause before the damaged file', () => {
    const gaps = listInterruptions(ctx.db).map((g) => [g.recorder_id, g.officer_id, new Date(g.from_at).toISOString(), new Date(g.to_at).toISOString(), g.gap_ms / 1000]);
    expect(gaps).toEqual([
      // manifest: 0002 ends 08:30:04, 0003 starts 08:41:00 (656 s); the photo at 08:35:12 and the
      // audio at 08:45 are other streams
      ['1234567', '010203', '2026-03-15T00:30:04.000Z', '2026-03-15T00:41:00.000Z', 656],
      // 001.MP4 ends 14:00:02; 003.MP4 (unreadable media) starts 14:10:00 by its name
      ['A9K3F20', '030405', '2026-03-16T06:00:02.000Z', '2026-03-16T06:10:00.000Z', 598],
    ]);
  });
});

describe('reports over the catalog', () => {
  it('late report: most late first', () => {
    const rows = lateReport(ctx.db, {}, TZ);
    expect(rows.map((r) => [r.officer, r.dueAt, r.heldAt, r.lateHours, r.lateWorkingDays])).toEqual([
      ...Array(3).fill(['030405', '2026-03-19T00:00:00+08:00', '2026-03-20T12:00:00+08:00', 36, 2]),
      ...Array(3).fill(['020304', '2026-03-18T00:00:00+08:00', '2026-03-18T09:00:00+08:00', 9, 1]),
    ]);
    expect(lateReport(ctx.db, { unit: 'traffic' }, TZ)).toHaveLength(3);
    expect(lateReport(ctx.db, { officer: '030405', from: sh('2026-03-16 00:00:00'), to: sh('2026-03-17 00:00:00') }, TZ)).toHaveLength(3);
    expect(lateReport(ctx.db, { from: sh('2026-03-17 00:00:00') }, TZ)).toHaveLength(0);
  });

  it('compliance per officer', () => {
    // 010203: starts 08:30:00, 08:30:02, 08:35:12, 08:41:00, 08:45:00 on 03-15; held 03-17 10:00.
    //   median = the photo at 08:35:12: 49 h 24 min 48 s = 49.4133 h -> 49.41
    // 020304: 09:15:00, 09:15:02, 09:20:30 -> held 03-18 09:00: median 71 h 44 min 58 s = 71.7494 -> 71.75
    // 030405: 14:00:00, 14:05:30, 14:10:00 on 03-16 -> held 03-20 12:00: median 93 h 54 min 30 s = 93.9083 -> 93.91
    expect(complianceReport(ctx.db, {})).toEqual([
      { officer: '010203', recordings: 5, onTime: 5, late: 0, unknown: 0, medianHoursToHeld: 49.41, worstLateHours: null, worstLateWorkingDays: null },
      { officer: '020304', recordings: 3, onTime: 0, late: 3, unknown: 0, medianHoursToHeld: 71.75, worstLateHours: 9, worstLateWorkingDays: 1 },
      { officer: '030405', recordings: 3, onTime: 0, late: 3, unknown: 0, medianHoursToHeld: 93.91, worstLateHours: 36, worstLateWorkingDays: 2 },
    ]);
  });
});

/** The catalog report (SQLite aggregates minus superseded facts) must equal rules/ compliance() over current facts. */
function expectReportMatchesPure(): void {
  const rows = currentDeadlineFacts(ctx.db).map((f) => ({ recording: f.evidence_number, officer: f.officer_id, madeAt: f.made_at, heldAt: f.held_at, dueAt: f.due_at, status: f.status, lateHours: f.late_hours, lateWorkingDays: f.late_working_days }));
  const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  expect(complianceReport(ctx.db, {})).toEqual(compliance(rows).map((c) => ({ ...c, medianHoursToHeld: r2(c.medianHoursToHeld), worstLateHours: r2(c.worstLateHours) })));
}

describe('the catalog report agrees with the pure aggregation', () => {
  it('complianceReport (SQL) == rules/ compliance() over the same current facts', () => {
    expectReportMatchesPure();
  });
});

describe('a field trip registered after the fact', () => {
  it('re-evaluates as new facts: the old ones stay', () => {
    // 030405 away 03-16 08:00 .. 03-19 18:00: due 24 h after return = 03-20 18:00, later than
    // 03-19 00:00 -> held 03-20 12:00 is now on time.
    now = sh('2026-03-21 09:00:00');
    const id = ctx.db.transaction(() =>
      insertFieldTrip(ctx.db, { officer_id: '030405', from_at: sh('2026-03-16 08:00:00'), to_at: sh('2026-03-19 18:00:00'), reason: 'remote area', registered_at: new Date(now).toISOString(), registered_by: 'test' }),
    )();
    const calendar = loadStationCalendar(ctx.config, ctx.home).calendar;
    const targets = currentDeadlineFacts(ctx.db, { officer: '030405' }).map((f) => f.evidence_number);
    const r = reevaluate({ db: ctx.db, config: ctx.config, calendar, actor: ctx.actor, clock: () => new Date(now) }, targets, `trip-registered:${id}`);
    expect(r.changed).toHaveLength(3);
    for (const e of targets) {
      const h = deadlineHistory(ctx.db, e);
      expect(h.map((f) => f.status)).toEqual(['late', 'on-time']);
      expect(h[1]!.due_at).toBe(sh('2026-03-20 18:00:00'));
      expect(h[1]!.trip_id).toBe(id);
      expect(h[1]!.cause).toBe(`trip-registered:${id}`);
      expect(h[1]!.supersedes).toBe(h[0]!.id);
    }
    expect(complianceReport(ctx.db, { officer: '030405' })[0]).toEqual({
      officer: '030405', recordings: 3, onTime: 3, late: 0, unknown: 0, medianHoursToHeld: 93.91, worstLateHours: null, worstLateWorkingDays: null,
    });
    expectReportMatchesPure();
    // Facts are append-only: editing the old one is refused by the catalog.
    expect(() => ctx.db.prepare(`UPDATE deadline_facts SET status = 'on-time'`).run()).toThrow(/append-only/);
    // Re-running changes nothing more.
    expect(reevaluate({ db: ctx.db, config: ctx.config, calendar, actor: ctx.actor }, targets, 'again').changed).toEqual([]);
    expect((ctx.db.prepare(`SELECT COUNT(*) AS n FROM audit_entries WHERE type = 'deadline.reevaluated'`).get() as { n: number }).n).toBe(3);
  });
});
