// Issue 11 point 5: copying ran far ahead of committing (7 900 copies waiting), so SIGTERM took
// over 90 s. Copies staged but not held are bounded (ingest.max_staged), and a SIGTERM at any
// point ends the ingest within seconds, with nothing lost, doubled or half-held. Commits are made
// slow for real: every file is an .MP4 whose bytes exiftool cannot read, and the ffprobe first on
// PATH waits before running the real one.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, initHome, repoRoot, runCli, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-backpressure-');
afterAll(() => tmp.cleanup());

/** A folder with an ffprobe that sleeps `seconds`, then runs the real one. */
function slowFfprobe(seconds: number): string {
  const dir = path.join(tmp.dir, `slow-ffprobe-${seconds}`);
  if (existsSync(dir)) return dir;
  mkdirSync(dir);
  const real = execFileSync('bash', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).trim();
  writeFileSync(path.join(dir, 'ffprobe'), `#!/bin/sh\nsleep ${seconds}\nexec '${real}' "$@"\n`);
  chmodSync(path.join(dir, 'ffprobe'), 0o755);
  return dir;
}

/** `count` unique .MP4 files of noise (no media signature: exiftool gives up, ffprobe is asked). */
function noiseCard(name: string, count: number): string {
  const card = path.join(tmp.dir, name);
  mkdirSync(path.join(card, 'DCIM'), { recursive: true });
  for (let i = 0; i < count; i++) {
    const f = path.join(card, 'DCIM', `CLIP${String(i).padStart(4, '0')}.MP4`);
    const b = Buffer.alloc(2048, i % 251);
    b.writeUInt32BE(i, 0);
    b.write('noise', 8);
    writeFileSync(f, b);
    const t = new Date(Date.UTC(2026, 2, 15) + i * 1000);
    utimesSync(f, t, t);
  }
  return card;
}

function config(name: string, text: string): string {
  const file = path.join(tmp.dir, `${name}.toml`);
  writeFileSync(file, text);
  return file;
}

function catalogRows(home: string): { held: number; distinct: number; intents: number } {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  try {
    const o = db.prepare('SELECT count(*) AS n, count(DISTINCT sha256) AS d FROM originals').get() as { n: number; d: number };
    const i = db.prepare('SELECT count(*) AS n FROM commit_intents').get() as { n: number };
    return { held: o.n, distinct: o.d, intents: i.n };
  } catch {
    return { held: 0, distinct: 0, intents: 0 };
  } finally {
    db.close();
  }
}

/** Copies in staging: the object folders in the staging entries (a session's entry holds each of its copies). */
function stagingCount(home: string): number {
  let copies = 0;
  try {
    for (const entry of readdirSync(path.join(home, 'staging'), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      try {
        copies += readdirSync(path.join(home, 'staging', entry.name), { withFileTypes: true }).filter((e) => e.isDirectory()).length;
      } catch {
        /* removed while listed */
      }
    }
  } catch {
    return 0;
  }
  return copies;
}

function startIngest(home: string, cfg: string, card: string, ffprobeDir: string) {
  const child = spawn(process.execPath, [binPath, '--home', home, '--config', cfg, 'ingest', card, '--json'], {
    cwd: repoRoot,
    env: { ...process.env, PATH: `${ffprobeDir}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) =>
    child.on('exit', (code, signal) => setImmediate(() => done({ code, signal, stdout, stderr }))),
  );
  return { child, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('copies waiting to be held are bounded', () => {
  it('never more than ingest.max_staged copies in staging while commits lag behind the copying', async () => {
    const home = path.join(tmp.dir, 'home-bound');
    initHome(home);
    const card = noiseCard('card-bound', 24);
    const cfg = config('bound', '[ingest]\nmax_staged = 4\n');
    const run = startIngest(home, cfg, card, slowFfprobe(0.3));
    let most = 0;
    let done = false;
    void run.exited.then(() => (done = true));
    while (!done) {
      most = Math.max(most, stagingCount(home));
      await sleep(10);
    }
    const r = await run.exited;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ held: 24, failed: 0 });
    // 4 staged and waiting, plus the one being copied when room was made.
    expect(most).toBeLessThanOrEqual(5);
    expect(most, 'the commits lagged behind the copying, so the bound was reached').toBeGreaterThanOrEqual(4);
    expect(stagingCount(home)).toBe(0);
  });
});

describe('SIGTERM on a large card', () => {
  it('ends within seconds mid-card; what was held stays held, the rest is held by the next ingest, nothing twice', async () => {
    const home = path.join(tmp.dir, 'home-term');
    initHome(home);
    const files = 300;
    const card = noiseCard('card-term', files);
    const cfg = config('term', '');
    const run = startIngest(home, cfg, card, slowFfprobe(0.2));
    const until = Date.now() + 120_000;
    while (catalogRows(home).held < 10 && Date.now() < until) await sleep(50);
    expect(catalogRows(home).held, 'some files held before the stop').toBeGreaterThanOrEqual(10);
    const termAt = Date.now();
    run.child.kill('SIGTERM');
    const r = await run.exited;
    const stopSeconds = (Date.now() - termAt) / 1000;
    expect(r.signal, r.stderr).toBeNull();
    expect(stopSeconds, `stopped ${stopSeconds.toFixed(1)} s after SIGTERM`).toBeLessThan(15);
    const after = catalogRows(home);
    expect(after.held).toBeLessThan(files); // stopped mid-card
    expect(after.distinct).toBe(after.held);
    expect(after.intents).toBe(0); // nothing half-held
    expect(stagingCount(home)).toBe(0);

    // The next docking holds the rest (metadata off: the point is the originals), each once.
    const fast = config('term-fast', '[meta]\nread_metadata = false\n');
    const again = runCli(['--home', home, '--config', fast, 'ingest', card, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ held: files - after.held, alreadyHeld: after.held, failed: 0 });
    expect(catalogRows(home)).toEqual({ held: files, distinct: files, intents: 0 });
    const verify = runCli(['--home', home, 'verify', '--json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
