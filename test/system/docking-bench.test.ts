// The docking bench (bench/docking.bench.js) run end to end at a tiny scale so it cannot rot: one
// throttled recorder through `evidock ingest` and two docked at once through the daemon's directory
// dock, each a loop-mounted card read through the kernel's block throttle. Asserts only that it
// completes and that every file is held and verified; never how fast. Skips LOUDLY without root.
import { describe, expect, it } from 'vitest';
import { runDockingBench } from '../../bench/docking.bench.js';
import { throttleMissing } from '../../bench/docking-throttle.js';
import { warnSkipped } from './harness/fuse.js';

const missing: string[] = throttleMissing();
warnSkipped('test/system/docking-bench.test.ts', missing);

describe.skipIf(missing.length > 0)('the docking bench, tiny', () => {
  it('holds and verifies every file of one throttled recorder (ingest) and of two docked at once (daemon)', async () => {
    const printed: string[] = [];
    const r = await runDockingBench(
      { recorders: [2], scale: 0.02, p1Scale: 0.02, runs: 1, rates: [200], videos: 2, photos: 1, audio: 1, spreadMs: 300, writeProbeBytes: 16 * 1024 * 1024 },
      (line: string) => printed.push(line),
    );
    expect(r.missing, printed.join('\n')).toBeUndefined();
    // P1: 2 videos + 1 photo + 1 audio on the card, held by `evidock ingest`, then `evidock verify` passed
    expect(r.p1).toHaveLength(1);
    expect(r.p1[0]).toMatchObject({ files: 4, held: true });
    expect(r.p1[0].ev).toHaveLength(1);
    expect(r.p1[0].cat).toHaveLength(1);
    // P3: both recorders' 8 files held through the directory dock, every byte of them, verified
    expect(r.p3).toHaveLength(1);
    expect(r.p3[0]).toMatchObject({ n: 2, held: 8, verified: true });
    expect(r.p3[0].bytesHeld).toBe(r.p3[0].totalBytes);
    expect(printed.join('\n')).toMatch(/P3 cards: 4 files/);
  });
});
