// Dock slots: the physical place a recorder sits in, named by the USB port path it is plugged
// into. `docks.slots` maps port paths to labels printed on the dock, e.g. { "1-1.3" = "A3" }.
// A key is either a full kernel port path "<bus>-<port>[.<port>...]" (exact) or just the port
// chain "<port>[.<port>...]" (any bus: bus numbers can change when controllers are re-ordered).

export interface SlotConfig {
  [portPathOrChain: string]: string;
}

export class SlotMapError extends Error {
  override name = 'SlotMapError';
}

const FULL = /^\d+-\d+(?:\.\d+)*$/;
const CHAIN = /^\d+(?:\.\d+)*$/;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

export class SlotMap {
  private readonly exact = new Map<string, string>();
  private readonly chain = new Map<string, string>();

  constructor(config: SlotConfig = {}) {
    const labels = new Map<string, string>();
    for (const [key, label] of Object.entries(config)) {
      if (!FULL.test(key) && !CHAIN.test(key))
        throw new SlotMapError(`docks.slots: "${key}" is not a USB port path (like "1-1.3", or "1.3" for any bus)`);
      if (!LABEL.test(label))
        throw new SlotMapError(`docks.slots."${key}": label "${label}" must be 1-32 letters, digits, ".", "_" or "-"`);
      const other = labels.get(label);
      if (other !== undefined) throw new SlotMapError(`docks.slots: label "${label}" is used for both "${other}" and "${key}"`);
      labels.set(label, key);
      (FULL.test(key) ? this.exact : this.chain).set(key, label);
    }
  }

  /** The configured label of the slot at `portPath`, or undefined when that port is not a configured slot. */
  labelOf(portPath: string): string | undefined {
    const exact = this.exact.get(portPath);
    if (exact !== undefined) return exact;
    const dash = portPath.indexOf('-');
    return dash >= 0 ? this.chain.get(portPath.slice(dash + 1)) : undefined;
  }

  isConfigured(portPath: string): boolean {
    return this.labelOf(portPath) !== undefined;
  }

  /** Label to show: the configured one, else "usb-<port path>" so an unconfigured port is still named by where it is. */
  slotFor(portPath: string): string {
    return this.labelOf(portPath) ?? `usb-${portPath}`;
  }

  /** Every configured slot label, in dock order (by label), for showing empty slots. */
  get labels(): string[] {
    return [...this.exact.values(), ...this.chain.values()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  get size(): number {
    return this.exact.size + this.chain.size;
  }
}
