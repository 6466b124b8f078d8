// EIO campaign (issue 11): a card (FUSE, test/system/harness/faultyfs.py) that answers EIO from a
// chosen offset of one file. For good: `evidock ingest` fails that file with the reason and the
// offset after its retries, holds the others, and verify-then-wipe refuses to wipe the card,
// naming the file; once the card reads again, docking it again holds the file. For a while
// (faultyfs --eio-for): the file is copied again after a pause and held in the same docking.
// Counted over every card: files lost, duplicated, torn (all 0), verify clean, staging empty.
// Short version (one offset of each) in every test run; EVIDOCK_CAMPAIGN_FULL=1: four offsets
// each. Skips LOUDLY without root/FUSE.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentActor } from '../../src/audit/log.js';
import { loadConfig } from '../../src/home.js';
import { verifyThenWipe } from '../../src/ingest/wipe.js';
import { openCatalog } from '../../src/store/catalog.js';
import { initHome, runCli, tempDir } from '../helpers/evidock.js';
import { countHeld, recordCampaignRow, stagingLeft, writeCard, type CardFile } from './harness/campaign.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('test/system/eio-campaign.test.ts', missing);
const FULL = process.env.EVIDOCK_CAMPAIGN_FULL === '1';
const MiB = 1024 * 1024;
const SIZES = { 'DCIM/A.MP4': 3 * MiB, 'DCIM/B.MP4': 20 * MiB + 3, 'DCIM/C.MP4': 5 * MiB, 'DCIM/D.WAV': 1000 };
/** Offsets of B.MP4 where the EIO starts: at the start, inside, and at the edges of the 8 MiB copy buffers. */
const OFFSETS = FULL ? [12 * MiB, 1, 8 * MiB + 1, 20 * MiB] : [12 * MiB];

interface IngestJson {
  sessionId: string;
  status: string;
  held: number;
  failed: number;
  problems: { path: string; reason: string }[];
}

describe.skipIf(missing.length > 0)('EIO campaign: a card that fails to read at an offset (FUSE, root)', () => {
  const tmp = tempDir('evidock-eio-');
  const mounts: FuseMount[] = [];
  afterAll(() => {
    for (const m of mounts) m.unmount();
    tmp.cleanup();
  });
  const home = path.join(tmp.dir, 'home');
  const config = path.join(tmp.dir, 'evidock.toml');

  async function card(name: string, args: string[]): Promise<{ files: CardFile[]; backing: string; mnt: string; mount: FuseMount }> {
    const backing = path.join(tmp.dir, 'cards', name, 'card');
    const files = writeCard(backing, SIZES);
    const mnt = path.join(tmp.dir, 'mnt', name);
    mkdirSync(mnt, { recursive: true });
    const mount = await mountFuse('faultyfs.py', backing, mnt, args);
    mounts.push(mount);
    return { files, backing, mnt, mount };
  }
  const ingest = (mnt: string, recorder: string) => {
    const r = runCli(['--home', home, '--config', config, 'ingest', mnt, '--recorder', recorder, '--json']);
    try {
      return { ...r, out: JSON.parse(r.stdout) as IngestJson };
    } catch {
      throw new Error(`ingest printed no summary (exit ${r.code}): ${r.stderr.slice(-500)}`);
    }
  };

  it('the file fails with the reason and the offset, the others are held, the wipe is refused; an EIO that goes away is held', async () => {
    writeFileSync(config, '[meta]\nread_metadata = false\n');
    initHome(home, ['--config', config]);
    const all: CardFile[] = [];
    const failures: string[] = [];
    let faults = 0;
    let runs = 0;

    for (const [i, offset] of OFFSETS.entries()) {
      // For good: B.MP4 fails from `offset` on.
      runs++;
      const bad = await card(`BAD${i}`, ['--eio-after', String(offset), '--match', '*B.MP4']);
      all.push(...bad.files);
      const first = ingest(bad.mnt, `BAD${i}`);
      faults++;
      const where = `EIO for good at byte ${offset}`;
      if (first.out.held !== 3 || first.out.failed !== 1) failures.push(`${where}: held ${first.out.held}, failed ${first.out.failed}`);
      const reason = first.out.problems.find((p) => p.path === 'DCIM/B.MP4')?.reason ?? '';
      const at = /^copy failed: read error at byte (\d+) of DCIM\/B\.MP4: EIO \(i\/o error\); tried 4 times over 7 s; nothing held/.exec(reason);
      // The failing FUSE request starts at most 1 MiB before the offset (the kernel splits reads).
      if (!at || Number(at[1]) > offset || Number(at[1]) < offset - MiB) failures.push(`${where}: reason ${JSON.stringify(reason)}`);
      if (first.code !== 1) failures.push(`${where}: ingest exited ${first.code}, not 1 (a file failed)`);

      // Verify-then-wipe refuses: the file is not held; nothing is deleted (asked before anything is made writable).
      const { config: cfg, home: h } = loadConfig({ home, config });
      const ctx = { db: openCatalog(h.catalog), config: cfg, home: h, logger: pino({ level: 'silent' }), actor: currentActor('daemon') };
      let madeWritable = 0;
      try {
        const wipe = await verifyThenWipe(ctx, { root: bad.mnt, recorderId: `BAD${i}`, slot: `BAD${i}`, sessionId: first.out.sessionId }, { makeWritable: async () => (madeWritable++, { ok: true }) });
        if (wipe.status !== 'blocked' || wipe.wiped !== 0 || !wipe.blockers.some((b) => b.startsWith('DCIM/B.MP4'))) failures.push(`${where}: wipe ${JSON.stringify(wipe)}`);
      } finally {
        ctx.db.close();
      }
      if (madeWritable) failures.push(`${where}: the card was made writable for a wipe that must be refused`);
      for (const f of bad.files) if (!existsSync(path.join(bad.backing, f.path))) failures.push(`${where}: ${f.path} was deleted from the card`);

      // The card reads again (the fault is gone): docked again, B.MP4 is held.
      writeFileSync(path.join(path.dirname(bad.backing), 'faultyfs.ctl'), 'off');
      const again = ingest(bad.mnt, `BAD${i}`);
      if (again.out.held !== 1 || again.out.failed !== 0 || again.code !== 0) failures.push(`${where}: docked again: held ${again.out.held}, failed ${again.out.failed}, exit ${again.code}`);

      // For a while: B.MP4 fails for 2.5 s from its first EIO, then reads; held in the same docking.
      runs++;
      const passing = await card(`PASS${i}`, ['--eio-after', String(offset), '--eio-for', '2.5', '--match', '*B.MP4']);
      all.push(...passing.files);
      const once = ingest(passing.mnt, `PASS${i}`);
      faults++;
      if (once.out.held !== 4 || once.out.failed !== 0 || once.code !== 0) failures.push(`EIO for 2.5 s at byte ${offset}: held ${once.out.held}, failed ${once.out.failed}, exit ${once.code}: ${JSON.stringify(once.out.problems)}`);
      if (!once.stderr.includes('card read error: copying the file again after a pause')) failures.push(`EIO for 2.5 s at byte ${offset}: no retry was logged`);
    }

    const count = countHeld(home, all);
    const verify = runCli(['--home', home, '--config', config, 'verify']);
    if (verify.code !== 0) failures.push(`verify exited ${verify.code}: ${verify.stdout.slice(-500)}`);
    if (stagingLeft(home).length) failures.push(`${stagingLeft(home).length} staging entries left`);
    recordCampaignRow({
      campaign: `EIO at an offset (FUSE card, \`evidock ingest\`; for good: failed with reason and byte after 3 retries, others held, wipe refused, held when docked again; for 2.5 s: retried with backoff and held; ${OFFSETS.length} offset(s))`,
      runs,
      faults,
      lost: count.lost,
      duplicated: count.duplicated,
      torn: count.torn + (verify.code === 0 ? 0 : 1),
    });
    expect(failures).toEqual([]);
    expect(count).toEqual({ lost: 0, duplicated: 0, torn: 0, held: all.length });
  }, 600_000);
});
