// Opens the originals door on the configured backend: local OCFL, or S3 Object Lock ([store] backend).
import type { Config } from '../config.js';
import { algorithmsFor } from '../hash/digest.js';
import type { Home } from '../home.js';
import type { StoreConfig } from '../store-config.js';
import type { Db } from './catalog.js';
import { LocalOriginalsStore, type LocalOriginalsOptions } from './local-originals.js';
import { initStorageRoot } from './ocfl.js';
import { s3Credentials } from './s3-credentials.js';
import { S3OriginalsStore } from './s3-originals.js';
import type { OriginalsStore } from './originals.js';

export type OriginalsStoreOptions = LocalOriginalsOptions & { store?: StoreConfig };

/** The door on the configured backend; a missing s3 credential throws ConfigError (exit 2). */
export function openOriginalsStore(opts: OriginalsStoreOptions): OriginalsStore {
  if (opts.store?.backend === 's3' && opts.store.s3) {
    return new S3OriginalsStore({ db: opts.db, stagingRoot: opts.stagingRoot, station: opts.station, algorithms: opts.algorithms, s3: opts.store.s3, credentials: s3Credentials() });
  }
  return new LocalOriginalsStore(opts);
}

/** The door as a command or the daemon gets it: from the configuration, the home and the catalog. */
export function openConfiguredOriginals(config: Pick<Config, 'station' | 'hash' | 'store'>, home: Pick<Home, 'store' | 'staging'>, db: Db): OriginalsStore {
  return openOriginalsStore({ db, storeRoot: home.store, stagingRoot: home.staging, station: config.station, algorithms: algorithmsFor(config.hash), store: config.store });
}

/** Creates the configured store if its place is empty; refuses a non-empty place that is not one. */
export function prepareOriginalsStore(storeRoot: string): void {
  initStorageRoot(storeRoot);
}
