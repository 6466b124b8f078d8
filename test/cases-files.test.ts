// Art. 11 case files: open with the action's end date (due 20 calendar days later), add held
// recordings with what they prove, list overdue ones (also in status and report compliance),
// file them; every step an audit entry naming who did it; a refusal writes nothing.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldOriginals, readyHome, runCli, tempDir } from './helpers/evidock.js';

function auditEntries(home: string, prefix: string): any[] {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  try {
    return (db.prepare(`SELECT entry FROM audit_entries WHERE type LIKE ? ORDER BY seq`).all(`${prefix}%`) as { entry: string }[]).map((r) => JSON.parse(r.entry));
  } finally {
    db.close();
  }
}

function entryCount(home: string): number {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM audit_entries').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('evidock case (Art. 11 case files)', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  const cli = (...args: string[]) => runCli(['--home', home, ...args]);
  let held: { evidence_number: string; sha256: string }[];
  // Yesterday in Asia/Shanghai (the default station zone): due in 19 days, not overdue.
  const recent = new Date(Date.now() + 8 * 3600_000 - 86400_000).toISOString().slice(0, 10);

  beforeAll(() => {
    readyHome(home, ['1234567']);
    held = heldOriginals(home);
    const o = cli('officers', 'add', '010203', '--name', '张三');
    expect(o.code, o.stderr).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('opens a case due 20 calendar days after the action ended and adds recordings with what they prove', () => {
    const opened = cli('case', 'open', 'XZ-2026-031', '--action-ended', '2026-03-15', '--title', '占道经营检查', '--officer', '010203', '--json');
    expect(opened.code, opened.stderr).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject({ ref: 'XZ-2026-031', action_ended: '2026-03-15', due: '2026-04-04', officers: ['010203'] });
    expect(cli('case', 'open', 'XZ-2026-040', '--action-ended', recent).code).toBe(0);

    const add = cli('case', 'add', 'XZ-2026-031', held[0].evidence_number, held[1].sha256, '--proves', '当事人拒绝检查');
    expect(add.code, add.stderr).toBe(0);
    expect(cli('case', 'add', 'XZ-2026-031', held[2].evidence_number, '--proves', '现场物品情况').code).toBe(0);

    const shown = JSON.parse(cli('case', 'show', 'XZ-2026-031', '--json').stdout);
    expect(shown.recordings.map((r: any) => [r.evidenceNumber, r.proves])).toEqual([
      [held[0].evidence_number, '当事人拒绝检查'],
      [held[1].evidence_number, '当事人拒绝检查'],
      [held[2].evidence_number, '现场物品情况'],
    ]);
    expect(shown.officers).toEqual([{ number: '010203', name: '张三' }]);
    // `show` of a recording carries the note with its case.
    expect(JSON.parse(cli('show', held[2].evidence_number, '--json').stdout).proves).toEqual([expect.objectContaining({ text: '现场物品情况', case: 'XZ-2026-031' })]);
  });

  it('lists the overdue case in case list --overdue, status and report compliance', () => {
    const overdue = JSON.parse(cli('case', 'list', '--overdue', '--json').stdout);
    expect(overdue.map((c: any) => c.ref)).toEqual(['XZ-2026-031']);
    const all = JSON.parse(cli('case', 'list', '--json').stdout);
    expect(all.map((c: any) => [c.ref, c.overdue, c.recordings])).toEqual([
      ['XZ-2026-031', true, 3],
      ['XZ-2026-040', false, 0],
    ]);
    expect(cli('case', 'list').stdout).toMatch(/XZ-2026-031\s+2026-03-15\s+2026-04-04\s+OVERDUE/);
    const status = cli('status', '--json');
    expect(JSON.parse(status.stdout).cases).toMatchObject({ open: 2, overdue: 1, overdueRefs: ['XZ-2026-031'] });
    expect(cli('status').stdout).toContain('case files: 2 not yet filed, 1 overdue (Art. 11): XZ-2026-031');
    expect(cli('report', 'compliance').stdout).toContain('case files (Art. 11): 2 not yet filed, 1 overdue: XZ-2026-031');
  });

  it('refuses an unknown case, an unknown recording, an unregistered officer and a bad date, writing nothing', () => {
    const before = entryCount(home);
    const unknown = cli('case', 'add', 'NO-SUCH-CASE', held[3].evidence_number);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no case "NO-SUCH-CASE"');
    expect(cli('case', 'show', 'NO-SUCH-CASE').code).toBe(2);
    expect(cli('case', 'close', 'NO-SUCH-CASE').code).toBe(2);
    const noRec = cli('case', 'add', 'XZ-2026-040', held[3].evidence_number, 'STATION-19990101-000001');
    expect(noRec.code).toBe(2);
    expect(noRec.stderr).toContain('nothing added');
    expect(cli('case', 'open', 'XZ-9', '--action-ended', '2026-03-15', '--officer', '999999').code).toBe(2);
    expect(cli('case', 'open', 'XZ-9', '--action-ended', '2026-02-30').stderr).toContain('not a date');
    expect(cli('case', 'open', 'XZ-2026-031', '--action-ended', '2026-03-15').stderr).toContain('already open');
    expect(entryCount(home)).toBe(before);
    expect(JSON.parse(cli('case', 'show', 'XZ-2026-040', '--json').stdout).recordings).toEqual([]);
  });

  it('files the case; a filed case takes no more recordings (exit 1) and is no longer overdue', () => {
    const closed = cli('case', 'close', 'XZ-2026-031', '--json');
    expect(closed.code, closed.stderr).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ ref: 'XZ-2026-031', late: true });
    const more = cli('case', 'add', 'XZ-2026-031', held[3].evidence_number);
    expect(more.code).toBe(1);
    expect(more.stderr).toContain('is filed');
    expect(JSON.parse(cli('case', 'list', '--overdue', '--json').stdout)).toEqual([]);
    expect(JSON.parse(cli('status', '--json').stdout).cases).toMatchObject({ open: 1, overdue: 0 });
  });

  it('every step is an audit entry naming who did it', () => {
    const user = auditEntries(home, 'case.opened')[0].actor.user;
    expect(user).toBeTruthy();
    const entries = auditEntries(home, 'case.');
    expect(entries.map((e) => [e.type, e.data.ref])).toEqual([
      ['case.opened', 'XZ-2026-031'],
      ['case.opened', 'XZ-2026-040'],
      ['case.recording-added', 'XZ-2026-031'],
      ['case.recording-added', 'XZ-2026-031'],
      ['case.recording-added', 'XZ-2026-031'],
      ['case.filed', 'XZ-2026-031'],
    ]);
    expect(entries[0].data).toMatchObject({ actionEnded: '2026-03-15', due: '2026-04-04', officers: ['010203'], openedBy: user });
    expect(entries[2].data).toMatchObject({ evidenceNumber: held[0].evidence_number, sha256: held[0].sha256, proves: '当事人拒绝检查', addedBy: user });
    expect(entries[5].data).toMatchObject({ late: true, closedBy: user });
    const db = new Database(path.join(home, 'catalog.sqlite'));
    try {
      expect(() => db.exec(`UPDATE cases SET due = '2099-01-01'`)).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM case_closures')).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });
});
