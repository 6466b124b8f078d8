// The compliance report (Art. 10) per officer over current facts: SQLite aggregates all
// facts on the covering index, the few superseded ones are subtracted here (same result as
// rules/ compliance()).
import { median, type OfficerCompliance } from '../rules/index.js';
import type { Db } from '../store/catalog.js';
import { officerAggregatesAllFacts, supersededFacts, worstLatenessCurrent, type FactFilter, type SupersededFact } from '../store/rules-facts.js';
import { round2 } from './late-report.js';
import { sortedIntegers, withoutValues } from './multiset.js';

/**
 * Per-officer compliance over current facts (same semantics as rules/ compliance()): SQLite
 * aggregates all facts on the covering index, the few superseded ones are subtracted here.
 */
export function complianceReport(db: Db, f: FactFilter): OfficerCompliance[] {
  const superseded = new Map<string | null, SupersededFact[]>();
  for (const s of supersededFacts(db, f)) {
    const l = superseded.get(s.officer) ?? [];
    l.push(s);
    superseded.set(s.officer, l);
  }
  const out: OfficerCompliance[] = [];
  for (const a of officerAggregatesAllFacts(db, f)) {
    const gone = superseded.get(a.officer) ?? [];
    let { recordings, onTime, late, unknown, worstLateHours, worstLateWorkingDays } = a;
    for (const g of gone) {
      recordings--;
      if (g.status === 'on-time') onTime--;
      else if (g.status === 'late') late--;
      else unknown--;
    }
    if (recordings === 0) continue;
    if (gone.some((g) => g.status === 'late' && (g.late_hours === worstLateHours || g.late_working_days === worstLateWorkingDays))) {
      ({ worstLateHours, worstLateWorkingDays } = worstLatenessCurrent(db, a.officer, f));
    }
    const ms = withoutValues(sortedIntegers(a.heldAfterMs), gone.filter((g) => g.made_at !== null).map((g) => g.held_at - g.made_at!));
    const m = median(ms);
    out.push({
      officer: a.officer,
      recordings,
      onTime,
      late,
      unknown,
      medianHoursToHeld: round2(m === null ? null : m / 3_600_000),
      worstLateHours: round2(worstLateHours),
      worstLateWorkingDays,
    });
  }
  return out.sort((x, y) => (x.officer === y.officer ? 0 : x.officer === null ? 1 : y.officer === null ? -1 : x.officer < y.officer ? -1 : 1));
}
