// The long-running service: wiring, lifecycle, signals, recovery at start.
// One recorder failing never stops the others; a stop abandons the file in flight cleanly.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { appendAuditEntry, attachAuditHome, currentActor, detachAuditHome, type Json } from '../audit/log.js';
import { writeCheckpoint } from '../audit/station.js';
import { startAuditTasks, type AuditTasks } from './audit-tasks.js';
import { ConfigError, loadConfig, prepareHome, type Config, type Home, type LoadOptions } from '../config.js';
import { calendarWarning, catchUpFacts, loadStationCalendar } from '../facts/index.js';
import { DirectoryDock } from '../dock/directory-dock.js';
import { MountDock } from '../dock/mount-dock.js';
import type { Dock, RecorderDocked, RecorderUndocked } from '../dock/events.js';
import { recoverAtStart } from '../ingest/recovery.js';
import { endIngestHelpers, standardHooks } from '../ingest/hooks.js';
import { readIdentityFiles } from '../dock/drivers/mass-storage.js';
import { verifyThenWipe } from '../ingest/wipe.js';
import { ingestRecorder, type IngestContext, type IngestHooks, type IngestProgress, type IngestSummary } from '../ingest/session.js';
import { openCatalog, type Db } from '../store/catalog.js';
import { initStorageRoot } from '../store/ocfl.js';
import { createLogger } from './logger.js';
import { writeStatusFile, type DaemonStatus, type SlotStatus } from './status-file.js';

export interface DaemonOptions extends LoadOptions {
  logger?: Logger;
  /** Extra docks (USB mounts) besides the directory dock. */
  docks?: Dock[];
  hooks?: IngestHooks;
}

interface ActiveSession {
  controller: AbortController;
  done: Promise<IngestSummary | undefined>;
  mountPath: string;
}

/** Refuse a second daemon on the same home: two writers would fight over staging. */
function takePidLock(home: Home): () => void {
  const file = path.join(home.dir, 'run', 'daemon.pid');
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        throw Object.assign(new Error(`another evidock daemon (pid ${pid}) already runs on ${home.dir}; stop it first`), { exitCode: 2 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

export class Daemon {
  readonly config: Config;
  readonly home: Home;
  readonly logger: Logger;
  private db!: Db;
  private ctx!: IngestContext;
  private readonly docks: Dock[] = [];
  private readonly active = new Map<string, ActiveSession>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private readonly slots = new Map<string, SlotStatus>();
  private readonly startedAt = new Date();
  private statusDirty = false;
  private statusTimer?: NodeJS.Timeout;
  private calendarTimer?: NodeJS.Timeout;
  private releaseLock?: () => void;
  private auditTasks?: AuditTasks;
  private stopping = false;
  private readonly warnings: string[] = [];
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
    return this.db;
  }

  async start(): Promise<void> {
    prepareHome(this.home);
    this.releaseLock = takePidLock(this.home);
    initStorageRoot(this.home.store);
    this.db = openCatalog(this.home.catalog);
    attachAuditHome(this.db, this.home.dir, { onError: (err) => this.logger.error({ err }, 'audit journal not written; retried after the next entry') });
    this.ctx = { db: this.db, config: this.config, home: this.home, logger: this.logger, actor: currentActor('daemon'), hooks: this.opts.hooks ?? standardHooks() };
    this.auditTasks = startAuditTasks({ db: this.db, config: this.config, home: this.home, logger: this.logger, actor: this.ctx.actor, busy: () => this.active.size > 0 });
    await recoverAtStart(this.ctx);
    if (!this.opts.hooks) catchUpFacts(this.ctx); // originals held by recovery get their deadline and gap facts
    this.db.transaction(() =>
      appendAuditEntry(this.db, { type: 'daemon.started', data: { pid: process.pid, station: this.config.station.id, home: this.home.dir }, actor: this.ctx.actor }),
    )();
    for (const dock of this.docks) {
      dock.on('docked', (e) => this.onDocked(e));
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
    };
    try {
      writeStatusFile(this.home.dir, status);
    } catch (err) {
      this.logger.warn({ err }, 'cannot write the status file');
    }
  }

  /** At most ingest.concurrency recorders copy at once; the others wait their turn. */
  private async acquireIngestPlace(): Promise<void> {
    if (this.running < this.config.ingest.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve)); // the place is handed over
  }

  private releaseIngestPlace(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private onDocked(e: RecorderDocked): void {
    if (this.stopping) return;
    if (this.active.has(e.slot)) {
      this.logger.warn({ slot: e.slot }, 'docked again while its session still runs; ignored');
      return;
    }
    const controller = new AbortController();
    const startedAt = Date.now();
    this.setSlot(e.slot, { state: 'identifying', recorderId: e.recorderHint ?? null, mountPath: e.mountPath, message: undefined, held: 0, failed: 0 });
    const onProgress = (p: IngestProgress) => {
      const elapsed = (Date.now() - startedAt) / 1000;
      const rate = elapsed > 0 ? p.bytesDone / elapsed : 0;
      this.setSlot(e.slot, {
        state: p.phase === 'verifying' ? 'verifying' : p.phase === 'done' ? 'done' : p.phase === 'scanning' ? 'identifying' : 'copying',
        fileIndex: p.fileIndex,
        fileCount: p.fileCount,
        filePath: p.filePath,
        bytesDone: p.bytesDone,
        bytesTotal: p.bytesTotal,
        bytesPerSecond: Math.round(rate),
        etaSeconds: rate > 0 ? Math.round((p.bytesTotal - p.bytesDone) / rate) : null,
      });
    };
    const done = (async () => {
      await this.acquireIngestPlace();
      try {
        if (controller.signal.aborted) return undefined;
        const found = this.mountDock?.identityOf(e.mountPath)?.identity;
        // A directory dock has no driver: the card's identity files (ZFY_INFO.TXT ...) still count.
        const cardClaims = found ? undefined : await readIdentityFiles(e.mountPath).catch(() => []);
        const identity =
          e.usb || found || cardClaims?.length
            ? (JSON.parse(JSON.stringify({ usb: e.usb, driver: found?.driver, claims: found?.claims ?? cardClaims, conflicts: found?.conflicts })) as Record<string, Json>)
            : undefined;
        const recorderId = e.recorderHint ?? e.usb?.serial ?? null;
        const summary = await ingestRecorder(
          this.ctx,
          { root: e.mountPath, recorderId, officerId: found?.officerId ?? null, slot: e.slot, dockedAt: e.dockedAt, identity },
          { signal: controller.signal, onProgress },
        );
        let problem = summary.status !== 'done' ? 'interrupted: dock the recorder again to finish' : summary.failed ? `${summary.failed} file(s) failed; see evidock status` : undefined;
        let state: SlotStatus['state'] = summary.status === 'done' && !summary.failed ? 'done' : 'error';
        if (state === 'done' && this.config.docks.wipe && this.mountDock && e.usb && !controller.signal.aborted) {
          this.setSlot(e.slot, { state: 'verifying', message: 'verify-then-wipe: checking every file is held' });
          const dock = this.mountDock;
          const wipe = await verifyThenWipe(
            this.ctx,
            { root: e.mountPath, recorderId, slot: e.slot, sessionId: summary.sessionId },
            { signal: controller.signal, makeWritable: () => dock.makeWritable(e.mountPath), makeReadOnly: () => dock.makeReadOnly(e.mountPath) },
          );
          if (wipe.status === 'blocked') {
            state = 'error';
            problem = `not wiped: ${wipe.blockers[0]}${wipe.blockers.length > 1 ? ` (and ${wipe.blockers.length - 1} more)` : ''}`;
          } else if (wipe.status === 'partial') {
            state = 'error';
            problem = `wiped ${wipe.wiped} file(s), ${wipe.errors.length} not: ${wipe.errors[0]}`;
          } else problem = `wiped ${wipe.wiped} file(s) from the recorder, each held and verified first`;
        }
        this.setSlot(e.slot, { state, held: summary.held, failed: summary.failed, message: problem });
        return summary;
      } catch (err) {
        this.logger.error({ err, slot: e.slot }, 'ingest failed for this recorder; other slots keep working');
        this.setSlot(e.slot, { state: 'error', message: `ingest failed: ${(err as Error).message}` });
        return undefined;
      } finally {
        this.active.delete(e.slot);
        this.releaseIngestPlace();
      }
    })();
    this.active.set(e.slot, { controller, done, mountPath: e.mountPath });
  }

  private onUndocked(e: RecorderUndocked): void {
    const session = this.active.get(e.slot);
    if (session) {
      this.logger.warn({ slot: e.slot }, 'recorder removed during ingest: the file in flight is abandoned, nothing partial is held');
      session.controller.abort(Object.assign(new Error('recorder removed'), { code: 'ENODEV' }));
    }
    this.setSlot(e.slot, { state: 'empty', recorderId: undefined, mountPath: undefined, fileIndex: undefined, fileCount: undefined, filePath: undefined, bytesDone: undefined, bytesTotal: undefined, etaSeconds: undefined, message: undefined });
    this.db?.transaction(() => appendAuditEntry(this.db, { type: 'recorder.undocked', data: { slot: e.slot, source: e.mountPath }, actor: this.ctx.actor }))();
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
    await endIngestHelpers().catch((err) => this.logger.error({ err }, 'ending exiftool/ffprobe failed'));
    if (this.db) {
      await this.auditTasks?.stop();
      this.db.transaction(() => appendAuditEntry(this.db, { type: 'daemon.stopped', data: { pid: process.pid, reason }, actor: this.ctx.actor }))();
      try {
        writeCheckpoint(this.db, { homeDir: this.home.dir, stationId: this.config.station.id }, 'shutdown');
      } catch (err) {
        this.logger.error({ err }, 'cannot write the shutdown checkpoint');
      }
      detachAuditHome(this.db);
      this.db.close();
    }
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.calendarTimer) clearInterval(this.calendarTimer);
    rmSync(path.join(this.home.dir, 'run', 'daemon-status.json'), { force: true });
    this.releaseLock?.();
    this.logger.info('evidock daemon stopped');
  }
}
