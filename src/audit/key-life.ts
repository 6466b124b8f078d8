// The station key's life: made once, on a home with no signed history, with a log entry saying
// so; never made again on its own. A home that has signed checkpoints and has lost its key gets
// an error naming what to do, never a fresh key that could re-sign a rewritten history.
import { existsSync, readdirSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { ensureStationKey, KeyError, keyPaths, loadStationKey, missingKeyMessage } from './keys.js';
import { appendAuditEntry, type Actor } from './log.js';
import { formatVerifierKey, verifierOf, type Signer } from './note.js';
import path from 'node:path';

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
  if (existsSync(keyPaths(homeDir).privateKey)) return loadStationKey(homeDir, stationId);
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
