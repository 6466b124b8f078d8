// evidock copy make: an approved request's copy as a BagIt bag, built under a temporary name,
// logged (what left, for whom, approved by whom) and then renamed into place.
import { appendAuditEntry } from '../audit/log.js';
import { insertCopyMade } from '../store/copies.js';
import { actorName } from './actor.js';
import { writeEvidenceBag, type CopyBag } from './copy-bag.js';
import type { CasesContext } from './context.js';
import { requireApproved } from './copy-requests.js';
import { buildThenRename, checkNewOutput } from './output-dir.js';

export interface MadeCopy extends CopyBag {
  request: number;
  copy: number;
  out: string;
}

export async function makeCopy(ctx: CasesContext, requestId: string, out: string): Promise<MadeCopy> {
  const request = requireApproved(ctx.db, requestId);
  const abs = checkNewOutput(out, 'copy folder');
  let copyId = 0;
  const bag = await buildThenRename(
    abs,
    (tmp) => writeEvidenceBag(ctx, { request }, tmp),
    (b) => {
      copyId = ctx.db.transaction(() => {
        const madeAt = new Date();
        const id = insertCopyMade(ctx.db, { request_id: request.id, out: abs, tagmanifest_sha256: b.tagManifestSha256, files: b.files.length, bytes: b.bytes, made_at: madeAt.toISOString(), made_by: actorName(ctx.actor) });
        appendAuditEntry(ctx.db, {
          type: 'copy.made',
          data: {
            copy: id,
            request: request.id,
            requester: request.requester,
            approver: request.decision!.approver,
            out: abs,
            recordings: b.files.map((f) => ({ evidenceNumber: f.evidenceNumber, sha256: f.sha256, size: f.size })),
            bytes: b.bytes,
            tagManifestSha256: b.tagManifestSha256,
            madeBy: actorName(ctx.actor),
          },
          actor: ctx.actor,
          at: madeAt,
        });
        return id;
      })();
    },
    { dir: true },
  );
  return { ...bag, request: request.id, copy: copyId, out: abs };
}
