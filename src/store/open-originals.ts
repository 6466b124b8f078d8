// Opens the originals door on the configured backend (local OCFL; S3 Object Lock next).
import { LocalOriginalsStore, type LocalOriginalsOptions } from './local-originals.js';
import type { OriginalsStore } from './originals.js';

export type OriginalsStoreOptions = LocalOriginalsOptions;

export function openOriginalsStore(opts: OriginalsStoreOptions): OriginalsStore {
  return new LocalOriginalsStore(opts);
}
