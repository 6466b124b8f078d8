// Issue 12, point 4: no exiftool helper outlives its parent by more than a few seconds when the
// parent is killed with SIGKILL (no chance to end them): the daemon while it ingests, and a
// one-shot `evidock ingest`. The helpers are started by evidock's helper spawner: it goes too.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, copyFixtureRecorder, DaemonProcess, fixturesDir, initHome, processAlive as alive, repoRoot, tempDir } from './helpers/evidock.js';

/** Live (not zombie) processes whose parent is `ppid`, with their command lines. */
function childrenOf(ppid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== ppid || fields[0] === 'Z') continue;
      out.push({ pid: Number(name), cmd: readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Whether a file over 1 MiB is somewhere under dir (a copy in progress in staging/). */
function largeFileIn(dir: string): boolean {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((p) => {
      try {
        const st = statSync(path.join(dir, p));
        return st.isFile() && st.size > 1024 * 1024;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** evidock's processes: its children and theirs (helpers are started by its helper spawner). */
const descendants = (pid: number) => childrenOf(pid).flatMap((c) => [c, ...childrenOf(c.pid)]);
const exiftoolChildren = (ppid: number) => descendants(ppid).filter((c) => c.cmd.includes('exiftool'));

async function waitUntil<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILL the parent, then every helper it had must be gone within `graceMs`. */
async function killAndExpectHelpersGone(parentPid: number, graceMs = 5000): Promise<void> {
  // every exiftool helper, and the spawner that started them (the syncfs helper may still be
  // finishing a flush of the large copy: it ends at its next read of its closed input)
  const watched = descendants(parentPid).filter((c) => /exiftool|spawner-child/.test(c.cmd));
  const helpers = watched.map((c) => c.pid);
  expect(exiftoolChildren(parentPid).length).toBeGreaterThan(0);
  process.kill(parentPid, 'SIGKILL');
  const until = Date.now() + graceMs;
  while (helpers.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const left = helpers.filter(alive);
  for (const pid of left) process.kill(pid, 'SIGKILL'); // tidy up before failing
  expect(watched.filter((c) => left.includes(c.pid)), `helpers still running ${graceMs} ms after their parent was killed`).toEqual([]);
}

describe('helpers die with their parent', () => {
  const tmp = tempDir('evidock-orphans-');
  afterAll(() => tmp.cleanup());

  it('a daemon killed with SIGKILL while it ingests leaves no exiftool behind', async () => {
    const home = path.join(tmp.dir, 'daemon-home');
    const daemon = new DaemonProcess(['--home', home]);
    try {
      await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
      const card = copyFixtureRecorder('1234567', path.join(tmp.dir, 'incoming'));
      renameSync(card, path.join(home, 'docks', '1234567'));
      await daemon.waitFor((l) => l.msg === 'file held');
      await waitUntil('an exiftool helper of the daemon', () => exiftoolChildren(daemon.child.pid!).length > 0, 30_000);
      await killAndExpectHelpersGone(daemon.child.pid!);
    } finally {
      await daemon.stop('SIGKILL');
    }
  });

  it('`evidock ingest` killed with SIGKILL leaves no exiftool behind', async () => {
    const home = path.join(tmp.dir, 'ingest-home');
    initHome(home);
    // One clip (its tags are read, so a helper starts), then a large file: while that is copied
    // the helper is idle, the case where exiftool -stay_open used to poll a closed stdin forever.
    const card = path.join(tmp.dir, 'big-card');
    mkdirSync(card, { recursive: true });
    cpSync(path.join(fixturesDir, '1234567', 'DCIM', '100MEDIA', '1234567_010203_20260315083000_0001.MP4'), path.join(card, 'A_0001.MP4'));
    writeFileSync(path.join(card, 'B_LARGE.BIN'), Buffer.alloc(512 * 1024 * 1024, 7));
    const child = spawn(process.execPath, [binPath, '--home', home, 'ingest', card, '--json'], { cwd: repoRoot, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    try {
      await waitUntil('an exiftool helper of evidock ingest', () => exiftoolChildren(child.pid!).length > 0, 60_000);
      await waitUntil('the large file being copied', () => largeFileIn(path.join(home, 'staging')), 60_000);
      await new Promise((r) => setTimeout(r, 1500)); // the clip's tags are read by now: the helper idles
      expect(alive(child.pid!), 'evidock ingest ended before it could be killed').toBe(true);
      await killAndExpectHelpersGone(child.pid!);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
