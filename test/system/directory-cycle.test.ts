// A card whose folders never end (a directory cycle, as cross-linked FAT clusters give) through
// the real CLI on a FUSE card (test/system/harness/cyclefs.py): the cycle is seen by dev+ino and
// not walked again; a tree with new inodes at every level stops at the depth bound, the folder
// named in a failure; SIGTERM while scanning ends the ingest at once. Skips LOUDLY without FUSE.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli, tempDir } from '../helpers/evidock.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('test/system/directory-cycle.test.ts', missing);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.skipIf(missing.length > 0)('a card with a directory cycle', () => {
  const tmp = tempDir('evidock-cycle-');
  const mounts: FuseMount[] = [];
  const clip = randomBytes(5000);
  const clipFile = path.join(tmp.dir, 'clip');
  writeFileSync(clipFile, clip);
  afterAll(() => {
    for (const m of mounts) m.unmount();
    tmp.cleanup();
  });
  async function card(name: string, args: string[]): Promise<string> {
    const mnt = path.join(tmp.dir, name);
    mkdirSync(mnt);
    mounts.push(await mountFuse('cyclefs.py', clipFile, mnt, args));
    return mnt;
  }
  const heldOf = (home: string) => (JSON.parse(runCli(['--home', home, 'list', '--json']).stdout) as { sha256: string }[]).map((o) => o.sha256);

  it('`loop` is the root again (same dev+ino): named in a failure, not walked; the clip is held once', async () => {
    const mnt = await card('same-ino', []);
    const home = path.join(tmp.dir, 'home-same');
    const r = runCli(['--home', home, 'ingest', mnt, '--recorder', 'R-CYCLE', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out, r.stderr).toMatchObject({ held: 1, failed: 1, alreadyHeld: 0 });
    expect(out.problems).toEqual([
      { path: 'loop', outcome: 'failed', reason: expect.stringMatching(/the same folder \(device \d+, inode 1\) as the card root: a directory cycle or a second link to it; not walked again/) },
    ]);
    expect(heldOf(home)).toEqual([sha256(clip)]);
  });

  it('new inodes at every level: the walk stops 256 folders deep and names the folder below it in a failure', async () => {
    const mnt = await card('distinct', ['--distinct-inodes']);
    const home = path.join(tmp.dir, 'home-distinct');
    const r = runCli(['--home', home, 'ingest', mnt, '--recorder', 'R-DEEP', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.failed, r.stderr).toBe(1);
    expect(out.problems).toEqual([
      { path: Array(257).fill('loop').join('/'), outcome: 'failed', reason: expect.stringMatching(/more than 256 folders deep: not read, nothing below it is held/) },
    ]);
    expect(out.held).toBe(1);
    expect(heldOf(home)).toEqual([sha256(clip)]);
  });

  it('SIGTERM while a slow endless card is being scanned: the ingest ends within seconds, interrupted', async () => {
    const mnt = await card('slow', ['--distinct-inodes', '--delay-ms', '300']);
    const home = path.join(tmp.dir, 'home-slow');
    const child = spawn(process.execPath, [binPath, '--home', home, 'ingest', mnt, '--recorder', 'R-SLOW', '--json'], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The session has started (its recorder.docked entry is in the journal): the scan is under way.
    const until = Date.now() + 60_000;
    while (!journalHas(home, '"recorder.docked"')) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`the session never started: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000)); // a few levels in (about 1 s per level)
    expect(child.exitCode, stderr).toBeNull();
    const signalled = Date.now();
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000));
    const code = await Promise.race([exited, timeout]);
    if (code === 'timeout') child.kill('SIGKILL');
    expect(code, 'still scanning 10 s after SIGTERM').not.toBe('timeout');
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(JSON.parse(stdout), stderr).toMatchObject({ status: 'interrupted', held: 0 });
  });
});

/** Whether the home's journal holds `text`. */
function journalHas(home: string, text: string): boolean {
  const dir = path.join(home, 'journal');
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((n) => n.endsWith('.jsonl') && readFileSync(path.join(dir, n), 'utf8').includes(text));
}
