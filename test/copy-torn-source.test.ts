// A source that changes while it is copied, or ends before its size, is never returned as a copy:
// it is copied again from the start (bounded) or fails with the reason; read errors name the byte.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, openSync, closeSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CopyBuffers, copyWithDigest, ShortReadError, SourceChangedError } from '../src/hash/copy.js';
import { tempDir } from './helpers/evidock.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const CHUNK = 4096;

describe('copyWithDigest and a source that changes or ends early', () => {
  const tmp = tempDir('evidock-torn-');
  afterAll(() => tmp.cleanup());
  const buffers = new CopyBuffers(CHUNK);
  const at = (name: string) => path.join(tmp.dir, name);

  /** Overwrite the first chunk of a file in place and append to it (a recorder still writing). */
  function rewriteHeadAndGrow(file: string): void {
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(CHUNK, 0x5a), 0, CHUNK, 0);
    closeSync(fd);
    appendFileSync(file, randomBytes(3 * CHUNK));
  }

  it('a file rewritten and grown during the copy is copied again whole: the copy is the file as it now is, never a mix', async () => {
    const src = at('growing');
    writeFileSync(src, randomBytes(5 * CHUNK));
    let changes = 0;
    const r = await copyWithDigest(src, at('growing-copy'), {
      algorithms: ['sha256'],
      buffers,
      onProgress: (n) => {
        if (n === 2 * CHUNK && changes++ === 0) rewriteHeadAndGrow(src);
      },
    });
    const now = readFileSync(src);
    expect(changes).toBe(2); // the first pass saw the change; the second pass went through
    expect(r.bytes).toBe(8 * CHUNK);
    expect(r.source.size).toBe(8 * CHUNK);
    expect(r.digests.sha256).toBe(sha256(now));
    expect(readFileSync(at('growing-copy')).equals(now)).toBe(true);
  });

  it('a file that shrinks during the copy is copied again at its new size', async () => {
    const src = at('shrinking');
    writeFileSync(src, randomBytes(6 * CHUNK));
    let done = false;
    const r = await copyWithDigest(src, at('shrinking-copy'), {
      algorithms: ['sha256'],
      buffers,
      onProgress: (n) => {
        if (n === 3 * CHUNK && !done) {
          done = true;
          writeFileSync(src, randomBytes(1000));
        }
      },
    });
    expect(r.bytes).toBe(1000);
    expect(readFileSync(at('shrinking-copy')).equals(readFileSync(src))).toBe(true);
  });

  it('a file that changes at every pass fails after 3 tries with what changed, and nothing is returned', async () => {
    const src = at('restless');
    writeFileSync(src, randomBytes(4 * CHUNK));
    let passes = 0;
    const copy = copyWithDigest(src, at('restless-copy'), {
      algorithms: ['sha256'],
      buffers,
      label: 'DCIM/RESTLESS.MP4',
      onProgress: (n) => {
        if (n === CHUNK) {
          passes++;
          appendFileSync(src, randomBytes(10));
        }
      },
    });
    await expect(copy).rejects.toThrow(SourceChangedError);
    await expect(copy).rejects.toThrow(/^DCIM\/RESTLESS\.MP4 changed while it was copied \(size \d+ -> \d+ bytes.*\(3 tries; nothing of it held\)$/);
    expect(passes).toBe(3);
  });

  it('a file whose content ends before its size (a short read, no error) fails with where it ended', async () => {
    // A sysfs attribute is a regular file of size 4096 whose content is a few bytes: a real short read.
    const src = '/sys/kernel/mm/transparent_hugepage/enabled';
    if (!existsSync(src)) throw new Error(`${src} is missing: this test needs sysfs`);
    const content = readFileSync(src);
    const copy = copyWithDigest(src, at('short-copy'), { algorithms: ['sha256'], buffers, label: 'DCIM/SHORT.MP4' });
    await expect(copy).rejects.toThrow(ShortReadError);
    await expect(copy).rejects.toThrow(`short read: DCIM/SHORT.MP4 ended at byte ${content.length} of 4096 without an error`);
  });

  it('an error opening the copy says what and where, with the errno text once', async () => {
    writeFileSync(at('one'), 'new');
    writeFileSync(at('exists'), 'old');
    await expect(copyWithDigest(at('one'), at('exists'), { algorithms: ['sha256'], buffers })).rejects.toThrow(
      'cannot create the staged copy: EEXIST (file already exists)',
    );
  });
});
