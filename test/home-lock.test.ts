// Issue 11 point 14: one writer per home, by a lock the kernel releases with the process. A real
// daemon and a real `evidock ingest` on one home: the ingest is refused (exit 2, naming the
// daemon's pid and the docks folder) and never touches the daemon's staging; an ingest waits for
// another ingest, saying so; a SIGKILLed holder never blocks the next start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, copyFixtureRecorder, DaemonProcess, heldOriginals, initHome, repoRoot, tempDir } from './helpers/evidock.js';

const distLock = path.join(repoRoot, 'dist', 'home-lock.js');

/** Run the CLI as a child; its exit code, stdout and stderr (collected as they come). */
function cliChild(args: string[]): { child: ChildProcess; out: { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return { child, out, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

/** A process that holds the home's lock as an `evidock ingest` would, until killed; resolves once it holds it. */
async function ingestHolder(home: string): Promise<ChildProcess> {
  const script = `import { tryLockHome } from ${JSON.stringify(distLock)};
const got = tryLockHome({ dir: ${JSON.stringify(home)}, run: ${JSON.stringify(path.join(home, 'run'))} }, 'ingest');
if ('heldBy' in got) process.exit(3);
process.stdout.write('held\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => resolve());
    child.on('exit', (code) => reject(new Error(`the holder exited ${code}`)));
  });
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two writers on one home', () => {
  const tmp = tempDir('evidock-home-lock-');
  afterAll(() => tmp.cleanup());

  it("a running daemon refuses `evidock ingest` (exit 2, its pid, the docks folder); the daemon's staging is untouched", async () => {
    const home = path.join(tmp.dir, 'home-daemon');
    initHome(home);
    const card = copyFixtureRecorder('7654321', path.join(tmp.dir, '7654321'));
    const daemon = new DaemonProcess(['--home', home]);
    try {
      await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
      // A staging entry as the daemon makes one for a copy in flight (with evidock's marker):
      // recovery run by a second writer would remove it.
      const entry = path.join(home, 'staging', 'copy-in-flight');
      mkdirSync(entry);
      writeFileSync(path.join(entry, '.evidock-staging'), 'evidock staging entry: removed by evidock when its copy is held or abandoned\n');
      const r = cliChild(['--home', home, 'ingest', card, '--json']);
      expect(await r.exited).toBe(2);
      expect(r.out.stderr).toContain(`the evidock daemon (pid ${daemon.child.pid}) runs on ${home}`);
      expect(r.out.stderr).toContain(path.join(home, 'docks'));
      expect(r.out.stderr).toContain('nothing was copied');
      expect(existsSync(path.join(entry, '.evidock-staging')), "the daemon's staging entry is still there").toBe(true);
      expect(heldOriginals(home)).toEqual([]);
      // The daemon goes on: the same card docked with it is held.
      spawnSync('cp', ['-a', card, path.join(home, 'docks', '7654321')]);
      await daemon.waitFor((l) => l.msg === 'session ended', 60_000);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    expect(heldOriginals(home).length).toBeGreaterThan(0);
  });

  it('a SIGKILLed daemon never blocks the next start, nor an ingest after it', async () => {
    const home = path.join(tmp.dir, 'home-killed');
    initHome(home);
    const first = new DaemonProcess(['--home', home]);
    await first.waitFor((l) => l.msg === 'evidock daemon ready');
    expect(await first.stop('SIGKILL')).toBe(null);
    const second = new DaemonProcess(['--home', home]);
    try {
      await second.waitFor((l) => l.msg === 'evidock daemon ready');
      const third = new DaemonProcess(['--home', home]);
      expect(await third.exited).toBe(2);
      expect(third.stderr).toContain(`another evidock daemon (pid ${second.child.pid}) already runs`);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    const card = copyFixtureRecorder('1234567', path.join(tmp.dir, '1234567'));
    const r = cliChild(['--home', home, 'ingest', card, '--json']);
    expect(await r.exited, r.out.stderr).toBe(0);
  });

  it('a daemon refused names the holder even when the holder names itself only after taking the lock; a file left by a dead holder is not trusted', async () => {
    const home = path.join(tmp.dir, 'home-late-name');
    initHome(home);
    // home-lock.json left behind by a holder that was SIGKILLed (its pid no longer runs).
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    mkdirSync(path.join(home, 'run'), { recursive: true });
    writeFileSync(path.join(home, 'run', 'home-lock.json'), `${JSON.stringify({ pid: dead, role: 'daemon', since: '2026-01-01T00:00:00.000Z' })}\n`);
    // A holder that has taken the lock as a starting daemon does and not yet named itself (the
    // lock's commit is flushed first: under load that takes a moment).
    const script = `import Database from 'better-sqlite3';
const db = new Database(${JSON.stringify(path.join(home, 'run', 'home.lock'))}, { timeout: 0 });
db.pragma('locking_mode = EXCLUSIVE');
db.exec('BEGIN EXCLUSIVE'); db.exec('CREATE TABLE IF NOT EXISTS taken (n INTEGER NOT NULL)'); db.exec('COMMIT');
process.stdout.write('held\\n');
setInterval(() => db, 1000);`;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', () => resolve());
        holder.on('exit', (code) => reject(new Error(`the holder exited ${code}`)));
      });
      // The daemon makes its staging folder right before it tries the lock: once it is there
      // (and a moment more), the holder names itself.
      rmSync(path.join(home, 'staging'), { recursive: true, force: true });
      const daemon = new DaemonProcess(['--home', home]);
      const until = Date.now() + 60_000;
      while (!existsSync(path.join(home, 'staging')) && daemon.child.exitCode === null && Date.now() < until) await sleep(5);
      await sleep(300);
      writeFileSync(path.join(home, 'run', 'home-lock.json'), `${JSON.stringify({ pid: holder.pid, role: 'daemon', since: new Date().toISOString() })}\n`);
      expect(await daemon.exited).toBe(2);
      expect(daemon.stderr).toContain(`another evidock daemon (pid ${holder.pid}) already runs on ${home}`);
      expect(daemon.stderr).not.toContain(`pid ${dead})`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('an ingest waits for another ingest, saying who holds the home and how to stop waiting; a SIGKILLed holder lets it go on', async () => {
    const home = path.join(tmp.dir, 'home-ingests');
    initHome(home);
    const holder = await ingestHolder(home);
    const card = copyFixtureRecorder('7654321', path.join(tmp.dir, 'card-wait'));
    const r = cliChild(['--home', home, 'ingest', card, '--json']);
    try {
      const until = Date.now() + 30_000;
      while (!r.out.stderr.includes('waiting') && Date.now() < until) await sleep(100);
      expect(r.out.stderr).toContain(`\`evidock ingest\` (pid ${holder.pid}`);
      expect(r.out.stderr).toContain('Ctrl-C or SIGTERM stops waiting');
      await sleep(1500);
      expect(r.child.exitCode, 'still waiting while the holder lives').toBe(null);
      expect(heldOriginals(home)).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
    }
    expect(await r.exited, r.out.stderr).toBe(0);
    expect(JSON.parse(r.out.stdout).held).toBeGreaterThan(0);
  });

  it('a waiting ingest stops on SIGTERM with nothing copied (exit 1)', async () => {
    const home = path.join(tmp.dir, 'home-stop-waiting');
    initHome(home);
    const holder = await ingestHolder(home);
    try {
      const card = copyFixtureRecorder('7654321', path.join(tmp.dir, 'card-stop'));
      const r = cliChild(['--home', home, 'ingest', card]);
      const until = Date.now() + 30_000;
      while (!r.out.stderr.includes('waiting') && Date.now() < until) await sleep(100);
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(1);
      expect(r.out.stderr).toContain('stopped waiting for the home; nothing was copied');
      expect(heldOriginals(home)).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
