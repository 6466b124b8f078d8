import { describe, expect, it } from 'vitest';
import {
  DEADLINE_RULE,
  WorkingCalendar,
  evaluateDeadline,
  formatInstant,
  localDateOf,
  parseCalendarOverride,
  parseZonelessLocalTime,
  type DeadlineInput,
  type FieldTrip,
} from '../src/rules/index.js';

const TZ = 'Asia/Shanghai';
const cal = new WorkingCalendar();
/** A Shanghai wall-clock time as an instant: sh('2026-03-10 23:59:59'). */
const sh = (t: string): number => Date.parse(t.replace(' ', 'T') + '+08:00');
const H = 3_600_000;

function run(made: string | number, held: string | number, trips: FieldTrip[] = [], calendar = cal, tz = TZ) {
  const start = typeof made === 'number' ? made : sh(made);
  const heldAt = typeof held === 'number' ? held : sh(held);
  const input: DeadlineInput = { start: { at: start, source: 'recording-start' }, startTrusted: true, heldAt, trips };
  return evaluateDeadline(input, { calendar, timeZone: tz });
}

// Weekdays used below (all checked against a wall calendar):
//   2025-09-27 Sat, 09-28 Sun (调休上班), 09-30 Tue, 10-01..08 Wed..Wed (国庆+中秋), 10-10 Fri,
//   10-11 Sat (调休上班), 10-13 Mon; 2025-12-30 Tue, 12-31 Wed;
//   2026-01-01 Thu..01-03 Sat (元旦), 01-04 Sun (调休上班), 01-05 Mon;
//   2026-02-12 Thu, 02-13 Fri, 02-14 Sat (调休上班), 02-15 Sun..02-23 Mon (春节), 02-24 Tue;
//   2026-03-10 Tue, 03-13 Fri, 03-14 Sat; 2026-09-18 Fri, 09-20 Sun (调休上班),
//   09-24 Thu, 09-25 Fri..09-27 Sun (中秋), 09-30 Wed, 10-01 Thu..10-07 Wed (国庆),
//   10-08 Thu, 10-10 Sat (调休上班); 2026-12-29 Tue, 12-30 Wed, 12-31 Thu.
describe('Art. 10 due time: 24:00 of the 2nd working day after D (D not counted)', () => {
  it.each([
    // made (Shanghai)          due (Shanghai)              worked out by hand
    ['2026-03-10 10:00:00', '2026-03-13T00:00:00+08:00'], // Tue D; Wed 11 =1, Thu 12 =2 -> end of Thu
    ['2026-03-13 10:00:00', '2026-03-18T00:00:00+08:00'], // Fri D; Sat/Sun rest; Mon 16 =1, Tue 17 =2
    ['2026-03-14 10:00:00', '2026-03-18T00:00:00+08:00'], // Sat D (not counted); Sun rest; Mon =1, Tue =2
    ['2026-03-15 10:00:00', '2026-03-18T00:00:00+08:00'], // Sun D; Mon =1, Tue =2
    // Spring Festival 2026
    ['2026-02-12 10:00:00', '2026-02-15T00:00:00+08:00'], // Thu D; Fri 13 =1, Sat 14 (调休上班) =2
    ['2026-02-13 10:00:00', '2026-02-25T00:00:00+08:00'], // Fri D; Sat 14 =1; 15..23 春节; Tue 24 =2
    ['2026-02-14 10:00:00', '2026-02-26T00:00:00+08:00'], // Sat 14 is a working day but is D; 15..23 off; Tue 24 =1, Wed 25 =2
    ['2026-02-18 10:00:00', '2026-02-26T00:00:00+08:00'], // D inside the holiday; Tue 24 =1, Wed 25 =2
    ['2026-02-27 10:00:00', '2026-03-03T00:00:00+08:00'], // Fri D; Sat 28 (调休上班) =1; Sun 1 rest; Mon 2 =2
    // National Day / Mid-autumn 2026 with adjusted Sunday 09-20 and Saturday 10-10
    ['2026-09-18 10:00:00', '2026-09-22T00:00:00+08:00'], // Fri D; Sat rest; Sun 20 (调休上班) =1; Mon 21 =2
    ['2026-09-24 10:00:00', '2026-09-30T00:00:00+08:00'], // Thu D; 25..27 中秋; Mon 28 =1, Tue 29 =2
    ['2026-09-30 10:00:00', '2026-10-10T00:00:00+08:00'], // Wed D; 10-01..07 国庆; Thu 8 =1, Fri 9 =2
    ['2026-10-08 10:00:00', '2026-10-11T00:00:00+08:00'], // Thu D; Fri 9 =1; Sat 10 (调休上班) =2
    // National Day 2025 (combined with Mid-autumn, 8 days), adjusted Sun 09-28 and Sat 10-11
    ['2025-09-27 10:00:00', '2025-09-30T00:00:00+08:00'], // Sat D; Sun 28 (调休上班) =1; Mon 29 =2
    ['2025-09-30 10:00:00', '2025-10-11T00:00:00+08:00'], // Tue D; 10-01..08 off; Thu 9 =1, Fri 10 =2
    ['2025-10-10 10:00:00', '2025-10-14T00:00:00+08:00'], // Fri D; Sat 11 (调休上班) =1; Sun rest; Mon 13 =2
    // New Year across years
    ['2025-12-30 10:00:00', '2026-01-05T00:00:00+08:00'], // Tue D; Wed 31 =1; 01-01..03 元旦; Sun 01-04 (调休上班) =2
    ['2025-12-31 10:00:00', '2026-01-06T00:00:00+08:00'], // Wed D; 01-01..03 off; Sun 4 (调休上班) =1; Mon 5 =2
    ['2026-12-29 10:00:00', '2027-01-01T00:00:00+08:00'], // Tue D; Wed 30 =1, Thu 31 =2: no 2027 day needed
    // Midnight edges: the civil day in Shanghai decides D
    ['2026-03-10 23:59:59', '2026-03-13T00:00:00+08:00'], // still Tue D
    ['2026-03-11 00:00:00', '2026-03-14T00:00:00+08:00'], // Wed D; Thu 12 =1, Fri 13 =2
  ])('made %s -> due %s', (made, due) => {
    const r = run(made, '2026-01-01 00:00:00'); // held time irrelevant here
    expect(r.rule).toBe(DEADLINE_RULE);
    expect(r.dueAt).not.toBeNull();
    expect(formatInstant(r.dueAt!, TZ)).toBe(due);
    expect(r.tripDueAt).toBeNull();
  });

  it('records the calendar years consulted', () => {
    // D = 2025-12-31; the walk looks at 2026-01-01..04: both years.
    const r = run('2025-12-31 10:00:00', '2026-01-05 09:00:00');
    expect(r.calendarVersion).toMatch(/^2025:chinese-days@1\.5\.\d+,2026:chinese-days@1\.5\.\d+$/);
    expect(r.madeOn).toBe('2025-12-31');
  });
});

describe('recordings in UTC near local midnight (Asia/Shanghai is UTC+8, no DST)', () => {
  it.each([
    // instant (UTC)               local D       due (UTC)
    ['2026-03-10T15:59:59Z', '2026-03-10', '2026-03-12T16:00:00.000Z'], // 23:59:59 Tue local; due end Thu 12 local
    ['2026-03-10T16:00:00Z', '2026-03-11', '2026-03-13T16:00:00.000Z'], // 00:00 Wed local (still Mar 10 in UTC); due end Fri 13
    ['2026-02-12T17:00:00Z', '2026-02-13', '2026-02-24T16:00:00.000Z'], // 01:00 Fri 13 local; due end Tue 24 (春节)
    ['2026-02-13T16:30:00Z', '2026-02-14', '2026-02-25T16:00:00.000Z'], // 00:30 Sat 14 local; due end Wed 25
    ['2025-12-31T16:00:00Z', '2026-01-01', '2026-01-05T16:00:00.000Z'], // 00:00 Thu 01-01 local; Sun 4 =1, Mon 5 =2 -> end Mon 5
    ['2026-03-08T01:30:00Z', '2026-03-08', '2026-03-10T16:00:00.000Z'], // US DST switch day: irrelevant here; Sun D; Mon 9 =1, Tue 10 =2
  ])('%s', (utc, d, due) => {
    const r = run(Date.parse(utc), Date.parse(due));
    expect(r.madeOn).toBe(d);
    expect(new Date(r.dueAt!).toISOString()).toBe(due);
    expect(r.status).toBe('on-time'); // held exactly at 24:00 is on time
  });

  it('does not depend on the process time zone', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati']) {
        process.env.TZ = tz;
        const r = run(Date.parse('2026-03-10T16:00:00Z'), 0);
        expect(r.madeOn, tz).toBe('2026-03-11');
        expect(new Date(r.dueAt!).toISOString(), tz).toBe('2026-03-13T16:00:00.000Z');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('a station zone with DST puts 24:00 at the right instant', () => {
    // Europe/Berlin, made Fri 2026-03-27 10:00 CET. Sat/Sun rest (DST starts Sun 29);
    // Mon 30 =1, Tue 31 =2 -> 24:00 Tue = 2026-04-01T00:00+02:00 = 2026-03-31T22:00Z.
    const made = Date.parse('2026-03-27T10:00:00+01:00');
    const r = run(made, 0, [], cal, 'Europe/Berlin');
    expect(new Date(r.dueAt!).toISOString()).toBe('2026-03-31T22:00:00.000Z');
  });

  it('reads zone-less recorder times in the station zone', () => {
    expect(parseZonelessLocalTime('2026:03:10 23:59:59', TZ)).toBe(Date.parse('2026-03-10T15:59:59Z'));
    expect(parseZonelessLocalTime('2026-03-11T00:00:00.5', TZ)).toBe(Date.parse('2026-03-10T16:00:00.500Z'));
    expect(parseZonelessLocalTime('2026:02:30 10:00:00', TZ)).toBeNull();
    expect(localDateOf(Date.parse('2026-03-10T16:00:00Z'), TZ)).toBe('2026-03-11');
  });
});

describe('on time / late', () => {
  it.each([
    // made                  held                    status      late hours  late working days
    ['2026-03-10 10:00:00', '2026-03-12 23:59:59', 'on-time', undefined, undefined], // due 03-13 00:00
    ['2026-03-10 10:00:00', '2026-03-13 00:00:00', 'on-time', undefined, undefined], // exactly 24:00: "by 24:00"
    ['2026-03-10 10:00:00', '2026-03-13 00:00:01', 'late', 1 / 3600, 1], // 1 s late, on Fri 13 (a working day)
    ['2026-03-10 10:00:00', '2026-03-16 09:00:00', 'late', 81, 2], // 3 d 9 h; working days after Thu 12 up to Mon 16: Fri 13, Mon 16
    // Due end of Sat 02-14 (Thu D); held during 春节 on Fri 02-20 10:00: 5 d 10 h = 130 h, no working day since
    ['2026-02-12 10:00:00', '2026-02-20 10:00:00', 'late', 130, 0],
    // held Tue 02-24 09:00: 9 d 9 h = 225 h; working days in (02-14, 02-24]: Tue 24 only
    ['2026-02-12 10:00:00', '2026-02-24 09:00:00', 'late', 225, 1],
  ])('made %s held %s -> %s', (made, held, status, hours, wdays) => {
    const r = run(made, held);
    expect(r.status).toBe(status);
    if (hours === undefined) {
      expect(r.lateHours).toBeUndefined();
    } else {
      expect(r.lateHours).toBeCloseTo(hours, 9);
      expect(r.lateWorkingDays).toBe(wdays);
    }
  });

  it('late across into an unknown year: hours known, working days unknown', () => {
    // Tue 2026-12-29 D -> due 2027-01-01 00:00 (no 2027 day needed). Held 2027-01-04 12:00:
    // 3 d 12 h = 84 h late; counting working days would need the unknown 2027 schedule.
    const r = run('2026-12-29 10:00:00', '2027-01-04 12:00:00');
    expect(r.status).toBe('late');
    expect(r.lateHours).toBe(84);
    expect(r.lateWorkingDays).toBeNull();
    expect(r.calendarVersion).toContain('2027:unknown');
  });
});

describe('unknown, never guessed', () => {
  it('D in 2027 (no schedule) -> calendar unknown', () => {
    const r = run('2027-03-10 10:00:00', '2027-03-10 11:00:00');
    expect(r.status).toBe('unknown');
    expect(r.unknownReason).toBe('calendar-unknown');
    expect(r.dueAt).toBeNull();
    expect(r.detail).toContain('2027');
  });

  it('D = Wed 2026-12-30 needs 2027-01-01 -> calendar unknown', () => {
    // Thu 31 =1; the 2nd working day would be in 2027, whose schedule is unknown.
    const r = run('2026-12-30 10:00:00', '2026-12-30 11:00:00');
    expect(r.status).toBe('unknown');
    expect(r.unknownReason).toBe('calendar-unknown');
  });

  it('with a 2027 override the same recording is known', () => {
    const o = parseCalendarOverride(
      JSON.stringify({ year: 2027, holidays: [{ date: '2027-01-01', name: '元旦' }], workdays: [] }),
    ).override!;
    const withOverride = new WorkingCalendar({ overrides: [o] });
    // Wed 2026-12-30 D; Thu 31 =1; Fri 2027-01-01 元旦 (override); Sat/Sun rest; Mon 01-04 =2
    const r = run('2026-12-30 10:00:00', '2026-12-30 11:00:00', [], withOverride);
    expect(formatInstant(r.dueAt!, TZ)).toBe('2027-01-05T00:00:00+08:00');
    expect(r.calendarVersion).toMatch(/2027:override@sha256:[0-9a-f]{16}$/);
  });

  it('an override that adds a holiday moves the deadline', () => {
    const o = parseCalendarOverride(JSON.stringify({ year: 2026, mode: 'merge', holidays: [{ date: '2026-03-11', name: 'local' }] })).override!;
    // Tue 03-10 D; Wed 11 local holiday; Thu 12 =1, Fri 13 =2 -> 03-14 00:00 (built-in: 03-13 00:00)
    const r = run('2026-03-10 10:00:00', 0, [], new WorkingCalendar({ overrides: [o] }));
    expect(formatInstant(r.dueAt!, TZ)).toBe('2026-03-14T00:00:00+08:00');
  });

  it('untrusted start with a trustworthy fallback: uses the earliest fallback and flags it', () => {
    const r = evaluateDeadline(
      {
        start: { at: sh('2019-01-01 00:00:00'), source: 'recording-start' },
        startTrusted: false,
        fallbacks: [
          { at: sh('2026-03-13 08:00:00'), source: 'docked-at' },
          { at: sh('2026-03-10 10:30:00'), source: 'file-mtime' },
        ],
        heldAt: sh('2026-03-13 08:05:00'),
      },
      { calendar: cal, timeZone: TZ },
    );
    // fallback file-mtime Tue 03-10 -> due 03-13 00:00; held 03-13 08:05 -> 8 h 5 min late
    expect(r.timeFlagged).toBe(true);
    expect(r.madeAtSource).toBe('file-mtime');
    expect(r.status).toBe('late');
    expect(r.lateHours).toBeCloseTo(8 + 5 / 60, 9);
  });

  it('no trustworthy time at all -> time unknown', () => {
    const r = evaluateDeadline({ start: null, startTrusted: false, heldAt: sh('2026-03-13 08:05:00') }, { calendar: cal, timeZone: TZ });
    expect(r.status).toBe('unknown');
    expect(r.unknownReason).toBe('time-untrusted');
    expect(r.madeAt).toBeNull();
  });
});

describe('field trips (Art. 10 ¶2): 24 h after return, if later', () => {
  const trip: FieldTrip = { id: 7, officer: 'A001', from: sh('2026-03-02 08:00:00'), to: sh('2026-03-09 18:00:00'), reason: 'remote area' };
  it.each([
    // made                  held                    due (Shanghai)               status     why
    // Wed 03-04 during trip: normal due end Fri 03-06 = 03-07 00:00; trip due 03-10 18:00 is later
    ['2026-03-04 10:00:00', '2026-03-10 12:00:00', '2026-03-10T18:00:00+08:00', 'on-time', 7],
    ['2026-03-04 10:00:00', '2026-03-10 20:00:00', '2026-03-10T18:00:00+08:00', 'late', 7],
    // Mon 03-09 17:00 (still on the trip): normal due end Wed 03-11 = 03-12 00:00 is later than 03-10 18:00
    ['2026-03-09 17:00:00', '2026-03-11 20:00:00', '2026-03-12T00:00:00+08:00', 'on-time', 7],
    // Mon 03-09 19:00, after the return: no trip, normal due 03-12 00:00
    ['2026-03-09 19:00:00', '2026-03-11 20:00:00', '2026-03-12T00:00:00+08:00', 'on-time', null],
    // Sun 03-01, before departure: normal, Mon 2 =1, Tue 3 =2 -> 03-04 00:00; held 03-05 -> late
    ['2026-03-01 10:00:00', '2026-03-05 10:00:00', '2026-03-04T00:00:00+08:00', 'late', null],
  ])('made %s held %s -> due %s', (made, held, due, status, tripId) => {
    const r = run(made, held, [trip]);
    expect(formatInstant(r.dueAt!, TZ)).toBe(due);
    expect(r.status).toBe(status);
    expect(r.tripId).toBe(tripId);
  });

  it('late after a trip: 2 h late, 0 working days (same day)', () => {
    const r = run('2026-03-04 10:00:00', '2026-03-10 20:00:00', [trip]);
    expect(r.lateHours).toBe(2);
    expect(r.lateWorkingDays).toBe(0);
  });

  it('overlapping trips: the latest return applies', () => {
    const second: FieldTrip = { id: 8, officer: 'A001', from: sh('2026-03-03 00:00:00'), to: sh('2026-03-12 09:00:00') };
    const r = run('2026-03-04 10:00:00', '2026-03-13 08:00:00', [trip, second]);
    // trip 8 returns 03-12 09:00 -> due 03-13 09:00; held 08:00 -> on time
    expect(r.tripId).toBe(8);
    expect(formatInstant(r.dueAt!, TZ)).toBe('2026-03-13T09:00:00+08:00');
    expect(r.status).toBe('on-time');
  });

  it('a trip whose normal deadline is in an unknown year stays unknown', () => {
    const t: FieldTrip = { id: 9, officer: 'A001', from: sh('2027-03-01 00:00:00'), to: sh('2027-03-05 00:00:00') };
    const r = run('2027-03-02 10:00:00', '2027-03-05 10:00:00', [t]);
    expect(r.status).toBe('unknown');
    expect(r.tripDueAt).toBe(sh('2027-03-06 00:00:00'));
  });
});
