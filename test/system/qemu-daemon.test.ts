// The whole thing on a real kernel: the evidock daemon runs inside a QEMU guest (mount = "self",
// wipe = true) and recorders are hot-plugged into hub ports like into a dock:
//   - a FAT32 recorder (port 1.1, writable) and an exFAT one (port 1.2, write-protected) at once:
//     both ingested completely, held digests equal the images' manifests, slots named by port;
//     the writable one is wiped (every deleted file held), the write-protected one is not (blocked);
//   - a recorder pulled mid-copy (port 1.3, throttled): nothing partial held; re-plugged: all held.
// Skips LOUDLY where QEMU or tools are missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGuest, makeRecorderImage, qemuMissing, QemuGuest, type ManifestLine } from './harness/qemu.js';

const missing = process.env.EVIDOCK_SKIP_QEMU ? ['EVIDOCK_SKIP_QEMU is set'] : qemuMissing({ exfat: true });
if (missing.length) console.warn(`\n*** SKIPPING QEMU daemon test (test/system/qemu-daemon.test.ts): ${missing.length === 1 && missing[0].startsWith("EVIDOCK_SKIP_QEMU") ? "" : "missing "}${missing.join('; ')} ***\n`);

interface Held {
  originals: { evidence_number: string; sha256: string; storedSha256: string; size: number; recorder_id: string | null; source_path: string }[];
  wipes: { recorder_id: string | null; slot: string; source_path: string; sha256: string; evidence_number: string }[];
  staging: string[];
  onRecorders: Record<string, string[]>;
}

const CONFIG = `
[station]
id = "QEMU-1"
[docks]
mount = "self"
media_root = "/run/evidock/media"
wipe = true
poll_ms = 250
# QEMU's usb-storage: a recorder on any port (unconfigured ports are named usb-<port path>)
recorders = ["46f4:0001"]
[docks.slots]
"1-1.1" = "A1"
"1-1.2" = "A2"
"1-1.3" = "A3"
`;

const GUEST = `#!/bin/sh
mkdir -p /tmp/home && cp /out/evidock.toml /tmp/home/evidock.toml
cd /tmp
node /app/test/system/guest/reporter.mjs /tmp/home /run/evidock/media &
node /app/bin/evidock.js daemon --home /tmp/home > /out/daemon.log 2>&1
echo "@@DAEMON_EXIT {\\"rc\\":$?}"
`;

describe.skipIf(missing.length > 0)('evidock daemon in a QEMU guest with USB docks', () => {
  let run = '';
  let guest: QemuGuest | undefined;
  const m: Record<string, ManifestLine[]> = {};
  const held = (): Held => JSON.parse(readFileSync(path.join(run, 'held.json'), 'utf8'));
  const daemonLog = () =>
    readFileSync(path.join(run, 'daemon.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
  /** Files still on a FAT32 image (host side, mtools). */
  const filesOnFatImage = (image: string) =>
    spawnSync('mdir', ['-/', '-b', '-i', `${image}@@1M`, '::/'], { encoding: 'utf8', env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } })
      .stdout.split('\n')
      .filter((l) => l && !l.endsWith('/'));

  let cmdId = 0;
  /** Runs `evidock --home /tmp/home ARGS` inside the guest (through the reporter); returns stdout. */
  const cli = async (args: string[]): Promise<string> => {
    const id = ++cmdId;
    writeFileSync(path.join(run, 'cmd.json.tmp'), JSON.stringify({ id, args }));
    renameSync(path.join(run, 'cmd.json.tmp'), path.join(run, 'cmd.json'));
    const ev = await guest!.waitFor('CLI', (d) => d.id === id, 180_000);
    const out = JSON.parse(readFileSync(path.join(run, `cmd-${id}.json`), 'utf8'));
    expect(ev.data.code, out.stderr).toBe(0);
    return out.stdout;
  };

  beforeAll(async () => {
    run = mkdtempSync(path.join(tmpdir(), 'evidock-qemu-daemon-'));
    const guestDir = buildGuest();
    m.r1 = makeRecorderImage(path.join(run, 'r1.img'), 'BWC0000001', 'fat32', 4);
    m.r2 = makeRecorderImage(path.join(run, 'r2.img'), 'BWC0000002', 'exfat', 4);
    m.r3 = makeRecorderImage(path.join(run, 'r3.img'), 'BWC0000003', 'fat32', 16);
    writeFileSync(path.join(run, 'evidock.toml'), CONFIG);
    guest = await QemuGuest.boot({
      guestDir,
      outDir: run,
      memMiB: 1024,
      guestScript: GUEST,
      onLine: process.env.EVIDOCK_QEMU_VERBOSE ? (l) => console.log(`guest| ${l}`) : undefined,
    });
    await guest.waitFor('SLOT', (d) => d.slot === 'A3' && d.state === 'empty', 240_000);
  }, 400_000);

  afterAll(async () => {
    await guest?.quit();
    if (process.env.EVIDOCK_QEMU_KEEP) console.log(`kept ${run}`);
    else if (run) rmSync(run, { recursive: true, force: true });
  });

  const expectAllHeld = (h: Held, files: ManifestLine[]) => {
    for (const f of files) {
      const o = h.originals.find((x) => x.sha256 === f.sha256);
      expect(o, `${f.path} held`).toBeDefined();
      expect(o!.storedSha256).toBe(f.sha256); // the bytes in the store, re-read
      expect(o!.size).toBe(f.size);
    }
  };

  it('FAT32 + exFAT recorders on two hub ports: all held with the manifests\' digests; the writable one wiped, the write-protected one not', async () => {
    const g = guest!;
    const t0 = Date.now();
    await g.plug({ id: 'r1', image: path.join(run, 'r1.img'), port: '1.1', serial: 'BWC0000001' });
    await g.plug({ id: 'r2', image: path.join(run, 'r2.img'), port: '1.2', serial: 'BWC0000002', readOnly: true });
    const a1 = await g.waitFor('SLOT', (d) => d.slot === 'A1' && (d.state === 'done' || d.state === 'error') && d.held !== undefined, 240_000);
    const a2 = await g.waitFor('SLOT', (d) => d.slot === 'A2' && (d.state === 'done' || d.state === 'error') && d.held !== undefined, 240_000);
    console.log(`two recorders plugged -> both finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(a1.data).toMatchObject({ state: 'done', recorderId: 'BWC0000001', failed: 0 });
    expect(a1.data.message).toMatch(/^wiped \d+ file\(s\)/);
    expect(a2.data).toMatchObject({ state: 'error', recorderId: 'BWC0000002', failed: 0 });
    expect(a2.data.message).toMatch(/^not wiped: .*(read-only|write-protected|remount)/i);
    // the slot went through identifying -> copying on the way
    const states = g.events.filter((e) => e.tag === 'SLOT' && e.data.slot === 'A1').map((e) => e.data.state);
    expect(states).toContain('copying');

    await g.waitFor('HELD', (d) => d.wiped >= m.r1.length, 60_000);
    const h = held();
    expectAllHeld(h, m.r1);
    expectAllHeld(h, m.r2);
    for (const o of h.originals) expect(o.storedSha256).toBe(o.sha256);
    // every deleted file is held, and each recorder file was deleted once
    const wiped1 = h.wipes.filter((w) => w.recorder_id === 'BWC0000001');
    expect(wiped1.map((w) => w.source_path).sort()).toEqual(m.r1.map((f) => f.path).sort());
    for (const w of wiped1) {
      expect(h.originals.some((o) => o.evidence_number === w.evidence_number && o.sha256 === w.sha256)).toBe(true);
      expect(m.r1.find((f) => f.path === w.source_path)!.sha256).toBe(w.sha256);
    }
    expect(h.wipes.filter((w) => w.recorder_id === 'BWC0000002')).toEqual([]);
    expect(h.onRecorders.A1).toEqual([]);
    expect(h.onRecorders.A2.sort()).toEqual(m.r2.map((f) => f.path).sort());

    // mount appearing -> first file held (an upper bound of "first byte copied")
    const log = daemonLog();
    for (const slot of ['A1', 'A2']) {
      const mounted = log.find((l) => l.msg === 'recorder mounted read-only' && l.slot === slot);
      const firstHeld = log.find((l) => l.msg === 'file held' && l.slot === slot);
      if (mounted && firstHeld) console.log(`slot ${slot}: mount -> first file held ${((firstHeld.time - mounted.time) / 1000).toFixed(2)} s`);
    }
    // what the officer and IT staff see: evidock docks --json and evidock status --json, in the guest
    const docks = JSON.parse(await cli(['docks', '--json']));
    expect(docks.daemon).not.toBeNull();
    const bySlot = Object.fromEntries(docks.slots.map((s: any) => [s.slot, s]));
    expect(bySlot.A1).toMatchObject({ port: '1-1.1', state: 'done', recorderId: 'BWC0000001', message: expect.stringMatching(/^wiped/) });
    expect(bySlot.A2).toMatchObject({ port: '1-1.2', state: 'error', recorderId: 'BWC0000002', message: expect.stringMatching(/^not wiped/) });
    expect(bySlot.A3).toMatchObject({ port: '1-1.3', state: 'empty' });
    const status = JSON.parse(await cli(['status', '--json']));
    expect(status.held.recordings).toBe(h.originals.length);
    expect(status.slots.map((s: any) => s.slot).sort()).toEqual(['A1', 'A2', 'A3']);

    await g.unplug('r1');
    await g.unplug('r2');
    await g.waitFor('SLOT', (d) => d.slot === 'A1' && d.state === 'empty', 30_000);
    expect(filesOnFatImage(path.join(run, 'r1.img'))).toEqual([]);
  }, 400_000);

  it('a recorder pulled mid-copy: nothing partial held; re-plugged: everything held, then wiped', async () => {
    const g = guest!;
    const image = path.join(run, 'r3.img');
    const big = m.r3.find((f) => f.path.endsWith('VID_0001.MP4'))!;
    await g.plug({ id: 'r3', image, port: '1.3', serial: 'BWC0000003', bytesPerSecond: 2 * 1024 * 1024 });
    await g.waitFor('SLOT', (d) => d.slot === 'A3' && d.state === 'copying' && String(d.filePath).endsWith('VID_0001.MP4'), 120_000);
    await new Promise((r) => setTimeout(r, 1500));
    await g.unplug('r3', true);
    await g.waitFor('SLOT', (d) => d.slot === 'A3' && d.state === 'empty', 60_000);
    // the read in flight on the dead device returns an error only after the kernel gives up on it
    const until = Date.now() + 120_000;
    while ((held().staging.length || !daemonLog().some((l) => l.msg === 'session ended' && l.slot === 'A3')) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 500));
    let h = held();
    expect(h.originals.find((o) => o.sha256 === big.sha256)).toBeUndefined();
    for (const o of h.originals) expect(o.storedSha256).toBe(o.sha256); // nothing partial
    expect(h.staging).toEqual([]);
    expect(h.onRecorders.A3 ?? []).toEqual([]); // the dead mount is gone

    // the interrupted session has ended (an EIO on the dying device may count as one failed file)
    const first = daemonLog().find((l) => l.msg === 'session ended' && l.slot === 'A3');
    expect(first).toMatchObject({ status: 'interrupted' });
    const t = Date.now();
    await g.plug({ id: 'r3b', image, port: '1.3', serial: 'BWC0000003' });
    // slot events come in order: the first done/error after this "identifying" is the new session's
    const ident = await g.waitFor('SLOT', (d) => d.slot === 'A3' && d.state === 'identifying', 120_000, t);
    const done = await g.waitForAfter(ident, 'SLOT', (d) => d.slot === 'A3' && (d.state === 'done' || d.state === 'error') && d.held !== undefined, 240_000);
    expect(done.data).toMatchObject({ state: 'done', failed: 0 });
    await g.waitFor('HELD', (d) => d.wiped >= m.r1.length + m.r3.length, 60_000);
    h = held();
    expectAllHeld(h, m.r3);
    expect(h.wipes.filter((w) => w.recorder_id === 'BWC0000003').map((w) => w.source_path).sort()).toEqual(m.r3.map((f) => f.path).sort());
    await g.unplug('r3b');
    expect(filesOnFatImage(image)).toEqual([]);
    expect(existsSync(image)).toBe(true);
  }, 400_000);

  it('six recorders plugged at once on one hub: all ingested', async () => {
    const g = guest!;
    const ids = [1, 2, 3, 4, 5, 6];
    const six = Object.fromEntries(ids.map((i) => [i, makeRecorderImage(path.join(run, `s${i}.img`), `BWC100000${i}`, 'fat32', 1)]));
    const t0 = Date.now();
    for (const i of ids) await g.plug({ id: `s${i}`, image: path.join(run, `s${i}.img`), port: `1.${i + 2 > 8 ? i - 6 : i + 2}`, serial: `BWC100000${i}` });
    const total = ids.reduce((n, i) => n + six[i].length, 0);
    const doneSlots = new Set<string>();
    while (doneSlots.size < ids.length) {
      const e = await g.waitFor('SLOT', (d) => (d.state === 'done' || d.state === 'error') && d.held !== undefined && !doneSlots.has(d.slot) && /^BWC100000\d$/.test(String(d.recorderId)), 300_000, t0);
      expect(e.data.state, `${e.data.slot}: ${e.data.message}`).toBe('done');
      doneSlots.add(e.data.slot);
    }
    console.log(`six recorders (${total} files) plugged at once -> all done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await g.waitFor('HELD', (d) => d.wiped >= m.r1.length + m.r3.length + total, 60_000);
    const h = held();
    for (const i of ids) expectAllHeld(h, six[i]);
    expect([...doneSlots].sort()).toEqual(['A3', 'usb-1-1.4', 'usb-1-1.5', 'usb-1-1.6', 'usb-1-1.7', 'usb-1-1.8']);
    for (const i of ids) await g.unplug(`s${i}`);
    console.log(`qemu peak RSS ${g.peakRssMiB()?.toFixed(0)} MiB`);
  }, 400_000);
});
