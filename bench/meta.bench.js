// Issue 3: metadata must not slow ingest. Ingest of 200 small fixture-like files (MP4, JPEG,
// WAV from fixtures/, each made unique) with no derived steps, with provenance but no metadata
// reading (names + attribution only), and with metadata (exiftool + ffprobe). Target: at most
// 25 ms of added wall time per file; metadata runs while the next file is being copied.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fmt, repoRoot, tempDir } from './lib.js';

const FILES = 200;

function makeCard(dir) {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'fixtures', 'manifest.json'), 'utf8'));
  const media = manifest.files.filter((f) => f.metadataAvailable);
  const out = path.join(dir, 'DCIM', '100MEDIA');
  mkdirSync(out, { recursive: true });
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const src = media[i % media.length];
    const ext = path.extname(src.file);
    const t = new Date(Date.UTC(2026, 2, 15, 0, 0, 0) + i * 5000 + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
    const dest = path.join(out, `1234567_010203_${t}_${String(i + 1).padStart(4, '0')}${ext}`);
    // Unique bytes (no duplicates to skip) without changing the container: two payload bytes in
    // the middle (MP4 mdat, JPEG scan data, WAV samples), never 0xFF (a JPEG marker).
    const buf = readFileSync(path.join(repoRoot, src.file));
    let at = buf.length >> 1;
    while (buf[at - 1] === 0xff || buf[at] === 0xff || buf[at + 1] === 0xff || buf[at + 2] === 0xff) at++;
    buf[at] = 1 + (i % 200);
    buf[at + 1] = 1 + Math.floor(i / 200);
    writeFileSync(dest, buf);
    bytes += buf.length;
  }
  return bytes;
}

function run(card, home, mode) {
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'bench', 'meta-child.js'), card, home, mode], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

export default async function metaBench(flags) {
  const rounds = flags.includes('--quick') ? 1 : 3;
  const tmp = tempDir('evidock-bench-meta-');
  try {
    const card = path.join(tmp.dir, 'card');
    const bytes = makeCard(card);
    const home = path.join(tmp.dir, 'home');
    const best = { none: Infinity, names: Infinity, metadata: Infinity };
    let last;
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['none', 'names', 'metadata']) {
        const res = run(card, home, mode);
        if (res.held !== FILES) throw new Error(`${mode}: held ${res.held} of ${FILES}`);
        best[mode] = Math.min(best[mode], res.seconds);
        if (mode === 'metadata') last = res;
      }
    }
    const perFile = (s) => (s / FILES) * 1000;
    console.log(`${FILES} files, ${fmt(bytes / 1024, 0)} KiB, best of ${rounds}; ${last.withMetadata} with metadata read`);
    console.log(`  no derived steps          ${fmt(best.none, 2)} s  (${fmt(perFile(best.none))} ms/file)`);
    console.log(`  provenance, no metadata   ${fmt(best.names, 2)} s  (${fmt(perFile(best.names))} ms/file)`);
    console.log(`  provenance + metadata     ${fmt(best.metadata, 2)} s  (${fmt(perFile(best.metadata))} ms/file)`);
    const read = run(card, home, 'read');
    console.log(`  metadata reads alone, one after another: ${fmt(perFile(read.seconds))} ms/file (the work overlapped with copying and committing)`);
    const added = perFile(best.metadata - best.none);
    console.log(`  added by metadata: ${fmt(added)} ms/file over no derived steps, ${fmt(perFile(best.metadata - best.names))} ms/file over names only (target <= 25 ms/file): ${added <= 25 ? 'OK' : 'OVER TARGET'}`);
  } finally {
    tmp.cleanup();
  }
}
