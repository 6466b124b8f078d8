// Catalog tables of the cases room (migrations 50-59): case files, copy requests and the copies
// made, approvers, Art. 14 holds. Every table is a table of facts: a change is a new row.
import { appendOnly, type Migration } from './migrations.js';

export const caseMigrations: Migration[] = [
  {
    version: 50,
    name: 'cases: case files, approvers, copy requests and copies, Art. 14 holds',
    sql: `
-- An Art. 11 case file (案卷): opened with the day its enforcement action ended; due 20 calendar days later.
CREATE TABLE cases (
  ref TEXT PRIMARY KEY,
  title TEXT,
  action_ended TEXT NOT NULL,               -- YYYY-MM-DD, station time
  due TEXT NOT NULL,                        -- YYYY-MM-DD: action_ended + 20 calendar days
  officers TEXT NOT NULL,                   -- JSON array of registered officer numbers
  opened_at TEXT NOT NULL,
  opened_by TEXT NOT NULL
);
-- A recording put into a case file, with what it proves (Art. 8 证明对象).
CREATE TABLE case_recordings (
  id INTEGER PRIMARY KEY,
  case_ref TEXT NOT NULL REFERENCES cases(ref),
  evidence_number TEXT NOT NULL REFERENCES originals(evidence_number),
  proves TEXT,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  UNIQUE (case_ref, evidence_number)
);
CREATE INDEX case_recordings_evidence ON case_recordings(evidence_number);
-- A case file filed (closed). At most one per case.
CREATE TABLE case_closures (
  case_ref TEXT PRIMARY KEY REFERENCES cases(ref),
  closed_at TEXT NOT NULL,
  closed_by TEXT NOT NULL,
  note TEXT
);
-- Who may approve copies and release holds (Art. 13: the agency's head or a deputy): registered officers.
CREATE TABLE approvers (
  officer_number TEXT PRIMARY KEY REFERENCES officers(number),
  title TEXT,
  registered_at TEXT NOT NULL,
  registered_by TEXT NOT NULL
);
-- An Art. 13 request to copy recordings (named directly or through case files).
CREATE TABLE copy_requests (
  id INTEGER PRIMARY KEY,
  requester TEXT NOT NULL,
  reason TEXT NOT NULL,
  asked_for TEXT NOT NULL,                  -- JSON array of the evidence numbers, hashes and case refs as asked
  requested_at TEXT NOT NULL,
  requested_by TEXT NOT NULL
);
CREATE TABLE copy_request_items (
  request_id INTEGER NOT NULL REFERENCES copy_requests(id),
  evidence_number TEXT NOT NULL REFERENCES originals(evidence_number),
  PRIMARY KEY (request_id, evidence_number)
);
-- The approver's decision on a request: one per request.
CREATE TABLE copy_decisions (
  request_id INTEGER PRIMARY KEY REFERENCES copy_requests(id),
  decision TEXT NOT NULL CHECK (decision IN ('approved', 'refused')),
  approver TEXT NOT NULL REFERENCES approvers(officer_number),
  reason TEXT,
  decided_at TEXT NOT NULL,
  decided_by TEXT NOT NULL
);
-- Each copy made of an approved request (a BagIt bag, possibly later burned to disc).
CREATE TABLE copies_made (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES copy_requests(id),
  out TEXT NOT NULL,
  tagmanifest_sha256 TEXT NOT NULL,
  files INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  made_at TEXT NOT NULL,
  made_by TEXT NOT NULL
);
-- An Art. 14 long-term hold on recordings.
CREATE TABLE holds (
  id INTEGER PRIMARY KEY,
  reason TEXT NOT NULL CHECK (reason IN ('dispute', 'obstruction', 'assault', 'mass-incident', 'other')),
  text TEXT NOT NULL,
  asked_for TEXT NOT NULL,                  -- JSON array as asked (evidence numbers, hashes, case refs)
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL
);
CREATE TABLE hold_items (
  hold_id INTEGER NOT NULL REFERENCES holds(id),
  evidence_number TEXT NOT NULL REFERENCES originals(evidence_number),
  backend_hold TEXT NOT NULL,               -- what the store did: catalog-only | object-lock
  PRIMARY KEY (hold_id, evidence_number)
);
CREATE INDEX hold_items_evidence ON hold_items(evidence_number);
-- A hold released by an approver. At most one per hold.
CREATE TABLE hold_releases (
  hold_id INTEGER PRIMARY KEY REFERENCES holds(id),
  approver TEXT NOT NULL REFERENCES approvers(officer_number),
  text TEXT NOT NULL,
  released_at TEXT NOT NULL,
  released_by TEXT NOT NULL
);
${appendOnly('cases')}
${appendOnly('case_recordings')}
${appendOnly('case_closures')}
${appendOnly('approvers')}
${appendOnly('copy_requests')}
${appendOnly('copy_request_items')}
${appendOnly('copy_decisions')}
${appendOnly('copies_made')}
${appendOnly('holds')}
${appendOnly('hold_items')}
${appendOnly('hold_releases')}
`,
  },
];
