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
];
