// Verify on the s3 backend: each held original's version in the bucket (the one its upload
// returned, kept in the catalog; the first one written under its key for older originals), full (GET and re-hash against the catalog, the inventory and provenance.json)
// or quick (HEAD: size, the SHA-256 written as metadata, the ETag's shape, COMPLIANCE retention
// not shortened), N objects at once; newer versions and delete markers over a held one, and keys
// under the station's prefix the catalog does not know, are reported.
import { createHash } from 'node:crypto';
import type { S3StoreConfig } from '../store-config.js';
import { PROVENANCE_FILE } from './ocfl.js';
import type { ChangedObject, CheckOptions, ObjectCheck, UntrackedEntry } from './originals.js';
import type { OriginalRow } from './records.js';
import type { ObjectVersion, S3Bucket } from './s3-client.js';
import { EVIDOCK_FOLDER } from './s3-lock-probe.js';
import type { HeldVersions } from './s3-held-versions.js';
import { hashObject } from './s3-read-back.js';
import { PART_BYTES } from './s3-upload.js';

/** The station's prefix in the bucket, ending in "/": the configured one, else the station id. */
export function s3Prefix(cfg: S3StoreConfig, stationId: string): string {
  const p = (cfg.prefix ?? stationId).replace(/\/+$/, '');
  return `${p}/`;
}

export interface KeyVersions {
  /** The first version written under the key: the one evidock held. */
  held?: ObjectVersion;
  /** Versions written over it later (an overwrite: the held one stays below them). */
  newer: ObjectVersion[];
  /** The latest entry is a delete marker: a plain GET no longer finds the held version. */
  deleted: boolean;
}

/**
 * The versions of a key: the held one is `heldId` (the version id kept in the catalog) when
 * given, else the first written; the versions written after it are overwrites.
 */
export async function versionsOf(bucket: S3Bucket, key: string, heldId?: string): Promise<KeyVersions> {
  const all: ObjectVersion[] = [];
  for await (const v of bucket.versions(key)) if (v.key === key) all.push(v);
  // S3 lists a key's versions newest first.
  const data = all.filter((v) => !v.deleteMarker);
  const at = heldId === undefined ? data.length - 1 : data.findIndex((v) => v.versionId === heldId);
  return { held: at < 0 ? undefined : data[at], newer: at < 0 ? [] : data.slice(0, at), deleted: all.some((v) => v.deleteMarker && v.isLatest) };
}

export async function heldVersionOf(bucket: S3Bucket, key: string): Promise<ObjectVersion | undefined> {
  return (await versionsOf(bucket, key)).held;
}

/** The first version written under each key below a prefix, by the key's path below it. */
export async function firstVersionsUnder(bucket: S3Bucket, prefix: string): Promise<Record<string, string>> {
  const first: Record<string, string> = {};
  // Listed newest first per key: the last data version seen for a key is its first.
  for await (const v of bucket.versions(prefix)) if (!v.deleteMarker && v.key.startsWith(prefix)) first[v.key.slice(prefix.length)] = v.versionId;
  return first;
}

/** Every distinct key under a prefix. */
export async function* listBucketObjects(bucket: S3Bucket, prefix: string): AsyncGenerator<string> {
  let last: string | undefined;
  for await (const v of bucket.versions(prefix)) {
    if (v.key !== last) yield v.key;
    last = v.key;
  }
}

/** The ETag S3 gives an upload of `size` bytes by evidock: plain MD5, or MD5-of-parts "-N". */
function etagShapeFits(etag: string, size: number): boolean {
  if (size <= PART_BYTES) return /^[0-9a-f]{32}$/.test(etag);
  return etag === etag.replace(/-\d+$/, '') + `-${Math.ceil(size / PART_BYTES)}` && /^[0-9a-f]{32}-\d+$/.test(etag);
}

/**
 * One held original in the bucket. `held`: the version id each of its files was held as (from
 * the catalog or its file.held entry); without it (held before version ids were kept) the first
 * version under each key is the held one.
 */
export async function checkS3Object(bucket: S3Bucket, prefix: string, retentionDays: number, underLegalHold: boolean, row: OriginalRow, mode: 'quick' | 'full', signal?: AbortSignal, held?: HeldVersions): Promise<ObjectCheck> {
  const base = { evidenceNumber: row.evidence_number, objectPath: row.object_path };
  const keyOf = (rel: string) => `${prefix}${row.object_path}/${rel}`;
  const versionOf = async (rel: string) => held?.[rel] ?? (await heldVersionOf(bucket, keyOf(rel)))?.versionId;
  const contentKey = keyOf(row.content_path);
  const changed: ChangedObject[] = [];
  const heldId = held?.[row.content_path];
  const v = await versionsOf(bucket, contentKey, heldId);
  if (!v.held) return { changed, missing: { ...base, problem: heldId ? `${contentKey} version ${heldId} is not in bucket ${bucket.bucket}` : `${contentKey} is not in bucket ${bucket.bucket}` }, bytes: 0 };
  if (v.deleted) changed.push({ ...base, file: row.content_path, problem: 'deleted: a delete marker hides the held version (the locked version is still in the bucket)' });
  if (v.newer.length) changed.push({ ...base, file: row.content_path, problem: `overwritten: ${v.newer.length} newer version(s) over the held one (the held version is intact below them)` });
  const head = await bucket.head(contentKey, v.held.versionId);
  if (!head) return { changed, missing: { ...base, problem: `${contentKey} version ${v.held.versionId} is gone` }, bytes: 0 };
  // Retention: COMPLIANCE, until at least held_at + retention_days (a shortened lock is a finding).
  const due = Date.parse(row.held_at) + retentionDays * 86_400_000;
  if (head.lockMode !== 'COMPLIANCE') changed.push({ ...base, file: row.content_path, problem: 'retention is not COMPLIANCE', expected: 'COMPLIANCE', actual: head.lockMode ?? 'none' });
  else if (!head.retainUntil || head.retainUntil.getTime() < due - 1000)
    changed.push({ ...base, file: row.content_path, problem: 'retention shortened', expected: new Date(due).toISOString(), actual: head.retainUntil?.toISOString() ?? 'none' });
  // An active Art. 14 hold: the legal hold must still be on the held version.
  if (underLegalHold && !(await bucket.legalHold(contentKey, v.held.versionId)))
    changed.push({ ...base, file: row.content_path, problem: 'legal hold lifted while an Art. 14 hold is active', expected: 'ON', actual: 'OFF' });
  if (mode === 'quick') {
    if (head.size !== row.size) changed.push({ ...base, file: row.content_path, problem: 'size changed', expected: String(row.size), actual: String(head.size) });
    if (head.metadata.sha256 !== row.sha256) changed.push({ ...base, file: row.content_path, problem: 'the object names another SHA-256', expected: row.sha256, actual: head.metadata.sha256 ?? 'none' });
    if (!etagShapeFits(head.etag, head.size)) changed.push({ ...base, file: row.content_path, problem: 'ETag does not fit an upload of this size', actual: head.etag });
    return { changed, bytes: 0 };
  }
  let bytes = 0;
  try {
    const r = await hashObject(bucket, contentKey, v.held.versionId, ['sha256'], signal);
    bytes = r.bytes;
    if (r.digests.sha256 !== row.sha256) changed.push({ ...base, file: row.content_path, problem: 'content digest changed', expected: row.sha256, actual: r.digests.sha256 });
    if (r.bytes !== row.size) changed.push({ ...base, file: row.content_path, problem: 'size changed', expected: String(row.size), actual: String(r.bytes) });
  } catch (err) {
    changed.push({ ...base, file: row.content_path, problem: `unreadable: ${(err as Error).message}` });
  }
  // The inventory (against its sidecar and the catalog) and provenance.json (against the inventory).
  try {
    const text = await bucket.getBuffer(keyOf('inventory.json'), await versionOf('inventory.json'));
    const sidecar = (await bucket.getBuffer(keyOf('inventory.json.sha256'), await versionOf('inventory.json.sha256'))).toString('utf8').trim().split(/\s+/)[0];
    const actual = createHash('sha256').update(text).digest('hex');
    if (sidecar !== actual) changed.push({ ...base, file: 'inventory.json', problem: 'inventory does not match its sidecar digest', expected: sidecar, actual });
    const inventory = JSON.parse(text.toString('utf8')) as { id?: string; manifest?: Record<string, string[]> };
    if (inventory.id !== row.object_id) changed.push({ ...base, file: 'inventory.json', problem: 'inventory names another object', expected: row.object_id, actual: String(inventory.id) });
    const manifest = Object.entries(inventory.manifest ?? {});
    const listed = manifest.find(([, paths]) => paths.includes(row.content_path));
    if (!listed) changed.push({ ...base, file: row.content_path, problem: 'content file not in the inventory manifest' });
    else if (listed[0] !== row.sha256) changed.push({ ...base, file: row.content_path, problem: 'inventory digest differs from the catalog', expected: row.sha256, actual: listed[0] });
    const prov = `v1/content/${PROVENANCE_FILE}`;
    const provDigest = manifest.find(([, paths]) => paths.includes(prov))?.[0];
    const provVersion = await versionOf(prov);
    if (!provDigest || !provVersion) changed.push({ ...base, file: prov, problem: 'provenance missing' });
    else {
      const got = createHash('sha256').update(await bucket.getBuffer(keyOf(prov), provVersion)).digest('hex');
      if (got !== provDigest) changed.push({ ...base, file: prov, problem: 'provenance changed', expected: provDigest, actual: got });
    }
  } catch (err) {
    changed.push({ ...base, file: 'inventory.json', problem: `inventory unreadable: ${(err as Error).message}` });
  }
  return { changed, bytes };
}

/** Checks rows N at a time; onResult once per row as each finishes. */
export async function checkS3Objects(
  bucket: S3Bucket,
  prefix: string,
  retentionDays: number,
  underLegalHold: ReadonlySet<string>,
  rows: readonly OriginalRow[],
  opts: CheckOptions,
  onResult: (row: OriginalRow, result: ObjectCheck) => void,
  heldVersions: (evidenceNumber: string) => HeldVersions | undefined = () => undefined,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < rows.length; i = next++) {
      if (opts.signal?.aborted) return;
      onResult(rows[i], await checkS3Object(bucket, prefix, retentionDays, underLegalHold.has(rows[i].evidence_number), rows[i], opts.mode, opts.signal, heldVersions(rows[i].evidence_number)));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, rows.length)) }, worker));
}

/** Object folders under the prefix with keys the catalog does not track (held or in flight). */
export async function* untrackedS3(bucket: S3Bucket, prefix: string, tracked: ReadonlySet<string>): AsyncGenerator<UntrackedEntry> {
  const reported = new Set<string>();
  for await (const key of listBucketObjects(bucket, prefix)) {
    if (key.startsWith(`${prefix}${EVIDOCK_FOLDER}/`)) continue;
    const objectPath = objectPathOfKey(prefix, key);
    if (tracked.has(objectPath) || reported.has(objectPath)) continue;
    reported.add(objectPath);
    yield { path: objectPath, problem: `object in bucket ${bucket.bucket} under ${prefix} not in the catalog` };
  }
}

/** The object folder (0004 layout: three tuples and the digest) a key under the prefix belongs to. */
export function objectPathOfKey(prefix: string, key: string): string {
  return key.slice(prefix.length).split('/').slice(0, 4).join('/');
}
