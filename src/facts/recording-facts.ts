// Who made a held recording and when, as the evaluations need it: from the provenance the
// ingest stage hands over, else from the catalog's provenance row (never derived again here).
import { provenanceForFacts, registeredUnitOf } from '../store/fact-inputs.js';
import type { Db } from '../store/catalog.js';
import type { OriginalRow } from '../store/records.js';
import type { RecordingProvenance } from './context.js';

export interface Attribution {
  officer: string | null;
  recorder: string | null;
  unit: string | null;
}

export interface RecordingFacts {
  who: Attribution;
  start: number | null;
  end: number | null;
  startSource: string | null;
  /** The file name's sequence number, digits only. */
  seq: number | null;
  /** Why the file is not a recording (no deadline for it), or null. */
  notARecording: string | null;
}

const seqOf = (s: string | null | undefined): number | null => {
  const d = s?.replace(/\D/g, '') ?? '';
  return d ? Number(d) : null;
};

const notARecording = (start: number | null, reason: string | null): string | null =>
  start === null && reason?.startsWith('not a recording') ? reason : null;

/** The recording's facts from the given provenance, or from the catalog's row when none is given. */
export function recordingFactsOf(db: Db, o: OriginalRow, given?: RecordingProvenance): RecordingFacts {
  if (given) {
    const officer = given.attribution.officer.value ?? o.officer_id;
    const recorder = given.attribution.recorder.value ?? o.recorder_id;
    return {
      who: { officer, recorder, unit: registeredUnitOf(db, officer, recorder) },
      start: given.startMs,
      end: given.endMs,
      startSource: given.startSource,
      seq: seqOf(given.fileName?.seq),
      notARecording: notARecording(given.startMs, given.metadata.available ? null : given.metadata.reason),
    };
  }
  const p = provenanceForFacts(db, o.evidence_number);
  const officer = p?.officer_id ?? o.officer_id;
  const recorder = p?.recorder_id ?? o.recorder_id;
  const start = p?.start_ms ?? null;
  let end = p?.end_ms ?? null;
  if (end === null && start !== null && p?.duration_seconds != null) end = start + Math.round(p.duration_seconds * 1000);
  return {
    who: { officer, recorder, unit: registeredUnitOf(db, officer, recorder) },
    start,
    end,
    startSource: p?.start_source ?? null,
    seq: seqOf(p?.name_seq),
    notARecording: notARecording(start, p?.metadata_reason ?? null),
  };
}

/** Who made a recording, from the catalog (for re-evaluations, which are given nothing). */
export function attributionOf(db: Db, o: OriginalRow): Attribution {
  return recordingFactsOf(db, o).who;
}
