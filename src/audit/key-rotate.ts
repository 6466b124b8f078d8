// Rotating the station key: a new key made next to the old one, a `station.key-rotated` entry
// (the new public key, a statement signed by the old key) committed, then the new key put in
// place and a checkpoint signed with it at once, so the rotation is covered by the next
// checkpoint. The old key signs one last checkpoint before, so every entry before the rotation
// is under a checkpoint of the old key. A crash between the entry and the move is finished by the
// next signer (key-life.ts). With a notary, the notary makes and keeps the new key (rotateNotaryKey).
import { existsSync, unlinkSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { writeNewFileDurably } from '../lib/durable.js';
import { keepOwnerOfFolder } from '../lib/owner.js';
import { KeyError, keyPaths } from './keys.js';
import { finishRotation, nextKeyPath, publishRotatedKey, signingKey } from './key-life.js';
import { ROTATION_TYPE, rotationData, rotationEntries } from './key-history.js';
import { appendAuditEntry, type Actor } from './log.js';
import { formatSignerKey, formatVerifierKey, generateSigner, parseVerifierKey, verifierOf } from './note.js';
import { NotaryRefusedError, notarySocket, rotateByNotaryAsync } from './notary-client.js';
import { checkpointIfChanged, checkpointIfChangedAsync, writeCheckpoint, writeCheckpointAsync, type CheckpointRow, type StationRef } from './station.js';

type Db = Database.Database;

export interface Rotated {
  previousKey: string;
  publicKey: string;
  seq: number;
  /** The old key's last checkpoint (undefined when the last one already covered the log). */
  lastOld?: CheckpointRow;
  firstNew: CheckpointRow;
}

export async function rotateStationKey(db: Db, st: StationRef, actor: Actor): Promise<Rotated> {
  const socket = notarySocket(st.homeDir);
  if (socket !== undefined) return rotateNotaryKey(db, st, actor, socket);
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

/**
 * The same with the key in the notary: it makes the next key in its state directory and signs
 * the rotation with the current one; the entry is committed here; the notary switches to the next
 * key when it signs the checkpoint that covers the entry (given with its inclusion proof).
 * station.pub becomes the new public key, the old one is kept in keys/retired/.
 */
async function rotateNotaryKey(db: Db, st: StationRef, actor: Actor, socket: string): Promise<Rotated> {
  let lastOld: CheckpointRow | undefined;
  try {
    lastOld = await checkpointIfChangedAsync(db, st, 'rotation');
  } catch (err) {
    // A rotation prepared before a crash: the old key signs nothing more; it is finished below.
    if (!(err instanceof NotaryRefusedError)) throw err;
  }
  const data = await rotateByNotaryAsync(socket);
  if (data.station !== st.stationId) throw new KeyError(`the notary holds the key of station ${data.station}, this home is ${st.stationId}`);
  // A rotation whose entry was committed before a crash is finished, not logged twice.
  const logged = rotationEntries(db).at(-1);
  const appended =
    logged && (JSON.parse(logged.entry) as { data?: { publicKey?: string } }).data?.publicKey === data.publicKey
      ? logged
      : db.transaction(() => appendAuditEntry(db, { type: ROTATION_TYPE, data: { ...data }, actor })).immediate();
  const firstNew = await writeCheckpointAsync(db, st, 'rotation', new Date(), { seq: appended.seq, entry: appended.entry, publicKey: data.publicKey });
  publishRotatedKey(st.homeDir, parseVerifierKey(data.previousKey), parseVerifierKey(data.publicKey));
  return { previousKey: data.previousKey, publicKey: data.publicKey, seq: appended.seq, lastOld, firstNew };
}
