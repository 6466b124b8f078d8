// The store's door for originals as a session or recovery gets it: the context's own, or one
// opened on the configured backend from the configuration and the home.
import { openConfiguredOriginals } from '../store/open-originals.js';
import type { OriginalsStore } from '../store/originals.js';
import type { IngestContext } from './types.js';

export function originalsOf(ctx: IngestContext): OriginalsStore {
  return ctx.originals ?? openConfiguredOriginals(ctx.config, ctx.home, ctx.db);
}
