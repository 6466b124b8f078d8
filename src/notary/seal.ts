// Sealing one held original: its file.held entry must be in the log the notary signed (an
// inclusion proof against the last checkpoint it signed), the recording must hash to the entry's
// sha256 (and provenance.json to its provenanceSha256); then every file and folder of the object
// is given to root, made 0444/0555 and immutable, so the service user can no longer change it.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, closeSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { leafHash, ProofError, verifyInclusion } from '../audit/merkle.js';
import type { Checkpoint } from '../audit/checkpoint.js';
import { makeImmutable } from '../lib/file-flags.js';

export interface SealRequest {
  /** The object's folder, relative to the storage root. */
  objectDir: string;
  /** The recording inside the object (e.g. v1/content/<name>). */
  contentPath: string;
  seq: number;
  /** The file.held entry's canonical text, as the log holds it. */
  entry: string;
  /** Inclusion proof of the entry in the notary's last signed checkpoint. */
  proof: Buffer[];
}

export class SealRefused extends Error {
  override name = 'SealRefused';
}

function sha256Of(file: string): string {
  const h = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let n: number;
    while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Every file and folder below `dir` (folders after their contents); refuses links and devices. */
function walkObject(dir: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const visit = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) visit(p);
      else if (st.isFile()) files.push(p);
      else throw new SealRefused(`${p} is neither a file nor a folder`);
    }
    dirs.push(d);
  };
  visit(dir);
  return { files, dirs };
}

/** The object's folder under the store, checked to be inside it (no link leads out). */
function objectFolder(storeRoot: string, objectDir: string): string {
  const root = realpathSync(storeRoot);
  const joined = path.resolve(root, objectDir);
  if (!joined.startsWith(root + path.sep)) throw new SealRefused(`${objectDir} is not inside the store ${root}`);
  let real: string;
  try {
    real = realpathSync(joined);
  } catch {
    throw new SealRefused(`no object at ${joined}`);
  }
  if (real !== joined || !lstatSync(real).isDirectory()) throw new SealRefused(`${joined} is not a folder of the store (a link?)`);
  return real;
}

/** Check and seal; SealRefused with the reason. Returns the object's folder and what was sealed. */
export function sealObject(storeRoot: string, req: SealRequest, last: Checkpoint | null): { object: string; files: number; sha256: string } {
  if (last === null || req.seq >= last.size) throw new SealRefused(`entry ${req.seq} is not yet in a checkpoint this notary signed (last size ${last?.size ?? 0}); seal after the next checkpoint`);
  try {
    verifyInclusion(req.seq, last.size, leafHash(Buffer.from(req.entry, 'utf8')), req.proof, last.root);
  } catch (err) {
    if (err instanceof ProofError) throw new SealRefused(`entry ${req.seq} is not the one in the log this notary signed: ${err.message}`);
    throw err;
  }
  const entry = JSON.parse(req.entry) as { type?: string; data?: { sha256?: string; provenanceSha256?: string; evidenceNumber?: string } };
  if (entry.type !== 'file.held' || typeof entry.data?.sha256 !== 'string') throw new SealRefused(`entry ${req.seq} is not a file.held entry`);
  const object = objectFolder(storeRoot, req.objectDir);
  const content = path.resolve(object, req.contentPath);
  if (!content.startsWith(object + path.sep)) throw new SealRefused(`${req.contentPath} is not inside the object`);
  const { files, dirs } = walkObject(object);
  if (!files.includes(content)) throw new SealRefused(`the object has no file ${req.contentPath}`);
  const actual = sha256Of(content);
  if (actual !== entry.data.sha256) throw new SealRefused(`${content} has sha256 ${actual}, its file.held entry (seq ${req.seq}) says ${entry.data.sha256}: not sealed`);
  const provenance = path.join(path.dirname(content), 'provenance.json');
  if (entry.data.provenanceSha256 && files.includes(provenance)) {
    const p = sha256Of(provenance);
    if (p !== entry.data.provenanceSha256) throw new SealRefused(`${provenance} has sha256 ${p}, its file.held entry (seq ${req.seq}) says ${entry.data.provenanceSha256}: not sealed`);
  }
  for (const f of files) {
    chownSync(f, 0, lstatSync(f).gid);
    chmodSync(f, 0o444);
  }
  for (const d of dirs) {
    chownSync(d, 0, lstatSync(d).gid);
    chmodSync(d, 0o555);
  }
  makeImmutable([...files, ...dirs]);
  return { object, files: files.length, sha256: actual };
}
