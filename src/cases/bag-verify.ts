// Checks an evidock copy offline, with nothing but the folder (and optionally a verifier key the
// recipient already trusts): the BagIt declaration, every payload and tag digest, Payload-Oxum,
// and that each recording's digest is in a file.held entry proven against the signed checkpoint.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, createReadStream } from 'node:fs';
import path from 'node:path';
import { verifyInclusionBundle } from '../audit/station.js';
import { BAG_INFO, BAGIT_TXT, CHECKPOINT_FILE, PAYLOAD_MANIFEST, proofPathOf, STATION_KEY_FILE, TAG_MANIFEST } from './bag-layout.js';
import { keyFingerprint } from './proofs.js';

export interface BagVerification {
  ok: boolean;
  problems: string[];
  checks: string[];
  recordings: { evidenceNumber: string; path: string; sha256: string }[];
  keyFingerprint: string | null;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function parseManifest(text: string, name: string, problems: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const hit = /^([0-9a-fA-F]{64})\s+(.+)$/.exec(line);
    if (!hit) {
      problems.push(`${name} line ${i + 1} is not "<sha256> <path>"`);
      continue;
    }
    const rel = hit[2].trim();
    if (rel.startsWith('/') || rel.split('/').includes('..')) problems.push(`${name} names a path outside the bag: ${rel}`);
    else m.set(rel, hit[1].toLowerCase());
  }
  return m;
}

function filesUnder(root: string, rel: string): string[] {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs).flatMap((n) => filesUnder(root, rel ? `${rel}/${n}` : n));
}

function bagInfo(text: string): Map<string, string> {
  const info = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !/^\s/.test(line)) info.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return info;
}

/** Checks `dir`; with `trustedKey`, the checkpoint must be signed by that key, not just the one the bag carries. */
export async function verifyBag(dir: string, trustedKey?: string): Promise<BagVerification> {
  const r: BagVerification = { ok: false, problems: [], checks: [], recordings: [], keyFingerprint: null };
  const read = (rel: string): string | undefined => (existsSync(path.join(dir, rel)) ? readFileSync(path.join(dir, rel), 'utf8') : undefined);
  const bagit = read('bagit.txt');
  if (bagit === undefined) {
    r.problems.push(`${dir} has no bagit.txt: not a BagIt bag`);
    return r;
  }
  if (!/^BagIt-Version: 1\.0\r?\nTag-File-Character-Encoding: UTF-8\r?\n?$/.test(bagit)) r.problems.push('bagit.txt is not a BagIt 1.0 declaration with UTF-8 tag files');
  else if (bagit !== BAGIT_TXT) r.checks.push('bagit.txt: BagIt 1.0 (line endings differ from what evidock writes)');
  else r.checks.push('bagit.txt: BagIt 1.0, UTF-8');

  // Payload: every file listed, every listed file present and matching.
  const manifestText = read(PAYLOAD_MANIFEST);
  const payload = manifestText === undefined ? new Map<string, string>() : parseManifest(manifestText, PAYLOAD_MANIFEST, r.problems);
  if (manifestText === undefined) r.problems.push(`${PAYLOAD_MANIFEST} is missing`);
  const present = filesUnder(dir, 'data');
  let bytes = 0;
  for (const rel of present) if (!payload.has(rel)) r.problems.push(`${rel} is in data/ but not in ${PAYLOAD_MANIFEST}`);
  const actual = new Map<string, string>();
  for (const [rel, want] of payload) {
    if (!rel.startsWith('data/')) {
      r.problems.push(`${PAYLOAD_MANIFEST} lists ${rel}, outside data/`);
      continue;
    }
    const abs = path.join(dir, rel);
    if (!existsSync(abs)) {
      r.problems.push(`${rel} is listed in ${PAYLOAD_MANIFEST} but missing`);
      continue;
    }
    const got = await sha256File(abs);
    bytes += statSync(abs).size;
    actual.set(rel, got);
    if (got !== want) r.problems.push(`${rel}: SHA-256 is ${got}, the manifest says ${want}: the file was changed`);
  }
  if (payload.size) r.checks.push(`${payload.size} payload file(s) hashed against ${PAYLOAD_MANIFEST}`);

  // Tag files: the tag manifest covers bagit.txt, bag-info, the payload manifest and evidock/.
  const tagText = read(TAG_MANIFEST);
  if (tagText === undefined) r.problems.push(`${TAG_MANIFEST} is missing`);
  else {
    const tags = parseManifest(tagText, TAG_MANIFEST, r.problems);
    for (const need of ['bagit.txt', BAG_INFO, PAYLOAD_MANIFEST, ...filesUnder(dir, 'evidock')]) if (!tags.has(need)) r.problems.push(`${need} is not in ${TAG_MANIFEST}`);
    for (const [rel, want] of tags) {
      const abs = path.join(dir, rel);
      if (!existsSync(abs)) r.problems.push(`tag file ${rel} is listed but missing`);
      else if ((await sha256File(abs)) !== want) r.problems.push(`tag file ${rel} does not match ${TAG_MANIFEST}: it was changed`);
    }
    r.checks.push(`${tags.size} tag file(s) hashed against ${TAG_MANIFEST}`);
  }
  const info = bagInfo(read(BAG_INFO) ?? '');
  const oxum = info.get('Payload-Oxum');
  if (oxum && oxum !== `${bytes}.${payload.size}`) r.problems.push(`Payload-Oxum says ${oxum}, the payload is ${bytes}.${payload.size}`);

  // Proofs: each recording's file.held entry, in the signed log, names the digest of the file.
  const keyText = read(STATION_KEY_FILE)?.trim();
  if (!keyText) r.problems.push(`${STATION_KEY_FILE} is missing: the proofs cannot be checked`);
  else {
    r.keyFingerprint = keyFingerprint(keyText);
    if (trustedKey && trustedKey.trim() !== keyText) r.problems.push(`the bag's station key (sha256:${r.keyFingerprint}) is not the key you trust (sha256:${keyFingerprint(trustedKey)})`);
    else if (!trustedKey) r.checks.push(`note: trusting the station key carried in the bag (sha256:${r.keyFingerprint}); pass --key to check against a key you hold`);
  }
  const checkpoint = read(CHECKPOINT_FILE);
  for (const [rel, sha] of actual) {
    const evidence = path.basename(rel).replace(/\.[^.]*$/, '');
    const bundleText = read(proofPathOf(evidence));
    if (!bundleText) {
      r.problems.push(`${rel}: no inclusion proof (${proofPathOf(evidence)})`);
      continue;
    }
    let bundle: { entry?: string; checkpoint?: string };
    try {
      bundle = JSON.parse(bundleText);
    } catch {
      r.problems.push(`${proofPathOf(evidence)} is not JSON`);
      continue;
    }
    const v = verifyInclusionBundle(bundle, trustedKey?.trim() ?? keyText);
    if (!v.ok) r.problems.push(`${rel}: inclusion proof fails: ${v.problems.join('; ')}`);
    if (checkpoint !== undefined && bundle.checkpoint !== checkpoint) r.problems.push(`${proofPathOf(evidence)} is against another checkpoint than ${CHECKPOINT_FILE}`);
    let held: { type?: string; data?: { evidenceNumber?: string; sha256?: string } } = {};
    try {
      held = JSON.parse(String(bundle.entry));
    } catch {
      /* reported by verifyInclusionBundle */
    }
    if (held.type !== 'file.held' || held.data?.evidenceNumber !== evidence) r.problems.push(`${proofPathOf(evidence)} does not prove the file.held entry of ${evidence}`);
    else if (held.data.sha256 !== sha) r.problems.push(`${rel}: SHA-256 ${sha} is not the one the signed log holds for ${evidence} (${held.data.sha256})`);
    else if (v.ok) r.recordings.push({ evidenceNumber: evidence, path: rel, sha256: sha });
  }
  if (r.recordings.length) r.checks.push(`${r.recordings.length} recording(s): digest equals the file.held entry proven against the signed checkpoint`);
  r.ok = r.problems.length === 0 && r.recordings.length === payload.size;
  if (!r.ok && !r.problems.length) r.problems.push('not every payload file was proven');
  return r;
}
