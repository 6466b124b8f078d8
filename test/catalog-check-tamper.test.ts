// `evidock catalog check` compares every rebuildable table, the schema (triggers included), the
// log and the checkpoint files with what the journal and the store say, as found: a fact table
// edited behind dropped triggers, dropped triggers alone, a checkpoint file deleted, and the last
// journal line deleted are each named; no other command quietly re-writes the lost journal line;
// `log repair-journal` is the explicit, logged repair. Real CLI, real home.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyHome, runCli, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-catalog-check-');
afterAll(() => tmp.cleanup());

type Check = { ok: boolean; tables: { table: string; row: string; column?: string; problem: string; catalog?: string; rebuilt?: string }[]; entries: { seq: number; problem: string }[] };

function check(home: string): { code: number; result: Check; text: string } {
  const r = runCli(['--home', home, 'catalog', 'check', '--json']);
  const t = runCli(['--home', home, 'catalog', 'check']);
  return { code: r.code, result: JSON.parse(r.stdout) as Check, text: t.stdout };
}

/** Run SQL on the catalog with its append-only triggers dropped, as the service user could. */
function behindTriggers(home: string, sql: string, ...args: unknown[]): void {
  const db = new Database(path.join(home, 'catalog.sqlite'));
  for (const t of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).pluck().all() as string[]) db.exec(`DROP TRIGGER ${t}`);
  db.prepare(sql).run(...args);
  db.close();
}

/** A home with two recorders, an officer, a recorder registration and an assignment. */
function registeredHome(name: string): string {
  const home = readyHome(path.join(tmp.dir, name), ['7654321', 'A9K3F20']);
  for (const args of [
    ['officers', 'add', '020304', '--name', '张伟'],
    ['recorders', 'add', '7654321', '--make', 'Jingwei'],
    ['assign', '7654321', '020304', '--from', '2026-01-01'],
  ]) {
    const r = runCli(['--home', home, ...args]);
    expect(r.code, r.stderr).toBe(0);
  }
  return home;
}

describe('catalog check compares every table with the log and the store', () => {
  let home: string;
  beforeAll(() => {
    home = registeredHome('tables');
    const { code, result } = check(home);
    expect(result.tables).toEqual([]);
    expect(code).toBe(0);
  });

  it("an officer's name changed behind dropped triggers: named by table, row and column", () => {
    behindTriggers(home, `UPDATE officers SET name = '李四' WHERE number = '020304'`);
    const { code, result, text } = check(home);
    expect(code).toBe(1);
    expect(result.tables).toContainEqual(expect.objectContaining({ table: 'officers', row: '020304', column: 'name', catalog: '李四', rebuilt: '张伟' }));
    expect(text).toContain('table     officers 020304 name: differs from the log or the store [catalog 李四, log/store 张伟]');
  });

  it('the dropped append-only triggers are named even where no row changed', () => {
    const { result } = check(home);
    expect(result.tables).toContainEqual(expect.objectContaining({ table: 'schema', row: 'trigger officers_no_update', problem: 'trigger missing (dropped?)' }));
    expect(result.tables).toContainEqual(expect.objectContaining({ table: 'schema', row: 'trigger originals_no_delete', problem: 'trigger missing (dropped?)' }));
  });

  it("an assignment's start and an original's attributed officer changed: both named", () => {
    behindTriggers(home, `UPDATE assignments SET from_ms = 0`);
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const ev = db.prepare('SELECT evidence_number FROM provenance ORDER BY evidence_number LIMIT 1').pluck().get() as string;
    db.close();
    behindTriggers(home, `UPDATE provenance SET officer_id = '999999' WHERE evidence_number = ?`, ev);
    const { code, result } = check(home);
    expect(code).toBe(1);
    expect(result.tables).toContainEqual(expect.objectContaining({ table: 'assignments', column: 'from_ms', catalog: '0' }));
    expect(result.tables).toContainEqual(expect.objectContaining({ table: 'provenance', row: ev, column: 'officer_id', catalog: '999999' }));
  });
});

describe('the journal and the checkpoint files are compared as found', () => {
  it('a deleted checkpoint file: its catalog row is named', () => {
    const home = registeredHome('checkpoints');
    expect(runCli(['--home', home, 'log', 'checkpoint']).code).toBe(0);
    const dir = path.join(home, 'checkpoints');
    const file = readdirSync(dir).find((n) => n.endsWith('.checkpoint'))!;
    rmSync(path.join(dir, file), { force: true });
    const { code, result } = check(home);
    expect(code).toBe(1);
    expect(result.tables).toContainEqual(expect.objectContaining({ table: 'audit_checkpoints', row: path.join('checkpoints', file), problem: 'in the catalog but not in the log or the store' }));
  });

  it("the last line of today's journal deleted: no command writes it back; catalog check names it; repair-journal is explicit and logged", () => {
    const home = registeredHome('journal');
    const dir = path.join(home, 'journal');
    const today = readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort().pop()!;
    const file = path.join(dir, today);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const lost = JSON.parse(lines.pop()!) as { seq: number };
    writeFileSync(file, lines.map((l) => l + '\n').join(''));
    for (const args of [['list'], ['verify', '--quick'], ['officers', 'list']]) {
      const r = runCli(['--home', home, ...args]);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`entries ${lost.seq}\\.\\.${lost.seq} were removed from it`));
    }
    const seqs = () => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(seqs()).not.toContain(lost.seq);
    const { code, result } = check(home);
    expect(code).toBe(1);
    expect(result.entries).toContainEqual({ seq: lost.seq, problem: 'in the catalog but not in the journal' });
    const repair = runCli(['--home', home, 'log', 'repair-journal', '--json']);
    expect(repair.code, repair.stderr).toBe(0);
    expect(JSON.parse(repair.stdout)).toMatchObject({ repaired: true, lost: { from: lost.seq, to: lost.seq } });
    expect(seqs()).toContain(lost.seq);
    const entries = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(entries).toContainEqual(expect.objectContaining({ type: 'journal.repaired', data: expect.objectContaining({ lostFrom: lost.seq, lostTo: lost.seq }) }));
    const after = check(home);
    expect(after.result.entries).toEqual([]);
    expect(after.code).toBe(0);
  });
});
