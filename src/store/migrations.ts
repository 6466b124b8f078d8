// Catalog schema, as ordered migrations. Version ranges by room, so engineers never collide:
//   1-9 core (store/ingest), 10-19 provenance & registry (meta), 20-29 rules,
//   30-39 audit, 40-49 docks.
// A migration is never edited once released: add a new one.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** SQL that makes a table of facts append-only: UPDATE and DELETE abort. */
export function appendOnly(table: string): string {
  return `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only: facts are never edited (evidock Art. 15)'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only: facts are never deleted (evidock Art. 15)'); END;
`;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'core: originals, sightings, sessions, audit entries',
    sql: `
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  recorder_id TEXT,
  source TEXT NOT NULL,
  slot TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL DEFAULT 'running',   -- running | done | interrupted | failed
  summary TEXT                              -- JSON counts when ended
);

-- One row per original recording held in the store. A fact: never updated or deleted.
CREATE TABLE originals (
  evidence_number TEXT PRIMARY KEY,
  object_id TEXT NOT NULL UNIQUE,
  object_path TEXT NOT NULL UNIQUE,         -- relative to the OCFL storage root
  content_path TEXT NOT NULL,               -- relative to the object root (v1/content/...)
  file_name TEXT NOT NULL,                  -- display form of the name on the card
  sha256 TEXT NOT NULL UNIQUE,
  sm3 TEXT,
  size INTEGER NOT NULL,
  recorder_id TEXT,
  officer_id TEXT,
  source_path TEXT NOT NULL,                -- display form (invalid UTF-8 escaped)
  source_path_raw BLOB NOT NULL,            -- the exact bytes of the path on the card
  source_mtime_ms INTEGER,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  held_at TEXT NOT NULL
);
CREATE INDEX originals_recorder ON originals(recorder_id);
CREATE INDEX originals_held_at ON originals(held_at);

-- Every file seen on a recorder, with what became of it. A fact.
CREATE TABLE sightings (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  recorder_id TEXT,
  source_path TEXT NOT NULL,
  source_path_raw BLOB NOT NULL,
  kind TEXT NOT NULL,                       -- file | symlink | fifo | socket | device | directory | other
  size INTEGER,
  mtime_ms INTEGER,
  sha256 TEXT,
  evidence_number TEXT REFERENCES originals(evidence_number),
  outcome TEXT NOT NULL,                    -- held | already-held | skipped | failed
  reason TEXT,
  seen_at TEXT NOT NULL
);
CREATE INDEX sightings_known ON sightings(recorder_id, source_path_raw, size, mtime_ms);
CREATE INDEX sightings_session ON sightings(session_id);

-- The audit log's entries, in order (RFC 6962 leaves). A fact.
CREATE TABLE audit_entries (
  seq INTEGER PRIMARY KEY,                  -- 0-based leaf index
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  entry TEXT NOT NULL,                      -- canonical JSON, exactly the leaf's bytes
  leaf_hash BLOB NOT NULL
);
CREATE INDEX audit_entries_at ON audit_entries(at);

-- Evidence numbers are <station>-<yyyymmdd>-<seq>; one counter per station day.
CREATE TABLE evidence_counters (
  day TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);

-- A commit in flight: written before the staged object is renamed into the store, so that a
-- crash between the rename and the catalog transaction is finished at the next start.
CREATE TABLE commit_intents (
  evidence_number TEXT PRIMARY KEY,
  staging_dir TEXT NOT NULL,
  object_path TEXT NOT NULL,
  created_at TEXT NOT NULL
);
${appendOnly('originals')}
${appendOnly('sightings')}
${appendOnly('audit_entries')}
`,
  },
  {
    version: 10,
    name: 'provenance: recorder and officer registry, assignments as history, provenance of each original',
    sql: `
-- The registry. Rows are facts: a recorder or officer is registered once; assignments are
-- history, and a correction is a new row that supersedes an older one (never an edit).
CREATE TABLE recorders (
  serial TEXT PRIMARY KEY COLLATE NOCASE,   -- product serial (GA/T 947: 7 characters)
  make TEXT,
  model TEXT,
  unit TEXT,                                -- unit code (GA/T 947: 12 characters)
  usb_serial TEXT UNIQUE COLLATE NOCASE,    -- the USB iSerial, when it differs from the product serial
  registered_at TEXT NOT NULL,
  registered_by TEXT NOT NULL
);
CREATE TABLE officers (
  number TEXT PRIMARY KEY COLLATE NOCASE,   -- 警号 (GA/T 947: 6 characters)
  name TEXT NOT NULL,
  unit TEXT,
  registered_at TEXT NOT NULL,
  registered_by TEXT NOT NULL
);
CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  recorder_serial TEXT NOT NULL REFERENCES recorders(serial),
  officer_number TEXT NOT NULL REFERENCES officers(number),
  from_ms INTEGER NOT NULL,                 -- inclusive
  to_ms INTEGER,                            -- exclusive; NULL = open
  supersedes INTEGER REFERENCES assignments(id),
  reason TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  CHECK (to_ms IS NULL OR to_ms > from_ms)
);
CREATE INDEX assignments_recorder ON assignments(recorder_serial, from_ms);

-- Who, when, on which recorder, for each held original (Art. 8, 11), with the source of each
-- attribution, every disagreeing claim and flag, and the media facts. A fact.
CREATE TABLE provenance (
  evidence_number TEXT PRIMARY KEY REFERENCES originals(evidence_number),
  recorder_id TEXT,
  recorder_source TEXT,
  officer_id TEXT,
  officer_source TEXT,
  claims TEXT NOT NULL,                     -- JSON {recorder: [...], officer: [...]}
  flags TEXT NOT NULL,                      -- JSON [{code, message}]
  method TEXT NOT NULL,                     -- "body-worn recorder Jingwei DSJ-JW1"
  make TEXT,
  model TEXT,
  serial TEXT,
  recorded_start TEXT,                      -- ISO with the station offset
  recorded_end TEXT,
  start_ms INTEGER,
  end_ms INTEGER,
  start_source TEXT,                        -- quicktime-create-date | exif-with-offset | file-name | ...
  duration_seconds REAL,
  media_kind TEXT,                          -- video | audio | photo
  video_codec TEXT,
  audio_codec TEXT,
  width INTEGER,
  height INTEGER,
  frame_rate REAL,
  has_audio INTEGER,
  gps_latitude REAL,
  gps_longitude REAL,
  metadata_available INTEGER NOT NULL,
  metadata_reason TEXT,
  name_family TEXT,
  name_seq TEXT,
  derived_at TEXT NOT NULL
);
CREATE INDEX provenance_officer ON provenance(officer_id, start_ms);
CREATE INDEX provenance_recorder ON provenance(recorder_id, start_ms);
${appendOnly('recorders')}
${appendOnly('officers')}
${appendOnly('assignments')}
${appendOnly('provenance')}
`,
  },
  {
    version: 20,
    name: 'rules: deadline facts, field trips, recording times, clock flags, interruptions',
    sql: `
-- Art. 10: each evaluation of a held recording's deadline. A fact: a re-evaluation (a trip
-- registered later, a calendar imported, a clock flag) appends a new row; the newest row of an
-- original is its current status. Times are epoch ms.
CREATE TABLE deadline_facts (
  id INTEGER PRIMARY KEY,
  evidence_number TEXT NOT NULL REFERENCES originals(evidence_number),
  officer_id TEXT,
  recorder_id TEXT,
  unit TEXT,
  made_at INTEGER,                          -- the time counted from (null: none trustworthy)
  made_at_source TEXT,                      -- recording-start | file-mtime | docked-at | ...
  time_flagged INTEGER NOT NULL,            -- 1: the recorder's own start time was not used
  made_on TEXT,                             -- civil date D in the station zone
  due_at INTEGER,
  working_day_due_at INTEGER,
  trip_due_at INTEGER,
  trip_id INTEGER,
  held_at INTEGER NOT NULL,
  status TEXT NOT NULL,                     -- on-time | late | unknown
  unknown_reason TEXT,                      -- calendar-unknown | time-untrusted
  detail TEXT,
  late_hours REAL,
  late_working_days INTEGER,
  rule TEXT NOT NULL,
  calendar_version TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  cause TEXT NOT NULL,                      -- held | trip-registered | calendar-imported | clock-flagged | reevaluated
  evaluated_at TEXT NOT NULL
);
CREATE INDEX deadline_facts_original ON deadline_facts(evidence_number, id);
CREATE INDEX deadline_facts_officer ON deadline_facts(officer_id, made_at);

-- Art. 10 para 2: registered field trips (continuous work, work away, remote areas).
CREATE TABLE field_trips (
  id INTEGER PRIMARY KEY,
  officer_id TEXT NOT NULL,
  from_at INTEGER NOT NULL,
  to_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  registered_at TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  CHECK (to_at > from_at)
);
CREATE INDEX field_trips_officer ON field_trips(officer_id, from_at);

-- The time span of each held recording as the rules saw it (for gaps and clock checks).
CREATE TABLE recording_times (
  evidence_number TEXT PRIMARY KEY REFERENCES originals(evidence_number),
  recorder_id TEXT,
  officer_id TEXT,
  start_at INTEGER,
  end_at INTEGER,
  start_source TEXT,
  seq INTEGER,
  docked_at INTEGER,
  recorded_at TEXT NOT NULL
);
CREATE INDEX recording_times_recorder ON recording_times(recorder_id, start_at);

-- Clock sanity flags (future, before-registration, too-old, sequence-order).
CREATE TABLE clock_flags (
  id INTEGER PRIMARY KEY,
  evidence_number TEXT NOT NULL REFERENCES originals(evidence_number),
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  flagged_at TEXT NOT NULL,
  UNIQUE (evidence_number, kind)
);

-- Art. 9: interruptions between consecutive segments of one recorder, and their explanations.
CREATE TABLE interruptions (
  id INTEGER PRIMARY KEY,
  recorder_id TEXT NOT NULL,
  officer_id TEXT,
  before_evidence TEXT NOT NULL REFERENCES originals(evidence_number),
  after_evidence TEXT NOT NULL REFERENCES originals(evidence_number),
  from_at INTEGER NOT NULL,
  to_at INTEGER NOT NULL,
  gap_ms INTEGER NOT NULL,
  rule TEXT NOT NULL,
  found_at TEXT NOT NULL,
  UNIQUE (before_evidence, after_evidence)
);
CREATE INDEX interruptions_officer ON interruptions(officer_id, from_at);
CREATE TABLE interruption_explanations (
  id INTEGER PRIMARY KEY,
  interruption_id INTEGER NOT NULL REFERENCES interruptions(id),
  text TEXT NOT NULL,
  explained_by TEXT NOT NULL,
  explained_at TEXT NOT NULL
);
${appendOnly('deadline_facts')}
${appendOnly('field_trips')}
${appendOnly('recording_times')}
${appendOnly('clock_flags')}
${appendOnly('interruptions')}
${appendOnly('interruption_explanations')}
`,
  },
  {
    version: 21,
    name: 'rules: deadline facts name the fact they supersede; covering index for reports',
    sql: `
-- A re-evaluation names the fact it replaces, so "current" is every fact not superseded (a
-- small set), and reports scan one covering index instead of the wide table.
ALTER TABLE deadline_facts ADD COLUMN supersedes INTEGER REFERENCES deadline_facts(id);
CREATE INDEX deadline_facts_superseded ON deadline_facts(supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX deadline_facts_report ON deadline_facts(officer_id, status, made_at, held_at, late_hours, late_working_days, unit);
`,
  },
  {
    version: 30,
    name: 'audit: Merkle subtree hashes, signed checkpoints, exports, fixity checks',
    sql: `
-- Hash of every perfect subtree of the audit log's RFC 6962 tree: (level, idx) covers leaves
-- [idx*2^level, (idx+1)*2^level). Written once when its last leaf is appended. A fact.
CREATE TABLE audit_tree (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
-- Every signed checkpoint (C2SP tlog-checkpoint note), also kept as a write-once file. A fact.
CREATE TABLE audit_checkpoints (
  id INTEGER PRIMARY KEY,
  size INTEGER NOT NULL,
  root BLOB NOT NULL,
  note TEXT NOT NULL,
  reason TEXT NOT NULL,                     -- hourly | shutdown | export | manual
  created_at TEXT NOT NULL,
  file TEXT
);
-- Each log export and the checkpoint it carries; the next export proves consistency from it.
CREATE TABLE audit_exports (
  id INTEGER PRIMARY KEY,
  checkpoint_id INTEGER NOT NULL REFERENCES audit_checkpoints(id),
  start_seq INTEGER NOT NULL,
  end_seq INTEGER NOT NULL,
  dir TEXT NOT NULL,
  created_at TEXT NOT NULL
);
-- Each fixity check of one object (rolling and CLI verification). A fact.
CREATE TABLE fixity_checks (
  id INTEGER PRIMARY KEY,
  evidence_number TEXT NOT NULL,
  mode TEXT NOT NULL,                       -- quick | full
  ok INTEGER NOT NULL,
  checked_at TEXT NOT NULL
);
CREATE INDEX fixity_checks_object ON fixity_checks(evidence_number, mode, checked_at);
${appendOnly('audit_tree')}
${appendOnly('audit_checkpoints')}
${appendOnly('audit_exports')}
${appendOnly('fixity_checks')}
`,
  },
  {
    version: 40,
    name: 'docks: files wiped from recorders after verify-then-wipe',
    sql: `
-- Each file deleted from a recorder by verify-then-wipe, with the held original it matched. A fact.
CREATE TABLE recorder_wipes (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  recorder_id TEXT,
  slot TEXT,
  source_path TEXT NOT NULL,
  source_path_raw BLOB NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  evidence_number TEXT NOT NULL REFERENCES originals(evidence_number),
  wiped_at TEXT NOT NULL
);
CREATE INDEX recorder_wipes_session ON recorder_wipes(session_id);
${appendOnly('recorder_wipes')}
`,
  },
  {
    version: 11,
    name: 'provenance: what a recording proves (Art. 8), noted later as facts',
    sql: `
-- Art. 8 asks, for recordings used as evidence, what they prove (证明对象). It is known only
-- later, from the case: each note is a fact; a changed view is a new note, never an edit.
CREATE TABLE proves_notes (
  id INTEGER PRIMARY KEY,
  evidence_number TEXT NOT NULL REFERENCES originals(evidence_number),
  text TEXT NOT NULL,
  case_ref TEXT,
  noted_by TEXT NOT NULL,
  noted_at TEXT NOT NULL
);
CREATE INDEX proves_notes_evidence ON proves_notes(evidence_number);
${appendOnly('proves_notes')}
`,
  },
  {
    version: 60,
    name: 'audit: how far the journal was written, so entries removed from it are found, not silently re-written',
    sql: `
-- The last seq each journal folder held when it was last written. A journal that ends before
-- it lost entries: nothing re-writes them until someone has checked (log repair-journal).
CREATE TABLE audit_journal_mark (
  dir TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
);
`,
  },
];
