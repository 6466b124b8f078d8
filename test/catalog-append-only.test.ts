// Facts are append-only: SQL UPDATE and DELETE on originals, sightings and audit entries fail,
// even for someone with the SQLite file open directly.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyHome, runCli, tempDir } from './helpers/evidock.js';

describe('catalog tables of facts', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  let db: Database.Database;

  beforeAll(() => {
    readyHome(home, ['A9K3F20']);
    db = new Database(path.join(home, 'catalog.sqlite'));
  });
  afterAll(() => {
    db.close();
    tmp.cleanup();
  });

  it.each([
    ['originals', `UPDATE originals SET sha256 = 'x'`],
    ['originals', `DELETE FROM originals`],
    ['sightings', `UPDATE sightings SET outcome = 'held'`],
    ['sightings', `DELETE FROM sightings`],
    ['audit_entries', `UPDATE audit_entries SET entry = '{}'`],
    ['audit_entries', `DELETE FROM audit_entries`],
  ])('%s: %s is refused', (table, sql) => {
    const before = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as any).n;
    expect(before).toBeGreaterThan(0);
    expect(() => db.exec(sql)).toThrow(/append-only/);
    expect((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as any).n).toBe(before);
  });
});
