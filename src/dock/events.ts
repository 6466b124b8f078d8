// What the dock room tells the rest of evidock. Every kind of dock (directory, USB mount)
// emits these same events.
export interface UsbIdentity {
  vendorId: number;
  productId: number;
  serial?: string;
  /** e.g. "1-1.2": bus, then the port chain; names the dock slot. */
  portPath: string;
}

export interface RecorderDocked {
  /** Dock slot label (configured per port), or the folder name for a directory dock. */
  slot: string;
  /** Where the recorder's filesystem is readable. */
  mountPath: string;
  usb?: UsbIdentity;
  /** Recorder id the dock knows (folder name, dock configuration); a weak source of identity. */
  recorderHint?: string;
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

/** A source of docking events; the daemon starts and stops each one. */
export interface Dock {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  on<E extends keyof DockEvents>(event: E, listener: (...args: DockEvents[E]) => void): this;
}
