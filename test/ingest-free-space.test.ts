// Issue 11 point 16: a file larger than the store's free space (a sparse 'recording' on a hostile
// card) fails at once with "needs X, Y free" before a byte is copied; the rest of the card is held
// and nothing is left in staging. Before the check, the copy ran until the disk was full.
import { mkdirSync, readdirSync, statfsSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initHome, runCli, tempDir } from './helpers/evidock.js';

describe('a file larger than the free space', () => {
  const tmp = tempDir('evidock-space-');
  afterAll(() => tmp.cleanup());

  it('fails with what it needs and what is free; the other file is held; staging is empty', () => {
    const home = path.join(tmp.dir, 'home');
    initHome(home);
    const card = path.join(tmp.dir, 'card');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    writeFileSync(path.join(card, 'DCIM', 'small.MP4'), 'a small clip');
    const fs = statfsSync(tmp.dir);
    const free = fs.bavail * fs.bsize;
    const huge = path.join(card, 'DCIM', 'huge.MP4');
    writeFileSync(huge, '');
    truncateSync(huge, free + 8 * 1024 ** 3); // sparse: takes no space on the card's disk

    const r = runCli(['--home', home, 'ingest', card, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ held: 1, failed: 1 });
    expect(summary.problems).toEqual([
      expect.objectContaining({ path: 'DCIM/huge.MP4', outcome: 'failed', reason: expect.stringMatching(/^not enough space in the store: needs \d+(\.\d)? GiB, \d+(\.\d)? GiB free/) }),
    ]);
    expect(readdirSync(path.join(home, 'staging'))).toEqual([]);
  });
});
