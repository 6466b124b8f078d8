// The service's one client of the notary (§4a): the only code that talks to its unix socket.
// Checkpoints are signed inside the catalog's write transaction, which is synchronous, so each
// request runs in a short child process (node -e) that connects, sends one JSON line and prints
// the one-line answer. Which socket a home uses is set once, from `[notary] socket`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { openNote, parseVerifierKey } from './note.js';
import type { MerkleTree } from './merkle.js';

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

/** One request, one answer; NotaryUnavailableError when there is no notary to answer. */
export function callNotary(socket: string, request: Record<string, unknown>, timeoutMs = 15000): Reply {
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
  const reply = callNotary(socket, { op: 'status' });
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
  const reply = callNotary(socket, {
    op: 'sign',
    origin: checkpoint.origin,
    size: checkpoint.size,
    root: checkpoint.root.toString('base64'),
    fromSize,
    proof: proof.map((h) => h.toString('base64')),
  });
  if (reply.refused) throw new NotaryRefusedError(String(reply.reason));
  if (!reply.ok || typeof reply.note !== 'string') throw new NotaryUnavailableError(`notary at ${socket}: ${String(reply.error ?? 'no signed note in the answer')}`);
  const signed = parseCheckpoint(openNote(reply.note, [parseVerifierKey(status.publicKey)]).text);
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

/** Ask the notary to seal one held original: {sealed} or {refused: its reason}. */
export function sealByNotary(socket: string, ask: SealAsk): { sealed: true } | { refused: string } {
  const reply = callNotary(socket, { op: 'seal', ...ask, proof: ask.proof.map((h) => h.toString('base64')) }, 120_000);
  if (reply.refused) return { refused: String(reply.reason) };
  if (!reply.ok) throw new NotaryUnavailableError(`notary at ${socket}: ${String(reply.error)}`);
  return { sealed: true };
}
