// A catalog rebuilt from the journal and the store (through its door) into a given, empty catalog:
// what `catalog rebuild` writes to a new file and `catalog check` compares the live one with.
import { rotationsAmong, stationKeys } from '../audit/key-history.js';
import { insertCheckpointFiles, insertExportsFromLog, insertJournalEntries, type loadJournal } from '../audit/rebuild.js';
import type { Config } from '../config.js';
import type { Home } from '../home.js';
import type { Db } from '../store/catalog.js';
import { openConfiguredOriginals } from '../store/open-originals.js';
import { rebuildProvesNotesFromAudit } from '../store/proves-notes.js';
import { insertScannedOriginals, scanStore, type StoreScan } from '../store/rebuild.js';
import { rebuildRegistryFromAudit } from '../store/registry.js';
import { rebuildCasesFromAudit, type CasesRebuildCounts } from '../store/cases-rebuild.js';

export interface CatalogRebuild {
  scan: StoreScan;
  entries: number;
  registry: { recorders: number; officers: number; assignments: number };
  provesNotes: number;
  cases: CasesRebuildCounts;
  checkpoints: number;
  /** Why signed checkpoints were not (all) checked: never skipped silently. */
  keyProblems: string[];
}

export async function rebuildCatalogInto(
  into: Db,
  config: Config,
  home: Home,
  journal: ReturnType<typeof loadJournal>,
  onProgress?: (done: number, total: number) => void,
): Promise<CatalogRebuild> {
  const scan = await scanStore(openConfiguredOriginals(config, home, into), onProgress);
  insertScannedOriginals(into, scan.originals, scan.provenance);
  const entries = insertJournalEntries(into, journal.entries);
  const registry = rebuildRegistryFromAudit(into);
  const provesNotes = rebuildProvesNotesFromAudit(into);
  const cases = rebuildCasesFromAudit(into);
  let checkpoints = 0;
  const keyProblems: string[] = [];
  const key = stationKeys(home.dir, config.station.id, rotationsAmong(journal.entries));
  if ('problem' in key) keyProblems.push(`signed checkpoints not checked: ${key.problem}`);
  else {
    keyProblems.push(...key.problems);
    checkpoints = insertCheckpointFiles(into, home.checkpoints, key.keyAt);
    insertExportsFromLog(into);
  }
  return { scan, entries, registry, provesNotes, cases, checkpoints, keyProblems };
}
