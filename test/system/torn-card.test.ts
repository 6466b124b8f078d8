// A card whose file changes while it is copied, ends early (a short read) or fails to read at an
// offset, ingested by the real CLI from a FUSE card (test/system/harness/faultyfs.py): never held
// torn or truncated; each failure says what, where and at which byte. Skips LOUDLY without FUSE.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli, tempDir } from '../helpers/evidock.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('test/system/torn-card.test.ts', missing);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 * 1024;

describe.skipIf(missing.length > 0)('a card that changes, ends early or fails mid-file', () => {
  const tmp = tempDir('evidock-torn-card-');
  const mounts: FuseMount[] = [];
  afterAll(() => {
    for (const m of mounts) m.unmount();
    tmp.cleanup();
  });

  /** A card folder (backing) with the given files under DCIM, shown through faultyfs with args. */
  async function card(name: string, files: Record<string, Buffer>, args: string[]): Promise<{ backing: string; mnt: string }> {
    const backing = path.join(tmp.dir, `${name}-backing`);
    const mnt = path.join(tmp.dir, `${name}-card`);
    mkdirSync(path.join(backing, 'DCIM'), { recursive: true });
    mkdirSync(mnt);
    for (const [f, data] of Object.entries(files)) writeFileSync(path.join(backing, 'DCIM', f), data);
    mounts.push(await mountFuse('faultyfs.py', backing, mnt, args));
    return { backing, mnt };
  }
  const home = (name: string) => path.join(tmp.dir, `${name}-home`);
  const held = (h: string) => (JSON.parse(runCli(['--home', h, 'list', '--json']).stdout) as { sha256: string; size: number }[]);

  it('EIO from byte 12582912 on: failed with "read error at byte N of DCIM/BIG_0001.MP4: EIO (i/o error)", the rest held', async () => {
    const big = randomBytes(20 * MiB);
    const ok = randomBytes(100_000);
    const { mnt } = await card('eio', { 'BIG_0001.MP4': big, 'OK_0002.MP4': ok }, ['--eio-after', String(12 * MiB), '--match', '*BIG_*']);
    const r = runCli(['--home', home('eio'), 'ingest', mnt, '--recorder', 'R-EIO', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out, r.stderr).toMatchObject({ held: 1, failed: 1 });
    expect(out.problems[0].path).toBe('DCIM/BIG_0001.MP4');
    // N is where the failing read started: the kernel splits reads into FUSE requests, and the one
    // that reaches byte 12582912 fails whole, so N is at most one request (<= 1 MiB) before it.
    const at = /read error at byte (\d+) of DCIM\/BIG_0001\.MP4: EIO \(i\/o error\)/.exec(out.problems[0].reason);
    expect(at, out.problems[0].reason).not.toBeNull();
    expect(Number(at![1])).toBeLessThanOrEqual(12 * MiB);
    expect(Number(at![1])).toBeGreaterThan(11 * MiB);
    expect(out.problems[0].reason).not.toMatch(/EIO: EIO/);
    expect(held(home('eio')).map((o) => o.sha256)).toEqual([sha256(ok)]);
  });

  it('a short read (end of file at byte 5000000 of 20 MiB, no error): failed with where it ended, nothing of it held', async () => {
    const short = randomBytes(20 * MiB);
    const ok = randomBytes(100_000);
    const { mnt } = await card('short', { 'SHORT_0001.MP4': short, 'OK_0002.MP4': ok }, ['--short-after', '5000000', '--match', '*SHORT_*']);
    const r = runCli(['--home', home('short'), 'ingest', mnt, '--recorder', 'R-SHORT', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out, r.stderr).toMatchObject({ held: 1, failed: 1 });
    expect(out.problems[0].reason).toMatch(/short read: DCIM\/SHORT_0001\.MP4 ended at byte 5000000 of 20971520 without an error/);
    const objects = held(home('short'));
    expect(objects.map((o) => o.sha256)).toEqual([sha256(ok)]);
    expect(objects.some((o) => o.size === 5_000_000)).toBe(false);
  });

  it('a file rewritten and grown while a slow card is copied is held whole as it now is, never as a mix', async () => {
    const first = randomBytes(8 * MiB);
    const { backing, mnt } = await card('grow', { 'GROW_0001.MP4': first }, ['--delay-ms', '15']);
    const child = spawn(process.execPath, [binPath, '--home', home('grow'), 'ingest', mnt, '--recorder', 'R-GROW', '--json'], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Wait until the copy has started (the staged copy exists and has bytes), then grow the file.
    const staging = path.join(home('grow'), 'staging');
    const until = Date.now() + 60_000;
    for (;;) {
      const found = stagedFiles(staging);
      if (found > 0) break;
      if (Date.now() > until) throw new Error(`the copy never started: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // The recorder rewrites the file's head (already copied) and appends to it.
    const file = path.join(backing, 'DCIM', 'GROW_0001.MP4');
    const head = randomBytes(MiB);
    const fd = openSync(file, 'r+');
    writeSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    const more = randomBytes(4 * MiB);
    appendFileSync(file, more);
    expect(await exited).toBe(0);
    const out = JSON.parse(stdout);
    expect(out, stderr).toMatchObject({ held: 1, failed: 0 });
    const whole = Buffer.concat([head, first.subarray(MiB), more]);
    expect(readFileSync(file).equals(whole)).toBe(true);
    expect(held(home('grow')).map((o) => [o.sha256, o.size])).toEqual([[sha256(whole), whole.length]]);
  });
});

/** Regular files with bytes below dir (0 when it does not exist yet). */
function stagedFiles(dir: string): number {
  try {
    const out = execFileSync('find', [dir, '-type', 'f', '-size', '+0'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() ? out.trim().split('\n').length : 0;
  } catch {
    return 0;
  }
}
