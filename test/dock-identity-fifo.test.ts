// Issue 11 point 16: a FIFO (or device node) named like an identity file is never opened. A
// writer blocked in open() on the FIFO is released the moment anything opens it for reading, so
// it tells whether the identity reader opened it; and a whole ingest of such a card finishes.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readIdentityFiles } from '../src/dock/drivers/mass-storage.js';
import { initHome, runCli, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-fifo-');
afterAll(() => tmp.cleanup());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an identity file that is a FIFO', () => {
  it('is never opened by the identity reader (a writer waiting on it stays blocked)', async () => {
    const card = path.join(tmp.dir, 'card-reader');
    mkdirSync(card);
    execFileSync('mkfifo', [path.join(card, 'ZFY_INFO.TXT')]);
    writeFileSync(path.join(card, 'RECORDER.JSON'), JSON.stringify({ serial: 'BWC7' }));
    // blocks in open(O_WRONLY) until a reader opens the FIFO
    const writer = spawn('sh', ['-c', 'echo "cSerial=FROM-FIFO" > ZFY_INFO.TXT'], { cwd: card, stdio: 'ignore' });
    let exited = false;
    writer.on('exit', () => (exited = true));
    try {
      await sleep(300); // the writer is waiting in open()
      const claims = await readIdentityFiles(card);
      expect(claims.map((c) => [c.where, c.deviceId])).toEqual([['RECORDER.JSON', 'BWC7']]);
      await sleep(300);
      expect(exited, 'the FIFO was opened: its writer was released').toBe(false);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('does not hang `evidock ingest`: the FIFO is skipped, the regular files are held', () => {
    const card = path.join(tmp.dir, 'card-ingest');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    execFileSync('mkfifo', [path.join(card, 'ZFY_INFO.TXT')]);
    writeFileSync(path.join(card, 'DCIM', 'clip.MP4'), 'not really a video');
    initHome(path.join(tmp.dir, 'home'));
    const r = runCli(['--home', path.join(tmp.dir, 'home'), 'ingest', card, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ status: 'done', held: 1, skipped: 1, failed: 0 });
    expect(summary.problems).toEqual([{ path: 'ZFY_INFO.TXT', outcome: 'skipped', reason: expect.stringMatching(/not a regular file \(fifo\)/) }]);
  });
});
