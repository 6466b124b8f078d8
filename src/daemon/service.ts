// The long-running service: wiring, lifecycle, signals. It opens the station (recovery, catch-up)
// and hands each docking to runDocking; one recorder failing never stops the others; a stop
// abandons the file in flight cleanly.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createStationKeyOnce } from '../audit/key-life.js';
import path from 'node:path';
import type { Logger } from 'pino';
import { appendAuditEntry, currentActor, flushAuditJournal } from '../audit/log.js';
import { writeCheckpointAsync } from '../audit/station.js';
import { startAuditTasks, type AuditTasks } from './audit-tasks.js';
import { startReadSocket, type RunningReadSocket } from './read-socket.js';
import { ConfigError, type Config } from '../config.js';
import { loadConfig, prepareHome, readSocketOf, type Home, type LoadOptions } from '../home.js';
import { calendarWarning, loadStationCalendar } from '../facts/index.js';
import { DirectoryDock } from '../dock/directory-dock.js';
import { MountDock } from '../dock/mount-dock.js';
import type { Dock, RecorderDocked, RecorderUndocked } from '../dock/events.js';
import { runDocking } from '../ingest/docking.js';
import type { IngestSummary } from '../ingest/session.js';
import type { DescribeFn } from '../ingest/types.js';
import { openStation, type Station } from '../ingest/station.js';
import type { Db } from '../store/catalog.js';
import { createLogger } from './logger.js';
import { writeStatusFile, type DaemonStatus, type SlotStatus } from './status-file.js';

export interface DaemonOptions extends LoadOptions {
  logger?: Logger;
  /** Extra docks (USB mounts) besides the directory dock. */
  docks?: Dock[];
  /** Replaces the describe step (tests). */
  describe?: DescribeFn;
}

interface ActiveSession {
  controller: AbortController;
  done: Promise<IngestSummary | undefined>;
  mountPath: string;
}

/** The pid file for service managers and people: written once the home's lock is held. */
function writePidFile(home: Home): () => void {
  mkdirSync(path.dirname(home.pidFile), { recursive: true });
  writeFileSync(home.pidFile, String(process.pid));
  return () => rmSync(home.pidFile, { force: true });
}

export class Daemon {
  readonly config: Config;
  readonly home: Home;
  readonly logger: Logger;
  private station?: Station;
  private readonly docks: Dock[] = [];
  private readonly active = new Map<string, ActiveSession>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private readonly slots = new Map<string, SlotStatus>();
  private readonly startedAt = new Date();
  private statusDirty = false;
  private statusTimer?: NodeJS.Timeout;
  private calendarTimer?: NodeJS.Timeout;
  private removePidFile?: () => void;
  private auditTasks?: AuditTasks;
  private readSocket?: RunningReadSocket;
  private stopping = false;
  private readonly warnings: string[] = [];
  private readonly slotListeners = new Set<() => void>();
  private webUrl?: string;
  /** USB docks (docks.mount = external | self), when on. */
  readonly mountDock?: MountDock;

  constructor(private readonly opts: DaemonOptions = {}) {
    const { config, home } = loadConfig(opts);
    this.config = config;
    this.home = home;
    this.logger = opts.logger ?? createLogger(config.log.level);
    this.docks.push(new DirectoryDock(home.docks), ...(opts.docks ?? []));
    if (config.docks.mount !== 'off') {
      try {
        this.mountDock = new MountDock({
          policy: config.docks.mount,
          mediaRoot: path.resolve(home.dir, config.docks.media_root),
          slots: config.docks.slots,
          filter: { recorders: config.docks.recorders, massStorageOnSlots: config.docks.mass_storage_on_slots },
          pollMs: config.docks.poll_ms,
          sysRoot: config.docks.sys_root,
          logger: this.logger.child({ dock: 'usb-mount' }),
        });
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
      this.docks.push(this.mountDock);
    }
  }

  /** Live state of each slot, for status. */
  slotStatuses(): SlotStatus[] {
    return [...this.slots.values()];
  }

  /** Calls `listener` after every slot change (the station page's live feed); returns its removal. */
  onSlotsChanged(listener: () => void): () => void {
    this.slotListeners.add(listener);
    return () => this.slotListeners.delete(listener);
  }

  /** Where the station page is served (set by whoever started it), shown by `evidock status`. */
  setWebUrl(url: string | undefined): void {
    this.webUrl = url;
    this.markStatus();
  }

  get startedAtIso(): string {
    return this.startedAt.toISOString();
  }

  addWarning(message: string): void {
    this.warnings.push(message);
    this.logger.warn(message);
    this.markStatus();
  }

  /** Rules: calendar files ignored for errors; from 1 December, next year's schedule missing. */
  private checkCalendar(): void {
    try {
      const loaded = loadStationCalendar(this.config, this.home);
      const warn = calendarWarning(loaded.calendar, this.config);
      for (const m of [...loaded.errors.map((e) => `calendar file ignored: ${e}`), ...(warn ? [warn] : [])]) if (!this.warnings.includes(m)) this.addWarning(m);
    } catch (err) {
      this.logger.error({ err }, 'cannot read the calendar directory (rules.calendar_dir)');
    }
  }

  get catalog(): Db {
    return this.station!.db;
  }

  async start(): Promise<void> {
    prepareHome(this.home);
    // The home's writer lock (taken in openStation) refuses a second daemon or a running ingest.
    const station = await openStation(this.config, this.home, this.logger, { actor: currentActor('daemon'), as: 'daemon', describe: this.opts.describe });
    this.station = station;
    this.removePidFile = writePidFile(this.home);
    const { db, ctx } = station;
    try {
      // Made once, logged, on a new home; a lost key of a home with history is never re-made.
      createStationKeyOnce(db, this.home.dir, this.config.station.id, ctx.actor);
    } catch (err) {
      this.logger.error({ err }, 'no station key: checkpoints are not signed until it is restored; ingest goes on');
      this.addWarning((err as Error).message);
    }
    this.auditTasks = startAuditTasks({ db, config: this.config, home: this.home, logger: this.logger, actor: ctx.actor, busy: () => this.active.size > 0 });
    db.transaction(() =>
      appendAuditEntry(db, { type: 'daemon.started', data: { pid: process.pid, station: this.config.station.id, home: this.home.dir }, actor: ctx.actor }),
    )();
    await this.startReadSocket(db);
    for (const dock of this.docks) {
      dock.on('docked', (e) => this.onDocked(e, dock));
      dock.on('undocked', (e) => this.onUndocked(e));
      dock.on('notice', (n) => {
        if (!this.active.has(n.slot)) this.setSlot(n.slot, { state: n.state, message: n.message, recorderId: n.recorderHint ?? null });
      });
      dock.on('error', (err) => this.logger.error({ err, dock: dock.name }, 'dock error; other docks keep working'));
      try {
        await dock.start();
        this.logger.info({ dock: dock.name }, 'dock watching');
      } catch (err) {
        this.addWarning(`dock ${dock.name} unavailable: ${(err as Error).message}`);
      }
    }
    if (this.mountDock?.usbUnavailable) this.addWarning(`USB detection is unavailable: ${this.mountDock.usbUnavailable}`);
    for (const label of this.mountDock?.slots.labels ?? []) if (!this.slots.has(label)) this.setSlot(label, { state: 'empty' });
    this.statusTimer = setInterval(() => this.flushStatus(), 500);
    this.statusTimer.unref();
    this.checkCalendar();
    this.calendarTimer = setInterval(() => this.checkCalendar(), 3_600_000);
    this.calendarTimer.unref();
    this.markStatus();
    this.flushStatus();
    this.logger.info({ home: this.home.dir, store: this.home.store, docks: this.home.docks, station: this.config.station.id }, 'evidock daemon ready');
  }

  /** Auditors' reads are logged through this socket; without it ingest goes on and they are told. */
  private async startReadSocket(db: Db): Promise<void> {
    const socketPath = readSocketOf(this.home, this.config);
    try {
      this.readSocket = await startReadSocket({
        socketPath,
        auditGroup: this.config.daemon.audit_group,
        logRead: (read) => {
          const seq = db.transaction(() => appendAuditEntry(db, read).seq)();
          try {
            flushAuditJournal(db); // in the catalog and the journal before the reader prints anything
          } catch (err) {
            this.logger.error({ err, seq }, 'read logged in the catalog; the journal catches up at the next append');
          }
          this.logger.info({ type: read.type, uid: read.actor.uid, user: read.actor.user, sudoUser: read.actor.sudoUser, seq }, 'read logged for a reader who cannot write the home');
          return seq;
        },
      });
      for (const w of this.readSocket.warnings) this.addWarning(w);
      this.logger.info({ socket: socketPath }, 'read socket listening');
    } catch (err) {
      this.addWarning(`no read socket, so reads by auditors are not logged: ${(err as Error).message}`);
    }
  }

  private setSlot(slot: string, patch: Partial<SlotStatus>): void {
    const prev = this.slots.get(slot);
    const next: SlotStatus = { ...(prev ?? { slot, state: 'empty', since: new Date().toISOString() }), ...patch, slot };
    if (!prev || prev.state !== next.state) {
      next.since = new Date().toISOString();
      // copying <-> verifying flips once per file: kept out of the journal at info level.
      const perFile = prev && ['copying', 'verifying'].includes(prev.state) && ['copying', 'verifying'].includes(next.state);
      this.logger[perFile ? 'debug' : 'info']({ slot, state: next.state, recorder: next.recorderId ?? undefined, message: next.message }, 'slot state');
    }
    this.slots.set(slot, next);
    this.markStatus();
    for (const listener of this.slotListeners) {
      try {
        listener();
      } catch (err) {
        this.logger.warn({ err }, 'a slot listener failed');
      }
    }
  }

  private markStatus(): void {
    this.statusDirty = true;
  }

  private flushStatus(): void {
    if (!this.statusDirty) return;
    this.statusDirty = false;
    const status: DaemonStatus = {
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      updatedAt: new Date().toISOString(),
      docks: this.docks.map((d) => d.name),
      slots: this.slotStatuses(),
      warnings: this.warnings,
      web: this.webUrl ? { url: this.webUrl } : undefined,
    };
    try {
      writeStatusFile(this.home.statusFile, status);
    } catch (err) {
      this.logger.warn({ err }, 'cannot write the status file');
    }
  }

  /** At most ingest.concurrency recorders copy at once; the others wait their turn. */
  private async takeIngestPlace(): Promise<() => void> {
    if (this.running < this.config.ingest.concurrency) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the place is handed over
    return () => this.releaseIngestPlace();
  }

  private releaseIngestPlace(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private onDocked(e: RecorderDocked, dock: Dock): void {
    if (this.stopping || !this.station) return;
    if (this.active.has(e.slot)) {
      this.logger.warn({ slot: e.slot }, 'docked again while its session still runs; ignored');
      return;
    }
    const controller = new AbortController();
    const done = runDocking(this.station, e, {
      signal: controller.signal,
      onSlot: (update) => this.setSlot(e.slot, update),
      mounts: dock,
      takePlace: () => this.takeIngestPlace(),
    })
      .then(
        (result) => {
          if (result?.summary.held) this.auditTasks?.sealSoon(); // sealed within about a minute, not at the next hourly checkpoint
          return result?.summary;
        },
        (err) => {
          this.logger.error({ err, slot: e.slot }, 'ingest failed for this recorder; other slots keep working');
          return undefined;
        },
      )
      .finally(() => this.active.delete(e.slot));
    this.active.set(e.slot, { controller, done, mountPath: e.mountPath });
  }

  private onUndocked(e: RecorderUndocked): void {
    const session = this.active.get(e.slot);
    if (session) {
      this.logger.warn({ slot: e.slot }, 'recorder removed during ingest: the file in flight is abandoned, nothing partial is held');
      session.controller.abort(Object.assign(new Error('recorder removed'), { code: 'ENODEV' }));
    }
    this.setSlot(e.slot, { state: 'empty', recorderId: undefined, mountPath: undefined, fileIndex: undefined, fileCount: undefined, filePath: undefined, bytesDone: undefined, bytesTotal: undefined, etaSeconds: undefined, message: undefined });
    const station = this.station;
    station?.db.transaction(() => appendAuditEntry(station.db, { type: 'recorder.undocked', data: { slot: e.slot, source: e.mountPath }, actor: station.ctx.actor }))();
  }

  /** Wait until no session runs (tests, one-shot use). */
  async idle(): Promise<void> {
    while (this.active.size) await Promise.all([...this.active.values()].map((s) => s.done));
  }

  async stop(reason = 'stop requested'): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info({ reason, sessions: this.active.size }, 'stopping: abandoning files in flight; what is committed stays held');
    for (const s of this.active.values()) s.controller.abort(new Error(`daemon stopping (${reason})`));
    await this.idle();
    for (const dock of this.docks) await dock.stop().catch(() => undefined);
    await this.readSocket?.close();
    const station = this.station;
    if (station) {
      await this.auditTasks?.stop();
      station.db.transaction(() => appendAuditEntry(station.db, { type: 'daemon.stopped', data: { pid: process.pid, reason }, actor: station.ctx.actor }))();
      try {
        await writeCheckpointAsync(station.db, { homeDir: this.home.dir, stationId: this.config.station.id, actor: station.ctx.actor }, 'shutdown');
      } catch (err) {
        this.logger.error({ err }, 'cannot write the shutdown checkpoint');
      }
    }
    // The run files go before the lock does: a next daemon's files are never removed.
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.calendarTimer) clearInterval(this.calendarTimer);
    rmSync(this.home.statusFile, { force: true });
    this.removePidFile?.();
    await station?.close(); // ends exiftool/ffprobe, then the catalog, then the home's lock
    this.logger.info('evidock daemon stopped');
  }
}
