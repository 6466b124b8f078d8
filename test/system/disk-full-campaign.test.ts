// Full-disk campaign (issue 11): a real daemon copying a card (directory dock) when the disk fills
// up under it, at a byte-count point of the file in flight (a filler file takes every free block
// of the filesystem): once for the store (store and staging on a small loop-mounted ext4 image),
// once for the catalog (the whole home, catalog and journal, on one). The daemon must keep
// running, say what happened (the slot and the session's problem name the full disk), hold no
// partial object, and hold everything once space returns (the filler deleted) and the card is
// docked again. Counted: files lost, duplicated, torn (all 0), verify clean, staging empty.
// Short version (one point each) in every test run; EVIDOCK_CAMPAIGN_FULL=1: three points each.
// Skips LOUDLY without root, mkfs.ext4 and fallocate.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonProcess, processAlive, runCli, tempDir, type LogLine } from '../helpers/evidock.js';
import { countHeld, fillUp, recordCampaignRow, stagedBytes, stagingLeft, until, writeCard, type CardFile } from './harness/campaign.js';
import { warnSkipped } from './harness/fuse.js';

const missing: string[] = [];
if (process.getuid?.() !== 0) missing.push('root (loop mounts)');
if (spawnSync('sh', ['-c', 'command -v mkfs.ext4 && command -v fallocate'], { stdio: 'ignore' }).status !== 0) missing.push('mkfs.ext4, fallocate (e2fsprogs, util-linux)');
warnSkipped('test/system/disk-full-campaign.test.ts', missing);
const POINTS = Number(process.env.EVIDOCK_CAMPAIGN_POINTS ?? (process.env.EVIDOCK_CAMPAIGN_FULL === '1' ? 3 : 1));
const MiB = 1024 * 1024;
const SIZES = { 'DCIM/A.MP4': 6 * MiB, 'DCIM/B.MP4': 24 * MiB + 5, 'DCIM/C.MP4': 6 * MiB, 'DCIM/D.WAV': 1000 };
/** Where the disk fills: bytes of the file in flight already staged. */
const FILE_POINTS = [
  { file: 'B.MP4', at: 9 * MiB },
  { file: 'A.MP4', at: 1 },
  { file: 'C.MP4', at: 1 },
];

const KINDS = [
  { name: 'store', volume: 'the store and staging' },
  { name: 'catalog', volume: 'the home (catalog, journal)' },
] as const;

describe.skipIf(missing.length > 0).each(KINDS)('disk-full campaign: $volume on a full disk (daemon, loop mount, root)', (kind) => {
  const tmp = tempDir(`evidock-disk-full-${kind.name}-`);
  const vol = path.join(tmp.dir, 'vol');
  let daemon: DaemonProcess | undefined;
  afterAll(() => {
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
    if (readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${vol} `)) {
      spawnSync('chmod', ['-R', 'u+w', vol]);
      spawnSync('umount', [vol]);
      if (readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${vol} `)) spawnSync('umount', ['-l', vol]);
    }
    tmp.cleanup();
  });

  it('clear error, the daemon keeps running, held once space returns: 0 lost, 0 duplicated, 0 torn', async () => {
    // A small ext4 volume with no blocks kept for root (the test runs as root).
    const image = path.join(tmp.dir, 'vol.ext4');
    expect(spawnSync('mkfs.ext4', ['-q', '-F', '-m', '0', image, kind.name === 'store' ? '160M' : '48M']).status).toBe(0);
    mkdirSync(vol);
    expect(spawnSync('mount', ['-o', 'loop', image, vol]).status).toBe(0);
    const home = kind.name === 'store' ? path.join(tmp.dir, 'home') : vol;
    const volData = kind.name === 'store' ? vol : path.join(tmp.dir, 'disk');
    mkdirSync(home, { recursive: true });
    mkdirSync(volData, { recursive: true });
    const paths = kind.name === 'store' ? `[paths]\nstore = "${vol}/store"\nstaging = "${vol}/staging"\n` : `[paths]\nstore = "${volData}/store"\nstaging = "${volData}/staging"\n`;
    const docks = path.join(tmp.dir, 'docks'); // beside the cards: docking is a rename
    writeFileSync(path.join(home, 'evidock.toml'), `${paths}docks = "${docks}"\n[docks]\nmount = "off"\n[meta]\nread_metadata = false\n`);
    daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready', 60_000);
    const slotLine = (slot: string, from: number, states: string[]) => (l: LogLine) => l.msg === 'slot state' && l.slot === slot && states.includes(l.state) && daemon!.lines.indexOf(l) >= from;
    // A session ends with its summary, or (its end not recorded: the catalog's disk is full) the docking fails.
    const ended = (slot: string, from: number) => (l: LogLine) =>
      (l.msg === 'session ended' || l.msg === 'ingest failed for this recorder; other slots keep working') && l.slot === slot && daemon!.lines.indexOf(l) >= from;

    const files: CardFile[] = [];
    const failures: string[] = [];
    let faults = 0;
    for (let k = 0; k < POINTS; k++) {
      const point = FILE_POINTS[k % FILE_POINTS.length];
      const slot = `F${k}`;
      const where = `${kind.name} full at byte ${point.at} of ${point.file} (${slot})`;
      const card = path.join(tmp.dir, 'cards', slot);
      files.push(...writeCard(card, SIZES));
      const docked = path.join(docks, slot);
      let from = daemon.lines.length;
      renameSync(card, docked);
      const first = await until(`${where}: the point or the session end`, () => (stagedBytes(home === vol ? volData : vol, point.file) >= point.at ? 'point' : daemon!.lines.slice(from).find(ended(slot, from)) ? 'ended' : undefined), 120_000, 2);
      const fillers = first === 'point' ? fillUp(kind.name === 'store' ? vol : home) : [];
      const session = await daemon.waitFor(ended(slot, from), 120_000, from);
      // What the slot said last when the docking ended.
      const said = await until(`${where}: the slot's last word`, () => daemon!.lines.slice(from).filter(slotLine(slot, from, ['error', 'done'])).pop(), 10_000);
      if (first !== 'point' || session.status === 'done' && !session.failed) failures.push(`${where}: the card was held before the disk filled (no fault injected)`);
      else faults++;
      // A clear error: the slot names the full disk; the daemon still runs and answers.
      if (!/no space|disk is full|full disk/i.test(said.message ?? '')) failures.push(`${where}: the slot said ${JSON.stringify(said.message)}; session ${JSON.stringify(session)}`);
      if (!processAlive(daemon.child.pid!)) failures.push(`${where}: the daemon died`);
      const shown = runCli(['--home', home, 'docks', '--json']);
      if (shown.code !== 0) failures.push(`${where}: \`evidock docks\` exited ${shown.code} on a full disk: ${shown.stderr.slice(-300)}`);

      // Space returns; the card is taken out and docked again: everything is held.
      for (const f of fillers) rmSync(f, { force: true });
      renameSync(docked, card);
      await daemon.waitFor(slotLine(slot, from, ['empty']), 60_000, from);
      from = daemon.lines.length;
      renameSync(card, docked);
      const again = await daemon.waitFor(ended(slot, from), 120_000, from);
      if (again.status !== 'done' || again.failed) failures.push(`${where}: docked again with space: session ${again.status}, ${again.failed} failed`);
      renameSync(docked, card);
      await daemon.waitFor(slotLine(slot, from, ['empty']), 60_000, from);
    }

    const stopped = await daemon.stop();
    if (stopped !== 0) failures.push(`the daemon exited ${stopped}: ${daemon.stderr.slice(-300)}`);
    const count = countHeld(home, files);
    const verify = runCli(['--home', home, 'verify']);
    if (verify.code !== 0) failures.push(`verify exited ${verify.code}: ${verify.stdout.slice(-800)}`);
    const left = stagingLeft(kind.name === 'store' ? path.join(vol) : volData);
    if (left.length) failures.push(`${left.length} staging entries left`);
    recordCampaignRow({
      campaign: `full disk on ${kind.volume} (daemon; a small ext4 loop volume filled at a byte point of the copy; space freed, docked again)`,
      runs: POINTS,
      faults,
      lost: count.lost,
      duplicated: count.duplicated,
      torn: count.torn + (verify.code === 0 ? 0 : 1),
    });
    expect(failures).toEqual([]);
    expect(count).toEqual({ lost: 0, duplicated: 0, torn: 0, held: files.length });
  }, 600_000);
});
