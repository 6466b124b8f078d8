// evidock disc: an ISO 9660 image (Joliet + Rock Ridge) of a case file (its recordings, the
// statement as PDF and JSON) or of an approved copy request: the bag, proofs, verifier key and a
// README in Chinese. Built under temporary names, logged, then renamed into place.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { appendAuditEntry } from '../audit/log.js';
import { caseRecordings, findCase } from '../store/cases.js';
import { insertCopyMade } from '../store/copies.js';
import { actorName } from './actor.js';
import { writeEvidenceBag, type BagSubject } from './copy-bag.js';
import type { CasesContext } from './context.js';
import { requireApproved } from './copy-requests.js';
import { discReadme } from './disc-readme.js';
import { CasesError } from './errors.js';
import { buildThenRename, checkNewOutput, removeTemporary } from './output-dir.js';
import { buildStatement } from './statement.js';
import { stationKeyOf } from './proofs.js';
import { volumeId, writeIsoImage } from './xorriso.js';
import { writeStatementPdf } from './statement-pdf.js';
import path from 'node:path';
import { readFileSync } from 'node:fs';

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface MadeDisc {
  out: string;
  label: string;
  sha256: string;
  subject: { case: string } | { request: number };
  recordings: string[];
  bytes: number;
  keyFingerprint: string;
}

/** `target` is a case ref, or a copy request id (digits) of an approved request. */
export async function makeDisc(ctx: CasesContext, target: string, out: string, label?: string): Promise<MadeDisc> {
  const t = target.trim();
  const c = findCase(ctx.db, t);
  let subject: BagSubject;
  if (c) {
    const recordings = caseRecordings(ctx.db, c.ref).map((r) => r.evidence_number);
    if (!recordings.length) throw new CasesError(`case ${c.ref} has no recordings; nothing written`);
    subject = { caseRef: c.ref, recordings };
  } else if (/^[0-9]+$/.test(t)) subject = { request: requireApproved(ctx.db, t) };
  else throw new CasesError(`${JSON.stringify(target)} is no case ref and no copy request id (see \`evidock case list\`, \`evidock copy list\`); nothing written`);
  const abs = checkNewOutput(out, 'disc image');
  const volume = volumeId(label ?? ('caseRef' in subject ? `EVIDOCK_${subject.caseRef}` : `EVIDOCK_COPY_${subject.request.id}`));
  let made: Omit<MadeDisc, 'out' | 'sha256'> & { sha256: string } = undefined!;
  await buildThenRename(
    abs,
    async (tmpIso) => {
      const tree = `${tmpIso}.d`;
      mkdirSync(tree);
      try {
        const extra = new Map<string, string | Buffer>();
        if ('caseRef' in subject) {
          const statement = buildStatement(ctx, subject.caseRef);
          const pdf = path.join(tree, '.statement.pdf');
          await writeStatementPdf(statement, pdf);
          extra.set('statement/statement.pdf', readFileSync(pdf));
          removeTemporary(pdf);
          extra.set('statement/statement.json', JSON.stringify(statement, null, 2) + '\n');
        }
        const recordings = 'caseRef' in subject ? [...subject.recordings] : subject.request.recordings;
        const describe = 'caseRef' in subject ? `案卷 ${subject.caseRef} 的音像记录` : `经批准的复制申请 ${subject.request.id}（申请人 ${subject.request.requester}）`;
        const { keyFingerprint } = stationKeyOf(ctx.db, { homeDir: ctx.homeDir, stationId: ctx.station.id });
        extra.set('README.txt', discReadme({ station: ctx.station.name || ctx.station.id, subject: describe, keyFingerprint, recordings }));
        const bag = await writeEvidenceBag(ctx, subject, tree, extra);
        await writeIsoImage(tree, tmpIso, volume);
        made = { label: volume, sha256: await sha256File(tmpIso), subject: 'caseRef' in subject ? { case: subject.caseRef } : { request: subject.request.id }, recordings, bytes: bag.bytes, keyFingerprint: bag.keyFingerprint };
      } finally {
        removeTemporary(tree);
      }
    },
    () => {
      ctx.db.transaction(() => {
        const at = new Date();
        let copy: number | undefined;
        if ('request' in subject) {
          const r = subject.request;
          copy = insertCopyMade(ctx.db, { request_id: r.id, out: abs, tagmanifest_sha256: made.sha256, files: made.recordings.length, bytes: made.bytes, made_at: at.toISOString(), made_by: actorName(ctx.actor) });
          appendAuditEntry(ctx.db, {
            type: 'copy.made',
            data: { copy, request: r.id, requester: r.requester, approver: r.decision!.approver, out: abs, disc: made.label, isoSha256: made.sha256, recordings: made.recordings, bytes: made.bytes, madeBy: actorName(ctx.actor) },
            actor: ctx.actor,
            at,
          });
        }
        appendAuditEntry(ctx.db, {
          type: 'disc.made',
          data: { ...made.subject, copy, out: abs, label: made.label, sha256: made.sha256, recordings: made.recordings, madeBy: actorName(ctx.actor) },
          actor: ctx.actor,
          at,
        });
      })();
    },
    { dir: false },
  );
  return { ...made, out: abs };
}
