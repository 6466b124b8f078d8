// The store's door for originals as a session or recovery gets it: the context's own, or one
// opened on the configured backend from the configuration and the home.
import { algorithmsFor } from '../hash/digest.js';
import { openOriginalsStore } from '../store/open-originals.js';
import type { OriginalsStore } from '../store/originals.js';
import type { IngestContext } from './types.js';

export function originalsOf(ctx: IngestContext): OriginalsStore {
  return (
    ctx.originals ??
    openOriginalsStore({ db: ctx.db, storeRoot: ctx.home.store, stagingRoot: ctx.home.staging, station: ctx.config.station, algorithms: algorithmsFor(ctx.config.hash) })
  );
}
