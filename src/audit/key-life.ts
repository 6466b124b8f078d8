// The station key's life: made once, on a home with no signed history, with a log entry saying
// so; never made again on its own. A home that has signed checkpoints and has lost its key gets
// an error naming what to do, never a fresh key that could re-sign a rewritten history.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { ensureStationKey, KeyError, keyPaths, loadStationKey, missingKeyMessage } from './keys.js';
import { appendAuditEntry, type Actor } from './log.js';
import { formatVerifierKey, parseSignerKey, verifierOf, type Signer, type Verifier } from './note.js';
import path from 'node:path';
import { fsyncDirectory, writeNewFileDurably } from '../lib/durable.js';
import { keepOwnerOfFolder } from '../lib/owner.js';
import { ROTATION_TYPE } from './key-history.js';

type Db = Database.Database;

/** Whether this home has signed anything or recorded a key: then a missing key is lost, not new. */
function hasSignedHistory(db: Db, homeDir: string): boolean {
  const rows = db.prepare(`SELECT (SELECT count(*) FROM audit_checkpoints) + (SELECT count(*) FROM audit_entries WHERE type = 'station.key-created') AS n`).get() as { n: number };
  if (rows.n > 0) return true;
  const dir = path.join(homeDir, 'checkpoints');
  return existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('.checkpoint'));
}

/**
 * The station key, made now (logged as station.key-created) when this home has none and no signed
 * history; KeyError when it has a history and the key is gone.
 */
export function createStationKeyOnce(db: Db, homeDir: string, stationId: string, actor: Actor): { signer: Signer; created: boolean } {
  if (existsSync(keyPaths(homeDir).privateKey)) return { signer: loadStationKey(homeDir, stationId), created: false };
  if (hasSignedHistory(db, homeDir)) throw new KeyError(missingKeyMessage(homeDir));
  const { signer, created } = ensureStationKey(homeDir, stationId);
  if (created) {
    db.transaction(() =>
      appendAuditEntry(db, { type: 'station.key-created', data: { station: signer.name, keyHash: signer.keyHash.toString('hex'), publicKey: formatVerifierKey(verifierOf(signer)) }, actor }),
    )();
  }
  return { signer, created };
}

/**
 * The key a checkpoint is signed with. On a home with no signed history and no key (a catalog
 * used before init, as tests do) it is made; where anything was ever signed, a missing key is
 * a KeyError naming what to do.
 */
export function signingKey(db: Db, homeDir: string, stationId: string): Signer {
  if (existsSync(keyPaths(homeDir).privateKey)) return keyOfLastRotation(db, homeDir, loadStationKey(homeDir, stationId));
  const adopted = db.prepare(`SELECT json_extract(entry, '$.data.notaryKeyFile') AS file FROM audit_entries WHERE type = 'station.key-adopted' ORDER BY seq DESC LIMIT 1`).get() as { file: string } | undefined;
  if (adopted) {
    throw new KeyError(
      `the station key was moved to the notary (${adopted.file}, \`evidock notary adopt-key\`): only the notary signs. ` +
        'Set [notary] socket in the configuration to its socket and start it (evidock-notary.service)',
    );
  }
  if (hasSignedHistory(db, homeDir)) throw new KeyError(missingKeyMessage(homeDir));
  return ensureStationKey(homeDir, stationId).signer;
}

/** Where a rotation keeps its new private key until its log entry is committed. */
export function nextKeyPath(homeDir: string): string {
  return `${keyPaths(homeDir).privateKey}.next`;
}

/** Where the public half of every replaced key is kept, forever. */
export function retiredKeysDir(homeDir: string): string {
  return path.join(keyPaths(homeDir).dir, 'retired');
}

/**
 * The signer after the log's last rotation: station.key when it is the key that rotation names;
 * when a rotation was committed but its new key not yet moved into place (a crash in between),
 * the rotation is finished now. Any other key is a KeyError: a key is never replaced without a rotation entry.
 */
function keyOfLastRotation(db: Db, homeDir: string, loaded: Signer): Signer {
  const last = db.prepare(`SELECT seq, json_extract(entry, '$.data.publicKey') AS key FROM audit_entries WHERE type = ? ORDER BY seq DESC LIMIT 1`).get(ROTATION_TYPE) as
    | { seq: number; key: string }
    | undefined;
  const next = nextKeyPath(homeDir);
  const loadedKey = formatVerifierKey(verifierOf(loaded));
  // A station.key.next beside a key the log agrees with is a rotation not committed (yet, or
  // ever): left alone, `key rotate` writes it afresh.
  if (last === undefined || last.key === loadedKey) return loaded;
  if (existsSync(next)) {
    const pending = parseSignerKey(readFileSync(next, 'utf8'));
    if (formatVerifierKey(verifierOf(pending)) === last.key) {
      finishRotation(homeDir, loaded, pending);
      return pending;
    }
  }
  throw new KeyError(
    `${keyPaths(homeDir).privateKey} is not the key the last rotation (log entry ${last.seq}) names (${last.key}): a key is replaced only by \`evidock key rotate\`. ` +
      'Restore keys/station.key from the backup taken after that rotation',
  );
}

/**
 * Put a committed rotation's new key in place: station.key.next renamed over station.key, the
 * old public key kept under keys/retired/, station.pub replaced by the new public key.
 */
export function finishRotation(homeDir: string, old: Signer, next: Signer): void {
  const p = keyPaths(homeDir);
  renameSync(nextKeyPath(homeDir), p.privateKey);
  publishRotatedKey(homeDir, old, next);
}

/** The old public key kept under keys/retired/, station.pub replaced by the new one (also when the notary holds the key). */
export function publishRotatedKey(homeDir: string, old: Verifier, next: Verifier): void {
  const p = keyPaths(homeDir);
  if (!existsSync(p.dir)) mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  const retired = retiredKeysDir(homeDir);
  if (!existsSync(retired)) {
    mkdirSync(retired, { mode: 0o755 });
    keepOwnerOfFolder(retired, p.dir);
  }
  const oldPub = path.join(retired, `${old.name}+${old.keyHash.toString('hex')}.pub`);
  if (!existsSync(oldPub)) {
    writeNewFileDurably(oldPub, formatVerifierKey(old) + '\n', 0o444);
    keepOwnerOfFolder(oldPub, p.dir);
  }
  const pubTmp = `${p.publicKey}.tmp`;
  if (existsSync(pubTmp)) unlinkSync(pubTmp);
  writeNewFileDurably(pubTmp, formatVerifierKey(next) + '\n', 0o444);
  keepOwnerOfFolder(pubTmp, p.dir);
  renameSync(pubTmp, p.publicKey);
  fsyncDirectory(retired);
  fsyncDirectory(p.dir);
}
