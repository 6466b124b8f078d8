// The types facts/ is called with: the context of a station (catalog, configuration, home, who
// acts, clock), the same with its working calendar resolved, and a held original with the typed
// provenance the ingest stage derived for it.
import type { Logger } from 'pino';
import type { Actor } from '../audit/log.js';
import type { Config } from '../config.js';
import type { Home } from '../home.js';
import type { WorkingCalendar } from '../rules/index.js';
import type { Db } from '../store/catalog.js';
import type { OriginalRow } from '../store/records.js';

/** What every entry point of facts/ gets (an ingest or station context fits it as it is). */
export interface FactsContext {
  db: Db;
  config: Config;
  home: Home;
  /** Where warnings and errors go (the one-shot CLI commands pass none). */
  logger?: Logger;
  actor: Actor;
  /** Injected so tests control evaluation times. */
  clock?: () => Date;
  /** A fixed calendar (tests); otherwise the station's calendar source is read. */
  calendar?: WorkingCalendar;
}

/** A context with its calendar resolved: what the evaluations themselves use. */
export interface FactsEnv {
  db: Db;
  config: Config;
  calendar: WorkingCalendar;
  actor: Actor;
  clock?: () => Date;
  logger?: Logger;
}

/**
 * The provenance the ingest stage derived for one file, as facts/ reads it (the ingest's
 * derived provenance fits this shape as it is; facts never derives it again).
 */
export interface RecordingProvenance {
  attribution: { recorder: { value: string | null }; officer: { value: string | null } };
  startMs: number | null;
  endMs: number | null;
  startSource: string | null;
  fileName: { seq: string | null } | null;
  metadata: { available: true } | { available: false; reason: string };
}

/** One held original for facts/: without `provenance`, it is read from the catalog's provenance row. */
export interface HeldOriginal {
  original: OriginalRow;
  /** When the recorder was docked (epoch ms), null when not known (recovery). */
  dockedAt: number | null;
  provenance?: RecordingProvenance;
}

export const nowOf = (env: { clock?: () => Date }): Date => (env.clock ?? (() => new Date()))();
