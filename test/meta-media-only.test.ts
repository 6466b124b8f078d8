// Issue 11 point 5: only what can be media is probed. A card's logs, GPS tracks, thumbnail-like
// and index binaries are held with their provenance but never given to ffprobe; a damaged clip
// (a media name, or media bytes under another name) is still read: by exiftool, and by ffprobe
// unless exiftool's tags already show what is wrong (a clip cut before its moov box was
// written). ffprobe runs are counted by a wrapper named ffprobe first on PATH, which logs each
// run and then runs the real one.
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { initHome, manifest, repoRoot, runCli, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-media-only-');
afterAll(() => tmp.cleanup());

function noise(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  b[0] = 0x5a; // no media signature at the start
  return b;
}

describe('media-only probing', () => {
  it('holds non-media files without running ffprobe; damaged clips are still read, and probed where exiftool cannot tell', () => {
    const wrapperDir = path.join(tmp.dir, 'bin');
    const runs = path.join(tmp.dir, 'ffprobe-runs.log');
    mkdirSync(wrapperDir);
    const realFfprobe = execFileSync('bash', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).trim();
    writeFileSync(path.join(wrapperDir, 'ffprobe'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${runs}'\nexec '${realFfprobe}' "$@"\n`);
    chmodSync(path.join(wrapperDir, 'ffprobe'), 0o755);

    const card = path.join(tmp.dir, 'REC1');
    for (const d of ['LOG', 'GPS', 'THUMB', 'SYS', 'DCIM']) mkdirSync(path.join(card, d), { recursive: true });
    const nonMedia: string[] = [];
    for (let i = 0; i < 6; i++) {
      writeFileSync(path.join(card, 'LOG', `EVT${i}.LOG`), `2026-03-15 08:00:0${i} battery ${90 - i}%\r\n`);
      writeFileSync(path.join(card, 'GPS', `GPS${i}.NMEA`), `$GPRMC,0800${i}0.00,A,3114.1,N,12128.${i},E,0.0,0.0,150326,,,A*6C\r\n`);
      writeFileSync(path.join(card, 'THUMB', `T${i}.THM`), noise(3000 + i, i + 1));
      writeFileSync(path.join(card, 'SYS', `IDX${i}.BIN`), noise(100 + i, i + 100));
      nonMedia.push(`LOG/EVT${i}.LOG`, `GPS/GPS${i}.NMEA`, `THUMB/T${i}.THM`, `SYS/IDX${i}.BIN`);
    }
    // The fixture clip whose moov box was never written: exiftool's tags show it (ftyp, then an
    // mdat running past the end, nothing else), so ffprobe is not needed.
    const cut = manifest.files.find((f) => f.kind === 'corrupt-video')!;
    writeFileSync(path.join(card, 'DCIM', 'CUT_0001.MP4'), readFileSync(path.join(repoRoot, cut.file)));
    // The same bytes under a name that says nothing: its first bytes ("ftyp") make it media.
    const cutBytes = readFileSync(path.join(repoRoot, cut.file));
    writeFileSync(path.join(card, 'DCIM', 'CUT_0002.DAT'), Buffer.concat([cutBytes, Buffer.from('x')]));
    // A good clip whose moov box (at its end) lost its last 400 bytes: exiftool reads part of the
    // index and is not conclusive; ffprobe decides.
    const good = manifest.files.find((f) => f.kind === 'video')!;
    const goodBytes = readFileSync(path.join(repoRoot, good.file));
    writeFileSync(path.join(card, 'DCIM', 'TORN_0003.MP4'), goodBytes.subarray(0, goodBytes.length - 400));

    const home = path.join(tmp.dir, 'home');
    initHome(home);
    const r = runCli(['--home', home, 'ingest', card, '--json'], { env: { PATH: `${wrapperDir}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ held: nonMedia.length + 3, failed: 0 });

    const probed = existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n') : [];
    // The clip with a torn index probed, nothing else.
    expect(probed).toHaveLength(1);
    expect(probed[0]).toContain('TORN_0003.MP4');

    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const rows = db
      .prepare('SELECT o.source_path, p.metadata_available, p.metadata_reason FROM originals o JOIN provenance p USING (evidence_number)')
      .all() as { source_path: string; metadata_available: number; metadata_reason: string }[];
    db.close();
    const bySource = new Map(rows.map((row) => [row.source_path, row]));
    // Every non-media file is held with its provenance row, and says why it was not read as a recording.
    for (const p of nonMedia) {
      expect(bySource.get(p), p).toBeDefined();
      expect(bySource.get(p)!.metadata_available).toBe(0);
      expect(bySource.get(p)!.metadata_reason, p).toMatch(p.endsWith('.LOG') || p.endsWith('.NMEA') ? /^not a recording \(text\/plain\)/ : /^not a recording \(application\/octet-stream\)/);
    }
    for (const p of ['DCIM/CUT_0001.MP4', 'DCIM/CUT_0002.DAT']) {
      expect(bySource.get(p)!.metadata_available, p).toBe(0);
      expect(bySource.get(p)!.metadata_reason, p).toMatch(/^moov atom not found: the file ends inside its media data.*exiftool: Truncated 'mdat' data/);
    }
    expect(bySource.get('DCIM/TORN_0003.MP4')!.metadata_reason).toMatch(/^ffprobe: /);
  });
});
