// Issue 12, point 2: `npm start` runs the daemon so that a signal to npm reaches it. Killing
// npm's pid (what a terminal, a supervisor or `kill` does) stops the daemon cleanly and releases
// its pid lock; before, npm signalled only its `sh -c`, and the daemon ran on under PID 1.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive as alive, repoRoot, tempDir } from './helpers/evidock.js';

async function waitUntil(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  const tmp = tempDir('evidock-npm-start-');
  afterAll(() => tmp.cleanup());

  it('a SIGTERM to npm reaches the daemon: it stops, and its pid lock is released', async () => {
    const home = path.join(tmp.dir, 'home');
    const npm = spawn('npm', ['start', '--silent'], { cwd: repoRoot, env: { ...process.env, EVIDOCK_HOME: home, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout!.on('data', (c) => (out += c));
    npm.stderr!.on('data', (c) => (out += c));
    const npmExited = new Promise((r) => npm.on('exit', r));
    const lock = path.join(home, 'run', 'daemon.pid');
    let daemonPid = 0;
    try {
      await waitUntil('the daemon to be ready', () => out.includes('evidock daemon ready'), 60_000);
      daemonPid = Number(readFileSync(lock, 'utf8'));
      expect(daemonPid).toBeGreaterThan(0);
      expect(daemonPid).not.toBe(npm.pid);
      npm.kill('SIGTERM');
      await waitUntil('the daemon to stop', () => !alive(daemonPid), 15_000).catch(() => undefined);
      expect(alive(daemonPid), `daemon ${daemonPid} still runs after npm (${npm.pid}) was killed; output:\n${out}`).toBe(false);
      expect(existsSync(lock), 'the pid lock is released').toBe(false);
      expect(out).toContain('evidock daemon stopped');
    } finally {
      if (daemonPid && alive(daemonPid)) process.kill(daemonPid, 'SIGKILL');
      npm.kill('SIGKILL');
      await npmExited;
    }
  });
});
