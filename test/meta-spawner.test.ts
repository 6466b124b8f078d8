// The helper spawner (src/meta/spawner.ts): helpers are started by a process of evidock's own
// that never opens a card, not forked from evidock (issue 11 point 13; the card-hang case itself
// is test/system/stall-metadata.test.ts). What evidock sees of a helper is as of a child process:
// its pipes, its exit code or signal, ENOENT for a missing program; ending the spawner ends them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive, repoRoot } from './helpers/evidock.js';

type SpawnerModule = typeof import('../src/meta/spawner.js');
// the built module: the spawner's own script is beside it
const m = (await import(path.join(repoRoot, 'dist', 'meta', 'spawner.js'))) as SpawnerModule;

const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};
function closed(p: Awaited<ReturnType<SpawnerModule['startHelper']>>): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  let out = '';
  let err = '';
  p.stdout!.on('data', (d: Buffer) => (out += d));
  p.stderr!.on('data', (d: Buffer) => (err += d));
  return new Promise((resolve) => p.on('close', (code, signal) => resolve({ code, signal, out, err })));
}

describe('the helper spawner', () => {
  afterAll(() => m.stopHelperSpawner());

  it('starts helpers as its own children, and relays their pipes, exit codes and signals', async () => {
    m.startHelperSpawner();
    const spawner = m.helperSpawnerPid();
    expect(spawner).toBeGreaterThan(0);

    const cat = await m.startHelper('cat', []);
    expect(parentOf(cat.pid!)).toBe(spawner);
    const done = closed(cat);
    cat.stdin!.write('中文 and \x00 bytes\n');
    cat.stdin!.end('end');
    expect(await done).toEqual({ code: 0, signal: null, out: '中文 and \x00 bytes\nend', err: '' });

    expect(await closed(await m.startHelper('sh', ['-c', 'echo oops >&2; exit 3']))).toEqual({ code: 3, signal: null, out: '', err: 'oops\n' });

    const sleeper = await m.startHelper('sleep', ['30']);
    const slept = closed(sleeper);
    expect(sleeper.kill('SIGTERM')).toBe(true);
    expect(await slept).toMatchObject({ code: null, signal: 'SIGTERM' });

    await expect(m.startHelper('no-such-program-evidock', [])).rejects.toMatchObject({ code: 'ENOENT' });

    // a helper that closed its input: writing to it fails with EPIPE (how exiftool's start error is known)
    const quitter = await m.startHelper('sh', ['-c', 'exec 0<&-; sleep 1; exit 5']);
    const quit = closed(quitter);
    const writeError = new Promise<NodeJS.ErrnoException>((resolve) => quitter.stdin!.on('error', resolve));
    const writeAll = setInterval(() => quitter.stdin!.writable && quitter.stdin!.write('-ver\n'), 20);
    expect((await writeError).code).toBe('EPIPE');
    clearInterval(writeAll);
    expect(await quit).toMatchObject({ code: 5 });
  });

  it('ended, it takes what it started with it; later helpers start directly', async () => {
    m.startHelperSpawner();
    const spawner = m.helperSpawnerPid()!;
    const sleeper = await m.startHelper('sleep', ['30']);
    const slept = closed(sleeper);
    const stopping = m.stopHelperSpawner();
    expect(await slept).toMatchObject({ code: null, signal: 'SIGKILL' });
    await stopping; // it has exited, and was waited for
    const until = Date.now() + 5000;
    while ((processAlive(spawner) || processAlive(sleeper.pid!)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect({ spawner: processAlive(spawner), helper: processAlive(sleeper.pid!) }).toEqual({ spawner: false, helper: false });
    expect(m.helperSpawnerPid()).toBeUndefined();
    const direct = await m.startHelper('true', []);
    expect(parentOf(direct.pid!)).toBe(process.pid);
    expect(await closed(direct)).toMatchObject({ code: 0 });
  });
});
