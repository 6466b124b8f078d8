// The notary process: holds the station's signing key, answers status, sign and seal requests on
// its unix socket (group-restricted file, one JSON line per request), signs a checkpoint only as
// an extension of the last one it signed, seals only originals that match their logged entry,
// and logs every signature, seal and refusal in its own log.
import { chmodSync, chownSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { signCheckpoint } from '../audit/checkpoint.js';
import { formatVerifierKey, verifierOf, type Signer } from '../audit/note.js';
import type { Checkpoint } from '../audit/checkpoint.js';
import { lastSignedCheckpoint, refusalReason } from './extension.js';
import { SealRefused, sealObject, type SealRequest } from './seal.js';
import { keyAfterRotation, prepareRotation, rotationPending, settleRotation, switchToNextKey } from './rotate.js';
import { parseRequest, ProtocolError, type NotaryReply, type NotaryRequest } from './protocol.js';
import { appendNotaryLog, loadNotaryKey, prepareStateDir, readLastSigned, writeLastSigned, type NotaryPaths } from './state.js';

export interface NotaryOptions {
  stateDir: string;
  socketPath: string;
  /** Numeric group the socket file is given (mode 0660): the service user's group. */
  socketGid?: number;
  /** The home's storage root: where held originals are sealed (none: sealing is refused). */
  storeRoot?: string;
}

export interface RunningNotary {
  close(): Promise<void>;
}

/** Answer one request. Signing is synchronous, so requests never interleave. */
export function answer(p: NotaryPaths, signer: Signer, req: NotaryRequest, storeRoot?: string): NotaryReply {
  const verifier = verifierOf(signer);
  const lastNote = readLastSigned(p);
  const last = lastSignedCheckpoint(lastNote, verifier);
  if (req.op === 'status') {
    return {
      ok: true,
      station: signer.name,
      publicKey: formatVerifierKey(verifier),
      last: last && lastNote ? { size: last.size, root: last.root.toString('base64'), note: lastNote } : null,
    };
  }
  if (req.op === 'seal') return seal(p, req, last, storeRoot);
  if (req.op === 'rotate') {
    const rotation = prepareRotation(p, signer);
    appendNotaryLog(p, { event: 'rotation-prepared', from: rotation.previousKey, to: rotation.publicKey });
    return { ok: true, rotation };
  }
  const c = req.checkpoint;
  let signWith = signer;
  if (req.rotation) {
    const next = keyAfterRotation(p, signer, req.rotation, c);
    if (typeof next === 'string') {
      appendNotaryLog(p, { event: 'refused', origin: c.origin, size: c.size, root: c.root.toString('base64'), rotationSeq: req.rotation.seq, reason: next });
      return { ok: false, refused: true, reason: next };
    }
    signWith = next;
  } else if (rotationPending(p)) {
    // Between a rotation's entry and the checkpoint covering it, the old key must sign nothing more.
    const pending = 'a key rotation is prepared: the next checkpoint must be the one covering its entry (run `evidock key rotate` again to finish it)';
    appendNotaryLog(p, { event: 'refused', origin: c.origin, size: c.size, root: c.root.toString('base64'), reason: pending });
    return { ok: false, refused: true, reason: pending };
  }
  const reason = refusalReason(req, last, signer.name);
  if (reason !== null) {
    appendNotaryLog(p, { event: 'refused', origin: c.origin, size: c.size, root: c.root.toString('base64'), fromSize: req.fromSize, lastSize: last?.size ?? null, reason });
    return { ok: false, refused: true, reason };
  }
  const note = signCheckpoint({ origin: c.origin, size: c.size, root: c.root }, signWith);
  writeLastSigned(p, note);
  if (signWith !== signer) {
    switchToNextKey(p);
    appendNotaryLog(p, { event: 'rotated', from: formatVerifierKey(verifier), to: formatVerifierKey(verifierOf(signWith)), rotationSeq: req.rotation?.seq, size: c.size });
  }
  appendNotaryLog(p, { event: 'signed', origin: c.origin, size: c.size, root: c.root.toString('base64'), fromSize: last?.size ?? null });
  return { ok: true, note };
}

function seal(p: NotaryPaths, req: SealRequest, last: Checkpoint | null, storeRoot: string | undefined): NotaryReply {
  if (storeRoot === undefined) return { ok: false, error: 'this notary was started without --home: it seals nothing' };
  try {
    const sealed = sealObject(storeRoot, req, last);
    appendNotaryLog(p, { event: 'sealed', object: sealed.object, files: sealed.files, seq: req.seq, sha256: sealed.sha256 });
    return { ok: true, sealed: { object: sealed.object, files: sealed.files } };
  } catch (err) {
    const reason = err instanceof SealRefused ? err.message : `sealing failed: ${(err as Error).message}`;
    appendNotaryLog(p, { event: 'seal-refused', objectDir: req.objectDir, seq: req.seq, reason });
    return { ok: false, refused: true, reason };
  }
}

function replyTo(p: NotaryPaths, holder: { signer: Signer }, line: string, storeRoot: string | undefined): NotaryReply {
  try {
    const req = parseRequest(line);
    const reply = answer(p, holder.signer, req, storeRoot);
    if (req.op === 'sign' && req.rotation && reply.ok) holder.signer = loadNotaryKey(p); // the next key signs from now on
    return reply;
  } catch (err) {
    if (err instanceof ProtocolError) return { ok: false, error: err.message };
    return { ok: false, error: `notary failed: ${(err as Error).message}` };
  }
}

/** Remove a stale socket left by an earlier run (only a socket, never another kind of file). */
function clearStaleSocket(socketPath: string): void {
  if (!existsSync(socketPath)) return;
  if (!lstatSync(socketPath).isSocket()) throw new Error(`${socketPath} exists and is not a socket; remove it or choose another --socket`);
  unlinkSync(socketPath);
}

export async function startNotary(opts: NotaryOptions): Promise<RunningNotary> {
  const p = prepareStateDir(opts.stateDir);
  if (settleRotation(p, readLastSigned(p), loadNotaryKey(p))) appendNotaryLog(p, { event: 'rotation-settled' });
  const holder = { signer: loadNotaryKey(p) };
  const signer = holder.signer;
  lastSignedCheckpoint(readLastSigned(p), verifierOf(signer));
  clearStaleSocket(opts.socketPath);
  const server = net.createServer((sock) => {
    let buffered = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > 1 << 20) {
        sock.end(JSON.stringify({ ok: false, error: 'request line longer than 1 MiB' }) + '\n');
        return;
      }
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) sock.write(JSON.stringify(replyTo(p, holder, line, opts.storeRoot)) + '\n');
      }
    });
    sock.on('error', () => sock.destroy());
  });
  const oldMask = process.umask(0o117);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.socketPath, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  chmodSync(opts.socketPath, 0o660);
  if (opts.socketGid !== undefined) chownSync(opts.socketPath, -1, opts.socketGid);
  appendNotaryLog(p, { event: 'started', station: signer.name, socket: opts.socketPath, pid: process.pid });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
