// The core path through the real daemon process: dock a fixture recorder, every file held,
// verified and write-once; re-dock holds nothing twice and records the sighting.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixtureRecorder, DaemonProcess, manifest, runCli, tempDir } from './helpers/evidock.js';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('daemon: dock a recorder folder', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  const recorder = '1234567';
  const expected = manifest.files.filter((f) => f.recorder === recorder);
  let daemon: DaemonProcess;

  beforeAll(async () => {
    daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
  });

  afterAll(async () => {
    await daemon.stop();
    tmp.cleanup();
  });

  it('holds every file of a docked recorder, with the fixture SHA-256, read-only, in a valid OCFL layout', async () => {
    const staged = copyFixtureRecorder(recorder, path.join(tmp.dir, 'incoming-' + recorder));
    renameSync(staged, path.join(home, 'docks', recorder)); // an atomic "dock"
    const ended = await daemon.waitFor((l) => l.msg === 'session ended');
    expect(ended.held).toBe(expected.length);
    expect(ended.failed).toBe(0);

    expect(readFileSync(path.join(home, 'store', '0=ocfl_1.1'), 'utf8')).toBe('ocfl_1.1\n');
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT * FROM originals').all() as any[];
    db.close();
    expect(rows.map((r) => r.source_path).sort()).toEqual(expected.map((f) => f.cardPath).sort());
    for (const f of expected) {
      const row = rows.find((r) => r.source_path === f.cardPath)!;
      const objectRoot = path.join(home, 'store', row.object_path);
      const content = path.join(objectRoot, row.content_path);
      expect(sha256(content), f.cardPath).toBe(f.sha256);
      expect(statSync(content).mode & 0o777).toBe(0o444);
      expect(statSync(objectRoot).mode & 0o777).toBe(0o555);
      expect(existsSync(path.join(objectRoot, '0=ocfl_object_1.1'))).toBe(true);
      const inventoryText = readFileSync(path.join(objectRoot, 'inventory.json'));
      const inventory = JSON.parse(inventoryText.toString());
      expect(inventory.manifest[f.sha256]).toEqual([row.content_path]);
      expect(readFileSync(path.join(objectRoot, 'inventory.json.sha256'), 'utf8')).toBe(`${createHash('sha256').update(inventoryText).digest('hex')}  inventory.json\n`);
      const provenance = JSON.parse(readFileSync(path.join(objectRoot, 'v1', 'content', 'provenance.json'), 'utf8'));
      expect(provenance.digests.sha256).toBe(f.sha256);
      expect(provenance.source.path).toBe(f.cardPath);
    }
  });

  it('re-docking the same recorder stores nothing new and records the sighting', async () => {
    const from = daemon.lines.length;
    const docked = path.join(home, 'docks', recorder);
    const away = path.join(tmp.dir, 'away');
    renameSync(docked, away); // undock
    await daemon.waitFor((l) => l.msg === 'slot state' && l.state === 'empty', 30_000, from);
    const from2 = daemon.lines.length;
    renameSync(away, docked); // dock again
    const ended = await daemon.waitFor((l) => l.msg === 'session ended', 30_000, from2);
    expect(ended.held).toBe(0);
    expect(ended.alreadyHeld).toBe(expected.length);

    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM originals').get() as any).n).toBe(expected.length);
    const sightings = db.prepare(`SELECT outcome, COUNT(*) AS n FROM sightings GROUP BY outcome`).all() as any[];
    db.close();
    expect(Object.fromEntries(sightings.map((s) => [s.outcome, s.n]))).toEqual({ held: expected.length, 'already-held': expected.length });
  });

  it('status shows what is held, and verify finds the store intact', () => {
    const status = runCli(['--home', home, 'status', '--json']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.held.recordings).toBe(expected.length);
    expect(s.daemon.pid).toBe(daemon.child.pid);
    const verify = runCli(['--home', home, 'verify', '--json']);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ checked: expected.length, changed: [], missing: [], untracked: [] });
  });

  it('stops cleanly on SIGTERM with exit 0', async () => {
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(daemon.lines.some((l) => l.msg === 'evidock daemon stopped')).toBe(true);
  });
});
