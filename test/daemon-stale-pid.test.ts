// Issue 11 point 14 (second half): after a crash, the daemon's pid file may name a pid that an
// unrelated process has since taken. That must not stop the daemon from starting; a live evidock
// daemon on the same home is still refused.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonProcess, initHome, tempDir } from './helpers/evidock.js';

describe('a stale daemon pid file', () => {
  const tmp = tempDir('evidock-stale-pid-');
  const home = path.join(tmp.dir, 'home');
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  afterAll(() => {
    sleeper.kill('SIGKILL');
    tmp.cleanup();
  });

  it('naming an unrelated live process: the daemon starts and takes the lock', async () => {
    initHome(home);
    mkdirSync(path.join(home, 'run'), { recursive: true });
    writeFileSync(path.join(home, 'run', 'daemon.pid'), String(sleeper.pid));
    const daemon = new DaemonProcess(['--home', home]);
    try {
      await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
      expect(Number(readFileSync(path.join(home, 'run', 'daemon.pid'), 'utf8'))).toBe(daemon.child.pid);
      const second = new DaemonProcess(['--home', home]);
      expect(await second.exited).toBe(2);
      expect(second.stderr).toContain(`another evidock daemon (pid ${daemon.child.pid}) already runs`);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
  });
});
