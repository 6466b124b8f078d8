// A 255-byte file name made of 4-byte UTF-8 characters is held, and verify agrees with the store
// (the stored name is cut at a whole character, as the inventory records it).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/evidock.js';

describe('a long name of 4-byte UTF-8 characters', () => {
  const tmp = tempDir('evidock-emoji-');
  afterAll(() => tmp.cleanup());

  it('a😀…xx.MP4 (255 bytes) is held and `verify` passes', () => {
    const name = 'a' + '😀'.repeat(62) + 'xx.MP4';
    expect(Buffer.byteLength(name)).toBe(255);
    const card = path.join(tmp.dir, 'card');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    const data = randomBytes(3000);
    writeFileSync(path.join(card, 'DCIM', name), data);
    const home = path.join(tmp.dir, 'home');
    const r = runCli(['--home', home, 'ingest', card, '--recorder', 'R-EMOJI', '--json']);
    expect(JSON.parse(r.stdout), r.stderr).toMatchObject({ held: 1, failed: 0 });
    const held = JSON.parse(runCli(['--home', home, 'list', '--json']).stdout) as { sha256: string }[];
    expect(held.map((o) => o.sha256)).toEqual([createHash('sha256').update(data).digest('hex')]);
    const verify = runCli(['--home', home, 'verify']);
    expect(verify.stdout + verify.stderr).not.toMatch(/not in the inventory manifest/);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
