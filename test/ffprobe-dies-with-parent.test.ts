// Issue 12 point 4 for ffprobe: a probe that hangs (here on a FIFO nobody writes) must not
// outlive evidock after a SIGKILL. The parent is a real node process using dist/meta/ffprobe.js.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive, repoRoot, tempDir } from './helpers/evidock.js';

describe('ffprobe and its parent', () => {
  const tmp = tempDir('evidock-ffprobe-');
  afterAll(() => tmp.cleanup());

  it('a hanging ffprobe is gone within seconds of its parent being killed', async () => {
    const fifo = path.join(tmp.dir, 'clip.MP4');
    execFileSync('mkfifo', [fifo]);
    const script = `
      const m = await import(${JSON.stringify(path.join(repoRoot, 'dist', 'meta', 'ffprobe.js'))});
      m.probeFile(${JSON.stringify(fifo)}, { timeoutMs: 600000 });
      setTimeout(() => console.log(JSON.stringify(m.ffprobePids())), 500);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pids: number[] = await new Promise((done) => parent.stdout!.once('data', (d) => done(JSON.parse(String(d)))));
    expect(pids).toHaveLength(1);
    expect(processAlive(pids[0]), 'ffprobe should be blocked on the FIFO').toBe(true);
    parent.kill('SIGKILL');
    const until = Date.now() + 5000;
    while (processAlive(pids[0]) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const left = processAlive(pids[0]);
    if (left) process.kill(pids[0], 'SIGKILL');
    expect(left, `ffprobe ${pids[0]} still runs 5 s after its parent was killed`).toBe(false);
  });
});
