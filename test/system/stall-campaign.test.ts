// Stall campaign (issue 11 point 13): cards that stop answering, as real FUSE mounts under the
// daemon's media root (faultyfs.py's hang control: reads past a byte wait until released).
// Four cards hang at once and a healthy card docked after them is held while they still hang
// (libuv's 4-thread pool no longer lets four hung reads block everything); each hung card then
// fails after ingest.stall_seconds with "the card stopped answering" and the byte, shown by
// `evidock docks` without a rate or ETA; a card that stalls and then answers again is held at the
// next docking; SIGTERM stops the daemon during a permanent hang. Nothing partial is held.
// Skips LOUDLY without root/FUSE.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonProcess, heldOriginals, runCli, tempDir } from '../helpers/evidock.js';
import { recordCampaignRow } from './harness/campaign.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('test/system/stall-campaign.test.ts', missing);
const FULL = process.env.EVIDOCK_CAMPAIGN_FULL === '1';
/** The stall time configured; the hung cards stay hung for 60 s or more (the stall). */
const STALL_SECONDS = FULL ? 30 : 20;
const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Slot {
  slot: string;
  state: string;
  message?: string;
  held?: number;
  failed?: number;
  bytesPerSecond?: number;
  etaSeconds?: number | null;
}

async function until<T>(what: string, get: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v) {
      console.log(`stall campaign: ${what} (${new Date().toISOString()})`);
      return v;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(missing.length > 0)('stall campaign: cards that stop answering (FUSE, root)', () => {
  const tmp = tempDir('evidock-stall-');
  const home = path.join(tmp.dir, 'home');
  const media = path.join(tmp.dir, 'media');
  const mounts: FuseMount[] = [];
  const hangFiles: string[] = [];
  let daemon: DaemonProcess | undefined;
  afterAll(async () => {
    for (const h of hangFiles) rmSync(h, { force: true }); // let every hung read return
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
    for (const m of mounts) m.unmount();
    tmp.cleanup();
  });

  /** A card of three files in its own folder, mounted through faultyfs under the media root; hung past `hangAt` when given. */
  async function card(name: string, hangAt?: number): Promise<{ files: Map<string, string>; hang: string }> {
    const backing = path.join(tmp.dir, 'cards', name, 'card');
    const files = new Map<string, string>();
    for (const [p, size] of [['DCIM/A.MP4', 3 * MiB], ['DCIM/B.MP4', 2 * MiB], ['DCIM/C.WAV', 200_000]] as const) {
      const data = randomBytes(size);
      mkdirSync(path.dirname(path.join(backing, p)), { recursive: true });
      writeFileSync(path.join(backing, p), data);
      files.set(p, sha256(data));
    }
    const hang = path.join(tmp.dir, 'cards', name, 'faultyfs.hang');
    hangFiles.push(hang);
    if (hangAt !== undefined) writeFileSync(hang, String(hangAt));
    const mnt = path.join(media, name);
    mkdirSync(mnt, { recursive: true });
    mounts.push(await mountFuse('faultyfs.py', backing, mnt));
    return { files, hang };
  }

  const status = (): { pid: number; slots: Slot[] } | undefined => {
    try {
      return JSON.parse(readFileSync(path.join(home, 'run', 'daemon-status.json'), 'utf8'));
    } catch {
      return undefined;
    }
  };
  const slot = (name: string) => status()?.slots.find((s) => s.slot === name);

  it('four hung cards never hold up a healthy one; each fails with a clear error after the stall time; SIGTERM stops the daemon during a hang', async () => {
    mkdirSync(home, { recursive: true });
    mkdirSync(media, { recursive: true });
    writeFileSync(
      path.join(home, 'evidock.toml'),
      `[docks]\nmount = "external"\nmedia_root = "${media}"\npoll_ms = 250\n[ingest]\nstall_seconds = ${STALL_SECONDS}\n[meta]\nread_metadata = false\n`,
    );
    daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready', 60_000);

    // Four cards hang in their first file, one MiB in (each hold one of libuv's threads).
    const hung = ['HUNG1', 'HUNG2', 'HUNG3', 'HUNG4'];
    const hungCards = [];
    for (const name of hung) hungCards.push(await card(name, MiB));
    for (const name of hung) await until(`${name} copying`, () => slot(name)?.state === 'copying', 60_000);
    // A healthy card docked while they hang is held completely, before any of them times out.
    const healthy = await card('HEALTHY');
    const done = await until('HEALTHY done', () => (slot('HEALTHY')?.state === 'done' ? slot('HEALTHY') : undefined), 120_000);
    expect(done).toMatchObject({ held: 3, failed: 0 });
    for (const name of hung) expect(slot(name)?.state, `${name} still hangs while HEALTHY is held`).toBe('copying');

    // Each hung card fails with the reason and the byte; the slot shows no rate or ETA.
    for (const name of hung) await until(`${name} failed`, () => slot(name)?.state === 'error', (STALL_SECONDS + 60) * 1000);
    const docks = JSON.parse(runCli(['--home', home, 'docks', '--json']).stdout) as { slots: Slot[] };
    for (const name of hung) {
      const s = docks.slots.find((x) => x.slot === name)!;
      expect(s.message).toMatch(new RegExp(`^failed: DCIM/A\\.MP4: copy failed: the card stopped answering: no answer for ${STALL_SECONDS} s at byte \\d+ of DCIM/A\\.MP4`));
      expect(s.bytesPerSecond).toBeUndefined();
      expect(s.etaSeconds).toBeUndefined();
    }
    const text = runCli(['--home', home, 'docks']).stdout;
    expect(text).toMatch(/HUNG1 .*error.*the card stopped answering/);

    // HUNG1 answers again (its stall ends): undocked and docked again, it is held completely.
    rmSync(hungCards[0].hang);
    mounts[0].unmount();
    await until('HUNG1 undocked', () => slot('HUNG1')?.state === 'empty', 30_000);
    const remount = await mountFuse('faultyfs.py', path.join(tmp.dir, 'cards', 'HUNG1', 'card'), path.join(media, 'HUNG1'));
    mounts[0] = remount;
    await until('HUNG1 held after the stall', () => slot('HUNG1')?.state === 'done', 120_000);

    // A card that hangs for good, and SIGTERM while it hangs: the daemon stops.
    await card('FOREVER', 100_000);
    await until('FOREVER copying', () => slot('FOREVER')?.state === 'copying', 60_000);
    const stopped = daemon.waitFor((l) => l.msg === 'evidock daemon stopped', 60_000);
    daemon.child.kill('SIGTERM');
    await stopped; // the stop is done: sessions ended, checkpoint written, catalog closed
    // Reads the card never answered cannot be taken back, and Node joins its threads at exit: the
    // daemon says so and ends itself; a FUSE read the server has picked up holds even SIGKILL off
    // until the server answers or dies, so the process is reaped once the hangs are released.
    const d = daemon;
    await until('the daemon to say why it ends by SIGTERM', () => d.stderr.includes('never returned'), 30_000);
    for (const h of hangFiles) rmSync(h, { force: true });
    await daemon.exited;
    expect(daemon.child.signalCode).toBe('SIGTERM');

    // Nothing partial: every held original is a whole file of a card; staging is cleared at the next start.
    const all = new Map([...healthy.files, ...hungCards.flatMap((c) => [...c.files])].map(([p, d]) => [d, p]));
    const held = heldOriginals(home);
    const torn = held.filter((o) => !all.has(o.sha256)).length;
    const duplicated = held.length - new Set(held.map((o) => o.sha256)).size;
    const lostHealthy = [...healthy.files.values(), ...hungCards[0].files.values()].filter((d) => !held.some((o) => o.sha256 === d)).length;
    for (const h of hangFiles) rmSync(h, { force: true });
    for (const m of mounts.splice(0)) m.unmount(); // the cards are taken out before the next start
    const again = new DaemonProcess(['--home', home]);
    await again.waitFor((l) => l.msg === 'evidock daemon ready', 60_000);
    expect(await again.stop(), again.stderr).toBe(0);
    const staging = path.join(home, 'staging');
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
    expect(runCli(['--home', home, 'verify']).code).toBe(0);
    recordCampaignRow({
      campaign: `stall (4 cards hung at once + 1 for good, ${STALL_SECONDS} s stall time)`,
      runs: 1,
      faults: 5,
      lost: lostHealthy,
      duplicated,
      torn,
    });
    expect({ torn, duplicated, lostHealthy }).toEqual({ torn: 0, duplicated: 0, lostHealthy: 0 });
  }, 600_000);
});
