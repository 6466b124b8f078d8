// What the dock room tells the rest of evidock: the events and the recorder's typed identity.
// Every kind of dock (directory, USB mount) emits these same events.
export interface UsbIdentity {
  vendorId: number;
  productId: number;
  serial?: string;
  /** e.g. "1-1.2": bus, then the port chain; names the dock slot. */
  portPath: string;
}

/** Where an identity fact came from, in DESIGN.md §2's order of trust (first = most trusted). */
export type IdentitySource = 'usb-serial' | 'identity-file' | 'vendor-protocol';

/** One source's word on who the recorder is. */
export interface IdentityClaim {
  source: IdentitySource;
  /** Which file or descriptor, for the audit log. */
  where: string;
  deviceId?: string;
  officerId?: string;
  officerName?: string;
  unitId?: string;
  unitName?: string;
  make?: string;
  model?: string;
}

/**
 * The recorder's typed identity, as the dock found it: USB ids and serial, the claims of the
 * identity files on the card (and of a vendor protocol), most trusted first. The chosen fields
 * follow the order of trust; every disagreement between claims is listed, never silently resolved.
 * The dock configuration's word (slot label, folder name) stays on the event (recorderHint).
 */
export interface RecorderIdentity {
  /** Chosen recorder id: the most trusted claim's deviceId (USB serial, then identity file). */
  deviceId?: string;
  officerId?: string;
  make?: string;
  model?: string;
  /** The driver that read it ("mass-storage", a vendor driver). */
  driver: string;
  usb?: UsbIdentity;
  /** Every claim found, most trusted first: nothing is thrown away. */
  claims: IdentityClaim[];
  /** Disagreements between claims ("usb-serial says X, ZFY_INFO.TXT says Y"): flagged, never resolved silently. */
  conflicts: string[];
}

export interface RecorderDocked {
  /** Dock slot label (configured per port), or the folder name for a directory dock. */
  slot: string;
  /** Where the recorder's filesystem is readable. */
  mountPath: string;
  usb?: UsbIdentity;
  /** What the recorder says about itself (every dock reads it the same way). */
  identity: RecorderIdentity;
  /** Recorder id the dock knows (folder name, dock configuration); a weak source of identity. */
  recorderHint?: string;
  /** Officer the dock knows (dock configuration, `evidock ingest --officer`); a weak source. */
  officerHint?: string;
  dockedAt: Date;
  /** Whether the mount can be written (needed only by verify-then-wipe). */
  writable?: boolean;
}

export interface RecorderUndocked {
  slot: string;
  mountPath: string;
  undockedAt: Date;
}

/** What a slot shows before a recorder is docked (plugged in, not mounted yet) or when it cannot be. */
export interface SlotNotice {
  slot: string;
  state: 'identifying' | 'error' | 'empty';
  /** For the officer: what is happening, or what to do. */
  message?: string;
  recorderHint?: string;
}

export interface DockEvents {
  docked: [RecorderDocked];
  undocked: [RecorderUndocked];
  /** Optional: slot states a dock knows before (or without) a docking, e.g. a USB recorder plugged in. */
  notice: [SlotNotice];
  error: [Error];
}

/** Why a recorder's mount could not be made writable (for verify-then-wipe). */
export type MakeWritableResult = { ok: true } | { ok: false; reason: string };

/** A source of docking events; the daemon starts and stops each one. */
export interface Dock {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Docks whose mounts can be made writable for verify-then-wipe (the USB mount dock) have these. */
  makeWritable?(mountPath: string): Promise<MakeWritableResult>;
  makeReadOnly?(mountPath: string): Promise<void>;
  on<E extends keyof DockEvents>(event: E, listener: (...args: DockEvents[E]) => void): this;
}
