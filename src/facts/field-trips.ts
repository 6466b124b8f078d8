// Registering a field trip (Art. 10 ¶2: due 24 h after the return) with its audit entry, and
// re-evaluating the officer's recordings already evaluated that were made during it.
import { appendAuditEntry } from '../audit/log.js';
import { evidenceEvaluatedForOfficerBetween, insertFieldTrip } from '../store/rules-facts.js';
import { loadStationCalendar } from './calendar-source.js';
import { nowOf, type FactsContext } from './context.js';
import { reevaluate } from './deadline.js';

export interface TripRegistered {
  trip: number;
  /** Recordings of the officer made during the trip that were already evaluated. */
  examined: number;
  /** Those whose deadline changed (a new fact each). */
  changed: string[];
}

export function registerFieldTrip(ctx: FactsContext, t: { officer: string; from: number; to: number; reason: string }): TripRegistered {
  const now = nowOf(ctx);
  const trip = ctx.db.transaction(() => {
    const id = insertFieldTrip(ctx.db, { officer_id: t.officer, from_at: t.from, to_at: t.to, reason: t.reason, registered_at: now.toISOString(), registered_by: ctx.actor.user });
    appendAuditEntry(ctx.db, {
      type: 'trip.registered',
      data: { trip: id, officer: t.officer, from: new Date(t.from).toISOString(), to: new Date(t.to).toISOString(), reason: t.reason },
      actor: ctx.actor,
      at: now,
    });
    return id;
  })();
  const affected = evidenceEvaluatedForOfficerBetween(ctx.db, t.officer, t.from, t.to);
  const calendar = ctx.calendar ?? loadStationCalendar(ctx.config, ctx.home).calendar;
  const re = reevaluate({ db: ctx.db, config: ctx.config, calendar, actor: ctx.actor, clock: ctx.clock, logger: ctx.logger }, affected, `trip-registered:${trip}`);
  return { trip, ...re };
}
