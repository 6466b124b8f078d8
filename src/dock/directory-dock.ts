// The directory dock: each folder that appears directly in the docks folder (made by an atomic
// rename, or a mount point) is a docked recorder; its disappearance is an undock. chokidar
// watches only the docks folder itself, never a recorder's own tree.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Dock, DockEvents } from './events.js';

export class DirectoryDock extends EventEmitter<DockEvents> implements Dock {
  readonly name = 'directory';
  private watcher?: FSWatcher;

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
      this.emit('docked', { slot, mountPath: path.resolve(dir), recorderHint: slot, dockedAt: new Date() });
    });
    this.watcher.on('unlinkDir', (dir) => {
      if (path.dirname(path.resolve(dir)) !== root) return;
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
