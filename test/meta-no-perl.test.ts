// A station whose perl will not run (missing or broken): exiftool cannot start. `evidock ingest`
// used to end at once with exit 0 and no output (every tag read waiting on a process that never
// started, nothing left to keep it running). Now every file is held, ffprobe alone reads what it
// can, a clip neither can read says why (both reasons), and the summary is printed.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initHome, manifest, repoRoot, runCli, tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-meta-no-perl-');
afterAll(() => t.cleanup());

describe('exiftool that cannot start', () => {
  it('every file held, ffprobe alone reads what it can, the reasons kept, the summary printed', () => {
    const brokenPerl = path.join(t.dir, 'bin');
    mkdirSync(brokenPerl);
    writeFileSync(path.join(brokenPerl, 'perl'), '#!/bin/sh\necho "perl: broken" >&2\nexit 127\n');
    chmodSync(path.join(brokenPerl, 'perl'), 0o755);
    const card = path.join(t.dir, 'card');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    const clip = manifest.files.find((f) => f.kind === 'video')!;
    writeFileSync(path.join(card, 'DCIM', 'A_0001.MP4'), readFileSync(path.join(repoRoot, clip.file)));
    const cut = manifest.files.find((f) => f.kind === 'corrupt-video')!;
    writeFileSync(path.join(card, 'DCIM', 'CUT_0002.MP4'), readFileSync(path.join(repoRoot, cut.file)));
    writeFileSync(path.join(card, 'NOTE.TXT'), 'a note');
    const home = path.join(t.dir, 'home');
    initHome(home);
    const r = runCli(['--home', home, 'ingest', card, '--recorder', 'REC-1', '--json'], { env: { PATH: `${brokenPerl}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'done', held: 3, failed: 0 });
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const rows = db
      .prepare('SELECT o.source_path, p.metadata_available, p.metadata_reason, p.duration_seconds FROM originals o JOIN provenance p USING (evidence_number)')
      .all() as { source_path: string; metadata_available: number; metadata_reason: string | null; duration_seconds: number | null }[];
    db.close();
    const bySource = new Map(rows.map((row) => [row.source_path, row]));
    expect(bySource.get('DCIM/A_0001.MP4')!.metadata_available).toBe(1);
    expect(bySource.get('DCIM/A_0001.MP4')!.duration_seconds).toBeGreaterThan(0);
    expect(bySource.get('DCIM/CUT_0002.MP4')!.metadata_available).toBe(0);
    expect(bySource.get('DCIM/CUT_0002.MP4')!.metadata_reason).toMatch(/moov atom not found.*exiftool could not start/);
    expect(bySource.get('NOTE.TXT')!.metadata_reason).toMatch(/^not a recording/);
  });
});
