// Files the card's own filesystem holds are held however deep they are: 40 folders deep, and
// below a path longer than PATH_MAX (4096 bytes), through the real CLI.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/evidock.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('a card with very deep folders', () => {
  const tmp = tempDir('evidock-deep-');
  afterAll(() => {
    spawnSync('rm', ['-rf', tmp.dir]); // rm walks relative to folders; paths here exceed PATH_MAX
    tmp.cleanup();
  });

  it('holds a file 40 folders deep and one whose absolute path is over 5000 bytes; verify passes', () => {
    const card = path.join(tmp.dir, 'card');
    const deepDir = path.join(card, ...Array.from({ length: 40 }, (_, i) => `D${i}`));
    mkdirSync(deepDir, { recursive: true });
    const deep = randomBytes(10_000);
    writeFileSync(path.join(deepDir, 'DEEP_0001.MP4'), deep);
    // 22 folders of 240 bytes: made one relative step at a time (mkdir -p of the whole path fails).
    const long = randomBytes(20_000);
    const name = 'L'.repeat(240);
    const script = `import os, sys\nos.chdir(sys.argv[1])\nfor i in range(22):\n    os.mkdir('${name}'); os.chdir('${name}')\nopen('LONG_0002.MP4', 'wb').write(sys.stdin.buffer.read())\n`;
    const made = spawnSync('python3', ['-c', script, card], { input: long });
    expect(made.status, made.stderr.toString()).toBe(0);
    expect(Buffer.byteLength(card) + 22 * 241 + 14).toBeGreaterThan(5000);

    const home = path.join(tmp.dir, 'home');
    const r = runCli(['--home', home, 'ingest', card, '--recorder', 'R-DEEP', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.problems, r.stderr).toEqual([]);
    expect(out).toMatchObject({ held: 2, failed: 0 });
    const held = (JSON.parse(runCli(['--home', home, 'list', '--json']).stdout) as { sha256: string }[]).map((o) => o.sha256).sort();
    expect(held).toEqual([sha256(deep), sha256(long)].sort());
    const verify = runCli(['--home', home, 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
