// The audit log as one object per catalog handle (AuditLog): it holds its statements, its tree
// and its journal; the functions every room calls go through it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAuditEntry, attachAuditHome, AuditLog, journalDir } from '../src/audit/log.js';
import { auditTree } from '../src/audit/tree-store.js';
import { openCatalog } from '../src/store/catalog.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'evidock-auditlog-object-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const actor = { via: 'cli' as const, user: 'tester' };
const at = new Date(Date.UTC(2026, 10, 1, 8, 0, 0));

describe('AuditLog', () => {
  it('one object per handle; appends through it and through appendAuditEntry share one sequence and one tree', () => {
    const db = openCatalog(path.join(home, 'a.sqlite'));
    const log = AuditLog.of(db);
    expect(AuditLog.of(db)).toBe(log);
    const other = openCatalog(path.join(home, 'b.sqlite'));
    expect(AuditLog.of(other)).not.toBe(log);
    const first = db.transaction(() => log.append({ type: 'test.one', data: {}, actor, at }))();
    const second = db.transaction(() => appendAuditEntry(db, { type: 'test.two', data: {}, actor, at }))();
    expect([first.seq, second.seq]).toEqual([0, 1]);
    expect(auditTree(db).size).toBe(2);
    expect(() => log.append({ type: 'Bad Type', data: {}, actor })).toThrow(/lowercase words/);
    db.close();
    other.close();
  });

  it('journals after commit once attached; detaching flushes and stops journaling', async () => {
    const db = openCatalog(path.join(home, 'c.sqlite'));
    const log = AuditLog.of(db);
    db.transaction(() => log.append({ type: 'test.before', data: {}, actor, at }))();
    attachAuditHome(db, home); // catches up the entry written before
    const dir = journalDir(home);
    const lines = () => readdirSync(dir).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
    expect(lines()).toHaveLength(1);
    db.transaction(() => log.append({ type: 'test.after', data: {}, actor, at }))();
    await new Promise((r) => setImmediate(r));
    expect(lines()).toHaveLength(2);
    log.detachJournal();
    db.transaction(() => log.append({ type: 'test.detached', data: {}, actor, at }))();
    await new Promise((r) => setImmediate(r));
    expect(lines()).toHaveLength(2);
    db.close();
  });
});
