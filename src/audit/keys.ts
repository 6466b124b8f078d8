// The station's Ed25519 key: <home>/keys/station.key (private, 0600, signed-note signer text)
// and <home>/keys/station.pub (public verifier key, 0444). The key name is the station id, which
// is also the origin line of every checkpoint.
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeNewFileDurably } from '../lib/durable.js';
import { formatSignerKey, formatVerifierKey, generateSigner, parseSignerKey, parseVerifierKey, verifierOf, type Signer, type Verifier } from './note.js';

export function keyPaths(homeDir: string): { dir: string; privateKey: string; publicKey: string } {
  const dir = path.join(homeDir, 'keys');
  return { dir, privateKey: path.join(dir, 'station.key'), publicKey: path.join(dir, 'station.pub') };
}

/** A key that is missing, unreadable or not this station's: a configuration error (exit 2). */
export class KeyError extends Error {
  override name = 'KeyError';
  readonly exitCode = 2;
}

/** What to do when the station key is gone: it is never made again on its own. */
export function missingKeyMessage(homeDir: string): string {
  const p = keyPaths(homeDir);
  return (
    `no station key at ${p.privateKey}. It signs this station's checkpoints; it is made once, by \`evidock init\` on a new home, ` +
    'and never made again on its own (a new key would let anyone re-sign a rewritten history). ' +
    `Restore keys/station.key (mode 0600, owner the service user) from the station's backup; ${p.publicKey} is its public half`
  );
}

/**
 * Create the station key if there is none. Returns the signer and whether it was created. Only
 * for a home with no signed history (createStationKeyOnce checks that): never to replace a lost key.
 */
export function ensureStationKey(homeDir: string, stationId: string): { signer: Signer; created: boolean } {
  const p = keyPaths(homeDir);
  if (existsSync(p.privateKey)) return { signer: loadStationKey(homeDir, stationId), created: false };
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  chmodSync(p.dir, 0o700);
  const signer = generateSigner(stationId);
  writeNewFileDurably(p.privateKey, formatSignerKey(signer) + '\n', 0o600);
  if (!existsSync(p.publicKey)) writeNewFileDurably(p.publicKey, formatVerifierKey(verifierOf(signer)) + '\n', 0o444);
  return { signer, created: true };
}

export function loadStationKey(homeDir: string, stationId?: string): Signer {
  const p = keyPaths(homeDir);
  if (!existsSync(p.privateKey)) throw new KeyError(missingKeyMessage(homeDir));
  const mode = statSync(p.privateKey).mode & 0o777;
  if (mode & 0o077) throw new KeyError(`station key ${p.privateKey} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  let signer: Signer;
  try {
    signer = parseSignerKey(readFileSync(p.privateKey, 'utf8'));
  } catch (e) {
    throw new KeyError(`station key ${p.privateKey}: ${(e as Error).message}`);
  }
  if (stationId !== undefined && signer.name !== stationId) {
    throw new KeyError(`station key ${p.privateKey} is named ${signer.name} but station.id is ${stationId}; a station keeps its id for the life of its log`);
  }
  return signer;
}

export function stationVerifierKeyText(homeDir: string, stationId?: string): string {
  return formatVerifierKey(verifierOf(loadStationKey(homeDir, stationId)));
}

/**
 * Null when the station key (if any) carries this station id; otherwise a message naming both
 * ids. A station keeps its id for the life of its log: the daemon refuses to start on a mismatch.
 */
export function stationKeyMismatch(homeDir: string, stationId: string): string | null {
  const p = keyPaths(homeDir);
  if (!existsSync(p.privateKey)) return null;
  let keyName: string;
  try {
    keyName = parseSignerKey(readFileSync(p.privateKey, 'utf8')).name;
  } catch (e) {
    return `station key ${p.privateKey}: ${(e as Error).message}`;
  }
  if (keyName === stationId) return null;
  return (
    `station.id is "${stationId}" but the station key ${p.privateKey} belongs to station "${keyName}". ` +
    `A station keeps its id for the life of its log: set station.id = "${keyName}" again in the configuration.`
  );
}

/**
 * The key checkpoints are checked with: the public half of station.key where this user can read
 * it (and then station.pub must be that half), else station.pub (an auditor cannot read the
 * private key). A problem, never a silent skip, when neither can be used.
 */
export function stationVerifier(homeDir: string, stationId: string): { verifier: Verifier; from: string; problems: string[] } | { problem: string } {
  const p = keyPaths(homeDir);
  const problems: string[] = [];
  let pubText: string | undefined;
  try {
    pubText = readFileSync(p.publicKey, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${p.publicKey}: ${(err as Error).message}`);
  }
  let signer: Signer | undefined;
  if (readable(p.privateKey)) {
    try {
      signer = loadStationKey(homeDir, stationId);
    } catch (err) {
      return { problem: (err as Error).message };
    }
  }
  if (signer) {
    const derived = formatVerifierKey(verifierOf(signer));
    if (pubText === undefined) problems.push(`${p.publicKey} is missing (the private key is there: run \`evidock key show\` and give auditors that key)`);
    else if (pubText !== derived) problems.push(`${p.publicKey} is not the public half of ${p.privateKey}: it was replaced (the key that signs is ${derived})`);
    return { verifier: verifierOf(signer), from: p.privateKey, problems };
  }
  if (pubText === undefined) return { problem: `no station key to check signatures with: neither ${p.privateKey} nor ${p.publicKey} can be read` };
  try {
    return { verifier: parseVerifierKey(pubText), from: p.publicKey, problems };
  } catch (err) {
    return { problem: `${p.publicKey}: ${(err as Error).message}` };
  }
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
