// Moving a station's existing signing key into the notary's state directory: an explicit step,
// never silent. The last checkpoint signed with that key seeds the notary's "last signed", so the
// first checkpoint the notary signs must already extend the station's signed history.
import { chownSync, existsSync } from 'node:fs';
import { writeNewFileDurably } from '../lib/durable.js';
import { formatSignerKey, formatVerifierKey, parseSignerKey, verifierOf } from '../audit/note.js';
import { lastSignedCheckpoint } from './extension.js';
import { appendNotaryLog, NotaryStateError, prepareStateDir, writeLastSigned } from './state.js';

export interface Adopted {
  station: string;
  publicKey: string;
  keyFile: string;
  lastSize: number | null;
}

/**
 * Write `keyText` (a signer key) as the notary's key and `lastNote` (a checkpoint it signed, or
 * null) as its last signed checkpoint; the key must be `station`'s; chown the state to `owner` when given. Refuses a state
 * directory that already holds a key.
 */
export function adoptKey(stateDir: string, keyText: string, station: string, lastNote: string | null, owner?: { uid: number; gid: number }): Adopted {
  const p = prepareStateDir(stateDir);
  if (existsSync(p.key)) throw new NotaryStateError(`${p.key} already holds a key; the notary keeps one key`);
  const signer = parseSignerKey(keyText);
  if (signer.name !== station) throw new NotaryStateError(`the key belongs to station ${signer.name}, this home is ${station}`);
  const last = lastNote === null ? null : lastSignedCheckpoint(lastNote, verifierOf(signer));
  writeNewFileDurably(p.key, formatSignerKey(signer) + '\n', 0o600);
  if (lastNote !== null) writeLastSigned(p, lastNote);
  appendNotaryLog(p, { event: 'adopted', station: signer.name, publicKey: formatVerifierKey(verifierOf(signer)), lastSize: last?.size ?? null });
  if (owner) for (const f of [p.dir, p.key, p.log, ...(lastNote !== null ? [p.last] : [])]) chownSync(f, owner.uid, owner.gid);
  return { station: signer.name, publicKey: formatVerifierKey(verifierOf(signer)), keyFile: p.key, lastSize: last?.size ?? null };
}
