// Rotating the station key: a new key made next to the old one, a `station.key-rotated` entry
// (the new public key, a statement signed by the old key) committed, then the new key put in
// place and a checkpoint signed with it at once, so the rotation is covered by the next
// checkpoint. The old key signs one last checkpoint before, so every entry before the rotation
// is under a checkpoint of the old key. A crash between the entry and the move is finished by the
// next signer (key-life.ts).
import { existsSync, unlinkSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { writeNewFileDurably } from '../lib/durable.js';
import { keepOwnerOfFolder } from '../lib/owner.js';
import { KeyError, keyPaths } from './keys.js';
import { finishRotation, nextKeyPath, signingKey } from './key-life.js';
import { ROTATION_TYPE, rotationData } from './key-history.js';
import { appendAuditEntry, type Actor } from './log.js';
import { formatSignerKey, formatVerifierKey, generateSigner, verifierOf } from './note.js';
import { notarySocket } from './notary-client.js';
import { checkpointIfChanged, writeCheckpoint, type CheckpointRow, type StationRef } from './station.js';

type Db = Database.Database;

export interface Rotated {
  previousKey: string;
  publicKey: string;
  seq: number;
  /** The old key's last checkpoint (undefined when the last one already covered the log). */
  lastOld?: CheckpointRow;
  firstNew: CheckpointRow;
}

export function rotateStationKey(db: Db, st: StationRef, actor: Actor): Rotated {
  if (notarySocket(st.homeDir) !== undefined) {
    throw new KeyError('the notary holds the signing key ([notary] socket): rotating a key the notary holds is not built yet; the station key is unchanged');
  }
  const lastOld = checkpointIfChanged(db, st, 'rotation');
  const next = generateSigner(st.stationId);
  const nextFile = nextKeyPath(st.homeDir);
  if (existsSync(nextFile)) unlinkSync(nextFile);
  writeNewFileDurably(nextFile, formatSignerKey(next) + '\n', 0o600);
  keepOwnerOfFolder(nextFile, keyPaths(st.homeDir).dir);
  let rotated: { old: ReturnType<typeof signingKey>; seq: number };
  try {
    rotated = db.transaction(() => {
      const old = signingKey(db, st.homeDir, st.stationId);
      const { seq } = appendAuditEntry(db, { type: ROTATION_TYPE, data: { ...rotationData(old, verifierOf(next)) }, actor });
      return { old, seq };
    }).immediate();
  } catch (err) {
    if (existsSync(nextFile)) unlinkSync(nextFile);
    throw err;
  }
  finishRotation(st.homeDir, rotated.old, next);
  const firstNew = writeCheckpoint(db, st, 'rotation');
  return { previousKey: formatVerifierKey(verifierOf(rotated.old)), publicKey: formatVerifierKey(verifierOf(next)), seq: rotated.seq, lastOld, firstNew };
}
