// `evidock verify` compares every file of every object and each original with its own file.held
// log entry: a consistent rewrite (bytes, inventories, sidecars, provenance.json and catalog rows
// all made to agree) is still caught, and so is any file a held object should not have.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldOriginals, readyHome, runCli, tempDir, unlockForTamper } from './helpers/evidock.js';

const tmp = tempDir('evidock-verify-log-');
afterAll(() => tmp.cleanup());

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The paths of one object, and everything in it made writable (the tamperer owns it). */
function openObject(home: string, row: { object_path: string; content_path: string }) {
  const root = path.join(home, 'store', row.object_path);
  const p = {
    root,
    content: path.join(root, row.content_path),
    provenance: path.join(root, 'v1', 'content', 'provenance.json'),
    inventories: [path.join(root, 'inventory.json'), path.join(root, 'v1', 'inventory.json')],
  };
  unlockForTamper(root, path.join(root, 'v1'), path.join(root, 'v1', 'content'), p.content, p.provenance, ...p.inventories, ...p.inventories.map((i) => i + '.sha256'));
  return p;
}

/** Write an inventory into both places with both sidecars recomputed, as a careful tamperer would. */
function writeInventories(files: string[], inventory: unknown): void {
  const text = JSON.stringify(inventory, null, 2) + '\n';
  for (const f of files) {
    writeFileSync(f, text);
    writeFileSync(f + '.sha256', `${sha256(text)}  inventory.json\n`);
  }
}

function verify(home: string, mode: '--full' | '--quick' = '--full') {
  const r = runCli(['--home', home, 'verify', mode, '--json']);
  return { code: r.code, report: JSON.parse(r.stdout) as { ok: boolean; changed: { evidenceNumber: string; file: string; problem: string; expected?: string; actual?: string }[] } };
}

describe('verify compares with the log', () => {
  let home: string;
  let rows: ReturnType<typeof heldOriginals>;
  beforeAll(() => {
    home = readyHome(path.join(tmp.dir, 'home'), ['7654321', 'A9K3F20']);
    rows = heldOriginals(home);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(verify(home).code).toBe(0);
    expect(verify(home, '--quick').code).toBe(0);
  });

  it('a consistent replacement (new bytes, inventories, sidecars, provenance.json, catalog row behind dropped triggers) differs from its file.held entry', () => {
    const row = rows[0];
    const o = openObject(home, row);
    const bytes = Buffer.from('replaced evidence\n');
    writeFileSync(o.content, bytes);
    const prov = JSON.parse(readFileSync(o.provenance, 'utf8'));
    prov.digests.sha256 = sha256(bytes);
    prov.content.size = bytes.length;
    prov.source.size = bytes.length;
    const provText = JSON.stringify(prov, null, 2) + '\n';
    writeFileSync(o.provenance, provText);
    const inv = JSON.parse(readFileSync(o.inventories[0], 'utf8'));
    const logical = row.content_path.replace(/^v1\/content\//, '');
    inv.manifest = { [sha256(bytes)]: [row.content_path], [sha256(provText)]: ['v1/content/provenance.json'] };
    inv.versions.v1.state = { [sha256(bytes)]: [logical], [sha256(provText)]: ['provenance.json'] };
    writeInventories(o.inventories, inv);
    const db = new Database(path.join(home, 'catalog.sqlite'));
    const triggers = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'originals'`).pluck().all() as string[];
    for (const t of triggers) db.exec(`DROP TRIGGER ${t}`);
    db.prepare('UPDATE originals SET sha256 = ?, size = ? WHERE evidence_number = ?').run(sha256(bytes), bytes.length, row.evidence_number);
    db.close();
    for (const mode of ['--full', '--quick'] as const) {
      const { code, report } = verify(home, mode);
      expect(code, mode).toBe(1);
      const mine = report.changed.filter((c) => c.evidenceNumber === row.evidence_number);
      expect(mine, mode).toContainEqual(expect.objectContaining({ file: 'file.held', problem: expect.stringMatching(/^sha256 differs from its file\.held log entry \(seq \d+\)$/), expected: row.sha256, actual: sha256(bytes) }));
      expect(mine, mode).toContainEqual(expect.objectContaining({ file: 'file.held', problem: expect.stringMatching(/^size differs from its file\.held log entry/) }));
    }
    const human = runCli(['--home', home, 'verify']);
    expect(human.stdout).toMatch(new RegExp(`changed   ${row.evidence_number}  file\\.held: sha256 differs from its file\\.held log entry`));
  });

  it('an extra file at the object root and in v1/: both named, quick and full', () => {
    const row = rows[1];
    const o = openObject(home, row);
    writeFileSync(path.join(o.root, 'notes.txt'), 'x');
    writeFileSync(path.join(o.root, 'v1', 'extra.bin'), 'y');
    for (const mode of ['--full', '--quick'] as const) {
      const { code, report } = verify(home, mode);
      expect(code, mode).toBe(1);
      const mine = report.changed.filter((c) => c.evidenceNumber === row.evidence_number);
      expect(mine, mode).toContainEqual(expect.objectContaining({ file: 'notes.txt', problem: 'extra file at the object root: a held object has no such file' }));
      expect(mine, mode).toContainEqual(expect.objectContaining({ file: 'v1/extra.bin', problem: 'extra file in v1/: a held object has no such file' }));
    }
  });

  it('v1/inventory.json edited with its sidecar recomputed: differs from the root inventory', () => {
    const row = rows[2];
    const o = openObject(home, row);
    const inv = JSON.parse(readFileSync(o.inventories[1], 'utf8'));
    inv.versions.v1.message = 'rewritten';
    writeInventories([o.inventories[1]], inv);
    const { code, report } = verify(home, '--quick');
    expect(code).toBe(1);
    expect(report.changed.filter((c) => c.evidenceNumber === row.evidence_number)).toEqual([
      expect.objectContaining({ file: 'v1/inventory.json', problem: expect.stringMatching(/^version inventory differs from the root inventory/) }),
    ]);
  });

  it("the root inventory's created time changed in both inventories, sidecars recomputed: named", () => {
    const row = rows[3];
    const o = openObject(home, row);
    const inv = JSON.parse(readFileSync(o.inventories[0], 'utf8'));
    const was = inv.versions.v1.created;
    inv.versions.v1.created = '2020-01-01T00:00:00.000Z';
    writeInventories(o.inventories, inv);
    const { code, report } = verify(home);
    expect(code).toBe(1);
    expect(report.changed.filter((c) => c.evidenceNumber === row.evidence_number)).toEqual([
      expect.objectContaining({ file: 'inventory.json', problem: 'inventory created time differs from the time the original was held', expected: was, actual: '2020-01-01T00:00:00.000Z' }),
    ]);
  });

  it("the attributed officer in provenance.json's derived facts changed, inventories fixed: its digest differs from the file.held entry", () => {
    const row = rows[4];
    const o = openObject(home, row);
    const before = readFileSync(o.provenance);
    const prov = JSON.parse(before.toString('utf8'));
    prov.derived = { ...(prov.derived ?? {}), officer: { id: '0000000', source: 'tampered' } };
    const provText = JSON.stringify(prov, null, 2) + '\n';
    writeFileSync(o.provenance, provText);
    const inv = JSON.parse(readFileSync(o.inventories[0], 'utf8'));
    const swap = (m: Record<string, string[]>) => Object.fromEntries(Object.entries(m).map(([d, p]) => [d === sha256(before) ? sha256(provText) : d, p]));
    inv.manifest = swap(inv.manifest);
    inv.versions.v1.state = swap(inv.versions.v1.state);
    writeInventories(o.inventories, inv);
    const { code, report } = verify(home, '--quick');
    expect(code).toBe(1);
    expect(report.changed.filter((c) => c.evidenceNumber === row.evidence_number)).toEqual([
      expect.objectContaining({ file: 'file.held', problem: expect.stringMatching(/^provenance\.json sha256 differs from its file\.held log entry/), expected: sha256(before), actual: sha256(provText) }),
    ]);
  });
});
