// What a copy request or a hold names: evidence numbers, SHA-256 digests or case refs, resolved
// to the held originals they mean. Anything unknown is refused before anything is written.
import type { Db } from '../store/catalog.js';
import { caseRecordings, findCase } from '../store/cases.js';
import { findOriginal, findOriginalBySha256, type OriginalRow } from '../store/records.js';
import { CasesError } from './errors.js';

/** One held original by evidence number or SHA-256, or undefined. */
export function findHeld(db: Db, key: string): OriginalRow | undefined {
  const k = key.trim();
  return findOriginal(db, k) ?? (/^[0-9a-fA-F]{64}$/.test(k) ? findOriginalBySha256(db, k.toLowerCase()) : undefined);
}

/** The originals that keys (evidence numbers, SHA-256s or case refs) name, each once, sorted. */
export function resolveTargets(db: Db, keys: readonly string[]): OriginalRow[] {
  if (!keys.length) throw new CasesError('name at least one evidence number, SHA-256 or case ref');
  const found = new Map<string, OriginalRow>();
  for (const key of keys) {
    const held = findHeld(db, key);
    if (held) {
      found.set(held.evidence_number, held);
      continue;
    }
    const c = findCase(db, key.trim());
    if (!c) throw new CasesError(`${JSON.stringify(key)} is no held recording (evidence number or SHA-256) and no case ref (see \`evidock list\`, \`evidock case list\`); nothing written`);
    const items = caseRecordings(db, c.ref);
    if (!items.length) throw new CasesError(`case ${c.ref} has no recordings yet (add them with \`evidock case add ${c.ref} ...\`); nothing written`);
    for (const r of items) found.set(r.evidence_number, findOriginal(db, r.evidence_number)!);
  }
  return [...found.values()].sort((a, b) => a.evidence_number.localeCompare(b.evidence_number));
}
