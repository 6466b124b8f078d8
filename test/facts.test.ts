// facts/ called as ingest's facts stage calls it: with the provenance the stage derived (used
// as given, never derived again), without it (read from the catalog's provenance row; no row,
// no guessing), and the catch-up for originals held without facts.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import { loadConfig, prepareHome } from '../src/home.js';
import { catchUpFacts, recordHeldFacts, type FactsContext, type RecordingProvenance } from '../src/facts/index.js';
import { openCatalog } from '../src/store/catalog.js';
import { insertOriginal, startSession, type OriginalRow } from '../src/store/records.js';
import { addOfficer, addRecorder } from '../src/store/registry.js';
import { currentDeadlineFact, recordingTimes } from '../src/store/rules-facts.js';
import { tempDir } from './helpers/evidock.js';

const sh = (t: string): number => Date.parse(t.replace(' ', 'T') + '+08:00');
const t = tempDir('evidock-facts-');
let ctx: FactsContext;

function held(n: number, officer: string | null, name = `${n}.MP4`): OriginalRow {
  const o: OriginalRow = {
    evidence_number: `E${n}`,
    object_id: `obj-${n}`,
    object_path: `p/${n}`,
    content_path: `v1/content/${n}.MP4`,
    file_name: `${n}.MP4`,
    sha256: String(n).padStart(64, '0'),
    sm3: null,
    size: 10,
    recorder_id: 'R000001',
    officer_id: officer,
    source_path: name,
    source_path_raw: Buffer.from(name),
    source_mtime_ms: null,
    session_id: 's1',
    // Tue 2026-03-17 10:00 station time
    held_at: new Date(sh('2026-03-17 10:00:00')).toISOString(),
  };
  ctx.db.transaction(() => insertOriginal(ctx.db, o))();
  return o;
}

const given = (officer: string | null, startMs: number | null, reason?: string): RecordingProvenance => ({
  attribution: { recorder: { value: 'R000001' }, officer: { value: officer } },
  startMs,
  endMs: startMs === null ? null : startMs + 60_000,
  startSource: startMs === null ? null : 'quicktime-create-date',
  fileName: { seq: '0007' },
  metadata: reason ? { available: false, reason } : { available: true },
});

beforeAll(() => {
  const { config, home } = loadConfig({ home: t.dir });
  prepareHome(home);
  const db = openCatalog(home.catalog);
  ctx = { db, config, home, logger: pino({ level: 'silent' }), actor: currentActor('cli'), clock: () => new Date(sh('2026-03-17 10:00:00')) };
  const at = '2026-03-01T00:00:00Z';
  db.transaction(() => {
    startSession(db, { id: 's1', recorder_id: 'R000001', source: 'test', slot: null, started_at: at });
    addRecorder(db, { serial: 'R000001', make: null, model: null, unit: 'recorders-unit', usb_serial: null, registered_at: at, registered_by: 'test' });
    addOfficer(db, { number: '010203', name: 'a', unit: 'patrol', registered_at: at, registered_by: 'test' });
    addOfficer(db, { number: '020304', name: 'b', unit: 'traffic', registered_at: at, registered_by: 'test' });
  })();
});

afterAll(() => {
  ctx?.db.close();
  t.cleanup();
});

describe('the facts of one held original', () => {
  it('uses the attribution and recording time it is given, not the original row', () => {
    const o = held(1, '010203');
    recordHeldFacts(ctx, { original: o, dockedAt: sh('2026-03-17 09:59:00'), provenance: given('020304', sh('2026-03-15 08:30:00')) });
    const [times] = recordingTimes(ctx.db, ['E1']);
    expect([times?.officer_id, times?.start_at, times?.end_at, times?.start_source, times?.seq]).toEqual(['020304', sh('2026-03-15 08:30:00'), sh('2026-03-15 08:31:00'), 'quicktime-create-date', 7]);
    const f = currentDeadlineFact(ctx.db, 'E1');
    expect([f?.officer_id, f?.unit, f?.made_at, f?.status, f?.due_at, f?.cause]).toEqual(['020304', 'traffic', sh('2026-03-15 08:30:00'), 'on-time', sh('2026-03-18 00:00:00'), 'held']);
  });

  it('a file the provenance step found is not a recording gets its time row but no deadline', () => {
    const o = held(2, '010203');
    recordHeldFacts(ctx, { original: o, dockedAt: null, provenance: given('010203', null, 'not a recording (text/plain)') });
    expect(recordingTimes(ctx.db, ['E2'])).toHaveLength(1);
    expect(currentDeadlineFact(ctx.db, 'E2')).toBeUndefined();
  });

  it('without given provenance and without a provenance row, no time is guessed from the name', () => {
    // a GA/T 947 name that says 2026-03-15 08:30:00, seq 1
    const o = held(3, '010203', 'R000001_010203_20260315083000_0001.MP4');
    recordHeldFacts(ctx, { original: o, dockedAt: sh('2026-03-17 09:59:00') });
    const [times] = recordingTimes(ctx.db, ['E3']);
    expect([times?.officer_id, times?.start_at, times?.seq]).toEqual(['010203', null, null]);
    const f = currentDeadlineFact(ctx.db, 'E3');
    expect([f?.officer_id, f?.unit, f?.made_at_source]).toEqual(['010203', 'patrol', 'docked-at']);
  });
});

describe('the catch-up', () => {
  it('derives facts once for originals held without them', () => {
    held(4, null);
    expect(catchUpFacts(ctx)).toBe(1);
    expect(catchUpFacts(ctx)).toBe(0);
    const f = currentDeadlineFact(ctx.db, 'E4');
    // no officer: the recorder's unit
    expect([f?.officer_id, f?.unit, f?.cause]).toEqual([null, 'recorders-unit', 'caught-up']);
  });
});
