// The directory dock: each folder that appears directly in the docks folder (made by an atomic
// rename, or a mount point) is a docked recorder; its disappearance is an undock. chokidar
// watches only the docks folder itself, never a recorder's own tree. The folder's identity files
// (ZFY_INFO.TXT ...) are read by the same reader as a USB recorder's.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Dock, DockEvents } from './events.js';
import { identifyDocked } from './identify.js';

export class DirectoryDock extends EventEmitter<DockEvents> implements Dock {
  readonly name = 'directory';
  private watcher?: FSWatcher;
  /** Folders present now: one removed while its identity is read is not docked late. */
  private readonly present = new Set<string>();

  constructor(private readonly folder: string) {
    super();
  }

  async start(): Promise<void> {
    const root = path.resolve(this.folder);
    this.watcher = watch(root, {
      depth: 0,
      ignoreInitial: false,
      followSymlinks: false,
      // A folder moved in by rename is complete at once; a slowly filled folder should be
      // renamed in when ready (see README).
      awaitWriteFinish: false,
    });
    this.watcher.on('addDir', (dir) => {
      if (path.resolve(dir) === root || path.dirname(path.resolve(dir)) !== root) return;
      const slot = path.basename(dir);
      const mountPath = path.resolve(dir);
      const dockedAt = new Date();
      this.present.add(mountPath);
      void identifyDocked({ mountPath }).then((identity) => {
        if (this.present.has(mountPath)) this.emit('docked', { slot, mountPath, identity, recorderHint: slot, dockedAt });
      });
    });
    this.watcher.on('unlinkDir', (dir) => {
      if (path.dirname(path.resolve(dir)) !== root) return;
      this.present.delete(path.resolve(dir));
      this.emit('undocked', { slot: path.basename(dir), mountPath: path.resolve(dir), undockedAt: new Date() });
    });
    this.watcher.on('error', (err) => this.emit('error', err instanceof Error ? err : new Error(String(err))));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
  }

  async stop(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }
}
