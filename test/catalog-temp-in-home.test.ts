// Issue 11 point 5: SQLite wrote temporary files to /var/tmp during a large ingest, outside the
// home. Every file `evidock ingest` creates or opens for writing (traced with strace -f, helpers
// included) must lie inside the home; the card and the system's read-only files are only read.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, initHome, repoRoot, tempDir } from './helpers/evidock.js';

const strace = spawnSync('strace', ['-V'], { encoding: 'utf8' });
const canTrace = strace.status === 0 && spawnSync('strace', ['-f', '-o', '/dev/null', 'true']).status === 0;
if (!canTrace) console.warn('SKIPPED catalog-temp-in-home: strace is missing or may not trace here (apt-get install strace; ptrace allowed)');

/** Paths opened for writing or creation, from an strace -f log of openat/open/creat. */
function writtenPaths(log: string): string[] {
  const out: string[] = [];
  for (const line of log.split('\n')) {
    const m = /\b(?:openat|open|creat)\((?:AT_FDCWD|\d+<[^>]*>|\d+), "([^"]*)", ([A-Z_|]+)/.exec(line);
    if (!m) continue;
    if (/O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/.test(m[2]) && !/= -1 /.test(line)) out.push(m[1]);
  }
  return out;
}

describe.skipIf(!canTrace)('nothing written outside the home', () => {
  const tmp = tempDir('evidock-tempfiles-');
  afterAll(() => tmp.cleanup());

  it('a 300-file ingest creates no file outside the home (SQLite temp files stay in memory)', () => {
    const card = path.join(tmp.dir, 'REC1');
    mkdirSync(path.join(card, 'LOG'), { recursive: true });
    for (let i = 0; i < 300; i++) {
      const f = path.join(card, 'LOG', `EVT${String(i).padStart(4, '0')}.LOG`);
      writeFileSync(f, `2026-03-15 08:00:00 event ${i} ${'x'.repeat(i % 50)}\n`);
      const t = new Date(Date.UTC(2026, 2, 15) + i * 1000);
      utimesSync(f, t, t);
    }
    const home = path.join(tmp.dir, 'home');
    initHome(home);
    const trace = path.join(tmp.dir, 'trace.log');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,open,creat', '-o', trace, process.execPath, binPath, '--home', home, 'ingest', card, '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ held: 300, failed: 0 });
    const written = writtenPaths(readFileSync(trace, 'utf8'));
    expect(written.length).toBeGreaterThan(300); // the trace saw the ingest's own writes
    const outside = written.filter((p) => !p.startsWith(home + '/') && !/^\/dev\/(null|tty|pts\/)/.test(p));
    expect(outside).toEqual([]);
  });
});
