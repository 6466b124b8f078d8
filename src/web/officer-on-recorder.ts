// Which officer a docked recorder is assigned to now (number and name), from the registry, for
// the kiosk tile. Read-only; cached briefly so a progress update never waits on the catalog.
import { assignmentsAt } from '../meta/attribution.js';
import type { Db } from '../store/catalog.js';
import { findOfficer } from '../store/registry.js';
import { registryAssignments } from '../ingest/provenance.js';

export interface OfficerOnTile {
  number: string;
  name: string | null;
}

const KEEP_MS = 30_000;

export function officerLookup(db: Db): (recorderId: string | null | undefined) => OfficerOnTile | null {
  const cache = new Map<string, { at: number; officer: OfficerOnTile | null }>();
  return (recorderId) => {
    if (!recorderId) return null;
    const now = Date.now();
    const hit = cache.get(recorderId);
    if (hit && now - hit.at < KEEP_MS) return hit.officer;
    let officer: OfficerOnTile | null = null;
    try {
      const all = registryAssignments(db, [recorderId]);
      const inForce = assignmentsAt(all, recorderId, new Date(now).toISOString());
      if (inForce.length === 1) officer = { number: inForce[0].officer, name: findOfficer(db, inForce[0].officer)?.name ?? null };
    } catch {
      officer = null; // the catalog is busy or closing: the tile shows the recorder only
    }
    cache.set(recorderId, { at: now, officer });
    return officer;
  };
}
