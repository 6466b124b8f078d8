// Through the real daemon: a docked recorder's files get provenance, and the exiftool/ffprobe
// children are gone once the daemon stops (no leaked processes).
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFixtureRecorder, DaemonProcess, manifest, tempDir } from './helpers/evidock.js';

/** Every process below `pid` (from /proc), with its command line. */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
      cmd.set(Number(name), readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      /* gone meanwhile */
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) {
      out.push({ pid: child, cmd: cmd.get(child) ?? '' });
      walk(child);
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

describe('daemon: provenance and no leaked children', () => {
  const tmp = tempDir('evidock-meta-daemon-');
  const home = path.join(tmp.dir, 'home');
  afterAll(() => tmp.cleanup());

  it('derives provenance for each docked file, and ends exiftool/ffprobe when stopped', async () => {
    const daemon = new DaemonProcess(['--home', home]);
    try {
      await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
      const recorder = '7654321';
      const staged = copyFixtureRecorder(recorder, path.join(tmp.dir, 'incoming'));
      renameSync(staged, path.join(home, 'docks', recorder));
      const ended = await daemon.waitFor((l) => l.msg === 'session ended', 60_000);
      const expected = manifest.files.filter((f) => f.recorder === recorder);
      expect(ended.held).toBe(expected.length);

      const children = descendants(daemon.child.pid!);
      expect(children.some((c) => /exiftool/.test(c.cmd)), JSON.stringify(children)).toBe(true);

      const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
      const rows = db.prepare('SELECT o.source_path, p.* FROM originals o JOIN provenance p USING (evidence_number)').all() as any[];
      db.close();
      expect(rows).toHaveLength(expected.length);
      const clip = rows.find((r) => r.source_path.endsWith('_0001.MP4'));
      expect(clip).toMatchObject({ recorder_source: 'identity-file', officer_source: 'identity-file', recorder_id: '7654321', officer_id: '020304', recorded_start: '2026-03-15T09:15:00+08:00', duration_seconds: 2, make: 'Anbao', metadata_available: 1 });
      const photo = rows.find((r) => r.source_path.endsWith('.JPG'));
      expect([photo.gps_latitude, photo.gps_longitude]).toEqual([32.0584, 118.7965]);

      expect(await daemon.stop('SIGTERM')).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      for (const c of children) expect(alive(c.pid), `${c.pid} ${c.cmd}`).toBe(false);
    } finally {
      await daemon.stop('SIGKILL');
    }
  });
});
