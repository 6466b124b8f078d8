// A stop or an unplug in the middle of a file: the file in flight is abandoned, nothing partial
// is held, the daemon exits 0; the next start and docking hold everything.
import { mkdirSync, readdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonProcess, tempDir } from './helpers/evidock.js';

const BIG = 768 * 1024 * 1024; // sparse: cheap to make, takes a moment to copy

function makeCard(dir: string): void {
  mkdirSync(path.join(dir, 'DCIM'), { recursive: true });
  writeFileSync(path.join(dir, 'DCIM', 'A_0001.MP4'), 'first clip');
  writeFileSync(path.join(dir, 'DCIM', 'B_0002.MP4'), '');
  truncateSync(path.join(dir, 'DCIM', 'B_0002.MP4'), BIG);
  writeFileSync(path.join(dir, 'DCIM', 'C_0003.MP4'), 'third clip');
}

function held(home: string): string[] {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  const rows = db.prepare('SELECT source_path FROM originals ORDER BY source_path').all() as { source_path: string }[];
  db.close();
  return rows.map((r) => r.source_path);
}

describe('daemon interrupted mid-file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('SIGTERM during a copy: exit 0, the file in flight not held, finished after restart', async () => {
    const home = path.join(tmp.dir, 'home-term');
    const card = path.join(tmp.dir, 'card-term');
    makeCard(card);
    let daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
    renameSync(card, path.join(home, 'docks', 'REC1'));
    await daemon.waitFor((l) => l.msg === 'file held' && l.path === 'DCIM/A_0001.MP4');
    await daemon.waitFor((l) => l.msg === 'slot state' && l.state === 'copying');
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(held(home)).toEqual(['DCIM/A_0001.MP4']);

    daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
    // The recorder is still in the dock: the start sees it and finishes the work.
    await daemon.waitFor((l) => l.msg === 'session ended', 60_000);
    expect(held(home)).toEqual(['DCIM/A_0001.MP4', 'DCIM/B_0002.MP4', 'DCIM/C_0003.MP4']);
    expect(readdirSync(path.join(home, 'staging'))).toEqual([]);
    expect(await daemon.stop()).toBe(0);
  });

  it('recorder removed during a copy: nothing partial held, all held after re-docking', async () => {
    const home = path.join(tmp.dir, 'home-unplug');
    const card = path.join(tmp.dir, 'card-unplug');
    makeCard(card);
    const daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
    const docked = path.join(home, 'docks', 'REC2');
    renameSync(card, docked);
    await daemon.waitFor((l) => l.msg === 'slot state' && l.state === 'copying');
    renameSync(docked, card); // pulled out
    const first = await daemon.waitFor((l) => l.msg === 'session ended');
    expect(first.status).toBe('interrupted');
    expect(held(home)).not.toContain('DCIM/B_0002.MP4');
    expect(readdirSync(path.join(home, 'staging'))).toEqual([]);

    const from = daemon.lines.length;
    renameSync(card, docked); // plugged back in
    const second = await daemon.waitFor((l) => l.msg === 'session ended', 60_000, from);
    expect(second.status).toBe('done');
    expect(held(home)).toEqual(['DCIM/A_0001.MP4', 'DCIM/B_0002.MP4', 'DCIM/C_0003.MP4']);
    expect(await daemon.stop()).toBe(0);
  });
});
