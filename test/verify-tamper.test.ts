// `evidock verify` as an IT administrator uses it: exit 0 on a clean store, 1 naming each
// changed, missing or untracked object.
import { mkdirSync, openSync, readSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldOriginals, readyHome, runCli, tempDir, unlockForTamper } from './helpers/evidock.js';

describe('evidock verify', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  let rows: { evidence_number: string; object_path: string; content_path: string }[];

  beforeAll(() => {
    readyHome(home, ['7654321']);
    rows = heldOriginals(home);
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
    unlockForTamper(path.join(home, 'store', row.object_path, 'v1', 'content'), file);
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
    unlockForTamper(dir, path.join(dir, 'v1'), path.join(dir, 'v1/content'));
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
