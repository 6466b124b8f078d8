// A store on a disk that lies: it keeps what it is given but returns one byte flipped when read
// back (FUSE, test/system/harness/lyingfs.py, direct_io so reads bypass the page cache). Ingest
// must notice on the read-back, fail that file with the offset named, hold nothing of it, and
// hold every other file. Skips LOUDLY when not root or FUSE/python3-fusepy are missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFixtureRecorder, initHome, runCli, tempDir } from '../helpers/evidock.js';
import { fuseMissing, warnSkipped } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('lying disk test (test/system/lying-disk.test.ts)', missing);

const LYINGFS = path.join(import.meta.dirname, 'harness', 'lyingfs.py');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.skipIf(missing.length > 0)('a store disk that does not read back what was written', () => {
  const tmp = tempDir('evidock-lying-');
  const procs: ChildProcess[] = [];
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) spawnSync('fusermount', ['-uz', m]);
    for (const p of procs) p.kill('SIGTERM');
    tmp.cleanup();
  });

  /** A home whose store and staging are on a lying FUSE mount; the catalog stays on a real disk. */
  async function lyingHome(name: string, match: string, flipAt: number): Promise<{ home: string; config: string; backing: string }> {
    const backing = path.join(tmp.dir, `${name}-backing`);
    const mnt = path.join(tmp.dir, `${name}-disk`);
    mkdirSync(backing);
    mkdirSync(mnt);
    procs.push(spawn('/usr/bin/python3', [LYINGFS, backing, mnt, '--match', match, '--flip-at', String(flipAt), '--foreground'], { stdio: 'ignore' }));
    mounts.push(mnt);
    const until = Date.now() + 10_000;
    while (!readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${mnt} `) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const home = path.join(tmp.dir, `${name}-home`);
    mkdirSync(home);
    const config = path.join(home, 'evidock.toml');
    writeFileSync(config, `[station]\nid = "LIE-1"\n[paths]\nstore = "${mnt}/store"\nstaging = "${mnt}/staging"\n`);
    initHome(home, ['--config', config]);
    return { home, config, backing: path.join(backing) };
  }

  const ingest = (home: string, config: string, card: string) => {
    const r = runCli(['--home', home, '--config', config, 'ingest', card, '--recorder', 'R-LIE', '--json']);
    return { code: r.code, out: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
  };
  const heldDigests = (home: string, config: string) =>
    (JSON.parse(runCli(['--home', home, '--config', config, 'list', '--json']).stdout) as { sha256: string }[]).map((o) => o.sha256);

  it('a small recording read back with byte 1000 flipped: that file failed with the offset, the others held', async () => {
    const { home, config, backing } = await lyingHome('small', '*_0002.MP4', 1000);
    const card = copyFixtureRecorder('1234567', path.join(tmp.dir, 'card-small'));
    const r = ingest(home, config, card);
    expect(r.out, r.stderr).toMatchObject({ failed: 1 });
    expect(r.stderr).toMatch(/does not read back as written/); // the warning in the log
    const problem = r.out.problems.find((p: { path: string }) => p.path.endsWith('_0002.MP4'));
    expect(problem.reason).toMatch(/does not read back as written: first difference at byte 1000\b/);
    const files = spawnSync('find', [card, '-type', 'f'], { encoding: 'utf8' }).stdout.trim().split('\n');
    const held = heldDigests(home, config);
    for (const f of files) {
      const digest = sha256(readFileSync(f));
      if (f.endsWith('_0002.MP4')) expect(held, 'the lying copy is not held').not.toContain(digest);
      else expect(held, f).toContain(digest);
    }
    expect(r.out.held).toBe(files.length - 1);
    // nothing of it left in staging, on the disk under the FUSE mount
    expect(readdirSync(path.join(backing, 'staging'))).toEqual([]);
    expect(spawnSync('grep', ['-rl', '_0002.MP4', path.join(backing, 'store')], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('a 20 MiB recording with a byte flipped in its third 8 MiB chunk: failed, offset named; nothing else lost', async () => {
    const flipAt = 17 * 1024 * 1024 + 5;
    const { home, config, backing } = await lyingHome('big', 'BIG_*.MP4', flipAt);
    const card = path.join(tmp.dir, 'card-big');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    const big = randomBytes(20 * 1024 * 1024);
    writeFileSync(path.join(card, 'DCIM', 'BIG_0001.MP4'), big);
    writeFileSync(path.join(card, 'DCIM', 'SMALL_0002.MP4'), randomBytes(50_000));
    const r = ingest(home, config, card);
    expect(r.out).toMatchObject({ held: 1, failed: 1 });
    expect(r.out.problems[0].reason).toMatch(new RegExp(`first difference at byte ${flipAt}\\b`));
    expect(heldDigests(home, config)).not.toContain(sha256(big));
    expect(readdirSync(path.join(backing, 'staging'))).toEqual([]);
  });
});
