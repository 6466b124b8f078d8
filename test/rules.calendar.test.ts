import { describe, expect, it } from 'vitest';
import {
  WorkingCalendar,
  addDays,
  loadCalendar,
  missingNextYearWarning,
  parseCalendarOverride,
  weekday,
  type LocalDate,
} from '../src/rules/index.js';
import { builtinSchedules } from '../src/rules/chineseDays.js';

/** Expands [first, last] inclusive into dates. */
function range(first: LocalDate, last: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(d);
  return out;
}

// 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12):
//   元旦 1月1日 放假1天，不调休
//   春节 1月28日至2月4日 共8天；1月26日(周日)、2月8日(周六)上班
//   清明节 4月4日至6日 共3天
//   劳动节 5月1日至5日 共5天；4月27日(周日)上班
//   端午节 5月31日至6月2日 共3天
//   国庆节、中秋节 10月1日至8日 共8天；9月28日(周日)、10月11日(周六)上班
const HOLIDAYS_2025 = [
  ['2025-01-01', '2025-01-01', '元旦'],
  ['2025-01-28', '2025-02-04', '春节'],
  ['2025-04-04', '2025-04-06', '清明'],
  ['2025-05-01', '2025-05-05', '劳动节'],
  ['2025-05-31', '2025-06-02', '端午'],
  ['2025-10-01', '2025-10-08', '国庆节/中秋'], // one combined break; chinese-days names 10-06 (the festival day) 中秋
] as const;
const WORKDAYS_2025 = ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'];

// 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04):
//   元旦 1月1日至3日 共3天；1月4日(周日)上班
//   春节 2月15日至23日 共9天；2月14日(周六)、2月28日(周六)上班
//   清明节 4月4日至6日 共3天
//   劳动节 5月1日至5日 共5天；5月9日(周六)上班
//   端午节 6月19日至21日 共3天
//   中秋节 9月25日至27日 共3天
//   国庆节 10月1日至7日 共7天；9月20日(周日)、10月10日(周六)上班
const HOLIDAYS_2026 = [
  ['2026-01-01', '2026-01-03', '元旦'],
  ['2026-02-15', '2026-02-23', '春节'],
  ['2026-04-04', '2026-04-06', '清明'],
  ['2026-05-01', '2026-05-05', '劳动节'],
  ['2026-06-19', '2026-06-21', '端午'],
  ['2026-09-25', '2026-09-27', '中秋'],
  ['2026-10-01', '2026-10-07', '国庆节'],
] as const;
const WORKDAYS_2026 = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

describe.each([
  [2025, HOLIDAYS_2025, WORKDAYS_2025, 28],
  [2026, HOLIDAYS_2026, WORKDAYS_2026, 33],
])('built-in schedule %i matches the State Council notice', (year, holidays, workdays, holidayCount) => {
  const cal = new WorkingCalendar();
  const expectedHolidays = new Map<string, string>();
  for (const [a, b, name] of holidays) for (const d of range(a, b)) expectedHolidays.set(d, name);

  it('lists exactly the notice holidays, with names', () => {
    const st = cal.yearStatus(year);
    expect(st.known).toBe(true);
    expect(st.source).toBe('builtin');
    expect(st.holidays.map((h) => h.date)).toEqual([...expectedHolidays.keys()].sort());
    expect(st.holidays).toHaveLength(holidayCount);
    for (const h of st.holidays) expect(expectedHolidays.get(h.date)!.split('/')).toContain(h.name);
  });

  it('lists exactly the notice adjusted working days, all on weekends', () => {
    const st = cal.yearStatus(year);
    expect(st.workdays.map((w) => w.date)).toEqual(workdays);
    for (const w of workdays) expect([0, 6]).toContain(weekday(w));
  });

  it('classifies every day of the year', () => {
    for (const d of range(`${year}-01-01`, `${year}-12-31`)) {
      const wd = weekday(d);
      const expected = expectedHolidays.has(d) ? false : workdays.includes(d) ? true : wd >= 1 && wd <= 5;
      const info = cal.dayInfo(d);
      expect(info.known, d).toBe(true);
      if (info.known) expect(info.working, d).toBe(expected);
    }
  });
});

describe('unknown years are never guessed', () => {
  const cal = new WorkingCalendar();

  it('2027 (not in chinese-days 1.5.x) is unknown, even on a plain Monday', () => {
    // 2027-03-08 is a Monday; chinese-days' own isWorkday() would answer true.
    expect(cal.isYearKnown(2027)).toBe(false);
    expect(cal.isWorkingDay('2027-03-08')).toBeNull();
    const info = cal.dayInfo('2027-03-08');
    expect(info.known).toBe(false);
    if (!info.known) expect(info.reason).toContain('2027');
    expect(cal.yearStatus(2027).version).toBe('2027:unknown');
  });

  it('years before the data (2003) are unknown too', () => {
    expect(cal.isWorkingDay('2003-06-02')).toBeNull();
  });

  it('known years are 2004..2026 with chinese-days 1.5.7', () => {
    expect(cal.knownYears()[0]).toBe(2004);
    expect(cal.knownYears().at(-1)).toBe(2026);
    expect(builtinSchedules().version).toMatch(/^chinese-days@1\.5\./);
  });

  it('does not depend on the process time zone (chinese-days does)', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const fresh = new WorkingCalendar();
      expect(fresh.dayInfo('2026-01-04')).toMatchObject({ known: true, working: true, kind: 'adjusted-workday' });
      expect(fresh.isWorkingDay('2026-01-05')).toBe(true); // Monday
      expect(fresh.isWorkingDay('2026-01-03')).toBe(false); // 元旦, Saturday
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

const OVERRIDE_2027 = JSON.stringify({
  year: 2027,
  source: 'test schedule',
  holidays: [
    { date: '2027-01-01', name: '元旦' },
    { date: '2027-03-08', name: 'test holiday' },
  ],
  workdays: [{ date: '2027-03-13', name: 'test 调休上班' }],
});

describe('override files win', () => {
  it('a replace file makes an unknown year known', () => {
    const r = parseCalendarOverride(OVERRIDE_2027, '2027.json', 2027);
    expect(r.errors).toEqual([]);
    const cal = new WorkingCalendar({ overrides: [r.override!] });
    expect(cal.isWorkingDay('2027-03-08')).toBe(false); // listed holiday, a Monday
    expect(cal.isWorkingDay('2027-03-09')).toBe(true); // plain Tuesday
    expect(cal.isWorkingDay('2027-03-13')).toBe(true); // adjusted Saturday
    expect(cal.isWorkingDay('2027-03-14')).toBe(false); // plain Sunday
    expect(cal.yearStatus(2027).version).toMatch(/^2027:override@sha256:[0-9a-f]{16}$/);
  });

  it('a replace file for a built-in year replaces it entirely', () => {
    const text = JSON.stringify({ year: 2026, holidays: [{ date: '2026-03-10', name: 'only this' }], workdays: [] });
    const cal = new WorkingCalendar({ overrides: [parseCalendarOverride(text).override!] });
    expect(cal.isWorkingDay('2026-03-10')).toBe(false);
    expect(cal.isWorkingDay('2026-10-05')).toBe(true); // built-in 国庆 holiday gone (a Monday)
    expect(cal.yearStatus(2026).source).toBe('override');
  });

  it('a merge file changes only the days it lists', () => {
    const text = JSON.stringify({
      year: 2026,
      mode: 'merge',
      holidays: [{ date: '2026-03-11', name: 'local' }],
      workdays: [{ date: '2026-10-07', name: 'worked after all' }],
    });
    const cal = new WorkingCalendar({ overrides: [parseCalendarOverride(text).override!] });
    expect(cal.isWorkingDay('2026-03-11')).toBe(false);
    expect(cal.isWorkingDay('2026-10-07')).toBe(true);
    expect(cal.isWorkingDay('2026-10-06')).toBe(false); // built-in 国庆 kept
    expect(cal.yearStatus(2026).version).toMatch(/^2026:chinese-days@1\.5\.\d+\+override@sha256:/);
  });

  it('a merge file cannot make an unknown year known', () => {
    const text = JSON.stringify({ year: 2027, mode: 'merge', holidays: [{ date: '2027-01-01', name: '元旦' }] });
    const cal = new WorkingCalendar({ overrides: [parseCalendarOverride(text).override!] });
    expect(cal.isWorkingDay('2027-01-04')).toBeNull();
  });

  it('the shipped example files are valid', async () => {
    const { readFileSync } = await import('node:fs');
    for (const f of ['2026.json', 'merge-local-holiday.json']) {
      const r = parseCalendarOverride(readFileSync(new URL(`../config/calendar/examples/${f}`, import.meta.url), 'utf8'), f);
      expect(r.errors, f).toEqual([]);
    }
    // The official 2026 example says exactly what chinese-days says.
    const ex = parseCalendarOverride(readFileSync(new URL('../config/calendar/examples/2026.json', import.meta.url), 'utf8')).override!;
    const a = new WorkingCalendar().yearStatus(2026);
    const b = new WorkingCalendar({ overrides: [ex] }).yearStatus(2026);
    expect(b.holidays.map((h) => h.date)).toEqual(a.holidays.map((h) => h.date));
    expect(b.workdays.map((h) => h.date)).toEqual(a.workdays.map((h) => h.date));
  });
});

describe('override validation', () => {
  it.each([
    ['not JSON', '{', '$: not valid JSON'],
    ['date outside the year', JSON.stringify({ year: 2027, holidays: [{ date: '2026-12-31', name: 'x' }] }), '$.holidays[0].date: 2026-12-31 is outside the year 2027'],
    ['impossible date', JSON.stringify({ year: 2027, holidays: [{ date: '2027-02-30', name: 'x' }] }), '$.holidays[0].date: "2027-02-30" is not a date'],
    [
      'both holiday and working day',
      JSON.stringify({ year: 2027, holidays: [{ date: '2027-02-06', name: 'x' }], workdays: [{ date: '2027-02-06', name: 'y' }] }),
      '$.workdays: 2027-02-06 is also listed as a holiday',
    ],
    ['missing name', JSON.stringify({ year: 2027, holidays: [{ date: '2027-01-01' }] }), '$.holidays[0].name: a name is required'],
    ['duplicate', JSON.stringify({ year: 2027, holidays: [{ date: '2027-01-01', name: 'a' }, { date: '2027-01-01', name: 'b' }] }), 'listed twice'],
    ['unknown key', JSON.stringify({ year: 2027, holiday: [], holidays: [{ date: '2027-01-01', name: 'a' }] }), '$.holiday: unknown key'],
    ['bad mode', JSON.stringify({ year: 2027, mode: 'add', holidays: [{ date: '2027-01-01', name: 'a' }] }), '$.mode'],
    ['empty replace', JSON.stringify({ year: 2027, holidays: [] }), 'no holidays'],
  ])('%s', (_name, text, message) => {
    const r = parseCalendarOverride(text);
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toContain(message);
  });

  it('year must match the file name', () => {
    const r = parseCalendarOverride(OVERRIDE_2027, '2028.json', 2028);
    expect(r.errors).toContain('$.year: 2027 does not match the file name (2028.json)');
  });

  it('warns about a listed working day that is a weekday anyway', () => {
    const r = parseCalendarOverride(JSON.stringify({ year: 2027, holidays: [{ date: '2027-01-01', name: 'a' }], workdays: [{ date: '2027-01-04', name: 'Monday' }] }));
    expect(r.ok).toBe(true);
    expect(r.warnings[0]).toContain('2027-01-04');
  });

  it('loadCalendar reads <year>.json files through the injected reader and reports bad ones', () => {
    const files: Record<string, string> = {
      '2027.json': OVERRIDE_2027,
      '2028.json': '{"year": 2028, "holidays": [{"date": "2028-13-01", "name": "x"}]}',
      'notes.json': '{}',
      'README.md': '# hi',
    };
    const r = loadCalendar({ list: () => Object.keys(files), read: (n) => files[n]! });
    expect(r.overrides.map((o) => o.year)).toEqual([2027]);
    expect(r.errors).toEqual(['2028.json: $.holidays[0].date: "2028-13-01" is not a date YYYY-MM-DD']);
    expect(r.warnings).toEqual(['notes.json: ignored, calendar files are named <year>.json']);
    expect(r.calendar.isYearKnown(2027)).toBe(true);
  });
});

describe('December warning', () => {
  const cal = new WorkingCalendar();
  it.each([
    ['2026-11-30', null],
    ['2026-12-01', '2027'],
    ['2026-12-31', '2027'],
    ['2025-12-15', null], // 2026 is known
    ['2027-01-02', '2027'], // the current year itself is missing
  ])('on %s', (today, year) => {
    const w = missingNextYearWarning(cal, today);
    if (year === null) expect(w).toBeNull();
    else expect(w).toContain(`no public-holiday schedule for ${year}`);
  });

  it('is silent once the year is imported', () => {
    const withNext = new WorkingCalendar({ overrides: [parseCalendarOverride(OVERRIDE_2027).override!] });
    expect(missingNextYearWarning(withNext, '2026-12-01')).toBeNull();
  });
});
