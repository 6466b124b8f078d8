// The service's one client of the notary (§4a): the only code that talks to its unix socket.
// Asked straight over the socket with node:net, with a timeout (askNotary). A checkpoint is
// never signed inside the catalog's write transaction: station.ts computes (size, root) in one
// short transaction, asks the notary with no transaction open, and stores the signed note in a
// second short transaction that first checks the stored tree still has that root at that size
// (the log only grows, so nothing may have moved). Callers that cannot wait (the case proofs,
// which are synchronous) still go through callNotarySync: one short child process per request.
// Which socket a home uses is set once, from `[notary] socket`.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { openNote, parseVerifierKey } from './note.js';
import type { MerkleTree } from './merkle.js';
import type { RotationData } from './key-history.js';

const sockets = new Map<string, string>();

/** Use the notary at `socket` for the home at `homeDir` (undefined: no notary, sign locally). */
export function useNotary(homeDir: string, socket: string | undefined): void {
  if (socket === undefined) sockets.delete(path.resolve(homeDir));
  else sockets.set(path.resolve(homeDir), path.resolve(homeDir, socket));
}

/** The notary socket configured for this home, or undefined. */
export function notarySocket(homeDir: string): string | undefined {
  return sockets.get(path.resolve(homeDir));
}

/** The notary could not be reached or answered nonsense: signing waits for it (ingest goes on). */
export class NotaryUnavailableError extends Error {
  override name = 'NotaryUnavailableError';
}

/** The notary refused to sign; `reason` is its own words (also in its log). */
export class NotaryRefusedError extends Error {
  override name = 'NotaryRefusedError';
  constructor(readonly reason: string) {
    super(`the notary refused to sign: ${reason}`);
  }
}

const CHILD = `
const net = require('node:net');
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const sock = net.connect(process.argv[1]);
  let out = '';
  sock.setEncoding('utf8');
  sock.on('connect', () => sock.write(input.trim() + '\\n'));
  sock.on('data', (d) => {
    out += d;
    const nl = out.indexOf('\\n');
    if (nl >= 0) { process.stdout.write(out.slice(0, nl)); sock.destroy(); }
  });
  sock.on('error', (e) => { process.stdout.write(JSON.stringify({ ok: false, unavailable: true, error: e.code || e.message })); });
});`;

type Reply = { ok: boolean; [key: string]: unknown };

/** One request, one answer, blocking (a child process); NotaryUnavailableError when there is no notary to answer. */
export function callNotarySync(socket: string, request: Record<string, unknown>, timeoutMs = 15000): Reply {
  const r = spawnSync(process.execPath, ['-e', CHILD, socket], { input: JSON.stringify(request), encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw new NotaryUnavailableError(`notary at ${socket}: ${r.error.message}`);
  let reply: Reply;
  try {
    reply = JSON.parse(r.stdout) as Reply;
  } catch {
    throw new NotaryUnavailableError(`notary at ${socket} gave no answer${r.stderr ? `: ${r.stderr.trim()}` : ''}`);
  }
  if (reply.unavailable) throw new NotaryUnavailableError(`notary at ${socket} is not running (${String(reply.error)}); checkpoints are signed when it is back`);
  return reply;
}

export interface NotaryStatus {
  station: string;
  publicKey: string;
  last: { size: number; root: string } | null;
}

export function notaryStatus(socket: string): NotaryStatus {
  const reply = callNotarySync(socket, { op: 'status' });
  if (!reply.ok) throw new NotaryUnavailableError(`notary at ${socket}: ${String(reply.error)}`);
  return reply as unknown as NotaryStatus;
}

/**
 * Have the notary sign (origin, size, root) of `tree`, with the consistency proof from the last
 * checkpoint it signed (asked first). Returns the signed note; NotaryRefusedError with its reason.
 */
export function signByNotary(socket: string, checkpoint: Checkpoint, tree: MerkleTree): string {
  const status = notaryStatus(socket);
  const fromSize = status.last?.size ?? 0;
  const proof = fromSize > 0 && fromSize <= checkpoint.size ? tree.consistencyProof(fromSize, checkpoint.size) : [];
  const reply = callNotarySync(socket, signRequest(checkpoint, fromSize, proof));
  return signedNoteOf(socket, reply, checkpoint, status.publicKey);
}

/** The `sign` request: the checkpoint and the consistency proof from the notary's last signed size. */
function signRequest(checkpoint: Checkpoint, fromSize: number, proof: Buffer[], rotation?: { seq: number; entry: string; proof: Buffer[] }): Record<string, unknown> {
  return {
    op: 'sign',
    origin: checkpoint.origin,
    size: checkpoint.size,
    root: checkpoint.root.toString('base64'),
    fromSize,
    proof: proof.map((h) => h.toString('base64')),
    ...(rotation ? { rotation: { seq: rotation.seq, entry: rotation.entry, proof: rotation.proof.map((h) => h.toString('base64')) } } : {}),
  };
}

/** The note of a `sign` answer, checked to open with `publicKey` and to sign what was asked; the notary's refusal thrown. */
function signedNoteOf(socket: string, reply: Reply, checkpoint: Checkpoint, publicKey: string): string {
  if (reply.refused) throw new NotaryRefusedError(String(reply.reason));
  if (!reply.ok || typeof reply.note !== 'string') throw new NotaryUnavailableError(`notary at ${socket}: ${String(reply.error ?? 'no signed note in the answer')}`);
  const signed = parseCheckpoint(openNote(reply.note, [parseVerifierKey(publicKey)]).text);
  if (signed.size !== checkpoint.size || !signed.root.equals(checkpoint.root)) throw new NotaryUnavailableError(`notary at ${socket} signed another checkpoint than the one asked for`);
  return reply.note;
}

export interface SealAsk {
  objectDir: string;
  contentPath: string;
  seq: number;
  entry: string;
  proof: Buffer[];
}

/** One request, one answer over the socket; NotaryUnavailableError when it is down or silent for `timeoutMs`. */
export function askNotary(socket: string, request: Record<string, unknown>, timeoutMs = 15_000): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    let settled = false;
    let buffer = '';
    const sock = net.connect(socket);
    const finish = (err: Error | null, reply?: Reply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new NotaryUnavailableError(`notary at ${socket} did not answer within ${timeoutMs / 1000} s; checkpoints are signed when it answers`)), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify(request) + '\n'));
    sock.on('data', (d: string) => {
      buffer += d;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      try {
        finish(null, JSON.parse(buffer.slice(0, nl)) as Reply);
      } catch {
        finish(new NotaryUnavailableError(`notary at ${socket} answered with something that is not JSON`));
      }
    });
    sock.on('error', (e: NodeJS.ErrnoException) => finish(new NotaryUnavailableError(`notary at ${socket} is not running (${e.code ?? e.message}); checkpoints are signed when it is back`)));
    sock.on('close', () => finish(new NotaryUnavailableError(`notary at ${socket} closed the connection without an answer`)));
  });
}

export async function notaryStatusAsync(socket: string): Promise<NotaryStatus> {
  const reply = await askNotary(socket, { op: 'status' });
  if (!reply.ok) throw new NotaryUnavailableError(`notary at ${socket}: ${String(reply.error)}`);
  return reply as unknown as NotaryStatus;
}

/**
 * Have the notary sign `checkpoint`, with the consistency proof (from `proofFrom`) from the last
 * checkpoint it signed (asked first). No catalog transaction is open meanwhile. Returns the note
 * and the key that signed it; NotaryRefusedError with its reason.
 */
export async function signByNotaryAsync(
  socket: string,
  checkpoint: Checkpoint,
  proofFrom: (fromSize: number) => Buffer[],
  rotation?: { seq: number; entry: string; proof: Buffer[]; publicKey: string },
): Promise<{ note: string; publicKey: string }> {
  const status = await notaryStatusAsync(socket);
  const fromSize = status.last?.size ?? 0;
  const proof = fromSize > 0 && fromSize <= checkpoint.size ? proofFrom(fromSize) : [];
  const reply = await askNotary(socket, signRequest(checkpoint, fromSize, proof, rotation));
  const publicKey = rotation?.publicKey ?? status.publicKey;
  return { note: signedNoteOf(socket, reply, checkpoint, publicKey), publicKey };
}

/** Ask the notary to seal one held original, over the socket: {sealed} or {refused: its reason}. */
export async function sealByNotaryAsync(socket: string, ask: SealAsk): Promise<{ sealed: true } | { refused: string }> {
  const reply = await askNotary(socket, { op: 'seal', ...ask, proof: ask.proof.map((h) => h.toString('base64')) }, 120_000);
  if (reply.refused) return { refused: String(reply.reason) };
  if (!reply.ok) throw new NotaryUnavailableError(`notary at ${socket}: ${String(reply.error)}`);
  return { sealed: true };
}

/** Ask the notary to prepare a key rotation: the station.key-rotated entry's data, signed by its current key. */
export async function rotateByNotaryAsync(socket: string): Promise<RotationData> {
  const reply = await askNotary(socket, { op: 'rotate' });
  if (!reply.ok || typeof reply.rotation !== 'object' || reply.rotation === null) throw new NotaryUnavailableError(`notary at ${socket}: ${String(reply.error ?? 'no rotation in the answer')}`);
  return reply.rotation as RotationData;
}
