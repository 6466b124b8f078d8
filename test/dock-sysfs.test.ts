// sysfs matching against a fake sysfs tree laid out like the real one (symlinks included).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disksOfUsbDevice, usbDevicePresent, usbForBlockDevice, usbInfoFromSysfs } from '../src/dock/sysfs.js';

let sys = '';
const PCI = 'devices/pci0000:00/0000:00:04.0';

function attrs(dir: string, a: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(a)) writeFileSync(path.join(dir, k), v + '\n');
}

/** A USB storage device at `chain` (e.g. ["1-1", "1-1.2"]) with disk `disk`, partitions and dev numbers. */
function usbDisk(chain: string[], serial: string | null, disk: string, major: number, minor: number, parts: number[], cls = '08'): void {
  const devDir = path.join(sys, PCI, 'usb1', ...chain);
  const name = chain[chain.length - 1];
  const a: Record<string, string> = { idVendor: '46f4', idProduct: '0001', busnum: '1', devpath: name.split('-')[1], manufacturer: 'QEMU', product: 'QEMU USB HARDDRIVE' };
  if (serial !== null) a.serial = serial;
  attrs(devDir, a);
  const intf = path.join(devDir, `${name}:1.0`);
  attrs(intf, { bInterfaceClass: cls });
  const blk = path.join(intf, 'host0', 'target0:0:0', '0:0:0:0', 'block', disk);
  attrs(blk, { dev: `${major}:${minor}` });
  mkdirSync(path.join(sys, 'dev', 'block'), { recursive: true });
  symlinkSync(path.relative(path.join(sys, 'dev', 'block'), blk), path.join(sys, 'dev', 'block', `${major}:${minor}`));
  for (const p of parts) {
    attrs(path.join(blk, `${disk}${p}`), { partition: String(p), dev: `${major}:${minor + p}` });
    symlinkSync(path.relative(path.join(sys, 'dev', 'block'), path.join(blk, `${disk}${p}`)), path.join(sys, 'dev', 'block', `${major}:${minor + p}`));
  }
  mkdirSync(path.join(sys, 'bus', 'usb', 'devices'), { recursive: true });
  symlinkSync(path.relative(path.join(sys, 'bus', 'usb', 'devices'), devDir), path.join(sys, 'bus', 'usb', 'devices', name));
}

beforeAll(() => {
  sys = mkdtempSync(path.join(tmpdir(), 'evidock-sysfs-'));
  // root hub + a hub on port 1
  attrs(path.join(sys, PCI, 'usb1'), { idVendor: '1d6b', idProduct: '0003', busnum: '1' });
  attrs(path.join(sys, PCI, 'usb1', '1-1'), { idVendor: '0409', idProduct: '55aa', busnum: '1' });
  attrs(path.join(sys, PCI, 'usb1', '1-1', '1-1:1.0'), { bInterfaceClass: '09' });
  usbDisk(['1-1', '1-1.2'], 'BWC0000001', 'sda', 8, 0, [1]); // recorder behind the hub, partitioned
  usbDisk(['1-1', '1-1.3'], 'BWC0000002', 'sdb', 8, 16, []); // superfloppy: no partition table
  usbDisk(['1-2'], null, 'sdc', 8, 32, [1, 2]); // directly on a root port, no serial
  // a virtio disk: not USB
  const vda = path.join(sys, 'devices/pci0000:00/0000:00:05.0/virtio1/block/vda');
  attrs(vda, { dev: '254:0' });
  symlinkSync(path.relative(path.join(sys, 'dev', 'block'), vda), path.join(sys, 'dev', 'block', '254:0'));
});
afterAll(() => rmSync(sys, { recursive: true, force: true }));

describe('sysfs: block device -> USB device -> port path', () => {
  it('a partition behind a hub maps to its port path, ids, serial and interface class', () => {
    const r = usbForBlockDevice(sys, 8, 1)!;
    expect(r.blockName).toBe('sda1');
    expect(r.diskName).toBe('sda');
    expect(r.usb).toMatchObject({ portPath: '1-1.2', busNumber: 1, ports: [1, 2], vendorId: '46f4', productId: '0001', serial: 'BWC0000001', interfaceClasses: [8] });
    expect(r.usbSysPath.endsWith(path.join('usb1', '1-1', '1-1.2'))).toBe(true);
  });

  it('a whole-disk filesystem (no partition table) maps too', () => {
    const r = usbForBlockDevice(sys, 8, 16)!;
    expect(r.blockName).toBe('sdb');
    expect(r.usb.portPath).toBe('1-1.3');
  });

  it('a device on a root port, without serial', () => {
    const r = usbForBlockDevice(sys, 8, 34)!;
    expect(r.usb).toMatchObject({ portPath: '1-2', ports: [2], serial: null });
    expect(r.blockName).toBe('sdc2');
  });

  it('non-USB, anonymous (FUSE, major 0) and unknown devices give null', () => {
    expect(usbForBlockDevice(sys, 254, 0)).toBeNull();
    expect(usbForBlockDevice(sys, 0, 50)).toBeNull();
    expect(usbForBlockDevice(sys, 9, 9)).toBeNull();
  });

  it('USB device -> its disks and partitions; presence', () => {
    expect(disksOfUsbDevice(sys, '1-1.2')).toEqual([{ disk: 'sda', partitions: ['sda1'] }]);
    expect(disksOfUsbDevice(sys, '1-1.3')).toEqual([{ disk: 'sdb', partitions: [] }]);
    expect(disksOfUsbDevice(sys, '1-2')).toEqual([{ disk: 'sdc', partitions: ['sdc1', 'sdc2'] }]);
    expect(disksOfUsbDevice(sys, '1-1')).toEqual([]); // the hub has no disk of its own
    expect(usbDevicePresent(sys, '1-1.2')).toBe(true);
    expect(usbDevicePresent(sys, '1-4')).toBe(false);
  });

  it('a hub is a USB device without storage interfaces', () => {
    expect(usbInfoFromSysfs(path.join(sys, PCI, 'usb1', '1-1'))).toMatchObject({ portPath: '1-1', interfaceClasses: [9] });
    expect(usbInfoFromSysfs(path.join(sys, PCI, 'usb1'))).toBeNull(); // root hub "usb1" is no port
  });
});
