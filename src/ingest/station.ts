// Opening a station for ingest, the same for the daemon and `evidock ingest`: the store and the
// catalog with its audit journal, taken under the home's writer lock (one writer per home: recovery
// must never clear another live process's staging), recovery at start, the rules catch-up for originals held
// without their facts, and, on close, the end of the helper processes (exiftool, ffprobe).
import type { Logger } from 'pino';
import { attachAuditHome, detachAuditHome, type Actor } from '../audit/log.js';
import type { Config } from '../config.js';
import { prepareHome, type Home } from '../home.js';
import { lockHome, type HomeLock, type HomeRole, type LockHomeOptions } from '../home-lock.js';
import { catchUpFacts } from '../facts/index.js';
import { openCatalog, type Db } from '../store/catalog.js';
import { startFsSteps } from '../lib/fs-steps.js';
import { prepareOriginalsStore } from '../store/open-originals.js';
import { endIngestHelpers, startIngestHelpers } from './describe.js';
import { recoverAtStart, type RecoveryReport } from './recovery.js';
import type { DescribeFn, IngestContext } from './types.js';
import { writerGateFor } from './writer-gate.js';

export interface StationOptions {
  actor: Actor;
  /** Who opens the home (the daemon or `evidock ingest`), and whether to wait for an ingest holding it. */
  as: HomeRole;
  waitForIngest?: LockHomeOptions['waitForIngest'];
  /** Replaces the describe step of each session (tests). */
  describe?: DescribeFn;
  /** false: sessions hold without the facts stage (tests). */
  deriveFacts?: boolean;
  /** Run the rules catch-up after recovery (default true). */
  catchUp?: boolean;
}

export interface Station {
  readonly config: Config;
  readonly home: Home;
  readonly db: Db;
  readonly logger: Logger;
  /** What every session of this station runs with. */
  readonly ctx: IngestContext;
  readonly recovery: RecoveryReport;
  /** How many originals the rules catch-up gave their facts. */
  readonly caughtUp: number;
  /** The home's writer lock, held until close. */
  readonly lock: HomeLock;
  /** Ends the helper processes, closes the catalog, then drops the home's lock. */
  close(): Promise<void>;
}

export async function openStation(config: Config, home: Home, logger: Logger, opts: StationOptions): Promise<Station> {
  prepareHome(home);
  const lock = await lockHome(home, opts.as, { waitForIngest: opts.waitForIngest });
  let db: Db;
  try {
    prepareOriginalsStore(home.store);
    db = openCatalog(home.catalog);
  } catch (err) {
    lock.release();
    throw err;
  }
  // The hold's filesystem thread and its syncfs helper start before any card is read (see startFsSteps).
  if (config.store.backend !== 's3') startFsSteps();
  // Likewise the process that starts exiftool and ffprobe (see startIngestHelpers).
  startIngestHelpers(config);
  attachAuditHome(db, home.dir, { onError: (err) => logger.error({ err }, 'audit journal not written; retried after the next entry') });
  const ctx: IngestContext = { db, config, home, logger, actor: opts.actor, describe: opts.describe, deriveFacts: opts.deriveFacts, writers: writerGateFor(config) };
  const close = async () => {
    await endIngestHelpers().catch((err) => logger.error({ err }, 'ending exiftool/ffprobe failed'));
    try {
      detachAuditHome(db);
    } finally {
      try {
        db.close();
      } finally {
        lock.release();
      }
    }
  };
  try {
    const recovery = await recoverAtStart(ctx);
    // originals held by recovery (which runs no facts stage) get their deadline and gap facts
    const caughtUp = opts.catchUp === false ? 0 : catchUpFacts(ctx);
    return { config, home, db, logger, ctx, recovery, caughtUp, lock, close };
  } catch (err) {
    await close();
    throw err;
  }
}
