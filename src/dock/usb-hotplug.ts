// USB hotplug through node-usb 2.18 (libusb). The ONLY file that touches the `usb` package.
// node-usb 3.x is a WebUSB rewrite that kills the process on a host without a USB bus; 2.18 does
// not, but we still never let USB take the daemon down: no bus, no addon, no permission -> the
// daemon starts and says USB detection is unavailable (mounts are still noticed via mountinfo).
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { usbInfoFromSysfs, usbSysPathOf } from './sysfs.js';
import { hex4, portPathOf, type UsbDeviceInfo } from './usb-device.js';

type UsbModule = typeof import('usb');
type UsbDevice = import('usb').Device;

export interface UsbHotplugEvents {
  attach: [UsbDeviceInfo];
  detach: [UsbDeviceInfo];
}

export interface UsbHotplugOptions {
  /** sysfs root, for the "is there a USB bus at all" check and attribute fallbacks. */
  sysRoot?: string;
  /** Injected for tests: how to load node-usb. */
  load?: () => Promise<UsbModule>;
  /** Report devices already plugged in at start as `attach` (default true). */
  enumerate?: boolean;
}

export class UsbHotplug extends EventEmitter<UsbHotplugEvents> {
  private usb: UsbModule | null = null;
  private readonly known = new Map<string, UsbDeviceInfo>();
  private onAttach = (d: UsbDevice): void => void this.attached(d);
  private onDetach = (d: UsbDevice): void => this.detached(d);

  private constructor(
    /** False when USB detection cannot work on this host; `reason` says why. */
    readonly available: boolean,
    readonly reason: string,
    private readonly sysRoot: string,
  ) {
    super();
  }

  /** Never throws: on failure returns an unavailable instance with the reason. */
  static async start(opts: UsbHotplugOptions = {}): Promise<UsbHotplug> {
    const sysRoot = opts.sysRoot ?? '/sys';
    if (!existsSync(path.join(sysRoot, 'bus', 'usb')))
      return new UsbHotplug(false, `this host has no USB bus (${path.join(sysRoot, 'bus', 'usb')} does not exist)`, sysRoot);
    let mod: UsbModule;
    try {
      mod = await (opts.load ?? (() => import('usb')))();
    } catch (e) {
      return new UsbHotplug(false, `node-usb could not be loaded: ${(e as Error).message}`, sysRoot);
    }
    const h = new UsbHotplug(true, '', sysRoot);
    try {
      h.usb = mod;
      mod.usb.on('attach', h.onAttach);
      mod.usb.on('detach', h.onDetach);
    } catch (e) {
      h.close();
      return new UsbHotplug(false, `USB hotplug events are not available: ${(e as Error).message}`, sysRoot);
    }
    if (opts.enumerate !== false) {
      let list: UsbDevice[] = [];
      try {
        list = mod.getDeviceList();
      } catch {
        /* enumeration failure is not fatal: hotplug still works */
      }
      // after the caller has attached its listeners
      setImmediate(() => list.forEach((d) => void h.attached(d)));
    }
    return h;
  }

  /** Devices currently known to be plugged in, by port path. */
  get devices(): UsbDeviceInfo[] {
    return [...this.known.values()];
  }

  close(): void {
    if (!this.usb) return;
    try {
      this.usb.usb.off('attach', this.onAttach);
      this.usb.usb.off('detach', this.onDetach);
      // node-usb keeps the event loop alive while it has hotplug listeners; make sure it lets go
      (this.usb.usb as unknown as { unrefHotplugEvents?: () => void }).unrefHotplugEvents?.();
    } catch {
      /* closing never fails */
    }
    this.usb = null;
  }

  private async attached(dev: UsbDevice): Promise<void> {
    const dd = dev.deviceDescriptor;
    const ports = dev.portNumbers ?? [];
    const portPath = portPathOf(dev.busNumber, ports);
    const sys = usbSysPathOf(this.sysRoot, portPath);
    const fromSys = sys ? usbInfoFromSysfs(sys) : null;
    let serial: string | null = fromSys?.serial ?? null;
    if (serial === null && dd.iSerialNumber) serial = await readSerial(dev, dd.iSerialNumber);
    let interfaceClasses = fromSys?.interfaceClasses ?? [];
    if (!interfaceClasses.length) {
      try {
        interfaceClasses = (dev.configDescriptor?.interfaces ?? []).flat().map((i) => i.bInterfaceClass);
      } catch {
        interfaceClasses = [];
      }
    }
    const info: UsbDeviceInfo = {
      vendorId: hex4(dd.idVendor),
      productId: hex4(dd.idProduct),
      serial,
      busNumber: dev.busNumber,
      ports,
      portPath,
      interfaceClasses,
      manufacturer: fromSys?.manufacturer,
      product: fromSys?.product,
    };
    this.known.set(portPath, info);
    this.emit('attach', info);
  }

  private detached(dev: UsbDevice): void {
    const portPath = portPathOf(dev.busNumber, dev.portNumbers ?? []);
    const info = this.known.get(portPath) ?? {
      vendorId: hex4(dev.deviceDescriptor.idVendor),
      productId: hex4(dev.deviceDescriptor.idProduct),
      serial: null,
      busNumber: dev.busNumber,
      ports: dev.portNumbers ?? [],
      portPath,
      interfaceClasses: [],
    };
    this.known.delete(portPath);
    this.emit('detach', info);
  }
}

/** The serial string descriptor, opening the device without claiming an interface (usb-storage stays bound). */
function readSerial(dev: UsbDevice, index: number): Promise<string | null> {
  return new Promise((resolve) => {
    try {
      dev.open(false);
    } catch {
      resolve(null);
      return;
    }
    dev.getStringDescriptor(index, (err, s) => {
      try {
        dev.close();
      } catch {
        /* already gone */
      }
      resolve(err || s === undefined ? null : s);
    });
  });
}
