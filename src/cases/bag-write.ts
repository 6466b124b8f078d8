// Writes a BagIt 1.0 bag into a fresh folder: each recording read through the store's door as
// held (never from a path into the store) and checked against its catalog digest on the way,
// then bag-info, the payload manifest, evidock's tag files and the tag manifest last.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, createWriteStream, openSync, fsyncSync, closeSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { OriginalsStore } from '../store/originals.js';
import type { OriginalRow } from '../store/records.js';
import { BAG_INFO, BAGIT_TXT, bagInfoText, manifestLine, PAYLOAD_MANIFEST, payloadPathOf, TAG_MANIFEST } from './bag-layout.js';
import { CasesError } from './errors.js';

export interface BagInput {
  originals: readonly OriginalRow[];
  /** bag-info.txt fields in order (Payload-Oxum and Bagging-Date are added). */
  info: [label: string, value: string][];
  /** Tag files (relative path -> content), listed in the tag manifest. */
  tagFiles: Map<string, string | Buffer>;
}

export interface WrittenBag {
  files: { evidenceNumber: string; path: string; sha256: string; size: number }[];
  bytes: number;
  tagManifestSha256: string;
}

function sha256Of(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function writeDurably(file: string, data: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Copies one held original's content through the door into `dest`; returns its SHA-256 and size. */
async function copyHeld(store: OriginalsStore, o: OriginalRow, dest: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const fh = await store.openContent(o);
  try {
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(fh.createReadStream({ autoClose: false }), tap, createWriteStream(dest, { flags: 'wx', mode: 0o444 }));
  } finally {
    await fh.close();
  }
  const fd = openSync(dest, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== o.sha256 || size !== o.size) {
    throw new CasesError(`${o.evidence_number} as the store holds it does not match the catalog (sha256 ${sha256}, ${size} bytes; catalog ${o.sha256}, ${o.size} bytes): run \`evidock verify\`; no copy made`, 'refused');
  }
  return { sha256, size };
}

/** Writes the bag into `dir` (must exist and be empty). */
export async function writeBag(dir: string, store: OriginalsStore, input: BagInput, now = new Date()): Promise<WrittenBag> {
  writeDurably(path.join(dir, 'bagit.txt'), BAGIT_TXT);
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const files: WrittenBag['files'] = [];
  for (const o of input.originals) {
    const rel = payloadPathOf(o.evidence_number, o.file_name);
    const { sha256, size } = await copyHeld(store, o, path.join(dir, rel));
    files.push({ evidenceNumber: o.evidence_number, path: rel, sha256, size });
  }
  const bytes = files.reduce((n, f) => n + f.size, 0);
  const manifest = files.map((f) => manifestLine(f.sha256, f.path)).join('');
  writeDurably(path.join(dir, PAYLOAD_MANIFEST), manifest);
  const info = bagInfoText([...input.info, ['Bagging-Date', now.toISOString().slice(0, 10)], ['Payload-Oxum', `${bytes}.${files.length}`]]);
  writeDurably(path.join(dir, BAG_INFO), info);
  const tags = new Map<string, string | Buffer>([['bagit.txt', BAGIT_TXT], [BAG_INFO, info], [PAYLOAD_MANIFEST, manifest]]);
  for (const [rel, content] of input.tagFiles) {
    writeDurably(path.join(dir, rel), content);
    tags.set(rel, content);
  }
  const tagManifest = [...tags].map(([rel, content]) => manifestLine(sha256Of(content), rel)).join('');
  writeDurably(path.join(dir, TAG_MANIFEST), tagManifest);
  return { files, bytes, tagManifestSha256: sha256Of(tagManifest) };
}
