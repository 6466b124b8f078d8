// Recorder drivers: what a recorder can tell about itself. Each driver is one file in this folder
// exporting `driver: RecorderDriver`; the registry (index.ts) finds them by reading the folder, so
// a vendor protocol (clock over USB, unlocking a locked recorder to mass storage...) is a new file,
// never a change elsewhere. The generic mass-storage driver matches every device, last.
import type { RecorderIdentity } from '../events.js';
import type { UsbDeviceInfo } from '../usb-device.js';

export type { IdentityClaim, IdentitySource, RecorderIdentity } from '../events.js';

export interface RecorderContext {
  /** Root of the recorder's mounted filesystem (read-only). Absent before the recorder is unlocked. */
  mountPath?: string;
  usb?: UsbDeviceInfo;
  /** Station zone, for local times the recorder reports without a zone. */
  timezone?: string;
}

export interface RecorderClock {
  deviceTime: Date;
  hostTime: Date;
  /** deviceTime - hostTime, in ms. */
  offsetMs: number;
}

export interface RecorderDriver {
  /** Short stable name, recorded with each identity ("mass-storage", "vendor-x"). */
  readonly name: string;
  /** Higher runs first; the generic driver is 0. */
  readonly priority: number;
  /** Whether this driver knows this device (by USB ids, or by what is on the card). */
  matches(ctx: RecorderContext): boolean | Promise<boolean>;
  identify(ctx: RecorderContext): Promise<RecorderIdentity>;
  /** The recorder's own clock, if the driver can read it; null when it cannot. */
  readClock(ctx: RecorderContext): Promise<RecorderClock | null>;
  /**
   * Make a locked recorder expose its storage (vendor protocols need a password or command).
   * 'already' = it is mass storage now; 'unsupported' = this driver cannot.
   */
  unlockMassStorage(ctx: RecorderContext): Promise<'already' | 'unlocked' | 'unsupported'>;
}
