// Opens the originals door on the configured backend (local OCFL; S3 Object Lock next).
import type { Config } from '../config.js';
import { algorithmsFor } from '../hash/digest.js';
import type { Home } from '../home.js';
import type { Db } from './catalog.js';
import { LocalOriginalsStore, type LocalOriginalsOptions } from './local-originals.js';
import { initStorageRoot } from './ocfl.js';
import type { OriginalsStore } from './originals.js';

export type OriginalsStoreOptions = LocalOriginalsOptions;

export function openOriginalsStore(opts: OriginalsStoreOptions): OriginalsStore {
  return new LocalOriginalsStore(opts);
}

/** The door as a command or the daemon gets it: from the configuration, the home and the catalog. */
export function openConfiguredOriginals(config: Pick<Config, 'station' | 'hash'>, home: Pick<Home, 'store' | 'staging'>, db: Db): OriginalsStore {
  return openOriginalsStore({ db, storeRoot: home.store, stagingRoot: home.staging, station: config.station, algorithms: algorithmsFor(config.hash) });
}

/** Creates the configured store if its place is empty; refuses a non-empty place that is not one. */
export function prepareOriginalsStore(storeRoot: string): void {
  initStorageRoot(storeRoot);
}
