// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the signed head of the audit log.
//
//   <origin>\n<size, decimal>\n<base64 root hash>\n[extension lines\n]
//
// wrapped in a signed note (note.ts). The origin is the station id and doubles as the key name.
import { HASH_SIZE } from './merkle.js';
import { NoteError, isValidKeyName, openNote, signNote, type Signer, type Verifier } from './note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** Optional extension lines (without newlines); evidock writes none by default. */
  extensions?: string[];
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function formatCheckpoint(c: Checkpoint): string {
  if (!isValidKeyName(c.origin)) throw new CheckpointError(`origin ${JSON.stringify(c.origin)} is not a valid note key name`);
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new CheckpointError(`size ${c.size} is not a non-negative integer`);
  if (c.root.length !== HASH_SIZE) throw new CheckpointError(`root hash must be ${HASH_SIZE} bytes`);
  for (const ext of c.extensions ?? []) {
    if (ext.length === 0 || ext.includes('\n')) throw new CheckpointError('extension lines must be non-empty single lines');
  }
  return [c.origin, String(c.size), c.root.toString('base64'), ...(c.extensions ?? [])].join('\n') + '\n';
}

export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new CheckpointError('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointError('checkpoint needs origin, size and root hash lines');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (!origin) throw new CheckpointError('checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new CheckpointError(`checkpoint size ${JSON.stringify(sizeText)} is not a decimal number`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new CheckpointError(`checkpoint size ${sizeText} is too large`);
  const root = Buffer.from(rootText, 'base64');
  if (root.toString('base64') !== rootText || root.length !== HASH_SIZE) {
    throw new CheckpointError('checkpoint root hash is not base64 of 32 bytes');
  }
  if (extensions.some((e) => e.length === 0)) throw new CheckpointError('checkpoint has an empty extension line');
  return { origin, size, root, ...(extensions.length ? { extensions } : {}) };
}

/** The signed checkpoint note. The signer's key name must be the origin. */
export function signCheckpoint(c: Checkpoint, signer: Signer): string {
  if (signer.name !== c.origin) {
    throw new CheckpointError(`key name ${signer.name} differs from the checkpoint origin ${c.origin}`);
  }
  return signNote(formatCheckpoint(c), signer);
}

/**
 * Verify a signed checkpoint with the station's key and parse it. The origin must equal the key's
 * name (and `expectOrigin`, when given). Throws CheckpointError with the reason.
 */
export function openCheckpoint(note: string | Buffer, verifier: Verifier, expectOrigin?: string): Checkpoint {
  let text: string;
  try {
    text = openNote(note, [verifier]).text;
  } catch (e) {
    if (e instanceof NoteError) throw new CheckpointError(`checkpoint signature: ${e.message}`);
    throw e;
  }
  const c = parseCheckpoint(text);
  if (c.origin !== verifier.name) throw new CheckpointError(`checkpoint origin ${c.origin} differs from the key name ${verifier.name}`);
  if (expectOrigin !== undefined && c.origin !== expectOrigin) {
    throw new CheckpointError(`checkpoint origin ${c.origin}, expected ${expectOrigin}`);
  }
  return c;
}
