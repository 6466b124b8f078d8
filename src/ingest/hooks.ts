// The derived-facts steps plugged into every ingest session (daemon and one-shot CLI alike).
// Each room adds its hooks to `standardHooks`; they run in list order (provenance first, so
// later steps can read the attributed recorder, officer and recording time from the catalog).
import type { Json } from '../audit/log.js';
import { endMetadataReaders } from '../meta/index.js';
import type { IngestContext, IngestHooks } from './session.js';
import { provenanceHooks } from './provenance.js';
import { rulesHooks } from './rules-step.js';

/** Runs several hooks as one: describeStaged results are merged; errors of one never stop the next. */
export function composeHooks(...all: (IngestHooks | undefined)[]): IngestHooks {
  const hooks = all.filter((h): h is IngestHooks => h !== undefined);
  return {
    async describeStaged(file, ctx) {
      const merged: Record<string, Json> = {};
      for (const h of hooks) {
        if (!h.describeStaged) continue;
        try {
          Object.assign(merged, await h.describeStaged(file, ctx));
        } catch (err) {
          ctx.logger.error({ err, path: file.source.path }, 'a describe step failed; the original is held anyway');
        }
      }
      return merged;
    },
    inCommit(held, ctx) {
      for (const h of hooks) {
        if (!h.inCommit) continue;
        try {
          h.inCommit(held, ctx);
        } catch (err) {
          ctx.logger.error({ err, evidence: held.original.evidence_number }, 'an in-commit step failed; the original is held without it');
        }
      }
    },
    async afterHeld(held, ctx) {
      for (const h of hooks) {
        if (!h.afterHeld) continue;
        try {
          await h.afterHeld(held, ctx);
        } catch (err) {
          ctx.logger.error({ err, evidence: held.original.evidence_number }, 'a derived-facts step failed; the original stays held');
        }
      }
    },
    async afterSession(summary, recorder, ctx) {
      for (const h of hooks) {
        if (!h.afterSession) continue;
        try {
          await h.afterSession(summary, recorder, ctx);
        } catch (err) {
          ctx.logger.error({ err }, 'an after-session step failed');
        }
      }
    },
  };
}

/** The hooks every session gets. */
export function standardHooks(): IngestHooks {
  return composeHooks(provenanceHooks(), rulesHooks());
}

export type { IngestContext };

/** Ends the helper processes the standard hooks start (exiftool, ffprobe). Call on shutdown. */
export async function endIngestHelpers(): Promise<void> {
  await endMetadataReaders();
}
