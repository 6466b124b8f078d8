// sysfs: from a mounted block device (major:minor) to the USB device and port it hangs off, and
// from a USB device to its disks. The sysfs root is injectable so tests can use a fake tree.
//   /sys/dev/block/8:1 -> ../../devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1.2/1-1.2:1.0/host0/
//                          target0:0:0/0:0:0:0/block/sda/sda1
// The deepest "<bus>-<port>[.<port>...]" component is the USB device; its name is the port path.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { hex4, parsePortPath, type UsbDeviceInfo } from './usb-device.js';

export interface BlockOnUsb {
  usb: UsbDeviceInfo;
  /** sysfs directory of the USB device. */
  usbSysPath: string;
  /** Kernel name of the block device that is mounted (e.g. "sda1") and of its disk ("sda"). */
  blockName: string;
  diskName: string;
}

function readAttr(dir: string, name: string): string | undefined {
  try {
    return readFileSync(path.join(dir, name), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Reads a USB device's attributes from its sysfs directory (e.g. /sys/bus/usb/devices/1-1.2). */
export function usbInfoFromSysfs(usbSysPath: string): UsbDeviceInfo | null {
  const name = path.basename(usbSysPath);
  const pp = parsePortPath(name);
  const vid = readAttr(usbSysPath, 'idVendor');
  const pid = readAttr(usbSysPath, 'idProduct');
  if (!pp || !vid || !pid) return null;
  const interfaceClasses: number[] = [];
  for (const intf of list(usbSysPath).filter((n) => n.startsWith(`${name}:`)).sort()) {
    const c = readAttr(path.join(usbSysPath, intf), 'bInterfaceClass');
    if (c !== undefined && /^[0-9a-f]+$/i.test(c)) interfaceClasses.push(parseInt(c, 16));
  }
  const busnum = readAttr(usbSysPath, 'busnum');
  return {
    vendorId: hex4(parseInt(vid, 16)),
    productId: hex4(parseInt(pid, 16)),
    serial: readAttr(usbSysPath, 'serial') ?? null,
    busNumber: busnum && /^\d+$/.test(busnum) ? Number(busnum) : pp.busNumber,
    ports: pp.ports,
    portPath: name,
    interfaceClasses,
    manufacturer: readAttr(usbSysPath, 'manufacturer'),
    product: readAttr(usbSysPath, 'product'),
  };
}

/** The USB device behind block device MAJ:MIN, or null when it is not on USB (loop, FUSE, virtio...). */
export function usbForBlockDevice(sysRoot: string, major: number, minor: number): BlockOnUsb | null {
  if (major === 0) return null; // anonymous devices: FUSE, tmpfs, overlay
  let real: string;
  try {
    real = realpathSync(path.join(sysRoot, 'dev', 'block', `${major}:${minor}`));
  } catch {
    return null;
  }
  const parts = real.split(path.sep);
  let usbIdx = -1;
  for (let i = parts.length - 1; i >= 0; i--) {
    if (parsePortPath(parts[i])) {
      usbIdx = i;
      break;
    }
  }
  if (usbIdx < 0) return null;
  const usbSysPath = parts.slice(0, usbIdx + 1).join(path.sep) || path.sep;
  const usb = usbInfoFromSysfs(usbSysPath);
  if (!usb) return null;
  const blockName = parts[parts.length - 1];
  const blockIdx = parts.lastIndexOf('block');
  const diskName = blockIdx >= 0 && blockIdx + 1 < parts.length ? parts[blockIdx + 1] : blockName;
  return { usb, usbSysPath, blockName, diskName };
}

/** sysfs directory of a USB device by port path ("1-1.2"), or null when it is not there. */
export function usbSysPathOf(sysRoot: string, portPath: string): string | null {
  const p = path.join(sysRoot, 'bus', 'usb', 'devices', portPath);
  return existsSync(p) ? p : null;
}

/**
 * Disks of a USB device (mass-storage LUNs), each with its partitions, found by walking the
 * device's interfaces: <dev>/<dev>:1.0/hostN/targetN:0:0/N:0:0:L/block/sdX[/sdX1...].
 */
export function disksOfUsbDevice(sysRoot: string, portPath: string): { disk: string; partitions: string[] }[] {
  const base = usbSysPathOf(sysRoot, portPath);
  if (!base) return [];
  const found: { disk: string; partitions: string[] }[] = [];
  const visit = (dir: string, depth: number): void => {
    if (depth > 6) return;
    for (const n of list(dir)) {
      const p = path.join(dir, n);
      if (n === 'block') {
        for (const disk of list(p)) {
          const partitions = list(path.join(p, disk)).filter((c) => c.startsWith(disk) && existsSync(path.join(p, disk, c, 'partition')));
          found.push({ disk, partitions: partitions.sort() });
        }
        continue;
      }
      // only descend into this device's interfaces and the SCSI objects under them, never into child USB devices
      if (depth === 0 ? n.startsWith(`${portPath}:`) : /^(host\d+|target[\d:]+|\d+:\d+:\d+:\d+)$/.test(n)) {
        try {
          if (statSync(p).isDirectory()) visit(p, depth + 1);
        } catch {
          /* vanished */
        }
      }
    }
  };
  visit(base, 0);
  return found.sort((a, b) => a.disk.localeCompare(b.disk));
}

/** True when the USB device is still present (its sysfs directory exists). */
export function usbDevicePresent(sysRoot: string, portPath: string): boolean {
  return usbSysPathOf(sysRoot, portPath) !== null;
}
