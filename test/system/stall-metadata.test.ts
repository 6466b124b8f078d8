// Issue 11 point 13, with metadata on: "one hung card on a single-threaded FUSE mount froze the
// whole daemon while a metadata helper was being spawned". A card hangs in its first file before
// anything was described (so no exiftool runs yet); a healthy card docked while it hangs has
// clips only ffprobe can judge (a process started per clip) and a photo exiftool reads: it is held
// and described while the first card still hangs. Skips LOUDLY without root/FUSE.
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonProcess, fixturesDir, heldOriginals, tempDir } from '../helpers/evidock.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('test/system/stall-metadata.test.ts', missing);
const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.skipIf(missing.length > 0)('a hung card while metadata helpers start (FUSE, root)', () => {
  const tmp = tempDir('evidock-stallmeta-');
  const home = path.join(tmp.dir, 'home');
  const media = path.join(tmp.dir, 'media');
  const mounts: FuseMount[] = [];
  const hang = path.join(tmp.dir, 'cards', 'HUNG', 'faultyfs.hang'); // faultyfs.py's hang control
  let daemon: DaemonProcess | undefined;
  afterAll(async () => {
    rmSync(hang, { force: true }); // let the hung read return
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
    for (const m of mounts) m.unmount();
    tmp.cleanup();
  });

  async function mountCard(name: string, files: Record<string, Buffer>): Promise<void> {
    const backing = path.join(tmp.dir, 'cards', name, 'card');
    for (const [p, data] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(backing, p)), { recursive: true });
      writeFileSync(path.join(backing, p), data);
    }
    const mnt = path.join(media, name);
    mkdirSync(mnt, { recursive: true });
    mounts.push(await mountFuse('faultyfs.py', backing, mnt));
  }

  const slot = (name: string) => {
    try {
      return (JSON.parse(readFileSync(path.join(home, 'run', 'daemon-status.json'), 'utf8')) as { slots: { slot: string; state: string; held?: number; failed?: number }[] }).slots.find((s) => s.slot === name);
    } catch {
      return undefined;
    }
  };
  async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('a healthy card is held and described while another hangs before any helper started', async () => {
    mkdirSync(home, { recursive: true });
    mkdirSync(media, { recursive: true });
    writeFileSync(path.join(home, 'evidock.toml'), `[docks]\nmount = "external"\nmedia_root = "${media}"\npoll_ms = 250\n[ingest]\nstall_seconds = 120\n`);
    daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready', 60_000);

    mkdirSync(path.dirname(hang), { recursive: true });
    writeFileSync(hang, String(MiB));
    await mountCard('HUNG', { 'DCIM/A.MP4': randomBytes(3 * MiB) });
    await until('HUNG copying', () => slot('HUNG')?.state === 'copying', 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // its read is in the card's hands now

    const photo = readFileSync(path.join(fixturesDir, '7654321', 'PHOTO', '20260315', 'DSJ_7654321_020304_20260315_092030_0003.JPG'));
    const clips = Array.from({ length: 3 }, () => randomBytes(64 * 1024)); // no media signature: ffprobe judges
    await mountCard('HEALTHY', { 'DCIM/P.JPG': photo, 'DCIM/C1.MP4': clips[0], 'DCIM/C2.MP4': clips[1], 'DCIM/C3.MP4': clips[2] });
    await until('HEALTHY done', () => slot('HEALTHY')?.state === 'done', 90_000);
    expect(slot('HEALTHY')).toMatchObject({ held: 4, failed: 0 });
    expect(slot('HUNG')?.state, 'HUNG still hangs while HEALTHY is held').toBe('copying');
    const held = heldOriginals(home);
    expect(held.map((o) => o.sha256).sort()).toEqual([photo, ...clips].map(sha256).sort());
    // described: exiftool read the photo; ffprobe ran on each clip and judged it
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT o.source_path AS path, p.flags AS flags FROM originals o JOIN provenance p USING (evidence_number)').all() as { path: string; flags: string }[];
      const reasons = new Map(rows.map((r) => [r.path, (JSON.parse(r.flags) as { code: string; message: string }[]).find((f) => f.code === 'metadata-unavailable')?.message]));
      expect(reasons.get('DCIM/P.JPG')).toBeUndefined();
      for (const clip of ['DCIM/C1.MP4', 'DCIM/C2.MP4', 'DCIM/C3.MP4']) expect(reasons.get(clip)).toMatch(/ffprobe: (?!not r)/);
    } finally {
      db.close();
    }
    rmSync(hang, { force: true });
  }, 300_000);
});
