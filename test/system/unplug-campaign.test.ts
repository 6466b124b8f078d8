// Unplug campaign (issue 11): a real daemon copying a card loses it mid-copy in the three ways a
// card goes away: its folder renamed out of the docks folder (the directory dock), its FUSE
// server killed (faultyfs.py --kill-at: a yanked USB card, the mount dead, then lazily unmounted as
// systemd does), its loop-mounted ext4 image lazily unmounted (`umount -l`). Each fault comes at a
// byte-count point (bytes the card served, or bytes of the file in flight already staged), never
// after a sleep; then the card is docked again. Counted: files lost, duplicated, torn (all 0),
// the interrupted session and the slot saying so, and a clean verify and staging at the end.
// Short version (one point per kind) in every test run; EVIDOCK_CAMPAIGN_FULL=1: 8 per kind.
// Skips LOUDLY without root/FUSE.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonProcess, runCli, tempDir, type LogLine } from '../helpers/evidock.js';
import { countHeld, recordCampaignRow, stagedBytes, stagingLeft, until, writeCard, type CardFile } from './harness/campaign.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
if (!missing.length && spawnSync('sh', ['-c', 'command -v mkfs.ext4 && command -v losetup'], { stdio: 'ignore' }).status !== 0) missing.push('mkfs.ext4, losetup (e2fsprogs, mount)');
warnSkipped('test/system/unplug-campaign.test.ts', missing);
const POINTS = Number(process.env.EVIDOCK_CAMPAIGN_POINTS ?? (process.env.EVIDOCK_CAMPAIGN_FULL === '1' ? 8 : 1));
const MiB = 1024 * 1024;
/** Each card: two files of several copy buffers, one smaller, one tiny. */
const SIZES = { 'DCIM/A.MP4': 24 * MiB, 'DCIM/B.MP4': 24 * MiB + 7, 'DCIM/C.MP4': 3 * MiB, 'DCIM/D.WAV': 1 };
/** Fault points: which file is in flight and how far into it (bytes of it already staged or served). */
const FILE_POINTS = [
  { file: 'B.MP4', at: 1 },
  { file: 'A.MP4', at: 9 * MiB },
  { file: 'B.MP4', at: 9 * MiB },
  { file: 'A.MP4', at: 1 },
];
const KINDS = ['directory dock renamed away', 'FUSE server killed', 'loop mount lazily unmounted'] as const;
type Kind = (typeof KINDS)[number];

describe.skipIf(missing.length > 0)('unplug campaign: a card taken away mid-copy, then docked again (daemon, FUSE, loop, root)', () => {
  const tmp = tempDir('evidock-unplug-');
  const home = path.join(tmp.dir, 'home');
  const media = path.join(tmp.dir, 'media');
  const fuse: FuseMount[] = [];
  const loopMounts: string[] = [];
  let daemon: DaemonProcess | undefined;
  afterAll(() => {
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
    for (const m of fuse) m.unmount();
    for (const m of loopMounts) if (mounted(m)) spawnSync('umount', ['-l', m]);
    tmp.cleanup();
  });
  const mounted = (mnt: string) => readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${mnt} `);

  const slotOf = (name: string): { state: string; message?: string; held?: number } | undefined => {
    try {
      return JSON.parse(readFileSync(path.join(home, 'run', 'daemon-status.json'), 'utf8')).slots.find((s: { slot: string }) => s.slot === name);
    } catch {
      return undefined;
    }
  };
  const ended = (slot: string, from: number) => (l: LogLine) => l.msg === 'session ended' && l.slot === slot && daemon!.lines.indexOf(l) >= from;

  /** How a card of each kind is docked, taken away at a point, and docked again. */
  async function dockKind(kind: Kind, slot: string, cardDir: string) {
    if (kind === 'directory dock renamed away') {
      const docked = path.join(home, 'docks', slot);
      return {
        dock: async () => renameSync(cardDir, docked),
        /** Taken away once `point` bytes of the file in flight are staged. */
        arm: (point: { file: string; at: number }) => () => stagedBytes(home, point.file) >= point.at,
        pull: async () => renameSync(docked, cardDir),
        after: async () => undefined,
        remove: async () => renameSync(docked, cardDir),
      };
    }
    const mnt = path.join(media, slot);
    mkdirSync(mnt, { recursive: true });
    if (kind === 'FUSE server killed') {
      // faultyfs kills itself (its own pid in the pid file) once the card served N bytes.
      const pidFile = path.join(path.dirname(cardDir), 'faultyfs.pid');
      let m: FuseMount | undefined;
      return {
        dock: async () => {
          m = await mountFuse('faultyfs.py', cardDir, mnt, ['--kill-pidfile', pidFile]);
          fuse.push(m);
          writeFileSync(pidFile, String(m.proc.pid));
        },
        arm: (point: { file: string; at: number }) => {
          const before = Object.entries(SIZES).filter(([p]) => p < `DCIM/${point.file}`).reduce((s, [, n]) => s + n, 0);
          writeFileSync(path.join(path.dirname(cardDir), 'faultyfs.kill'), String(before + point.at));
          return () => m!.proc.exitCode !== null || m!.proc.signalCode !== null;
        },
        pull: async () => undefined, // the server killed itself at the byte
        after: async () => void spawnSync('fusermount', ['-uz', mnt]), // the dead mount, lazily unmounted (systemd's LazyUnmount)
        remove: async () => m!.unmount(),
      };
    }
    const image = `${cardDir}.ext4`;
    const made = spawnSync('mkfs.ext4', ['-q', '-F', '-d', cardDir, image, '96M'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mkfs.ext4 -d failed: ${made.stderr}`);
    loopMounts.push(mnt);
    return {
      dock: async () => {
        const r = spawnSync('mount', ['-o', 'loop,ro,noload', image, mnt], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`mount -o loop ${image} failed: ${r.stderr}`);
      },
      arm: (point: { file: string; at: number }) => () => stagedBytes(home, point.file) >= point.at,
      pull: async () => {
        const r = spawnSync('umount', ['-l', mnt], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`umount -l ${mnt} failed: ${r.stderr}`);
      },
      after: async () => undefined,
      remove: async () => void spawnSync('umount', [mnt]),
    };
  }

  it('0 lost, 0 duplicated, 0 torn after every unplug; the interrupted session and the slot say so', async () => {
    mkdirSync(home, { recursive: true });
    mkdirSync(media, { recursive: true });
    writeFileSync(path.join(home, 'evidock.toml'), `[docks]\nmount = "external"\nmedia_root = "${media}"\npoll_ms = 250\n[meta]\nread_metadata = false\n`);
    daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready', 60_000);

    const files: CardFile[] = [];
    const failures: string[] = [];
    const tally = { runs: 0, faults: 0 };
    for (let k = 0; k < POINTS; k++)
      for (const [n, kind] of KINDS.entries()) {
        const point = FILE_POINTS[(k + n) % FILE_POINTS.length];
        const slot = `U${n}-${k}`;
        const cardDir = path.join(tmp.dir, 'cards', slot, 'card');
        const card = writeCard(cardDir, SIZES);
        files.push(...card);
        const how = await dockKind(kind, slot, cardDir);
        const where = `${kind} at byte ${point.at} of ${point.file} (${slot})`;
        tally.runs++;

        let from = daemon.lines.length;
        const reached = how.arm(point);
        await how.dock();
        // Wait for the byte point (polled every 2 ms) or the end of the session, whichever is first.
        const first = await until(`${where}: the point or the session end`, () => (reached() ? 'point' : daemon!.lines.slice(from).find(ended(slot, from)) ? 'ended' : undefined), 120_000, 2);
        if (first === 'point') await how.pull();
        const session = await daemon.waitFor(ended(slot, from), 120_000, from);
        // The slot says what happened and what to do when the session ends (the undock may empty it after).
        if (session.status === 'interrupted') {
          const said = await daemon.waitFor((l) => l.msg === 'slot state' && l.slot === slot && l.state === 'error', 60_000, daemon.lines.indexOf(session));
          if (said.message !== 'interrupted: dock the recorder again to finish') failures.push(`${where}: the slot showed ${JSON.stringify(said.message)}`);
        }
        await how.after();
        // The daemon saw the card go (its slot emptied) before it is docked again.
        await daemon.waitFor((l) => l.msg === 'slot state' && l.slot === slot && l.state === 'empty', 60_000, from);
        if (session.status === 'interrupted') tally.faults++;
        else failures.push(`${where}: the card was held completely before the fault (session ${session.status}): no fault injected`);
        if (stagingLeft(home).length) failures.push(`${where}: ${stagingLeft(home).length} staging entries left after the unplug`);

        // Docked again: the rest is held, nothing twice.
        from = daemon.lines.length;
        await how.dock();
        const again = await daemon.waitFor(ended(slot, from), 120_000, from);
        if (again.status !== 'done' || again.failed) failures.push(`${where}: docked again, the session ended ${again.status} with ${again.failed} failed`);
        await until(`${where}: slot ${slot} done`, () => slotOf(slot)?.state === 'done', 30_000);
        if (session.held + again.held !== card.length)
          failures.push(`${where}: held ${session.held} before the unplug and ${again.held} after (${again.alreadyHeld} already held), of ${card.length}`);
        await how.remove();
        await until(`${where}: slot ${slot} empty at the end`, () => slotOf(slot)?.state === 'empty', 60_000);
      }

    expect(await daemon.stop()).toBe(0);
    const count = countHeld(home, files);
    const verify = runCli(['--home', home, 'verify']);
    if (verify.code !== 0) failures.push(`verify exited ${verify.code}: ${verify.stdout.slice(-500)}`);
    if (stagingLeft(home).length) failures.push(`${stagingLeft(home).length} staging entries left at the end`);
    for (const m of loopMounts) if (existsSync(m) && mounted(m)) failures.push(`${m} still mounted`);
    recordCampaignRow({
      campaign: `unplug mid-copy (daemon; directory dock renamed away, FUSE server killed, loop mount \`umount -l\`, at byte points; docked again; ${Object.keys(SIZES).length} files, ${((Object.values(SIZES).reduce((a, b) => a + b, 0)) / MiB).toFixed(0)} MiB a card)`,
      runs: tally.runs,
      faults: tally.faults,
      lost: count.lost,
      duplicated: count.duplicated,
      torn: count.torn + (verify.code === 0 ? 0 : 1),
    });
    expect(failures).toEqual([]);
    expect({ ...tally, ...count }).toEqual({ runs: POINTS * 3, faults: POINTS * 3, lost: 0, duplicated: 0, torn: 0, held: files.length });
  }, 600_000);
});
