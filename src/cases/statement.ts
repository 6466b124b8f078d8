// The case statement's content (Art. 8, 11): for each recording in a case, its evidence number,
// where it is stored, its digests, how (recorder make/model/serial), when and by whom (officer
// number and name) it was made, what it proves, and its inclusion proof against a checkpoint
// signed now, with the station's verifier key and fingerprint. Rendered as JSON, HTML or PDF.
import { findProvenance } from '../store/provenance.js';
import { findOriginal } from '../store/records.js';
import { findOfficer, findRecorder } from '../store/registry.js';
import { caseDetail, type CaseDetail } from './case-detail.js';
import type { CasesContext } from './context.js';
import { requireCase } from './case-files.js';
import { stationToday } from './due-date.js';
import { CasesError } from './errors.js';
import { proveHeld } from './proofs.js';

export const STATEMENT_FORMAT = 'evidock-case-statement/1';

export interface StatementRecording {
  evidenceNumber: string;
  storage: { station: string; objectPath: string; contentPath: string; location: string };
  sha256: string;
  sm3: string | null;
  size: number;
  fileName: string;
  method: string;
  recorder: { serial: string | null; make: string | null; model: string | null };
  recorded: { start: string | null; end: string | null; source: string | null };
  heldAt: string;
  officer: { number: string | null; name: string | null };
  proves: string | null;
  proof: { seq: number; treeSize: number; leafHash: string; path: string[] };
}

export interface CaseStatement {
  format: typeof STATEMENT_FORMAT;
  station: { id: string; name: string };
  case: Pick<CaseDetail, 'ref' | 'title' | 'actionEnded' | 'due' | 'filed' | 'filedAt' | 'officers'>;
  generatedAt: string;
  checkpoint: { treeSize: number; note: string };
  verifierKey: string;
  keyFingerprint: string;
  recordings: StatementRecording[];
}

function recordingOf(ctx: CasesContext, evidenceNumber: string, proves: string | null): Omit<StatementRecording, 'proof'> {
  const db = ctx.db;
  const o = findOriginal(db, evidenceNumber)!;
  const p = findProvenance(db, evidenceNumber);
  const recorderId = p?.recorder_id ?? o.recorder_id;
  const officerId = p?.officer_id ?? o.officer_id;
  const rec = recorderId ? findRecorder(db, recorderId) : undefined;
  const off = officerId ? findOfficer(db, officerId) : undefined;
  return {
    evidenceNumber,
    storage: {
      station: ctx.station.id,
      objectPath: o.object_path,
      contentPath: o.content_path,
      // As the store's door names it: a path on this server, or the bucket and key.
      location: ctx.store.locate(o).content,
    },
    sha256: o.sha256,
    sm3: o.sm3,
    size: o.size,
    fileName: o.file_name,
    method: p?.method ?? 'body-worn recorder',
    recorder: { serial: rec?.serial ?? recorderId ?? null, make: p?.make ?? rec?.make ?? null, model: p?.model ?? rec?.model ?? null },
    recorded: { start: p?.recorded_start ?? null, end: p?.recorded_end ?? null, source: p?.start_source ?? null },
    heldAt: o.held_at,
    officer: { number: officerId ?? null, name: off?.name ?? null },
    proves,
  };
}

/** Builds the statement of case `ref`; signs a checkpoint for the proofs. */
export function buildStatement(ctx: CasesContext, ref: string, now = new Date()): CaseStatement {
  const c = requireCase(ctx.db, ref);
  const detail = caseDetail(ctx.db, c, stationToday(ctx.station.timezone));
  if (!detail.recordings.length) throw new CasesError(`case ${c.ref} has no recordings; add them first (\`evidock case add ${c.ref} EVIDENCE... --proves TEXT\`); nothing written`);
  const proofs = proveHeld(ctx.db, { homeDir: ctx.homeDir, stationId: ctx.station.id }, detail.recordings.map((r) => r.evidenceNumber), 'statement');
  return {
    format: STATEMENT_FORMAT,
    station: { id: ctx.station.id, name: ctx.station.name },
    case: { ref: detail.ref, title: detail.title, actionEnded: detail.actionEnded, due: detail.due, filed: detail.filed, filedAt: detail.filedAt, officers: detail.officers },
    generatedAt: now.toISOString(),
    checkpoint: { treeSize: proofs.treeSize, note: proofs.checkpoint },
    verifierKey: proofs.stationKey,
    keyFingerprint: proofs.keyFingerprint,
    recordings: detail.recordings.map((r) => {
      const b = proofs.bundles.get(r.evidenceNumber)!;
      return { ...recordingOf(ctx, r.evidenceNumber, r.proves), proof: { seq: b.seq, treeSize: b.treeSize, leafHash: b.leafHash, path: b.proof } };
    }),
  };
}
