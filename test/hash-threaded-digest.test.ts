// SM3 off the main thread: with buffers in shared memory (the writer gate makes them so when SM3
// is on), the copy's digests are computed on a hashing thread from the very buffers written, and
// are the same as hashing the source's bytes here, at every chunk boundary. SHA-256 alone, or
// private buffers, hash here as before.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CopyBuffers, copyWithDigest, hashFile } from '../src/hash/copy.js';
import { MultiDigest } from '../src/hash/digest.js';
import { digestFor, ThreadedDigest } from '../src/hash/threaded-digest.js';
import { tempDir } from './helpers/evidock.js';

describe('digests on a hashing thread', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const shared = new CopyBuffers(4096, true);

  it('SM3 with shared buffers goes to the thread; SHA-256 alone or private buffers stay here', () => {
    expect(shared.a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(digestFor(['sha256', 'sm3'], shared.a)).toBeInstanceOf(ThreadedDigest);
    expect(digestFor(['sha256'], shared.a)).toBeInstanceOf(MultiDigest);
    expect(digestFor(['sha256', 'sm3'], new CopyBuffers(4096).a)).toBeInstanceOf(MultiDigest);
  });

  it.each([0, 1, 4095, 4096, 4097, 3 * 4096 + 17, 64 * 4096 + 5])('copies %i bytes with SHA-256 and SM3 hashed on the thread, exactly', async (size) => {
    const src = path.join(tmp.dir, `src-${size}`);
    const dest = path.join(tmp.dir, `dest-${size}`);
    const data = randomBytes(size);
    writeFileSync(src, data);
    const r = await copyWithDigest(src, dest, { algorithms: ['sha256', 'sm3'], buffers: shared });
    expect(r.digests).toEqual({ sha256: createHash('sha256').update(data).digest('hex'), sm3: createHash('sm3').update(data).digest('hex') });
    expect(readFileSync(dest).equals(data)).toBe(true);
    expect(await hashFile(dest, ['sha256', 'sm3'], shared)).toEqual({ bytes: size, digests: r.digests });
  });

  it('two copies at once on shared buffers of their own keep their digests apart', async () => {
    const datas = [randomBytes(50_000), randomBytes(70_001)];
    const rs = await Promise.all(
      datas.map((d, i) => {
        writeFileSync(path.join(tmp.dir, `both-${i}`), d);
        return copyWithDigest(path.join(tmp.dir, `both-${i}`), path.join(tmp.dir, `both-${i}.copy`), { algorithms: ['sha256', 'sm3'], buffers: new CopyBuffers(4096, true) });
      }),
    );
    rs.forEach((r, i) => expect(r.digests.sm3).toBe(createHash('sm3').update(datas[i]).digest('hex')));
  });

  it('refuses bytes that are not in shared memory', async () => {
    await expect(new ThreadedDigest(['sha256', 'sm3']).update(Buffer.alloc(3))).rejects.toThrow(/shared buffers only/);
  });
});
