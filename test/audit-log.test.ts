// appendAuditEntry on a real catalog: the stored Merkle tree, the daily journal (fsync'd after
// commit, sealed 0444 after its day), signed checkpoint files.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../src/audit/checkpoint.js';
import { syncJournal } from '../src/audit/journal.js';
import { loadStationKey } from '../src/audit/keys.js';
import { appendAuditEntry, attachAuditHome, detachAuditHome, flushAuditJournal, journalDir } from '../src/audit/log.js';
import { rootOfEntries, verifyConsistency, verifyInclusion } from '../src/audit/merkle.js';
import { verifierOf } from '../src/audit/note.js';
import { checkpointIfChanged, writeCheckpoint } from '../src/audit/station.js';
import { auditTree } from '../src/audit/tree-store.js';
import { openCatalog } from '../src/store/catalog.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'evidock-auditlog-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const actor = { via: 'cli' as const, user: 'tester' };

describe('audit log on the catalog', () => {
  const db = openCatalog(path.join(home, 'catalog.sqlite'));
  attachAuditHome(db, home);
  const day = (d: number, i: number) => new Date(Date.UTC(2026, 10, d, 8, 0, i));
  const texts: string[] = [];
  for (let d = 1; d <= 3; d++) {
    for (let i = 0; i < 100; i++) {
      db.transaction(() => texts.push(appendAuditEntry(db, { type: 'test.event', data: { d, i, seconds: 0.5 }, actor, at: day(d, i) }).entry))();
    }
  }

  it('the stored tree matches the entries at every size; proofs verify', () => {
    const tree = auditTree(db);
    expect(tree.size).toBe(300);
    const bytes = texts.map((t) => Buffer.from(t));
    expect(tree.root().equals(rootOfEntries(bytes))).toBe(true);
    expect(tree.root(123).equals(rootOfEntries(bytes.slice(0, 123)))).toBe(true);
    verifyInclusion(77, 300, tree.leafHashAt(77), tree.inclusionProof(77, 300), tree.root());
    verifyConsistency(123, 300, tree.consistencyProof(123, 300), tree.root(123), tree.root());
  });

  it('refuses NaN and unsafe integers in an entry', () => {
    expect(() => appendAuditEntry(db, { type: 'test.bad', data: { x: NaN }, actor })).toThrow();
    expect(() => appendAuditEntry(db, { type: 'test.bad', data: { x: 2 ** 60 }, actor })).toThrow();
  });

  it('journal: one file per day, every entry once, past days sealed 0444', () => {
    flushAuditJournal(db);
    syncJournal(db, journalDir(home), day(3, 0));
    const dir = journalDir(home);
    expect(readdirSync(dir).sort()).toEqual(['2026-11-01.jsonl', '2026-11-02.jsonl', '2026-11-03.jsonl']);
    const all = readdirSync(dir).sort().flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n'));
    expect(all).toEqual(texts);
    // Today is after all three days: all sealed.
    for (const f of readdirSync(dir)) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o444);
    // Synced on the 3rd itself: the 1st and 2nd are sealed, the 3rd stays open.
    const other = path.join(home, 'journal-on-the-3rd');
    syncJournal(db, other, day(3, 0));
    expect(statSync(path.join(other, '2026-11-01.jsonl')).mode & 0o777).toBe(0o444);
    expect(statSync(path.join(other, '2026-11-02.jsonl')).mode & 0o777).toBe(0o444);
    expect(statSync(path.join(other, '2026-11-03.jsonl')).mode & 0o777).toBe(0o644);
  });

  it('a late entry never reopens a sealed day; a second sync writes nothing twice', () => {
    const other = path.join(home, 'journal-on-the-3rd');
    syncJournal(db, other, day(4, 0)); // seals the 3rd
    db.transaction(() => texts.push(appendAuditEntry(db, { type: 'test.late', data: {}, actor, at: day(2, 59) }).entry))();
    const r = syncJournal(db, other, day(4, 1));
    expect(r.appended).toBe(1);
    expect(syncJournal(db, other, day(4, 2)).appended).toBe(0);
    expect(readFileSync(path.join(other, '2026-11-04.jsonl'), 'utf8').trim()).toBe(texts[300]);
    expect(readFileSync(path.join(other, '2026-11-02.jsonl'), 'utf8')).not.toContain('test.late');
  });

  it('checkpoints: signed by the station key, kept as write-once files, skipped when nothing changed', () => {
    const cp = writeCheckpoint(db, { homeDir: home, stationId: 'STATION' }, 'manual');
    expect(cp.size).toBe(301);
    const file = path.join(home, cp.file!);
    expect(statSync(file).mode & 0o777).toBe(0o444);
    const c = openCheckpoint(readFileSync(file), verifierOf(loadStationKey(home, 'STATION')), 'STATION');
    expect(c.root.equals(auditTree(db).root())).toBe(true);
    expect(checkpointIfChanged(db, { homeDir: home, stationId: 'STATION' }, 'hourly')).toBeUndefined();
    expect(() => db.prepare('UPDATE audit_checkpoints SET size = 1').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_tree').run()).toThrow(/append-only/);
    detachAuditHome(db);
    db.close();
  });
});
