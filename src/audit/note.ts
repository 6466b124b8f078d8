// C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys from node:crypto.
//
//   note      = text (ends in "\n") + "\n" + signature lines
//   signature = "— " + key name + " " + base64(key hash[4] || Ed25519 signature[64]) + "\n"
//   key hash  = SHA-256(key name || 0x0A || 0x01 || public key)[:4]
//   verifier key (public, shareable) = <name>+<hex key hash>+<base64(0x01 || public key)>
//   signer key (private)             = PRIVATE+KEY+<name>+<hex key hash>+<base64(0x01 || seed)>
// The key texts are those of Go's golang.org/x/mod/sumdb/note, so other tools can read them.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export const ALG_ED25519 = 0x01;
const EM_DASH_PREFIX = '\u2014 ';
const MAX_SIGNATURES = 100;
// DER prefixes of PKCS#8 / SPKI wrappers around a raw 32-byte Ed25519 seed / public key (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class NoteError extends Error {
  override name = 'NoteError';
}

/** A key name: non-empty, no Unicode white space, no '+' (signed-note §Keys). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u.test(name) && !/[\x00-\x1f\x7f]/.test(name);
}

function checkName(name: string): void {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}: must be non-empty, without spaces or "+"`);
}

export function keyHash(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from([0x0a, ALG_ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

export interface Verifier {
  name: string;
  keyHash: Buffer;
  publicKey: Buffer; // raw 32 bytes
  key: KeyObject;
}

export interface Signer extends Verifier {
  privateKey: KeyObject;
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new NoteError(`Ed25519 public key must be 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

function rawSeed(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** A new Ed25519 key pair named `name`. */
export function generateSigner(name: string): Signer {
  checkName(name);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return { name, publicKey: raw, keyHash: keyHash(name, raw), key: publicKey, privateKey };
}

/** The private key text: PRIVATE+KEY+<name>+<hash>+<base64(0x01||seed)>. Keep it 0600. */
export function formatSignerKey(s: Signer): string {
  const seed = rawSeed(s.privateKey);
  return `PRIVATE+KEY+${s.name}+${s.keyHash.toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), seed]).toString('base64')}`;
}

/** The public verifier key text: <name>+<hash>+<base64(0x01||public key)>. */
export function formatVerifierKey(v: Verifier): string {
  return `${v.name}+${v.keyHash.toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), v.publicKey]).toString('base64')}`;
}

function decodeKeyBytes(b64: string, what: string): Buffer {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.toString('base64') !== b64) throw new NoteError(`${what}: key is not canonical base64`);
  if (bytes.length !== 33 || bytes[0] !== ALG_ED25519) throw new NoteError(`${what}: not an Ed25519 key (type 0x01, 32 bytes)`);
  return bytes.subarray(1);
}

function splitPlus(text: string, fields: number): string[] | undefined {
  const out: string[] = [];
  let rest = text;
  for (let i = 0; i < fields - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

export function parseSignerKey(text: string): Signer {
  // base64 may contain '+': the first four '+' separate the fields, the rest is the key.
  const parts = splitPlus(text.trim(), 5);
  if (!parts || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new NoteError('signer key: expected PRIVATE+KEY+<name>+<hash>+<key>');
  const [, , name, hashHex, b64] = parts;
  checkName(name);
  const seed = decodeKeyBytes(b64, 'signer key');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  const h = keyHash(name, raw);
  if (h.toString('hex') !== hashHex) throw new NoteError('signer key: key hash does not match the name and key');
  return { name, publicKey: raw, keyHash: h, key: publicKey, privateKey };
}

export function parseVerifierKey(text: string): Verifier {
  const parts = splitPlus(text.trim(), 3);
  if (!parts) throw new NoteError('verifier key: expected <name>+<hash>+<key>');
  const [name, hashHex, b64] = parts;
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw new NoteError('verifier key: key hash must be 8 lowercase hex digits');
  const raw = decodeKeyBytes(b64, 'verifier key');
  const h = keyHash(name, raw);
  if (h.toString('hex') !== hashHex) throw new NoteError('verifier key: key hash does not match the name and key');
  return { name, publicKey: Buffer.from(raw), keyHash: h, key: publicKeyObject(raw) };
}

export function verifierOf(s: Signer): Verifier {
  return { name: s.name, publicKey: s.publicKey, keyHash: s.keyHash, key: s.key };
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('note text must end with a newline');
  if (text.includes('\n\n')) throw new NoteError('note text must not contain a blank line');
  if (/[\x00-\x09\x0b-\x1f]/.test(text)) throw new NoteError('note text must not contain control characters other than newline');
}

/** Sign a note text; returns the full signed note. */
export function signNote(text: string, signer: Signer): string {
  checkText(text);
  const sig = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  return `${text}\n${EM_DASH_PREFIX}${signer.name} ${Buffer.concat([signer.keyHash, sig]).toString('base64')}\n`;
}

export interface NoteSignature {
  name: string;
  keyHash: Buffer;
  signature: Buffer;
}

/** Split a signed note into its text and signatures, checking the syntax only. */
export function parseNote(note: string | Buffer): { text: string; signatures: NoteSignature[] } {
  const buf = typeof note === 'string' ? Buffer.from(note, 'utf8') : note;
  const s = buf.toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(buf)) throw new NoteError('note is not valid UTF-8');
  if (/[\x00-\x09\x0b-\x1f]/.test(s)) throw new NoteError('note contains control characters other than newline');
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no blank line before its signatures');
  const text = s.slice(0, split + 1);
  const sigBlock = s.slice(split + 2);
  if (!sigBlock.endsWith('\n')) throw new NoteError('note signatures must end with a newline');
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError('note has too many signatures');
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_PREFIX)) throw new NoteError(`malformed signature line: ${JSON.stringify(line.slice(0, 80))}`);
    const rest = line.slice(EM_DASH_PREFIX.length);
    const sp = rest.lastIndexOf(' ');
    if (sp <= 0) throw new NoteError('malformed signature line: no key name');
    const name = rest.slice(0, sp);
    const b64 = rest.slice(sp + 1);
    if (!isValidKeyName(name)) throw new NoteError(`malformed signature line: bad key name ${JSON.stringify(name)}`);
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.toString('base64') !== b64 || bytes.length < 5) throw new NoteError('malformed signature line: bad base64');
    signatures.push({ name, keyHash: bytes.subarray(0, 4), signature: bytes.subarray(4) });
  }
  return { text, signatures };
}

/**
 * Verify a signed note against trusted verifiers. Signatures by unknown keys are ignored; a
 * signature by a known key that fails rejects the note; at least one known key must have signed.
 * Returns the note text and the names of the keys that verified.
 */
export function openNote(note: string | Buffer, verifiers: readonly Verifier[]): { text: string; signedBy: string[] } {
  const { text, signatures } = parseNote(note);
  const msg = Buffer.from(text, 'utf8');
  const signedBy: string[] = [];
  for (const sig of signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyHash.equals(sig.keyHash));
    if (!v) continue;
    if (sig.signature.length !== 64 || !verify(null, msg, v.key, sig.signature)) {
      throw new NoteError(`signature by ${v.name} (${v.keyHash.toString('hex')}) does not verify`);
    }
    if (!signedBy.includes(v.name)) signedBy.push(v.name);
  }
  if (signedBy.length === 0) {
    const names = signatures.map((s) => `${s.name} ${s.keyHash.toString('hex')}`).join(', ');
    throw new NoteError(`note is not signed by a trusted key (signed by: ${names || 'nobody'})`);
  }
  return { text, signedBy };
}
