// Sealing catches up (§3, §4a): every held original of the local store that is not yet immutable
// is handed to the notary with its file.held entry and an inclusion proof in the last checkpoint
// the notary signed; it re-hashes the original and seals it. Each seal and each refusal is an
// audit entry. Originals held after that checkpoint wait for the next one.
import path from 'node:path';
import { appendAuditEntry, type Actor } from '../audit/log.js';
import { notaryStatusAsync, sealByNotaryAsync } from '../audit/notary-client.js';
import { sealRefusalLogged } from '../audit/seal-refusals.js';
import { auditTree } from '../audit/tree-store.js';
import { immutablePaths } from '../lib/file-flags.js';
import type { Db } from '../store/catalog.js';
import { heldEntryOf } from '../store/held-entries.js';
import { listOriginals } from '../store/records.js';

export interface SealPass {
  sealed: string[];
  alreadySealed: number;
  /** Held after the notary's last checkpoint: sealed after the next one. */
  waiting: string[];
  refused: { evidenceNumber: string; reason: string }[];
}

export async function sealHeldOriginals(db: Db, storeRoot: string, socket: string, actor: Actor, signal?: AbortSignal): Promise<SealPass> {
  const pass: SealPass = { sealed: [], alreadySealed: 0, waiting: [], refused: [] };
  const lastSize = (await notaryStatusAsync(socket)).last?.size ?? 0;
  const tree = auditTree(db);
  const rows = [...listOriginals(db)];
  const contentOf = (r: { object_path: string; content_path: string }) => path.join(storeRoot, r.object_path, r.content_path);
  const immutable = immutablePaths(rows.map(contentOf));
  for (const row of rows) {
    if (signal?.aborted || !db.open) break;
    if (immutable.has(contentOf(row))) {
      pass.alreadySealed++;
      continue;
    }
    const held = heldEntryOf(db, row.evidence_number);
    if (!held || held.seq >= lastSize || tree.size < lastSize) {
      pass.waiting.push(row.evidence_number);
      continue;
    }
    const answer = await sealByNotaryAsync(socket, { objectDir: row.object_path, contentPath: row.content_path, seq: held.seq, entry: held.entry, proof: tree.inclusionProof(held.seq, lastSize) });
    if ('refused' in answer) {
      pass.refused.push({ evidenceNumber: row.evidence_number, reason: answer.refused });
      // Logged once per original and reason: a refusal that stands is not logged again at every pass.
      db.transaction(() => {
        if (!sealRefusalLogged(db, row.evidence_number, answer.refused)) appendAuditEntry(db, { type: 'notary.seal-refused', data: { evidenceNumber: row.evidence_number, objectPath: row.object_path, reason: answer.refused }, actor });
      })();
    } else {
      pass.sealed.push(row.evidence_number);
      db.transaction(() => appendAuditEntry(db, { type: 'original.sealed', data: { evidenceNumber: row.evidence_number, objectPath: row.object_path, heldSeq: held.seq, checkpointSize: lastSize }, actor }))();
    }
  }
  return pass;
}
