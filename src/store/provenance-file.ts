// The one owner of provenance.json, the file beside each held recording: its shape, how it is
// built from a held original, how it is read back, and how it maps to the catalog's rows.
import type { Json } from '../lib/json.js';
import type { OriginalRow } from './records.js';
import { provenanceRowFromDerived, type ProvenanceRow } from './provenance.js';

/** Where and how an original was taken: the parts of provenance.json the catalog row has not. */
export interface ProvenanceContext {
  station: { id: string; name: string; timezone: string };
  recorderIdentity: { [key: string]: Json | undefined } | null;
  slot: string | null;
  dockedAt: string | null;
}

/** provenance.json: everything needed to rebuild the catalog rows from the store alone (Art. 8, 11). */
export interface ProvenanceFile {
  evidockProvenance: 1;
  evidenceNumber: string;
  objectId: string;
  station: { id: string; name: string; timezone: string };
  method: string;
  recorder: { id: string | null; identity: { [key: string]: Json | undefined } | null };
  officer: { id: string | null };
  source: { path: string; pathBase64: string; fileName: string; size: number; mtimeMs: number | null; slot: string | null; dockedAt: string | null };
  content: { path: string; size: number };
  digests: { sha256: string; sm3: string | null };
  heldAt: string;
  session: string;
  /** What ingest derived from the copy (attribution, recording time, media facts), or null. */
  derived: { [key: string]: Json | undefined } | null;
}

export class ProvenanceFileError extends Error {
  override name = 'ProvenanceFileError';
}

export function buildProvenanceFile(o: OriginalRow, about: ProvenanceContext, derived: { [key: string]: Json | undefined } | null): ProvenanceFile {
  return {
    evidockProvenance: 1,
    evidenceNumber: o.evidence_number,
    objectId: o.object_id,
    station: { id: about.station.id, name: about.station.name, timezone: about.station.timezone },
    method: 'body-worn recorder',
    recorder: { id: o.recorder_id, identity: about.recorderIdentity },
    officer: { id: o.officer_id },
    source: {
      path: o.source_path,
      pathBase64: o.source_path_raw.toString('base64'),
      fileName: o.file_name,
      size: o.size,
      mtimeMs: o.source_mtime_ms,
      slot: about.slot,
      dockedAt: about.dockedAt,
    },
    content: { path: o.content_path, size: o.size },
    digests: { sha256: o.sha256, sm3: o.sm3 },
    heldAt: o.held_at,
    session: o.session_id,
    derived,
  };
}

export function provenanceFileText(doc: ProvenanceFile): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses provenance.json; throws ProvenanceFileError naming the first member that is missing or wrong. */
export function parseProvenanceFile(text: string): ProvenanceFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ProvenanceFileError(`not JSON: ${(err as Error).message}`);
  }
  const need = (ok: boolean, member: string): void => {
    if (!ok) throw new ProvenanceFileError(`member ${member} is missing or has the wrong type`);
  };
  need(isObject(doc), '(root)');
  const d = doc as Record<string, any>;
  need(typeof d.evidenceNumber === 'string', 'evidenceNumber');
  need(typeof d.objectId === 'string', 'objectId');
  need(isObject(d.source) && typeof d.source.path === 'string' && typeof d.source.pathBase64 === 'string' && typeof d.source.fileName === 'string', 'source');
  need(isObject(d.content) && typeof d.content.path === 'string' && typeof d.content.size === 'number', 'content');
  need(isObject(d.digests) && typeof d.digests.sha256 === 'string', 'digests');
  need(typeof d.heldAt === 'string', 'heldAt');
  need(typeof d.session === 'string', 'session');
  return {
    ...d,
    recorder: { id: d.recorder?.id ?? null, identity: d.recorder?.identity ?? null },
    officer: { id: d.officer?.id ?? null },
    source: { ...d.source, mtimeMs: d.source.mtimeMs ?? null, slot: d.source.slot ?? null, dockedAt: d.source.dockedAt ?? null },
    digests: { sha256: d.digests.sha256, sm3: d.digests.sm3 ?? null },
    derived: isObject(d.derived) ? (d.derived as ProvenanceFile['derived']) : null,
  } as ProvenanceFile;
}

/** The catalog's originals row an object's provenance.json describes. */
export function originalRowOf(doc: ProvenanceFile, objectPath: string): OriginalRow {
  return {
    evidence_number: doc.evidenceNumber,
    object_id: doc.objectId,
    object_path: objectPath,
    content_path: doc.content.path,
    file_name: doc.source.fileName,
    sha256: doc.digests.sha256,
    sm3: doc.digests.sm3 ?? null,
    size: doc.content.size,
    recorder_id: doc.recorder.id ?? null,
    officer_id: doc.officer.id ?? null,
    source_path: doc.source.path,
    source_path_raw: Buffer.from(doc.source.pathBase64, 'base64'),
    source_mtime_ms: doc.source.mtimeMs ?? null,
    session_id: doc.session,
    held_at: doc.heldAt,
  };
}

/** The catalog's provenance row (attribution, recording time, media) from "derived", or null without one. */
export function provenanceRowOf(doc: ProvenanceFile): ProvenanceRow | null {
  return provenanceRowFromDerived(doc.evidenceNumber, doc.derived, doc.heldAt);
}
