// The daemon's sealing tick: after each periodic checkpoint, with a notary configured and a local
// store, every held original the notary can now prove is handed to it (ingest/seal-held.ts). A
// notary that is down costs nothing but a log line: the next tick catches up.
import type { Logger } from 'pino';
import { notarySocket } from '../audit/notary-client.js';
import type { Actor } from '../audit/log.js';
import type { Config } from '../config.js';
import type { Home } from '../home.js';
import { sealHeldOriginals } from '../ingest/seal-held.js';
import type { Db } from '../store/catalog.js';

export async function sealCatchUp(ctx: { db: Db; config: Config; home: Home; logger: Logger; actor: Actor }, signal?: AbortSignal): Promise<void> {
  const socket = notarySocket(ctx.home.dir);
  if (socket === undefined || ctx.config.store.backend !== 'local') return;
  try {
    const pass = await sealHeldOriginals(ctx.db, ctx.home.store, socket, ctx.actor, signal);
    if (pass.sealed.length || pass.refused.length) ctx.logger.info({ sealed: pass.sealed.length, waiting: pass.waiting.length }, 'sealed held originals');
    for (const r of pass.refused) ctx.logger.error({ evidence: r.evidenceNumber, reason: r.reason }, 'the notary refused to seal a held original');
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message }, 'cannot seal held originals now; retried after the next checkpoint');
  }
}
