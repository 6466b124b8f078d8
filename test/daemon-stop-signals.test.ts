// A SIGTERM (or SIGINT) always stops the daemon cleanly: exit 0 and "evidock daemon stopped",
// however early it comes. The stop signals used to be caught only after the start had returned,
// so a SIGTERM during the start, or sent the moment "evidock daemon ready" was read (a restart
// right after a start, a test's stop), ended the process by the signal itself with nothing said.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonProcess, initHome, tempDir } from './helpers/evidock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('daemon stop signals', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('a SIGTERM during the start: the start completes, then the daemon stops with exit 0 and says so', async () => {
    const home = path.join(tmp.dir, 'home-start');
    initHome(home);
    // The catalog's write lock held by someone else keeps the daemon inside its start (it waits
    // for the lock before logging its start), so the signal lands there every time.
    const other = new Database(path.join(home, 'catalog.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    const daemon = new DaemonProcess(['--home', home]);
    try {
      const holderFile = path.join(home, 'run', 'home-lock.json');
      const until = Date.now() + 30_000;
      while (!(existsSync(holderFile) && readFileSync(holderFile, 'utf8').includes(`"pid":${daemon.child.pid}`)) && Date.now() < until) await sleep(20);
      expect(daemon.lines.some((l) => l.msg === 'evidock daemon ready'), 'still starting').toBe(false);
      daemon.child.kill('SIGTERM');
      await sleep(500);
      expect(daemon.child.signalCode, 'not ended by the signal').toBe(null);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    expect(await daemon.exited, daemon.stderr).toBe(0);
    expect(daemon.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['evidock daemon ready', 'evidock daemon stopped']));
    expect(daemon.lines.find((l) => l.msg?.startsWith('stopping'))).toMatchObject({ reason: 'SIGTERM' });
  });

  it('a SIGTERM sent the moment "ready" is read: exit 0 and "evidock daemon stopped", every time', async () => {
    const home = path.join(tmp.dir, 'home-ready');
    initHome(home);
    const ends: string[] = [];
    for (let i = 0; i < 10; i++) {
      const daemon = new DaemonProcess(['--home', home]);
      await daemon.waitFor((l) => l.msg === 'evidock daemon ready', 60_000);
      daemon.child.kill('SIGTERM');
      const code = await daemon.exited;
      const said = daemon.lines.some((l) => l.msg === 'evidock daemon stopped');
      ends.push(`exit ${code ?? daemon.child.signalCode}${said ? ', said stopped' : ', said nothing'}`);
    }
    expect(ends).toEqual(Array(10).fill('exit 0, said stopped'));
  }, 120_000);
});
