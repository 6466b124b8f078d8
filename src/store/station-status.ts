// What `evidock status` shows from the catalog: sessions running, the last sessions ended, and
// the last files that failed or were skipped.
import type { Db } from './catalog.js';

export interface RunningSession {
  id: string;
  recorderId: string;
  slot: string | null;
  startedAt: string;
}

export interface EndedSession extends RunningSession {
  endedAt: string | null;
  status: string;
  summary: unknown;
}

export interface RecentProblem {
  seenAt: string;
  recorderId: string;
  path: string;
  outcome: string;
  reason: string | null;
}

export function runningSessions(db: Db): RunningSession[] {
  return db.prepare(`SELECT id, recorder_id AS recorderId, slot, started_at AS startedAt FROM sessions WHERE status = 'running' ORDER BY started_at`).all() as RunningSession[];
}

/** The last `limit` sessions that ended, newest first, each with its summary parsed. */
export function recentEndedSessions(db: Db, limit: number): EndedSession[] {
  return (
    db
      .prepare(`SELECT id, recorder_id AS recorderId, slot, started_at AS startedAt, ended_at AS endedAt, status, summary FROM sessions WHERE status != 'running' ORDER BY started_at DESC LIMIT ?`)
      .all(limit) as (EndedSession & { summary: string | null })[]
  ).map((s) => ({ ...s, summary: s.summary ? JSON.parse(s.summary) : null }));
}

/** Sessions started at or after `sinceIso` (running ones too), newest first, summaries parsed. */
export function sessionsStartedSince(db: Db, sinceIso: string): EndedSession[] {
  return (
    db
      .prepare(`SELECT id, recorder_id AS recorderId, slot, started_at AS startedAt, ended_at AS endedAt, status, summary FROM sessions WHERE started_at >= ? ORDER BY started_at DESC`)
      .all(sinceIso) as (EndedSession & { summary: string | null })[]
  ).map((s) => ({ ...s, summary: s.summary ? JSON.parse(s.summary) : null }));
}

/** The last `limit` sightings that failed or were skipped, newest first. */
export function recentProblems(db: Db, limit: number): RecentProblem[] {
  return db
    .prepare(`SELECT seen_at AS seenAt, recorder_id AS recorderId, source_path AS path, outcome, reason FROM sightings WHERE outcome IN ('failed', 'skipped') ORDER BY id DESC LIMIT ?`)
    .all(limit) as RecentProblem[];
}
