// `evidock verify` as an IT administrator uses it: exit 0 on a clean store, 1 naming each
// changed, missing or untracked object.
import { chmodSync, mkdirSync, openSync, readSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixtureRecorder, initHome, runCli, tempDir } from './helpers/evidock.js';

describe('evidock verify', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  let rows: { evidence_number: string; object_path: string; content_path: string }[];

  beforeAll(() => {
    const card = copyFixtureRecorder('7654321', path.join(tmp.dir, 'card'));
    initHome(home);
    const r = runCli(['--home', home, 'ingest', card, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    rows = db.prepare('SELECT evidence_number, object_path, content_path FROM originals ORDER BY evidence_number').all() as any[];
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });
  afterAll(() => tmp.cleanup());

  const verify = () => {
    const r = runCli(['--home', home, 'verify', '--json']);
    return { code: r.code, report: JSON.parse(r.stdout), text: r.stdout };
  };

  it('a clean store verifies with exit 0', () => {
    const { code, report } = verify();
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, checked: rows.length, changed: [], missing: [], untracked: [] });
  });

  it('one flipped byte in a held file: exit 1, naming the evidence number', () => {
    const row = rows[0];
    const file = path.join(home, 'store', row.object_path, row.content_path);
    chmodSync(path.join(home, 'store', row.object_path, 'v1', 'content'), 0o755);
    chmodSync(file, 0o644);
    const fd = openSync(file, 'r+');
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, 100);
    b[0] ^= 0x01;
    writeSync(fd, b, 0, 1, 100);
    closeSync(fd);
    const { code, report } = verify();
    expect(code).toBe(1);
    expect(report.changed).toEqual([expect.objectContaining({ evidenceNumber: row.evidence_number, file: row.content_path, problem: 'content digest changed' })]);
    const human = runCli(['--home', home, 'verify']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`changed   ${row.evidence_number}`);
  });

  it('an object directory removed: reported missing', () => {
    const row = rows[1];
    const dir = path.join(home, 'store', row.object_path);
    chmodSync(dir, 0o755);
    for (const sub of ['v1', 'v1/content']) chmodSync(path.join(dir, sub), 0o755);
    rmSync(dir, { recursive: true });
    const { code, report } = verify();
    expect(code).toBe(1);
    expect(report.missing).toEqual([expect.objectContaining({ evidenceNumber: row.evidence_number, objectPath: row.object_path })]);
  });

  it('a stray directory in the store: reported untracked', () => {
    mkdirSync(path.join(home, 'store', 'zzz', 'stray'), { recursive: true });
    const { code, report } = verify();
    expect(code).toBe(1);
    // (The removed object above also left its empty hashed parent folders: reported too.)
    expect(report.untracked).toContainEqual(expect.objectContaining({ path: path.join('zzz', 'stray'), problem: 'not an OCFL object' }));
  });
});
