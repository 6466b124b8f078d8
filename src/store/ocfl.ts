// The write-once object store: an OCFL 1.1 storage root with the 0004 hashed n-tuple layout.
// One object per original recording, version v1 only. Objects are built in staging (same
// filesystem) and renamed into place; files 0444, directories 0555.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fsyncDirectory, writeNewFileDurably } from '../lib/durable.js';
import type { FsStep } from '../lib/fs-steps.js';

export const OCFL_ROOT_DECLARATION = '0=ocfl_1.1';
export const OCFL_OBJECT_DECLARATION = '0=ocfl_object_1.1';
export const PROVENANCE_FILE = 'provenance.json';
export const LAYOUT_EXTENSION = '0004-hashed-n-tuple-storage-layout';
const LAYOUT_CONFIG = {
  extensionName: LAYOUT_EXTENSION,
  digestAlgorithm: 'sha256',
  tupleSize: 3,
  numberOfTuples: 3,
  shortObjectRoot: false,
};

export class StoreError extends Error {
  override name = 'StoreError';
}

/** Create the storage root if the folder is empty; refuse a non-empty folder that is not one. */
export function initStorageRoot(root: string): void {
  mkdirSync(root, { recursive: true });
  if (existsSync(path.join(root, OCFL_ROOT_DECLARATION))) return;
  const entries = readdirSync(root);
  if (entries.length > 0) {
    throw new StoreError(
      `${root} is not empty and is not an OCFL storage root (no ${OCFL_ROOT_DECLARATION}); point paths.store at an empty folder or an existing evidock store`,
    );
  }
  mkdirSync(path.join(root, 'extensions', LAYOUT_EXTENSION), { recursive: true });
  writeNewFileDurably(path.join(root, 'extensions', LAYOUT_EXTENSION, 'config.json'), JSON.stringify(LAYOUT_CONFIG, null, 2) + '\n');
  writeNewFileDurably(
    path.join(root, 'ocfl_layout.json'),
    JSON.stringify({ extension: LAYOUT_EXTENSION, description: 'Hashed N-tuple Storage Layout' }, null, 2) + '\n',
  );
  // The declaration goes last: its presence means the root is complete.
  writeNewFileDurably(path.join(root, OCFL_ROOT_DECLARATION), 'ocfl_1.1\n');
  fsyncDirectory(root);
}

/** 0004 layout: sha256 of the object id, three 3-character tuples, then the full digest. */
export function objectPathFor(objectId: string): string {
  const h = createHash('sha256').update(objectId, 'utf8').digest('hex');
  return path.join(h.slice(0, 3), h.slice(3, 6), h.slice(6, 9), h);
}

/**
 * An OCFL logical/content file name from the bytes of the name on the card: printable UTF-8
 * stays as it is; anything else (control characters, invalid UTF-8, '/', '%') is %XX-escaped.
 */
export function safeFileName(raw: Buffer): string {
  const text = raw.toString('utf8');
  const valid = Buffer.from(text, 'utf8').equals(raw);
  let out = '';
  if (valid) {
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 || cp === 0x7f || ch === '/' || ch === '\\' || ch === '%' || (cp >= 0x80 && cp < 0xa0)) {
        out += [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
      } else out += ch;
    }
  } else {
    for (const b of raw) {
      out += b >= 0x21 && b < 0x7f && b !== 0x2f && b !== 0x25 && b !== 0x5c ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  if (out === '' || out === '.' || out === '..') out = out.replace(/\./g, '%2E') || '%00';
  // provenance.json beside the recording is ours; a recording of that name is escaped.
  if (out === PROVENANCE_FILE) out = 'provenance%2Ejson';
  // Keep file names within common filesystem limits (255 bytes), leaving room for nothing else.
  // Cut whole characters, never half of a surrogate pair (a 4-byte UTF-8 character), which would
  // be written to disk as U+FFFD while the inventory kept the lone surrogate.
  if (Buffer.byteLength(out, 'utf8') > 200) {
    const chars = [...out];
    while (Buffer.byteLength(chars.join(''), 'utf8') > 200) chars.pop();
    out = chars.join('');
  }
  return out;
}

export interface StagedFile {
  logicalPath: string;
  sha256: string;
  size: number;
}

export interface InventoryInput {
  id: string;
  created: string;
  message: string;
  user: { name: string; address?: string };
  files: StagedFile[];
  /** Extra fixity digests, keyed by an algorithm of OCFL's vocabulary (md5, sha1, sha512, blake2b-512...), then logical path. */
  fixity?: Record<string, Record<string, string>>;
}

/** The object inventory (OCFL 1.1 §3.5): every content file once, under v1/content. */
export function buildInventory(input: InventoryInput): Record<string, unknown> {
  const manifest: Record<string, string[]> = {};
  const state: Record<string, string[]> = {};
  for (const f of input.files) {
    const contentPath = `v1/content/${f.logicalPath}`;
    (manifest[f.sha256] ??= []).push(contentPath);
    (state[f.sha256] ??= []).push(f.logicalPath);
  }
  const inventory: Record<string, unknown> = {
    id: input.id,
    type: 'https://ocfl.io/1.1/spec/#inventory',
    digestAlgorithm: 'sha256',
    head: 'v1',
    contentDirectory: 'content',
    manifest,
    versions: {
      v1: { created: input.created, message: input.message, user: input.user, state },
    },
  };
  if (input.fixity) {
    const fixity: Record<string, Record<string, string[]>> = {};
    for (const [alg, byPath] of Object.entries(input.fixity)) {
      const m: Record<string, string[]> = {};
      for (const [logical, digest] of Object.entries(byPath)) (m[digest] ??= []).push(`v1/content/${logical}`);
      fixity[alg] = m;
    }
    inventory.fixity = fixity;
  }
  return inventory;
}

/** Folder layout of one object being built in staging. */
export function stagedContentDir(stagedObject: string): string {
  return path.join(stagedObject, 'v1', 'content');
}

export function createStagedObject(stagedObject: string): string {
  const content = stagedContentDir(stagedObject);
  mkdirSync(content, { recursive: true, mode: 0o700 });
  return content;
}

/** The files that seal a staged object: both inventories with their sidecars, and the declaration. */
function sealingFiles(stagedObject: string, inventory: Record<string, unknown>): { file: string; data: string }[] {
  const text = JSON.stringify(inventory, null, 2) + '\n';
  const digest = createHash('sha256').update(text).digest('hex');
  return [
    ...[path.join(stagedObject, 'v1'), stagedObject].flatMap((dir) => [
      { file: path.join(dir, 'inventory.json'), data: text },
      { file: path.join(dir, 'inventory.json.sha256'), data: `${digest}  inventory.json\n` },
    ]),
    { file: path.join(stagedObject, OCFL_OBJECT_DECLARATION), data: 'ocfl_object_1.1\n' },
  ];
}

/** Write inventories and the declaration into a staged object whose content is in place. Durable on return. */
export function sealStagedObject(stagedObject: string, inventory: Record<string, unknown>): void {
  for (const { file, data } of sealingFiles(stagedObject, inventory)) writeNewFileDurably(file, data);
  // Read-only all the way down, except the object root itself: moving a directory to another
  // parent needs write permission on it. It is made 0555 right after the rename.
  const lock = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        lock(p);
        fsyncDirectory(p);
        chmodSync(p, 0o555);
      } else chmodSync(p, 0o444);
    }
  };
  lock(stagedObject);
  fsyncDirectory(stagedObject);
}

/**
 * sealStagedObject as steps for runFsSteps (the writes made on the filesystem thread), for an object whose only content is `contentFile`
 * (with `more` files, e.g. provenance.json, written beside it in v1/content): the files written
 * read-only, the content file and the folders below the root made read-only; every file and
 * folder of the object is added to `flush` (to make durable before anyone relies on it).
 */
export function sealStagedObjectSteps(stagedObject: string, inventory: Record<string, unknown>, contentFile: string, more: readonly { name: string; data: string }[], flush: string[]): FsStep[] {
  const v1 = path.join(stagedObject, 'v1');
  const content = stagedContentDir(stagedObject);
  const files = [...more.map((m) => ({ file: path.join(content, m.name), data: m.data })), ...sealingFiles(stagedObject, inventory)];
  const steps: FsStep[] = files.map(({ file, data }) => ({ op: 'write', path: file, data, mode: 0o444 }));
  flush.push(...files.map((f) => f.file));
  // Read-only all the way down, except the object root itself (made 0555 right after the rename).
  steps.push({ op: 'chmod', path: contentFile, mode: 0o444 }, { op: 'chmod', path: content, mode: 0o555 }, { op: 'chmod', path: v1, mode: 0o555 });
  flush.push(contentFile, content, v1, stagedObject);
  return steps;
}

/**
 * The steps (for runFsSteps) that move a sealed staged object to its place in the storage root:
 * the missing ancestors made, the rename (refused when an object is there), the root made 0555. The rename's parent and the object root are added
 * to `flush`; a 'flush' step after these also flushes the parents of the folders made. Durable
 * once that flush is done.
 */
export function commitStagedObjectSteps(storeRoot: string, stagedObject: string, objectPath: string, flush: string[]): FsStep[] {
  const target = path.join(storeRoot, objectPath);
  const parent = path.dirname(target);
  flush.push(parent, target);
  return [
    { op: 'mkdirs', path: parent },
    { op: 'renameNew', from: stagedObject, to: target },
    { op: 'chmod', path: target, mode: 0o555 },
  ];
}

/** Idempotent last step of a commit (also used by recovery). */
export function finishCommittedObject(objectRoot: string): void {
  if ((statSync(objectRoot).mode & 0o777) !== 0o555) chmodSync(objectRoot, 0o555);
}

export function readInventory(objectRoot: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(objectRoot, 'inventory.json'), 'utf8'));
}

/** Walk the storage root and yield every object root (folder with an object declaration). */
export function* listObjectRoots(storeRoot: string): Generator<string> {
  const walk = function* (dir: string, depth: number): Generator<string> {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.name === OCFL_OBJECT_DECLARATION)) {
      yield dir;
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !(depth === 0 && e.name === 'extensions')) yield* walk(path.join(dir, e.name), depth + 1);
    }
  };
  yield* walk(storeRoot, 0);
}

/** Directories in the storage root's hierarchy that are not objects and lead to none. */
export function* listStrayPaths(storeRoot: string): Generator<string> {
  const walk = function* (dir: string, depth: number): Generator<string> {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (depth === 0 && (e.name === 'extensions' || e.name === OCFL_ROOT_DECLARATION || e.name === 'ocfl_layout.json' || e.name.startsWith('ocfl_1.1'))) continue;
      if (!e.isDirectory()) {
        yield p;
        continue;
      }
      const inner = readdirSync(p);
      if (inner.includes(OCFL_OBJECT_DECLARATION)) continue;
      if (inner.length === 0) {
        yield p;
        continue;
      }
      yield* walk(p, depth + 1);
    }
  };
  yield* walk(storeRoot, 0);
}

/** Remove a staged (never committed) object, even once sealed read-only. Never used on the store. */
export function discardStagedObject(stagedObject: string): void {
  const unlock = (dir: string): void => {
    try {
      chmodSync(dir, 0o700);
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) unlock(path.join(dir, e.name));
    } catch {
      /* already gone */
    }
  };
  unlock(stagedObject);
  rmSync(stagedObject, { recursive: true, force: true });
}
