// exportLog reads entries and their stored leaf hashes a chunk (1024 entries) at a time. These
// tests export a real catalog of 2 600 entries (chunks 0-1023, 1024-2047, 2048-2599) and check
// what an auditor would: every line present, in order, with its own leaf hash; and that a tree
// row edited or removed behind the triggers still shows up in the export as it is stored.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FILES, verifyExport } from '../src/audit/export.js';
import { appendAuditEntry, leafHash } from '../src/audit/log.js';
import { exportLog } from '../src/audit/station.js';
import { openCatalog } from '../src/store/catalog.js';

// The compiled export, given the store's task runner as the CLI gives it, writes entries.csv on a
// worker thread (dist/audit/export-csv-task.js); run from the TypeScript sources it writes it
// inline. Both are exported here and compared.
const compiled = (await import(new URL('../dist/audit/station.js', import.meta.url).href)) as { exportLog: typeof exportLog };
const { catalogTaskRunner } = (await import(new URL('../dist/store/catalog.js', import.meta.url).href)) as typeof import('../src/store/catalog.js');

const tmp = mkdtempSync(path.join(os.tmpdir(), 'evidock-export-chunks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const N = 2600;
const actor = { via: 'daemon' as const, user: 'evidock' };
let n = 0;
const station = (home: string) => ({ homeDir: home, stationId: 'STATION-01' });

/** A home whose log holds N entries, one a minute from 2026-11-01T00:00Z. */
function makeHome(): { home: string; db: ReturnType<typeof openCatalog> } {
  const home = path.join(tmp, `home-${n++}`);
  mkdirSync(home);
  const db = openCatalog(path.join(home, 'catalog.sqlite'));
  db.transaction(() => {
    for (let i = 0; i < N; i++)
      appendAuditEntry(db, { type: 'file.held', actor, at: new Date(Date.UTC(2026, 10, 1, 0, i)), data: { evidenceNumber: `STATION-01-20261101-${i}`, note: i % 7 ? 'x' : '"=quoted"' } });
  })();
  return { home, db };
}

const lines = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8').split('\n').slice(0, -1);
const storedEntries = (db: ReturnType<typeof openCatalog>) => db.prepare('SELECT entry FROM audit_entries ORDER BY seq').pluck().all() as string[];

describe('log export across read chunks', () => {
  let db: ReturnType<typeof openCatalog>;
  let home: string;
  beforeAll(() => ({ home, db } = makeHome()));
  afterAll(() => db.close());

  it('all entries, each line with its own leaf hash; the export verifies', async () => {
    const out = path.join(tmp, 'all');
    const r = await exportLog(db, station(home), { out, actor });
    expect([r.start, r.end]).toEqual([0, N]);
    const entries = lines(out, EXPORT_FILES.entries);
    expect(entries).toEqual(storedEntries(db).slice(0, N));
    const leaves = lines(out, EXPORT_FILES.leaves);
    expect(leaves.length).toBe(N);
    for (let i = 0; i < N; i++) expect(leaves[i], `line ${i + 1}`).toBe(leafHash(entries[i]).toString('base64'));
    const csv = lines(out, EXPORT_FILES.csv);
    expect(csv.length).toBe(N + 1);
    expect(csv[1025].startsWith(`1024,2026-11-01T17:04:00.000Z,file.held,daemon:evidock,${leaves[1024]},`)).toBe(true);
    expect(verifyExport(out).ok).toBe(true);
  });

  it('the compiled export (CSV on a worker thread) writes the same files byte for byte', async () => {
    const inline = path.join(tmp, 'inline');
    const worker = path.join(tmp, 'worker');
    const a = await exportLog(db, station(home), { out: inline, actor, to: '2026-11-02T00:00:00.000Z' });
    const inWorker = catalogTaskRunner(path.join(home, 'catalog.sqlite'));
    expect(inWorker, 'a compiled catalog worker').toBeDefined();
    const b = await compiled.exportLog(db, station(home), { out: worker, actor, to: '2026-11-02T00:00:00.000Z', inWorker });
    expect([b.start, b.end]).toEqual([a.start, a.end]);
    for (const f of [EXPORT_FILES.entries, EXPORT_FILES.leaves, EXPORT_FILES.csv]) expect(readFileSync(path.join(worker, f)).equals(readFileSync(path.join(inline, f))), f).toBe(true);
    expect(b.files[EXPORT_FILES.csv]).toBe(a.files[EXPORT_FILES.csv]);
    expect(verifyExport(worker).ok).toBe(true);
  });

  it('a time range that starts and ends inside chunks', async () => {
    const out = path.join(tmp, 'range');
    // entries 1000 .. 2099 (minutes since the first)
    const r = await exportLog(db, station(home), { out, actor, from: new Date(Date.UTC(2026, 10, 1, 0, 1000)).toISOString(), to: new Date(Date.UTC(2026, 10, 1, 0, 2100)).toISOString() });
    expect([r.start, r.end]).toEqual([1000, 2100]);
    const entries = lines(out, EXPORT_FILES.entries);
    expect(entries).toEqual(storedEntries(db).slice(1000, 2100));
    expect(lines(out, EXPORT_FILES.leaves)).toEqual(entries.map((e) => leafHash(e).toString('base64')));
    expect(verifyExport(out).ok).toBe(true);
  });
});

describe('tree rows changed behind the triggers', () => {
  it('an edited leaf row is exported as stored, and log verify names that entry', async () => {
    const { home, db } = makeHome();
    db.exec('DROP TRIGGER audit_tree_no_update');
    db.prepare('UPDATE audit_tree SET hash = ? WHERE level = 0 AND idx = 1500').run(Buffer.alloc(32, 7));
    const out = path.join(tmp, 'edited-leaf');
    await exportLog(db, station(home), { out, actor });
    db.close();
    expect(lines(out, EXPORT_FILES.leaves)[1500]).toBe(Buffer.alloc(32, 7).toString('base64'));
    const v = verifyExport(out);
    expect(v.ok).toBe(false);
    expect(v.problems[0].message).toMatch(/entry 1500\b/);
  });

  it('a removed leaf row: that chunk falls back to the entries\' own leaf hashes, every line still written', async () => {
    const { home, db } = makeHome();
    db.exec('DROP TRIGGER audit_tree_no_delete');
    db.prepare('DELETE FROM audit_tree WHERE level = 0 AND idx = 2050').run();
    const out = path.join(tmp, 'removed-leaf');
    // the tree must not be caught up over the hole: export only checks and reads it
    await exportLog(db, station(home), { out, actor });
    const entries = lines(out, EXPORT_FILES.entries);
    expect(entries.length).toBe(N);
    expect(lines(out, EXPORT_FILES.leaves)).toEqual(entries.map((e) => leafHash(e).toString('base64')));
    db.close();
  });
});
