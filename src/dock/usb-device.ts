// What evidock knows about a USB device, from node-usb or from sysfs (same shape either way).

export interface UsbDeviceInfo {
  /** Four lower-case hex digits, e.g. "46f4". */
  vendorId: string;
  productId: string;
  /** iSerialNumber string descriptor; null when the device has none or it could not be read. */
  serial: string | null;
  busNumber: number;
  /** Port numbers from the root hub down, e.g. [1, 2] = root port 1, hub port 2. */
  ports: number[];
  /** The kernel's name for the device and so the dock slot's key: "<bus>-<port>.<port>...", e.g. "1-1.2". */
  portPath: string;
  /** bInterfaceClass of each interface (0x08 = mass storage); empty when unknown. */
  interfaceClasses: number[];
  manufacturer?: string;
  product?: string;
}

export const MASS_STORAGE_CLASS = 0x08;

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

export function portPathOf(busNumber: number, ports: readonly number[]): string {
  return `${busNumber}-${ports.length ? ports.join('.') : '0'}`;
}

/** "1-1.2" -> { busNumber: 1, ports: [1, 2] }; null for anything else (root hubs "usb1", interfaces "1-1:1.0"). */
export function parsePortPath(name: string): { busNumber: number; ports: number[] } | null {
  const m = name.match(/^(\d+)-(\d+(?:\.\d+)*)$/);
  if (!m) return null;
  return { busNumber: Number(m[1]), ports: m[2].split('.').map(Number) };
}
