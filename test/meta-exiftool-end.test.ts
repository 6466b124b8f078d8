// Ending exiftool while reads wait (a session whose hold failed, a daemon stopping): every read
// settles, those it queued but never gave a process (batch-cluster drops them) with why.
// A read left waiting kept `evidock ingest` running for ever after it had printed its
// summary (the CI run of 60c6a9e: the S3 gateway down at docking).
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { endExifTool, readExifTags } from '../src/meta/exiftool.js';
import { fixturesDir } from './helpers/evidock.js';

afterAll(() => endExifTool());

it('reads waiting when exiftool is ended, or started while it ends, all settle', async () => {
  const file = path.join(fixturesDir, '7654321', 'RECORD', '20260315', 'DSJ_7654321_020304_20260315_091500_0001.MP4');
  const reads = Array.from({ length: 40 }, () => readExifTags(file));
  await new Promise((r) => setTimeout(r, 300));
  const ending = endExifTool();
  for (const ms of [0, 1, 5, 20, 50]) {
    await new Promise((r) => setTimeout(r, ms));
    reads.push(readExifTags(file));
  }
  await ending;
  const settled = await Promise.race([
    Promise.allSettled(reads),
    new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 10_000).unref()),
  ]);
  expect(settled).not.toBe('waiting');
  for (const s of settled as PromiseSettledResult<unknown>[]) {
    if (s.status === 'rejected') expect(String(s.reason)).toMatch(/exiftool was ended before this file's tags were read|BatchCluster has ended/);
  }
  // a later read starts a new exiftool
  expect(Object.keys(await readExifTags(file)).length).toBeGreaterThan(10);
}, 30_000);
