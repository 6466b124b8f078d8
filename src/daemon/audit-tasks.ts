// The daemon's audit schedules: a signed checkpoint every audit.checkpoint_minutes (when the log
// grew), and soon after a docking's holds commit when a notary seals (sealSoon: at most once per
// 30 s, off the hold's path, so an original is sealed within about a minute), journal sealing, and rolling fixity: every held original re-hashed at least every
// audit.reverify_days, one object at a time, rate-limited and paused while a recorder is being
// ingested, so it never starves ingest.
import type { Logger } from 'pino';
import { appendAuditEntry, flushAuditJournal, type Actor } from '../audit/log.js';
import { checkpointIfChangedAsync } from '../audit/station.js';
import { notarySocket } from '../audit/notary-client.js';
import { filesToWitness } from '../audit/witness.js';
import type { Config } from '../config.js';
import type { Home } from '../home.js';
import type { Db } from '../store/catalog.js';
import { dueForReverify, recordFixityChecks } from '../store/fixity.js';
import { openConfiguredOriginals } from '../store/open-originals.js';
import { sealCatchUp } from './seal-catch-up.js';

export interface AuditTaskContext {
  db: Db;
  config: Config;
  home: Home;
  logger: Logger;
  actor: Actor;
  /** True while any recorder is being ingested. */
  busy: () => boolean;
  /** The clock (tests move it forward). */
  now?: () => Date;
}

export interface AuditTasks {
  stop(): Promise<void>;
  /** Holds were committed: with a notary sealing a local store, checkpoint and seal soon (debounced). */
  sealSoon(): void;
  /** Run one rolling-verification pass now (tests). */
  reverifyOnce(): Promise<number>;
}

export function startAuditTasks(ctx: AuditTaskContext): AuditTasks {
  const { db, config, home, logger } = ctx;
  const st = { homeDir: home.dir, stationId: config.station.id, actor: ctx.actor };
  const originals = openConfiguredOriginals(config, home, db);
  const controller = new AbortController();
  const timers: NodeJS.Timeout[] = [];

  // Witnesses (s3): checkpoints and sealed journal days put where the station cannot take them
  // back; a bucket out of reach is retried at the next tick, never blocking anything.
  let witnessing: Promise<void> | undefined;
  const witness = () => {
    if (!originals.witness || witnessing) return;
    const w = originals.witness;
    witnessing = w
      .put(filesToWitness(home.dir))
      .then((r) => {
        if (r.put.length) logger.info({ where: w.where(), put: r.put }, 'witnessed the log');
      })
      .catch((err) => logger.warn({ err: (err as Error).message, where: w.where() }, 'cannot witness the log now; retried at the next checkpoint'))
      .finally(() => (witnessing = undefined));
  };
  // One checkpoint (and seal pass) at a time: a notary slow to answer never stacks them up.
  let checkpointing: Promise<void> | undefined;
  const checkpoint = (reason = 'hourly') => {
    if (checkpointing) return;
    checkpointing = (async () => {
      try {
        flushAuditJournal(db); // also seals finished days
        const cp = await checkpointIfChangedAsync(db, st, reason);
        if (cp) logger.info({ size: cp.size, file: cp.file }, 'signed checkpoint');
      } catch (err) {
        logger.error({ err }, 'cannot write the periodic checkpoint');
      }
      if (db.open && !controller.signal.aborted) await sealCatchUp(ctx, controller.signal);
      witness();
    })().finally(() => (checkpointing = undefined));
  };
  if (originals.witness) {
    const first = setTimeout(witness, 10_000); // what an earlier run left unwitnessed
    first.unref();
    timers.push(first);
  }
  if (config.audit.checkpoint_minutes > 0) {
    const t = setInterval(() => checkpoint(), config.audit.checkpoint_minutes * 60_000);
    t.unref();
    timers.push(t);
  }

  let running: Promise<number> | undefined;
  const reverifyOnce = async (): Promise<number> => {
    if (config.audit.reverify_days <= 0) return 0;
    // Objects not re-hashed for 90 % of the period are due, oldest first.
    const olderThan = new Date((ctx.now?.() ?? new Date()).getTime() - config.audit.reverify_days * 0.9 * 86_400_000).toISOString();
    let checked = 0;
    const done = new Set<string>(); // one pass checks each object at most once
    for (;;) {
      const due = dueForReverify(db, olderThan, 50 + done.size).filter((r) => !done.has(r.evidence_number));
      if (!due.length || controller.signal.aborted) break;
      for (const row of due) {
        done.add(row.evidence_number);
        if (controller.signal.aborted) break;
        let result;
        try {
          result = await originals.recheck(row, {
            bytesPerSecond: config.audit.reverify_mib_per_s * 1024 * 1024,
            busy: ctx.busy,
            signal: controller.signal,
          });
        } catch (err) {
          result = { changed: [{ evidenceNumber: row.evidence_number, objectPath: row.object_path, file: row.content_path, problem: `unreadable: ${(err as Error).message}` }], bytes: 0 };
        }
        if (!result || !db.open) return checked; // stopping
        const ok = result.changed.length === 0 && !result.missing;
        recordFixityChecks(db, [[row.evidence_number, 'full', ok ? 1 : 0, (ctx.now?.() ?? new Date()).toISOString()]]);
        checked++;
        if (!ok) {
          logger.error({ evidence: row.evidence_number, changed: result.changed, missing: result.missing }, 'rolling verification found a problem');
          db.transaction(() =>
            appendAuditEntry(db, {
              type: 'fixity.failed',
              data: { evidenceNumber: row.evidence_number, problems: [...result.changed.map((c) => `${c.file}: ${c.problem}`), ...(result.missing ? [result.missing.problem] : [])] },
              actor: ctx.actor,
            }),
          )();
        }
      }
    }
    if (checked) {
      logger.info({ checked }, 'rolling verification pass done');
      db.transaction(() => appendAuditEntry(db, { type: 'verify.rolling', data: { checked, periodDays: config.audit.reverify_days }, actor: ctx.actor }))();
    }
    return checked;
  };
  const tick = () => {
    if (running) return;
    running = reverifyOnce()
      .catch((err) => {
        logger.error({ err }, 'rolling verification failed');
        return 0;
      })
      .finally(() => (running = undefined));
  };
  if (config.audit.reverify_days > 0) {
    const first = setTimeout(tick, 30_000);
    first.unref();
    timers.push(first);
    const t = setInterval(tick, 10 * 60_000);
    t.unref();
    timers.push(t);
  }

  // Sealing soon after holds: one checkpoint and seal pass at most every SEAL_SOON_MS; holds that
  // commit while one runs get the next.
  const SEAL_SOON_MS = 30_000;
  let lastSoon = 0;
  let soonTimer: NodeJS.Timeout | undefined;
  const sealSoon = () => {
    if (soonTimer || controller.signal.aborted || notarySocket(home.dir) === undefined || config.store.backend !== 'local') return;
    const delay = Math.max(1000, lastSoon + SEAL_SOON_MS - Date.now());
    soonTimer = setTimeout(() => {
      soonTimer = undefined;
      if (checkpointing) return void checkpointing.then(sealSoon);
      lastSoon = Date.now();
      checkpoint('sealing');
    }, delay);
    soonTimer.unref();
  };

  return {
    sealSoon,
    async stop() {
      controller.abort();
      if (soonTimer) clearTimeout(soonTimer);
      for (const t of timers) clearInterval(t);
      await running; // a witness upload in flight is not awaited: a hung bucket must not hold up a stop
      await checkpointing; // bounded by the notary's timeout; a seal pass stops between originals
    },
    reverifyOnce: () => {
      if (running) return running;
      running = reverifyOnce().finally(() => (running = undefined));
      return running;
    },
  };
}
