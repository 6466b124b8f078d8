// The filesystem thread that places a batch of held objects: files written read-only with their
// bytes, folders made, a rename that never overwrites, fsyncs, and a failure that stops the
// steps after it and says what failed where.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFsSteps } from '../src/lib/fs-steps.js';
import { tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-fs-steps-');
afterAll(() => t.cleanup());

describe('runFsSteps', () => {
  it('writes files read-only with their bytes, makes folders, renames, chmods and flushes, in order', async () => {
    const from = path.join(t.dir, 'staged');
    mkdirSync(from);
    const to = path.join(t.dir, 'store', 'ab', 'cd', 'obj');
    await runFsSteps([
      { op: 'write', path: path.join(from, 'inventory.json'), data: '{"id":"urn:x:张三"}\n', mode: 0o444 },
      { op: 'mkdirs', path: path.dirname(to) },
      { op: 'renameNew', from, to },
      { op: 'chmod', path: to, mode: 0o555 },
      { op: 'flush', paths: [to, path.join(to, 'inventory.json')] },
    ]);
    expect(readFileSync(path.join(to, 'inventory.json'), 'utf8')).toBe('{"id":"urn:x:张三"}\n');
    expect(statSync(path.join(to, 'inventory.json')).mode & 0o777).toBe(0o444);
    expect(statSync(to).mode & 0o777).toBe(0o555);
    expect(existsSync(from)).toBe(false);
  });

  it('never overwrites: a rename onto an existing path fails with EEXIST and the steps after it are not run', async () => {
    const from = path.join(t.dir, 'a');
    const to = path.join(t.dir, 'b');
    mkdirSync(from);
    mkdirSync(to);
    writeFileSync(path.join(to, 'held'), 'held before');
    const after = path.join(t.dir, 'after');
    const failed = await runFsSteps([
      { op: 'renameNew', from, to },
      { op: 'write', path: after, data: 'x', mode: 0o444 },
    ]).catch((e: NodeJS.ErrnoException) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as NodeJS.ErrnoException).code).toBe('EEXIST');
    expect((failed as Error).message).toContain(to);
    expect(readFileSync(path.join(to, 'held'), 'utf8')).toBe('held before');
    expect(existsSync(from)).toBe(true);
    expect(existsSync(after)).toBe(false);
  });

  it('refuses to write over an existing file, and a flush of a missing path fails with its code and path', async () => {
    const file = path.join(t.dir, 'exists');
    writeFileSync(file, 'original');
    const write = await runFsSteps([{ op: 'write', path: file, data: 'other', mode: 0o444 }]).catch((e: NodeJS.ErrnoException) => e);
    expect((write as NodeJS.ErrnoException).code).toBe('EEXIST');
    expect(readFileSync(file, 'utf8')).toBe('original');
    const missing = path.join(t.dir, 'gone');
    const flush = await runFsSteps([{ op: 'flush', paths: [file, missing] }]).catch((e: NodeJS.ErrnoException) => e);
    expect((flush as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((flush as NodeJS.ErrnoException).path).toBe(missing);
    // the same with an fsync per path
    const each = await runFsSteps([{ op: 'flush', paths: [file, missing], perPath: true }]).catch((e: NodeJS.ErrnoException) => e);
    expect((each as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((each as NodeJS.ErrnoException).path).toBe(missing);
  });

  it('flushes folders and files in either way, concurrently too', async () => {
    const dir = path.join(t.dir, 'many');
    mkdirSync(dir);
    const flushes = Array.from({ length: 6 }, (_, i) => {
      const file = path.join(dir, `f${i}`);
      return runFsSteps([
        { op: 'write', path: file, data: String(i), mode: 0o444 },
        { op: 'flush', paths: [file, dir], perPath: i % 2 === 0 },
      ]);
    });
    await Promise.all(flushes);
    for (let i = 0; i < 6; i++) expect(readFileSync(path.join(dir, `f${i}`), 'utf8')).toBe(String(i));
  });
});
