// A recording kept back for months and then docked is LATE (with a too-old clock flag for a
// supervisor), not "on time from the docking": an old start time is what lateness looks like.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyHome, manifest, runCli, tempDir } from './helpers/evidock.js';

describe('a recording docked long after it was made', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  const first = manifest.files.find((f) => f.cardPath === 'DCIM/100MEDIA/1234567_010203_20260315083000_0001.MP4')!;

  beforeAll(() => {
    // The fixture clips were made on 2026-03-15 and are held today (well over 30 days later).
    readyHome(home, ['1234567']);
  });
  afterAll(() => tmp.cleanup());

  it('is reported late from its recording time, and its clock is flagged too-old', () => {
    const show = runCli(['--home', home, 'show', first.sha256, '--json']);
    expect(show.code, show.stderr).toBe(0);
    const d = JSON.parse(show.stdout);
    // Made Sunday 2026-03-15 (station time): due by 24:00 of the 2nd working day after it,
    // Tuesday 2026-03-17 24:00 +08:00 = 2026-03-17T16:00:00Z.
    expect(d.rules.deadline).toMatchObject({ status: 'late', due_at: '2026-03-17T16:00:00.000Z', made_at_source: 'quicktime-creation-time' });
    expect(d.rules.clockFlags).toEqual([expect.objectContaining({ kind: 'too-old' })]);
  });

  it('shows in the late report, with every recording of that card', () => {
    const r = runCli(['--home', home, 'report', 'late', '--from', '2026-03-01', '--to', '2026-04-01', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const late: { evidenceNumber: string }[] = JSON.parse(r.stdout);
    const held: { evidenceNumber: string; sourcePath: string }[] = JSON.parse(runCli(['--home', home, 'list', '--json']).stdout);
    const lateFiles = late.map((row) => held.find((h) => h.evidenceNumber === row.evidenceNumber)?.sourcePath).sort();
    // 3 clips, a photo and a WAV, all made on 2026-03-15.
    expect(lateFiles).toEqual(manifest.files.filter((f) => f.recorder === '1234567').map((f) => f.cardPath).sort());

  });
});
