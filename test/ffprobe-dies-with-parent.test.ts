// Issue 12 point 4 for ffprobe: a probe that hangs (here on a FIFO nobody writes) must not
// outlive evidock after a SIGKILL, started directly or by the helper spawner. The parent is a real
// node process using dist/meta/ffprobe.js.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive, repoRoot, tempDir } from './helpers/evidock.js';

describe('ffprobe and its parent', () => {
  const tmp = tempDir('evidock-ffprobe-');
  afterAll(() => tmp.cleanup());

  it.each([false, true])('a hanging ffprobe is gone within seconds of its parent being killed (through the helper spawner: %s)', async (viaSpawner) => {
    const fifo = path.join(tmp.dir, `clip-${viaSpawner}.MP4`);
    execFileSync('mkfifo', [fifo]);
    const script = `
      if (${viaSpawner}) (await import(${JSON.stringify(path.join(repoRoot, 'dist', 'meta', 'spawner.js'))})).startHelperSpawner();
      const m = await import(${JSON.stringify(path.join(repoRoot, 'dist', 'meta', 'ffprobe.js'))});
      m.probeFile(${JSON.stringify(fifo)}, { timeoutMs: 600000 });
      const told = setInterval(() => { if (m.ffprobePids().length) { console.log(JSON.stringify(m.ffprobePids())); clearInterval(told); } }, 100);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pids: number[];
    try {
      pids = await new Promise((done) => parent.stdout!.once('data', (d) => done(JSON.parse(String(d)))));
    } finally {
      if (parent.exitCode === null) setTimeout(() => parent.kill('SIGKILL'), 10_000).unref(); // never left behind
    }
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
