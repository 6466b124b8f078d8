// Clock flags (DESIGN.md §5 "Clocks"): the configured tolerances, and recording each new flag
// with its `clock.flagged` audit entry (run inside the caller's transaction).
import { appendAuditEntry } from '../audit/log.js';
import type { Config } from '../config.js';
import { CLOCK_RULE, type ClockFlag } from '../rules/index.js';
import { insertClockFlag } from '../store/rules-facts.js';
import type { FactsEnv } from './context.js';

export function clockOptions(config: Config) {
  return { maxAgeDays: config.rules.clock_max_age_days, futureToleranceMs: config.rules.clock_future_tolerance_seconds * 1000 };
}

/** Stores the flags not stored yet, each with its audit entry; returns the evidence numbers newly flagged. */
export function storeClockFlags(env: FactsEnv, flags: ClockFlag[], now: Date): string[] {
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
