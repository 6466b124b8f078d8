// What `show` adds for one recording: the case files it is in and the Art. 14 holds on it.
import type { Db } from '../store/catalog.js';
import { casesOfRecording } from '../store/cases.js';
import { holdsOfRecording } from '../store/holds.js';

export function casesAndHoldsOf(db: Db, evidenceNumber: string) {
  return {
    cases: casesOfRecording(db, evidenceNumber).map((c) => ({ ref: c.case_ref, proves: c.proves, addedAt: c.added_at, addedBy: c.added_by })),
    holds: holdsOfRecording(db, evidenceNumber).map((h) => ({ id: h.id, reason: h.reason, text: h.text, addedAt: h.added_at, addedBy: h.added_by, active: h.released_at === null, releasedAt: h.released_at, releasedBy: h.released_by_approver })),
  };
}
