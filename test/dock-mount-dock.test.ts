// MountDock without hardware: a fake /proc/self/mountinfo and a fake sysfs tree. A mount under the
// media root whose block device sits on a USB port becomes a RecorderDocked for that port's slot,
// with the USB facts and the identity file's claims; non-recorders are ignored (logged once);
// a recorder whose USB device vanishes under its mount is undocked once.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecorderDocked, RecorderUndocked } from '../src/dock/events.js';
import { MountDock } from '../src/dock/mount-dock.js';

let root = '';
let sys = '';
let media = '';
let mountinfo = '';
const PCI = 'devices/pci0000:00/0000:00:04.0/usb1';
const BASE = ['22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw'];

function usbDisk(name: string, cls: string, vid: string, serial: string, disk: string, major: number, minor: number): void {
  const dev = path.join(sys, PCI, '1-1', name);
  mkdirSync(path.join(dev, `${name}:1.0`), { recursive: true });
  for (const [k, v] of Object.entries({ idVendor: vid, idProduct: '0001', busnum: '1', serial })) writeFileSync(path.join(dev, k), v + '\n');
  writeFileSync(path.join(dev, `${name}:1.0`, 'bInterfaceClass'), cls + '\n');
  const part = path.join(dev, `${name}:1.0`, 'host0', 'target0:0:0', '0:0:0:0', 'block', disk, `${disk}1`);
  mkdirSync(part, { recursive: true });
  writeFileSync(path.join(part, 'partition'), '1\n');
  mkdirSync(path.join(sys, 'dev', 'block'), { recursive: true });
  symlinkSync(path.relative(path.join(sys, 'dev', 'block'), part), path.join(sys, 'dev', 'block', `${major}:${minor}`));
  mkdirSync(path.join(sys, 'bus', 'usb', 'devices'), { recursive: true });
  symlinkSync(path.relative(path.join(sys, 'bus', 'usb', 'devices'), dev), path.join(sys, 'bus', 'usb', 'devices', name));
}
const line = (id: number, mm: string, point: string) => `${id} 22 ${mm} / ${point.replace(/ /g, '\\040')} ro,nosuid,nodev,noexec shared:9 - vfat /dev/x ro`;
const setMounts = (...lines: string[]) => writeFileSync(mountinfo, [...BASE, ...lines].join('\n') + '\n');

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'evidock-mdock-'));
  sys = path.join(root, 'sys');
  media = path.join(root, 'media');
  mountinfo = path.join(root, 'mountinfo');
  usbDisk('1-1.2', '08', '46f4', 'BWC0000001', 'sda', 8, 1); // a recorder on slot A2
  usbDisk('1-1.3', '08', '0781', 'STICK', 'sdb', 8, 17); // a USB stick on an unconfigured port
  for (const d of ['sda1', 'stick', 'Dock B']) mkdirSync(path.join(media, d), { recursive: true });
  writeFileSync(path.join(media, 'sda1', 'ZFY_INFO.TXT'), 'cSerial=BWC0000001\nuserNo=020304\n');
  setMounts();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('MountDock (external policy) on fake mountinfo + sysfs', () => {
  it('docks recorders by slot, ignores other devices once, undocks a vanished recorder once', async () => {
    const logs: { msg: string; [k: string]: unknown }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s)) });
    const dock = new MountDock({
      policy: 'external',
      mediaRoot: media,
      slots: { '1-1.1': 'A1', '1-1.2': 'A2' },
      filter: { recorders: [], massStorageOnSlots: true },
      logger,
      pollMs: 250,
      sysRoot: sys,
      mountinfoPath: mountinfo,
      usb: false,
    });
    const docked: RecorderDocked[] = [];
    const undocked: RecorderUndocked[] = [];
    dock.on('docked', (e) => docked.push(e));
    dock.on('undocked', (e) => undocked.push(e));
    await dock.start();
    expect(dock.slots.labels).toEqual(['A1', 'A2']);

    setMounts(line(40, '8:1', path.join(media, 'sda1')), line(41, '8:17', path.join(media, 'stick')), line(42, '0:77', path.join(media, 'Dock B')));
    await (dock as any).watcher.poll();
    // identity is read asynchronously: wait for it (a loaded machine can take longer than 100 ms)
    await vi.waitFor(() => expect(docked.map((d) => d.slot).sort()).toEqual(['A2', 'Dock B']), { timeout: 10_000, interval: 20 });
    const a2 = docked.find((d) => d.slot === 'A2')!;
    expect(a2).toMatchObject({ mountPath: path.join(media, 'sda1'), usb: { vendorId: 0x46f4, productId: 1, serial: 'BWC0000001', portPath: '1-1.2' }, recorderHint: 'BWC0000001', writable: false });
    expect(a2.identity).toMatchObject({ officerId: '020304', conflicts: [] });
    // a FUSE/loop mount (no USB behind it) is named by its folder
    expect(docked.find((d) => d.slot === 'Dock B')!.usb).toBeUndefined();
    const ignored = logs.filter((l) => /ignored/.test(l.msg));
    expect(ignored).toHaveLength(1);
    expect(String(ignored[0].why)).toMatch(/0781:0001 on port 1-1.3 is not in docks.recorders and the port is not a configured dock slot/);

    // same mounts again (a later poll, a re-mount of the stick): nothing new, ignored device not logged again
    setMounts(line(40, '8:1', path.join(media, 'sda1')), line(43, '8:17', path.join(media, 'stick')), line(42, '0:77', path.join(media, 'Dock B')));
    await (dock as any).watcher.poll();
    expect(docked).toHaveLength(2);
    expect(logs.filter((l) => /ignored/.test(l.msg))).toHaveLength(1);

    // the recorder is pulled: its USB device leaves sysfs while the (dead) mount is still there
    rmSync(path.join(sys, 'bus', 'usb', 'devices', '1-1.2'));
    await vi.waitFor(() => expect(undocked.map((u) => u.slot)).toEqual(['A2']), { timeout: 10_000, interval: 20 });
    // then systemd lazily unmounts it: no second undock
    setMounts(line(43, '8:17', path.join(media, 'stick')), line(42, '0:77', path.join(media, 'Dock B')));
    await (dock as any).watcher.poll();
    expect(undocked.map((u) => u.slot)).toEqual(['A2']);
    // the FUSE recorder is unmounted
    setMounts(line(43, '8:17', path.join(media, 'stick')));
    await (dock as any).watcher.poll();
    expect(undocked.map((u) => u.slot)).toEqual(['A2', 'Dock B']);
    expect(await dock.makeWritable(path.join(media, 'sda1'))).toEqual({ ok: false, reason: 'the recorder is no longer docked' });
    await dock.stop();
  });

  it('an external read-only mount cannot be made writable for a wipe, and says why', async () => {
    const dock = new MountDock({ policy: 'external', mediaRoot: media, slots: {}, filter: { recorders: [], massStorageOnSlots: false }, logger: pino({ level: 'silent' }), sysRoot: sys, mountinfoPath: mountinfo, usb: false });
    setMounts(line(50, '0:78', path.join(media, 'Dock B')));
    const got: RecorderDocked[] = [];
    dock.on('docked', (e) => got.push(e));
    await dock.start();
    await vi.waitFor(() => expect(got).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(await dock.makeWritable(got[0].mountPath)).toEqual({ ok: false, reason: expect.stringMatching(/mounted read-only by the system/) });
    await dock.stop();
  });
});
