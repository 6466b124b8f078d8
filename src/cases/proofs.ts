// Inclusion proofs for the recordings a copy or a statement carries: each recording's file.held
// audit entry proven against ONE signed checkpoint written now, in the format `evidock log
// verify-proof` checks (audit/station.ts), with the station's verifier key and its fingerprint.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { PROOF_FORMAT, signingVerifierKeyText, writeCheckpoint, type InclusionBundle, type StationRef } from '../audit/station.js';
import { catchUpTree } from '../audit/tree-store.js';
import { heldEntryOf } from '../store/held-entries.js';
import { CasesError } from './errors.js';

export interface ProofSet {
  checkpoint: string;
  treeSize: number;
  stationKey: string;
  /** SHA-256 of the verifier key text (what the statement prints and a recipient compares). */
  keyFingerprint: string;
  bundles: Map<string, InclusionBundle>;
}

export function keyFingerprint(verifierKeyText: string): string {
  return createHash('sha256').update(verifierKeyText.trim(), 'utf8').digest('hex');
}

/** Proves each evidence number's file.held entry against a checkpoint signed now (reason). */
export function proveHeld(db: Database.Database, st: StationRef, evidenceNumbers: readonly string[], reason: string): ProofSet {
  const stationKey = signingVerifierKeyText(db, st);
  const seqs = evidenceNumbers.map((e) => {
    const held = heldEntryOf(db, e);
    if (!held) throw new CasesError(`no file.held audit entry for ${e}: the log cannot prove it (run \`evidock catalog check\`)`, 'refused');
    return [e, held] as const;
  });
  const cp = writeCheckpoint(db, st, reason);
  const tree = catchUpTree(db);
  const bundles = new Map<string, InclusionBundle>();
  for (const [e, held] of seqs) {
    bundles.set(e, {
      format: PROOF_FORMAT,
      origin: st.stationId,
      evidenceNumber: e,
      seq: held.seq,
      entry: held.entry,
      leafHash: tree.leafHashAt(held.seq).toString('base64'),
      treeSize: cp.size,
      proof: tree.inclusionProof(held.seq, cp.size).map((h) => h.toString('base64')),
      checkpoint: cp.note,
      stationKey,
    });
  }
  return { checkpoint: cp.note, treeSize: cp.size, stationKey, keyFingerprint: keyFingerprint(stationKey), bundles };
}

/** The station's verifier key and its fingerprint (what a README or statement names). */
export function stationKeyOf(db: Database.Database, st: StationRef): { stationKey: string; keyFingerprint: string } {
  const stationKey = signingVerifierKeyText(db, st);
  return { stationKey, keyFingerprint: keyFingerprint(stationKey) };
}
