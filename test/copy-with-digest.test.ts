// copyWithDigest hashes exactly the bytes it writes, at every boundary of its two buffers.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CopyBuffers, copyWithDigest, hashFile } from '../src/hash/copy.js';
import { tempDir } from './helpers/evidock.js';

describe('copyWithDigest', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const buffers = new CopyBuffers(4096);

  it.each([0, 1, 4095, 4096, 4097, 8192, 3 * 4096 + 17])('copies and hashes %i bytes exactly (SHA-256 and SM3)', async (size) => {
    const src = path.join(tmp.dir, `src-${size}`);
    const dest = path.join(tmp.dir, `dest-${size}`);
    const data = randomBytes(size);
    writeFileSync(src, data);
    const r = await copyWithDigest(src, dest, { algorithms: ['sha256', 'sm3'], buffers });
    expect(r.bytes).toBe(size);
    expect(r.digests.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(r.digests.sm3).toBe(createHash('sm3').update(data).digest('hex'));
    expect(readFileSync(dest).equals(data)).toBe(true);
    const again = await hashFile(dest, ['sha256'], buffers);
    expect(again).toEqual({ bytes: size, digests: { sha256: r.digests.sha256 } });
  });

  it('SM3 of "abc" is the GB/T 32905 test vector', async () => {
    const src = path.join(tmp.dir, 'abc');
    writeFileSync(src, 'abc');
    const r = await copyWithDigest(src, path.join(tmp.dir, 'abc-copy'), { algorithms: ['sha256', 'sm3'], buffers });
    expect(r.digests.sm3).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('never overwrites an existing destination', async () => {
    const src = path.join(tmp.dir, 'one');
    const dest = path.join(tmp.dir, 'exists');
    writeFileSync(src, 'new');
    writeFileSync(dest, 'old');
    await expect(copyWithDigest(src, dest, { algorithms: ['sha256'], buffers })).rejects.toThrow(/EEXIST/);
    expect(readFileSync(dest, 'utf8')).toBe('old');
  });

  it('an aborted copy throws between chunks', async () => {
    const src = path.join(tmp.dir, 'big');
    writeFileSync(src, randomBytes(64 * 1024));
    const controller = new AbortController();
    controller.abort(new Error('unplugged'));
    await expect(copyWithDigest(src, path.join(tmp.dir, 'big-copy'), { algorithms: ['sha256'], buffers, signal: controller.signal })).rejects.toThrow('unplugged');
  });
});
