// The bag of recordings leaving the store (an approved copy, or a case file's disc): the
// recordings as held, bag-info naming the request and approval (or the case) and the station,
// and as tag files the inclusion proofs of each recording against one signed checkpoint, the
// checkpoint, the station's verifier key and copy.json.
import type { Json } from '../lib/json.js';
import type { OriginalRow } from '../store/records.js';
import { findOriginal } from '../store/records.js';
import { CHECKPOINT_FILE, COPY_JSON, proofPathOf, STATION_KEY_FILE } from './bag-layout.js';
import { writeBag, type WrittenBag } from './bag-write.js';
import type { CasesContext } from './context.js';
import type { CopyRequestView } from './copy-requests.js';
import { proveHeld } from './proofs.js';

export interface CopyBag extends WrittenBag {
  keyFingerprint: string;
  treeSize: number;
}

/** What the bag is: an approved Art. 13 request, or a case file's own disc (Art. 11, 14). */
export type BagSubject = { request: CopyRequestView } | { caseRef: string; recordings: readonly string[] };

function subjectInfo(ctx: CasesContext, subject: BagSubject, count: number): { info: [string, string][]; json: { [k: string]: Json } } {
  if ('request' in subject) {
    const r = subject.request;
    const d = r.decision!;
    return {
      info: [
        ['External-Identifier', `${ctx.station.id}/copy-request/${r.id}`],
        ['Internal-Sender-Description', `Art. 13 copy of ${count} recording(s) held by evidock station ${ctx.station.id}`],
        ['Evidock-Copy-Request', String(r.id)],
        ['Evidock-Requester', r.requester],
        ['Evidock-Request-Reason', r.reason],
        ['Evidock-Requested-At', r.requestedAt],
        ['Evidock-Approved-By', d.approver],
        ['Evidock-Approved-At', d.decided_at],
      ],
      json: {
        request: { id: r.id, requester: r.requester, reason: r.reason, askedFor: r.askedFor, requestedAt: r.requestedAt, requestedBy: r.requestedBy },
        approval: { approver: d.approver, decidedAt: d.decided_at, decidedBy: d.decided_by, note: d.reason },
      },
    };
  }
  return {
    info: [
      ['External-Identifier', `${ctx.station.id}/case/${subject.caseRef}`],
      ['Internal-Sender-Description', `Recordings of case file ${subject.caseRef} (Art. 11), ${count} recording(s), evidock station ${ctx.station.id}`],
      ['Evidock-Case', subject.caseRef],
    ],
    json: { case: subject.caseRef },
  };
}

function recordingsOf(ctx: CasesContext, subject: BagSubject): OriginalRow[] {
  const list = 'request' in subject ? subject.request.recordings : subject.recordings;
  return list.map((e) => findOriginal(ctx.db, e)!);
}

/** Writes the bag into `dir` (empty); `extraTagFiles` (relative path -> content) are listed in the tag manifest too. */
export async function writeEvidenceBag(ctx: CasesContext, subject: BagSubject, dir: string, extraTagFiles = new Map<string, string | Buffer>()): Promise<CopyBag> {
  const originals = recordingsOf(ctx, subject);
  const proofs = proveHeld(ctx.db, { homeDir: ctx.homeDir, stationId: ctx.station.id }, originals.map((o) => o.evidence_number), 'copy');
  const about = subjectInfo(ctx, subject, originals.length);
  const copyJson: Json = {
    format: 'evidock-copy/1',
    station: { id: ctx.station.id, name: ctx.station.name },
    ...about.json,
    keyFingerprint: proofs.keyFingerprint,
    treeSize: proofs.treeSize,
    recordings: originals.map((o) => ({ evidenceNumber: o.evidence_number, sha256: o.sha256, sm3: o.sm3, size: o.size, fileName: o.file_name, heldAt: o.held_at })),
  };
  const tagFiles = new Map<string, string | Buffer>([
    [CHECKPOINT_FILE, proofs.checkpoint],
    [STATION_KEY_FILE, proofs.stationKey + '\n'],
    [COPY_JSON, JSON.stringify(copyJson, null, 2) + '\n'],
  ]);
  for (const [e, b] of proofs.bundles) tagFiles.set(proofPathOf(e), JSON.stringify(b, null, 2) + '\n');
  for (const [k, v] of extraTagFiles) tagFiles.set(k, v);
  const written = await writeBag(dir, ctx.store, {
    originals,
    info: [
      ['Source-Organization', ctx.station.name || ctx.station.id],
      ...about.info,
      ['Evidock-Station', ctx.station.id],
      ['Evidock-Key-Fingerprint', `sha256:${proofs.keyFingerprint}`],
      ['Evidock-Checkpoint-Size', String(proofs.treeSize)],
    ],
    tagFiles,
  });
  return { ...written, keyFingerprint: proofs.keyFingerprint, treeSize: proofs.treeSize };
}
