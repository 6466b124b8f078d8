// Opens the originals door on the configured backend (local OCFL; S3 Object Lock next).
import { LocalOriginalsStore, type LocalOriginalsOptions } from './local-originals.js';
import { initStorageRoot } from './ocfl.js';
import type { OriginalsStore } from './originals.js';

export type OriginalsStoreOptions = LocalOriginalsOptions;

export function openOriginalsStore(opts: OriginalsStoreOptions): OriginalsStore {
  return new LocalOriginalsStore(opts);
}

/** Creates the configured store if its place is empty; refuses a non-empty place that is not one. */
export function prepareOriginalsStore(storeRoot: string): void {
  initStorageRoot(storeRoot);
}
