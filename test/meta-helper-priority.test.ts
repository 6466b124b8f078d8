// Metadata extraction yields to ingest: the exiftool and ffprobe helpers run at a lower CPU
// priority (nice 10) than evidock itself, so on a 2-core station copies go first.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { endExifTool, endFfprobe, exiftoolPids, ffprobePids } from '../src/meta/index.js';
import { readExifTags } from '../src/meta/exiftool.js';
import { probeFile } from '../src/meta/ffprobe.js';
import { fixturesDir, tempDir } from './helpers/evidock.js';

const niceOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
const tmp = tempDir('evidock-helper-priority-');
afterAll(async () => {
  await endExifTool();
  endFfprobe();
  tmp.cleanup();
});

describe('metadata helpers yield to ingest', () => {
  it('exiftool runs at nice 10 while evidock runs at its own priority', async () => {
    await readExifTags(path.join(fixturesDir, '1234567', 'PHOTO', '1234567_010203_20260315083512_0004.JPG'));
    const pids = exiftoolPids();
    expect(pids.length).toBeGreaterThan(0);
    expect(niceOf(process.pid)).toBe(0);
    for (const pid of pids) expect(niceOf(pid)).toBe(10);
  });

  it('ffprobe runs at nice 10', async () => {
    const fifo = path.join(tmp.dir, 'clip.MP4'); // nobody writes it: the probe waits, so it can be looked at
    execFileSync('mkfifo', [fifo]);
    const probing = probeFile(fifo, { timeoutMs: 600_000 });
    let pids: number[] = [];
    for (let i = 0; i < 50 && pids.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pids = ffprobePids();
    }
    expect(pids).toHaveLength(1);
    expect(niceOf(pids[0])).toBe(10);
    endFfprobe();
    await probing;
  });
});
