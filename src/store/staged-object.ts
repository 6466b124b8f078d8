// A recording's OCFL object as every backend builds it in staging: the marked entry, the content
// file the caller writes, then (at hold) the evidence number, provenance.json, the inventories and
// the declaration, sealed read-only. Backends differ only in how the sealed object is placed.
import { randomUUID } from 'node:crypto';
import { statfsSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../hash/digest.js';
import { writeNewFileDurably } from '../lib/durable.js';
import { localDateOf } from '../lib/time-zone.js';
import type { Db } from './catalog.js';
import { buildInventory, createStagedObject, objectPathFor, PROVENANCE_FILE, safeFileName, sealStagedObject, stagedContentDir } from './ocfl.js';
import type { HoldRequest, StagedObject } from './originals.js';
import { buildProvenanceFile, provenanceFileText, type ProvenanceFile } from './provenance-file.js';
import { reserveEvidenceNumber, type OriginalRow } from './records.js';
import { createStagingEntry, removeStagingEntry } from './staging-entries.js';

export class StagingObject implements StagedObject {
  constructor(
    readonly entry: string,
    readonly objectDir: string,
    readonly logicalName: string,
    readonly contentFile: string,
  ) {}
  discard(): void {
    removeStagingEntry(this.entry);
  }
}

/** Room kept free beside each copy: the object's small files and the catalog's growth. */
const STAGING_RESERVE_BYTES = 16 * 1024 * 1024;

export function stagingSpaceFor(stagingRoot: string, size: number): { fits: boolean; free: number; needed: number } {
  const fs = statfsSync(stagingRoot);
  const free = fs.bavail * fs.bsize;
  // The object's other files (provenance.json, inventories) and the catalog's next pages.
  const needed = size + STAGING_RESERVE_BYTES;
  return { fits: needed <= free, free, needed };
}

export function stageObject(stagingRoot: string, nameOnCard: Buffer, tag: string): StagingObject {
  const { entry, objectDir } = createStagingEntry(stagingRoot, `${tag}-${randomUUID().slice(0, 8)}`);
  const contentDir = createStagedObject(objectDir);
  const logicalName = safeFileName(Buffer.from(nameOnCard.subarray(nameOnCard.lastIndexOf(0x2f) + 1)));
  return new StagingObject(entry, objectDir, logicalName, path.join(contentDir, logicalName));
}

export interface SealedObject {
  original: OriginalRow;
  provenance: ProvenanceFile;
}

/** The next evidence number of the station's day of `heldAt` (the counter in the catalog moves on). */
export function reserveForHold(db: Db, station: { id: string; timezone: string }, heldAt: Date): string {
  return db.transaction(() => reserveEvidenceNumber(db, station.id, localDateOf(heldAt.getTime(), station.timezone).replaceAll('-', '')))();
}

/**
 * Gives a staged copy its evidence number (the next one, or `reserved`: one the caller took with
 * reserveForHold) and writes provenance.json, inventories and declaration.
 */
export function sealForHold(db: Db, station: { id: string; name: string; timezone: string }, staged: StagingObject, req: HoldRequest, reserved?: string): SealedObject {
  const heldAt = req.heldAt.toISOString();
  const evidenceNumber = reserved ?? reserveForHold(db, station, req.heldAt);
  const objectId = `urn:evidock:${evidenceNumber}`;
  const objectPath = objectPathFor(objectId);
  const f = req.file;
  const original: OriginalRow = {
    evidence_number: evidenceNumber,
    object_id: objectId,
    object_path: objectPath,
    content_path: `v1/content/${staged.logicalName}`,
    file_name: f.fileName,
    sha256: f.sha256,
    sm3: f.sm3,
    size: f.size,
    recorder_id: f.recorderId,
    officer_id: f.officerId,
    source_path: f.sourcePath,
    source_path_raw: f.sourcePathRaw,
    source_mtime_ms: f.sourceMtimeMs,
    session_id: f.sessionId,
    held_at: heldAt,
  };
  const doc = buildProvenanceFile(original, { ...req.about, station }, req.derived);
  const text = provenanceFileText(doc);
  writeNewFileDurably(path.join(stagedContentDir(staged.objectDir), PROVENANCE_FILE), text);
  const inventory = buildInventory({
    id: objectId,
    created: heldAt,
    message: req.message,
    user: { name: `evidock@${station.id}` },
    files: [
      { logicalPath: staged.logicalName, sha256: f.sha256, size: f.size },
      { logicalPath: PROVENANCE_FILE, sha256: sha256Hex(text), size: Buffer.byteLength(text) },
    ],
    // SM3 is not in OCFL's fixity vocabulary (nor its digest-algorithm extension): it is kept
    // in provenance.json and the catalog, not in the inventory, so the object stays valid.
  });
  sealStagedObject(staged.objectDir, inventory);
  return { original, provenance: doc };
}
