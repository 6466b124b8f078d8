// The regulation's derived facts for held recordings (DESIGN.md §2 step 6): recording times,
// clock flags, deadline (Art. 10), interruptions (Art. 9). Runs after commit, as ingest hooks;
// annotates, never alters or blocks the original. Also the re-evaluation used when a field
// trip is registered or a calendar imported: a new fact and a new audit entry, never an edit.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { appendAuditEntry, type Actor, type Json } from '../audit/log.js';
import type { Config, Home } from '../config.js';
import { parseRecordingName } from '../meta/filename.js';
import {
  CLOCK_RULE,
  GAP_RULE,
  checkClocks,
  distrustsTime,
  evaluateDeadline,
  findInterruptions,
  loadCalendar,
  localDateOf,
  missingNextYearWarning,
  type CalendarLoadResult,
  type ClockFlag,
  type DeadlineResult,
  type FieldTrip,
  type TimeCandidate,
  type WorkingCalendar,
} from '../rules/index.js';
import type { Db } from '../store/catalog.js';
import { findOriginal, type OriginalRow } from '../store/records.js';
import {
  clockFlagsOf,
  currentDeadlineFact,
  insertClockFlag,
  insertDeadlineFact,
  insertInterruption,
  insertRecordingTime,
  notARecordingReason,
  recorderSegments,
  recordingTimes,
  tripsOfOfficer,
  type DeadlineFactRow,
  type RecordingTimeRow,
  type RecordingTimeWithKind,
  type StoredDeadlineFact,
} from '../store/rules-facts.js';
import type { IngestContext, IngestHooks } from './session.js';

export interface RulesEnv {
  db: Db;
  config: Config;
  calendar: WorkingCalendar;
  actor: Actor;
  /** Injected so tests control evaluation times. */
  clock?: () => Date;
  logger?: Logger;
}

export function calendarDirOf(config: Config, home: Home): string {
  return path.resolve(home.dir, config.rules.calendar_dir);
}

/** Reads the calendar directory (the only file I/O of the calendar) and builds the calendar. */
export function loadStationCalendar(config: Config, home: Home): CalendarLoadResult & { dir: string } {
  const dir = calendarDirOf(config, home);
  const r = loadCalendar({
    list: () => {
      try {
        return readdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
    read: (name) => readFileSync(path.join(dir, name), 'utf8'),
  });
  return { ...r, dir };
}

/** The December (or missing-current-year) warning for today in the station zone, or null. */
export function calendarWarning(calendar: WorkingCalendar, config: Config, now = new Date()): string | null {
  return missingNextYearWarning(calendar, localDateOf(now.getTime(), config.station.timezone));
}

// --- what a held recording says about its time -------------------------------------------------

interface TimeFacts {
  start: number | null;
  end: number | null;
  startSource: string | null;
  seq: number | null;
  unit: string | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Finds recording metadata in provenance "derived": at the top or one level down. */
function metadataIn(derived: unknown): Record<string, unknown> | null {
  if (!isObj(derived)) return null;
  if ('startUtc' in derived || 'durationSeconds' in derived) return derived;
  for (const v of Object.values(derived)) if (isObj(v) && ('startUtc' in v || 'durationSeconds' in v)) return v;
  return null;
}

function instant(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

const hasTableCache = new WeakMap<Db, Map<string, boolean>>();
function hasTable(db: Db, name: string): boolean {
  let m = hasTableCache.get(db);
  if (!m) hasTableCache.set(db, (m = new Map()));
  let v = m.get(name);
  if (v === undefined) {
    v = !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name);
    m.set(name, v);
  }
  return v;
}

interface Attribution {
  officer: string | null;
  recorder: string | null;
  unit: string | null;
}

/** Who made a recording: the provenance step's attribution when there is one, else the original's row. */
export function attributionOf(db: Db, o: OriginalRow): Attribution {
  let officer = o.officer_id;
  let recorder = o.recorder_id;
  if (hasTable(db, 'provenance')) {
    const p = db.prepare('SELECT officer_id, recorder_id FROM provenance WHERE evidence_number = ?').get(o.evidence_number) as
      | { officer_id: string | null; recorder_id: string | null }
      | undefined;
    if (p) {
      officer = p.officer_id ?? officer;
      recorder = p.recorder_id ?? recorder;
    }
  }
  let unit: string | null = null;
  if (officer && hasTable(db, 'officers')) unit = (db.prepare('SELECT unit FROM officers WHERE number = ?').get(officer) as { unit: string | null } | undefined)?.unit ?? null;
  if (!unit && recorder && hasTable(db, 'recorders')) unit = (db.prepare('SELECT unit FROM recorders WHERE serial = ?').get(recorder) as { unit: string | null } | undefined)?.unit ?? null;
  return { officer, recorder, unit };
}

/** When the recorder was registered (registry of the provenance room), if it is. */
export function recorderRegisteredAt(db: Db, recorder: string | null): number | null {
  if (!recorder || !hasTable(db, 'recorders')) return null;
  const r = db.prepare('SELECT registered_at FROM recorders WHERE serial = ?').get(recorder) as { registered_at: string } | undefined;
  return r ? instant(r.registered_at) : null;
}

/**
 * Start, end, sequence number of a held recording: from the provenance step's catalog row when
 * there is one, else from provenance.json "derived" and the file name.
 */
export function timeFactsOf(db: Db, held: { objectRoot: string; original: OriginalRow }, config: Config): TimeFacts {
  const o = held.original;
  const seqOf = (s: string | null | undefined): number | null => {
    const d = s?.replace(/\D/g, '') ?? '';
    return d ? Number(d) : null;
  };
  if (hasTable(db, 'provenance')) {
    const p = db.prepare('SELECT start_ms, end_ms, start_source, duration_seconds, name_seq FROM provenance WHERE evidence_number = ?').get(o.evidence_number) as
      | { start_ms: number | null; end_ms: number | null; start_source: string | null; duration_seconds: number | null; name_seq: string | null }
      | undefined;
    if (p) {
      let end = p.end_ms;
      if (end === null && p.start_ms !== null && p.duration_seconds !== null) end = p.start_ms + Math.round(p.duration_seconds * 1000);
      return { start: p.start_ms, end, startSource: p.start_source, seq: seqOf(p.name_seq), unit: null };
    }
  }
  let meta: Record<string, unknown> | null = null;
  try {
    const prov = JSON.parse(readFileSync(path.join(held.objectRoot, 'v1', 'content', 'provenance.json'), 'utf8')) as { derived?: unknown };
    meta = metadataIn(prov.derived);
  } catch {
    meta = null;
  }
  const name = parseRecordingName(o.source_path_raw, { timezone: config.station.timezone });
  let start = instant(meta?.startUtc) ?? instant(meta?.start);
  let startSource: string | null = start !== null ? `metadata:${String(meta?.startSource ?? 'start')}` : null;
  if (start === null && name?.start) {
    start = instant(name.start);
    if (start !== null) startSource = `file-name:${name.family}`;
  }
  let end = instant(meta?.end);
  const dur = typeof meta?.durationSeconds === 'number' ? meta.durationSeconds : null;
  if (end === null && start !== null && dur !== null) end = start + Math.round(dur * 1000);
  const mtime = o.source_mtime_ms;
  if (end === null && start !== null && mtime !== null && mtime >= start && mtime - start <= 86_400_000) end = mtime;
  return { start, end, startSource, seq: seqOf(name?.seq), unit: name?.unit ?? null };
}

// --- deadline evaluation ------------------------------------------------------------------------

function toTrip(r: { id: number; officer_id: string; from_at: number; to_at: number; reason: string }): FieldTrip {
  return { id: r.id, officer: r.officer_id, from: r.from_at, to: r.to_at, reason: r.reason };
}

function factRow(o: OriginalRow, who: Attribution, r: DeadlineResult, cause: string, at: Date, supersedes: number | null): DeadlineFactRow {
  return {
    evidence_number: o.evidence_number,
    officer_id: who.officer,
    recorder_id: who.recorder,
    unit: who.unit,
    made_at: r.madeAt,
    made_at_source: r.madeAtSource,
    time_flagged: r.timeFlagged ? 1 : 0,
    made_on: r.madeOn,
    due_at: r.dueAt,
    working_day_due_at: r.workingDayDueAt,
    trip_due_at: r.tripDueAt,
    trip_id: typeof r.tripId === 'number' ? r.tripId : null,
    held_at: r.heldAt,
    status: r.status,
    unknown_reason: r.unknownReason ?? null,
    detail: r.detail ?? null,
    late_hours: r.lateHours ?? null,
    late_working_days: r.lateWorkingDays ?? null,
    rule: r.rule,
    calendar_version: r.calendarVersion,
    time_zone: r.timeZone,
    cause,
    evaluated_at: at.toISOString(),
    supersedes,
  };
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function auditData(row: DeadlineFactRow, previous?: StoredDeadlineFact): Record<string, Json> {
  const d: Record<string, Json> = {
    evidenceNumber: row.evidence_number,
    officer: row.officer_id,
    status: row.status,
    madeAt: iso(row.made_at),
    madeAtSource: row.made_at_source,
    timeFlagged: row.time_flagged === 1,
    dueAt: iso(row.due_at),
    heldAt: iso(row.held_at),
    tripId: row.trip_id,
    unknownReason: row.unknown_reason,
    lateHours: row.late_hours,
    lateWorkingDays: row.late_working_days,
    rule: row.rule,
    calendarVersion: row.calendar_version,
    timeZone: row.time_zone,
    cause: row.cause,
  };
  if (previous) d.previous = { status: previous.status, dueAt: iso(previous.due_at), calendarVersion: previous.calendar_version };
  return d;
}

/** Evaluates an original's deadline from what the catalog holds now (pure rules, catalog input). */
export function evaluateOriginal(env: RulesEnv, o: OriginalRow, times: RecordingTimeRow | undefined): DeadlineResult {
  const flags = clockFlagsOf(env.db, o.evidence_number).filter(distrustsTime);
  const start: TimeCandidate | null = times?.start_at != null ? { at: times.start_at, source: times.start_source ?? 'recording-start' } : null;
  const fallbacks: TimeCandidate[] = [];
  // The file's mtime comes from the same recorder clock: usable only if that clock passed the checks.
  if (o.source_mtime_ms !== null && flags.length === 0 && times?.docked_at != null) {
    const mtimeFlags = checkClocks([{ id: 'mtime', start: o.source_mtime_ms }], { dockedAt: times.docked_at }, clockOptions(env.config));
    if (mtimeFlags.length === 0) fallbacks.push({ at: o.source_mtime_ms, source: 'file-mtime' });
  }
  if (times?.docked_at != null) fallbacks.push({ at: times.docked_at, source: 'docked-at' });
  const officer = attributionOf(env.db, o).officer;
  const trips = officer ? tripsOfOfficer(env.db, officer).map(toTrip) : [];
  return evaluateDeadline(
    { start, startTrusted: flags.length === 0, fallbacks, heldAt: Date.parse(o.held_at), trips },
    { calendar: env.calendar, timeZone: env.config.station.timezone },
  );
}

function clockOptions(config: Config) {
  return { maxAgeDays: config.rules.clock_max_age_days, futureToleranceMs: config.rules.clock_future_tolerance_seconds * 1000 };
}

/** Evaluates and records one deadline fact with its audit entry (one transaction). */
export function recordDeadline(env: RulesEnv, evidenceNumber: string, cause: string): StoredDeadlineFact | null {
  const o = findOriginal(env.db, evidenceNumber);
  if (!o) return null;
  const now = (env.clock ?? (() => new Date()))();
  const [times] = recordingTimes(env.db, [evidenceNumber]);
  const previous = currentDeadlineFact(env.db, evidenceNumber);
  const result = evaluateOriginal(env, o, times);
  const row = factRow(o, attributionOf(env.db, o), result, cause, now, previous?.id ?? null);
  return env.db.transaction(() => {
    const id = insertDeadlineFact(env.db, row);
    appendAuditEntry(env.db, {
      type: previous ? 'deadline.reevaluated' : result.status === 'late' ? 'deadline.late' : 'deadline.evaluated',
      data: auditData(row, previous),
      actor: env.actor,
      at: now,
    });
    return { ...row, id };
  })();
}

/**
 * Re-evaluates originals after a trip registration or calendar import: a new fact (and audit
 * entry) only where the result differs from the current one. Returns how many changed.
 */
export function reevaluate(env: RulesEnv, evidenceNumbers: Iterable<string>, cause: string): { examined: number; changed: string[] } {
  let examined = 0;
  const changed: string[] = [];
  for (const e of evidenceNumbers) {
    examined++;
    const o = findOriginal(env.db, e);
    const prev = currentDeadlineFact(env.db, e);
    if (!o) continue;
    const [times] = recordingTimes(env.db, [e]);
    const r = evaluateOriginal(env, o, times);
    if (prev && prev.status === r.status && prev.due_at === r.dueAt && prev.calendar_version === r.calendarVersion && prev.made_at === r.madeAt) continue;
    recordDeadline(env, e, cause);
    changed.push(e);
  }
  return { examined, changed };
}

/** The stream of a file whose media could not be read (damaged), by its extension. */
function streamByName(name: string): string {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  if (['jpg', 'jpeg', 'png', 'heic'].includes(ext)) return 'photo';
  if (['wav', 'mp3', 'amr', 'aac', 'm4a', 'ogg', 'opus'].includes(ext)) return 'audio';
  return 'video';
}

// --- the ingest hooks -----------------------------------------------------------------------

function recordTimesAndClockFlags(env: RulesEnv, held: { original: OriginalRow; objectRoot: string; dockedAt: number | null }): void {
  const { original: o } = held;
  const now = (env.clock ?? (() => new Date()))();
  const facts = timeFactsOf(env.db, held, env.config);
  const who = attributionOf(env.db, o);
  const dockedAt = held.dockedAt ?? Date.parse(o.held_at);
  const flags = checkClocks(
    [{ id: o.evidence_number, start: facts.start, seq: facts.seq }],
    { dockedAt, registeredAt: recorderRegisteredAt(env.db, who.recorder) },
    clockOptions(env.config),
  );
  env.db.transaction(() => {
    insertRecordingTime(env.db, {
      evidence_number: o.evidence_number,
      recorder_id: who.recorder,
      officer_id: who.officer,
      start_at: facts.start,
      end_at: facts.end,
      start_source: facts.startSource,
      seq: facts.seq,
      docked_at: dockedAt,
      recorded_at: now.toISOString(),
    });
    storeClockFlags(env, flags, now);
  })();
}

function storeClockFlags(env: RulesEnv, flags: ClockFlag[], now: Date): string[] {
  const newly: string[] = [];
  for (const f of flags) {
    const e = String(f.id);
    if (insertClockFlag(env.db, { evidence_number: e, kind: f.kind, reason: f.reason, flagged_at: now.toISOString() })) {
      appendAuditEntry(env.db, { type: 'clock.flagged', data: { evidenceNumber: e, kind: f.kind, reason: f.reason, rule: CLOCK_RULE }, actor: env.actor, at: now });
      newly.push(e);
    }
  }
  return newly;
}

/** Sequence-order flags and interruptions over the session's recordings (and their neighbours). */
export function afterSessionFacts(env: RulesEnv, evidenceNumbers: string[], dockedAt: number | null): { interruptions: number; sequenceFlags: number } {
  if (evidenceNumbers.length === 0) return { interruptions: 0, sequenceFlags: 0 };
  const now = (env.clock ?? (() => new Date()))();
  const rows = recordingTimes(env.db, evidenceNumbers);
  // Clock: sequence order across the session, per recorder and stream (recorders may number
  // videos, photos and audio notes apart, in separate folders).
  const streams = new Map<string, RecordingTimeWithKind[]>();
  for (const r of rows) {
    const key = `${r.recorder_id ?? ''}\u0000${r.media_kind ?? streamByName(r.file_name)}`;
    const l = streams.get(key) ?? [];
    l.push(r);
    streams.set(key, l);
  }
  const seqFlags = [...streams.values()].flatMap((list) =>
    checkClocks(
      list.map((r) => ({ id: r.evidence_number, start: r.start_at, seq: r.seq })),
      { dockedAt: dockedAt ?? now.getTime() },
      clockOptions(env.config),
    ).filter((f) => f.kind === 'sequence-order'),
  );
  const newlyFlagged = env.db.transaction(() => storeClockFlags(env, seqFlags, now))();
  if (newlyFlagged.length) reevaluate(env, newlyFlagged, 'clock-flagged');
  // Gaps: per recorder, over the session's span widened by one activity gap, trusted times only.
  const maxGap = env.config.rules.activity_max_gap_seconds * 1000;
  const byRecorder = new Map<string, RecordingTimeRow[]>();
  for (const r of rows) {
    if (!r.recorder_id || r.start_at === null) continue;
    const l = byRecorder.get(r.recorder_id) ?? [];
    l.push(r);
    byRecorder.set(r.recorder_id, l);
  }
  let found = 0;
  for (const [rec, list] of byRecorder) {
    // Widened by a day before, so a long segment that started earlier is still a neighbour.
    const from = Math.min(...list.map((r) => r.start_at!)) - maxGap - 86_400_000;
    const to = Math.max(...list.map((r) => r.end_at ?? r.start_at!)) + maxGap;
    const segments = recorderSegments(env.db, rec, from, to)
      .filter((s) => s.start_at !== null && (s.media_kind ?? streamByName(s.file_name)) !== 'photo' && clockFlagsOf(env.db, s.evidence_number).filter(distrustsTime).length === 0 && !notARecordingReason(env.db, s.evidence_number))
      .map((s) => ({ id: s.evidence_number, recorder: rec, officer: s.officer_id, start: s.start_at!, end: s.end_at, seq: s.seq, stream: s.media_kind ?? streamByName(s.file_name) }));
    const gaps = findInterruptions(segments, { thresholdMs: env.config.rules.gap_threshold_seconds * 1000, activityMaxGapMs: maxGap });
    env.db.transaction(() => {
      for (const g of gaps) {
        const id = insertInterruption(env.db, {
          recorder_id: rec,
          officer_id: g.officer,
          before_evidence: String(g.before),
          after_evidence: String(g.after),
          from_at: g.from,
          to_at: g.to,
          gap_ms: g.gapMs,
          rule: GAP_RULE,
          found_at: now.toISOString(),
        });
        if (id !== null) {
          found++;
          appendAuditEntry(env.db, {
            type: 'gap.found',
            data: { interruption: id, recorder: rec, officer: g.officer, before: String(g.before), after: String(g.after), from: iso(g.from), to: iso(g.to), gapSeconds: g.gapMs / 1000, rule: GAP_RULE },
            actor: env.actor,
            at: now,
          });
        }
      }
    })();
  }
  if (found) env.logger?.warn({ interruptions: found }, 'recording interruptions found (Art. 9): explain them with `evidock gaps explain`');
  return { interruptions: found, sequenceFlags: newlyFlagged.length };
}

// The calendar of a home, re-read at most once a minute so an import reaches a running daemon.
const calendars = new Map<string, { at: number; result: ReturnType<typeof loadStationCalendar> }>();

export function calendarFor(ctx: Pick<IngestContext, 'config' | 'home' | 'logger'>, now = Date.now()): WorkingCalendar {
  const dir = calendarDirOf(ctx.config, ctx.home);
  const c = calendars.get(dir);
  if (c && now - c.at < 60_000) return c.result.calendar;
  const result = loadStationCalendar(ctx.config, ctx.home);
  for (const e of result.errors) ctx.logger.error(`calendar file ignored: ${e}`);
  calendars.set(dir, { at: now, result });
  return result.calendar;
}

export function rulesEnvOf(ctx: IngestContext, calendar?: WorkingCalendar): RulesEnv {
  return { db: ctx.db, config: ctx.config, calendar: calendar ?? calendarFor(ctx), actor: ctx.actor, clock: ctx.clock, logger: ctx.logger };
}

/** Recording times, clock flags and (for recordings) the deadline of one held original. */
function deriveForHeld(env: RulesEnv, held: { original: OriginalRow; objectRoot: string; dockedAt: number | null }, cause: string): void {
  recordTimesAndClockFlags(env, held);
  // Art. 10 is about recordings (音像记录): a card's text files get no deadline.
  const notRecording = notARecordingReason(env.db, held.original.evidence_number);
  if (notRecording) return void env.logger?.debug({ evidence: held.original.evidence_number, reason: notRecording }, 'no deadline: not a recording');
  if (currentDeadlineFact(env.db, held.original.evidence_number)) return;
  const fact = recordDeadline(env, held.original.evidence_number, cause);
  if (fact?.status === 'late') {
    env.logger?.warn({ evidence: fact.evidence_number, officer: fact.officer_id, dueAt: iso(fact.due_at), lateHours: fact.late_hours }, 'held after the Art. 10 deadline');
  }
}

/**
 * Derived facts for originals that have none: held by crash recovery (which runs no hooks) or
 * when a rules step failed. Run at daemon start; returns how many originals it caught up.
 */
export function catchUpRules(ctx: IngestContext): number {
  const env = rulesEnvOf(ctx);
  const missing = ctx.db
    .prepare('SELECT o.* FROM originals o WHERE NOT EXISTS (SELECT 1 FROM recording_times r WHERE r.evidence_number = o.evidence_number) ORDER BY o.evidence_number')
    .all() as OriginalRow[];
  for (const o of missing) {
    try {
      deriveForHeld(env, { original: o, objectRoot: path.join(ctx.home.store, o.object_path), dockedAt: null }, 'caught-up');
    } catch (err) {
      ctx.logger.error({ err, evidence: o.evidence_number }, 'rules: derived facts failed; the original stays held');
    }
  }
  if (missing.length) {
    afterSessionFacts(env, missing.map((o) => o.evidence_number), null);
    ctx.logger.info({ originals: missing.length }, 'rules: derived facts caught up for originals held without them');
  }
  return missing.length;
}

/**
 * The rules' ingest hooks: after each hold, recording times, clock flags and the deadline; after
 * the session, sequence order and gaps. Add after the provenance hooks (they read its rows).
 */
export function rulesHooks(opts: { calendar?: WorkingCalendar } = {}): IngestHooks {
  return {
    afterHeld(held, ctx) {
      const env = rulesEnvOf(ctx, opts.calendar);
      deriveForHeld(env, { original: held.original, objectRoot: held.objectRoot, dockedAt: held.recorder.dockedAt?.getTime() ?? null }, 'held');
    },
    afterSession(summary, recorder, ctx) {
      afterSessionFacts(rulesEnvOf(ctx, opts.calendar), summary.evidenceNumbers, recorder.dockedAt?.getTime() ?? null);
    },
  };
}
