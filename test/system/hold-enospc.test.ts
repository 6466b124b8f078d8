// A full disk met by the hold, not the copy (issue 11 point 12): the copy of C.MP4 is staged
// whole, then the store's small ext4 loop volume fills before C's hold writes its object's files
// (a real ENOSPC from the real local store; the test only chooses when the disk fills). The file
// is failed with the full disk named, the slot names it too, nothing of it is half-held (no
// object, no staging entry, no commit intent), the files held before stay held, and with space
// back a second docking holds the rest. Skips LOUDLY without root, mkfs.ext4 and fallocate.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentActor } from '../../src/audit/log.js';
import type { RecorderDocked } from '../../src/dock/events.js';
import { loadConfig } from '../../src/home.js';
import { runDocking, type SlotUpdate } from '../../src/ingest/docking.js';
import { openStation } from '../../src/ingest/station.js';
import { openConfiguredOriginals } from '../../src/store/open-originals.js';
import type { OriginalsStore } from '../../src/store/originals.js';
import { pendingCommitIntents } from '../../src/store/records.js';
import { runCli, tempDir } from '../helpers/evidock.js';
import { countHeld, fillUp, writeCard } from './harness/campaign.js';
import { warnSkipped } from './harness/fuse.js';

const missing: string[] = [];
if (process.getuid?.() !== 0) missing.push('root (loop mounts)');
if (spawnSync('sh', ['-c', 'command -v mkfs.ext4 && command -v fallocate'], { stdio: 'ignore' }).status !== 0) missing.push('mkfs.ext4, fallocate (e2fsprogs, util-linux)');
warnSkipped('test/system/hold-enospc.test.ts', missing);

const MiB = 1024 * 1024;
const silent = pino({ level: 'silent' });

describe.skipIf(missing.length > 0)('a full disk met by the hold (loop-mounted ext4, root)', () => {
  const tmp = tempDir('evidock-hold-enospc-');
  const vol = path.join(tmp.dir, 'vol');
  const mounted = () => readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${vol} `);
  afterAll(() => {
    if (mounted()) {
      spawnSync('chmod', ['-R', 'u+w', vol]);
      spawnSync('umount', [vol]);
      if (mounted()) spawnSync('umount', ['-l', vol]);
    }
    tmp.cleanup();
  });

  it('fails the file naming the full disk, holds nothing of it, keeps what was held, and holds it once space returns', async () => {
    const image = path.join(tmp.dir, 'vol.ext4');
    expect(spawnSync('mkfs.ext4', ['-q', '-F', '-m', '0', image, '64M']).status).toBe(0);
    mkdirSync(vol);
    expect(spawnSync('mount', ['-o', 'loop', image, vol]).status).toBe(0);
    const homeDir = path.join(tmp.dir, 'home');
    mkdirSync(homeDir);
    // One copy committed at a time: C's hold is its own batch.
    writeFileSync(
      path.join(homeDir, 'evidock.toml'),
      `[paths]\nstore = "${vol}/store"\nstaging = "${vol}/staging"\n[ingest]\nmax_staged = 1\n[meta]\nread_metadata = false\n`,
    );
    const root = path.join(tmp.dir, 'card');
    const files = writeCard(root, { 'DCIM/A.MP4': 2 * MiB, 'DCIM/B.MP4': 2 * MiB + 1, 'DCIM/C.MP4': 2 * MiB + 2, 'DCIM/D.WAV': 1000 });
    const docked: RecorderDocked = { slot: 'S1', mountPath: root, recorderHint: 'BWC-FULL', dockedAt: new Date() };

    const { config, home } = loadConfig({ home: homeDir });
    const open = () => openStation(config, home, silent, { actor: currentActor('daemon'), as: 'daemon', describe: async () => null, deriveFacts: false, catchUp: false });
    const station = await open();
    let fillers: string[] = [];
    const slots: SlotUpdate[] = [];
    try {
      // The real store's door; the disk fills right before C's hold (its copy is staged whole).
      const real = openConfiguredOriginals(config, home, station.db);
      const door = Object.create(real) as OriginalsStore;
      door.holdMany = (batch) => {
        if (!fillers.length && batch.some((b) => b.request.file.sourcePath === 'DCIM/C.MP4')) fillers = fillUp(vol);
        return real.holdMany!.call(door, batch);
      };
      station.ctx.originals = door;
      const r = await runDocking(station, docked, { onSlot: (u) => slots.push(u) });
      expect(fillers.length).toBeGreaterThan(0);
      const s = r!.summary;
      expect({ status: s.status, held: s.held, failed: s.failed }).toEqual({ status: 'interrupted', held: 2, failed: 1 });
      expect(s.problems).toHaveLength(1);
      expect(s.problems[0].path).toBe('DCIM/C.MP4');
      expect(s.problems[0].reason).toMatch(/^holding it failed: ENOSPC \(no space left on device\)/);
      expect(s.problems[0].reason).toMatch(/nothing held, will be retried at the next docking$/);
      // The slot names the full disk, not "dock again".
      expect(r!.state).toBe('error');
      expect(r!.message).toMatch(/^failed: DCIM\/C\.MP4: holding it failed: ENOSPC \(no space left on device\)/);
      expect(slots.at(-1)).toMatchObject({ state: 'error', held: 2, failed: 1 });
      // Nothing half-held: no staging entry, no commit intent, two objects in the store.
      expect(readdirSync(home.staging)).toEqual([]);
      expect(pendingCommitIntents(station.db)).toEqual([]);
      expect(await real.countObjects()).toBe(2);
      const failed = station.db.prepare(`SELECT source_path, outcome FROM sightings WHERE session_id = ? AND outcome = 'failed'`).all(s.sessionId);
      expect(failed).toEqual([{ source_path: 'DCIM/C.MP4', outcome: 'failed' }]);
    } finally {
      await station.close();
    }

    // Space back: docked again, the rest is held, nothing twice.
    for (const f of fillers) rmSync(f, { force: true });
    const again = await open();
    try {
      const r = await runDocking(again, docked, {});
      expect({ status: r!.summary.status, held: r!.summary.held, alreadyHeld: r!.summary.alreadyHeld, failed: r!.summary.failed }).toEqual({ status: 'done', held: 2, alreadyHeld: 2, failed: 0 });
    } finally {
      await again.close();
    }
    expect(countHeld(homeDir, files)).toEqual({ lost: 0, duplicated: 0, torn: 0, held: 4 });
    const verify = runCli(['--home', homeDir, 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
