// The notary's wire format: one JSON object per line each way on its unix socket.
//   {"op":"status"}  -> {"ok":true,"station","publicKey","last":{"size","root","note"}|null}
//   {"op":"rotate"} -> {"ok":true,"rotation":{station,previousKey,publicKey,keyHash,statement}}
//   {"op":"sign","origin","size","root":b64,"fromSize","proof":[b64...][,"rotation":{"seq","entry","proof"}]}
//                    -> {"ok":true,"note"} | {"ok":false,"refused":true,"reason"}
//   {"op":"seal","objectDir","contentPath","seq","entry","proof":[b64...]}
//                    -> {"ok":true,"sealed":{"object","files"}} | {"ok":false,"refused":true,"reason"}
// A request that is not one of these gets {"ok":false,"error"}.
import type { SignRequest } from './extension.js';
import type { SealRequest } from './seal.js';
import type { RotationProof } from './rotate.js';
import type { RotationData } from '../audit/key-history.js';

export type NotaryRequest = { op: 'status' } | { op: 'rotate' } | ({ op: 'sign'; rotation?: RotationProof } & SignRequest) | ({ op: 'seal' } & SealRequest);

export type NotaryReply =
  | { ok: true; station: string; publicKey: string; last: { size: number; root: string; note: string } | null }
  | { ok: true; note: string }
  | { ok: true; rotation: RotationData }
  | { ok: true; sealed: { object: string; files: number } }
  | { ok: false; refused: true; reason: string }
  | { ok: false; error: string };

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

function base64Of(value: unknown, what: string): Buffer {
  if (typeof value !== 'string') throw new ProtocolError(`${what} must be a base64 string`);
  const b = Buffer.from(value, 'base64');
  if (b.toString('base64') !== value) throw new ProtocolError(`${what} is not base64`);
  return b;
}

function sizeOf(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ProtocolError(`${what} must be a non-negative integer`);
  return value;
}

/** Parse one request line; ProtocolError names what is wrong. */
export function parseRequest(line: string): NotaryRequest {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new ProtocolError('request is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError('request must be a JSON object');
  const r = v as Record<string, unknown>;
  if (r.op === 'status') return { op: 'status' };
  if (r.op === 'rotate') return { op: 'rotate' };
  if (r.op === 'sign') {
    if (typeof r.origin !== 'string') throw new ProtocolError('origin must be a string');
    if (!Array.isArray(r.proof)) throw new ProtocolError('proof must be an array of base64 hashes');
    return {
      op: 'sign',
      checkpoint: { origin: r.origin, size: sizeOf(r.size, 'size'), root: base64Of(r.root, 'root') },
      fromSize: sizeOf(r.fromSize, 'fromSize'),
      proof: r.proof.map((p, i) => base64Of(p, `proof[${i}]`)),
      ...(r.rotation === undefined ? {} : { rotation: rotationOf(r.rotation) }),
    };
  }
  if (r.op === 'seal') {
    for (const k of ['objectDir', 'contentPath', 'entry'] as const) if (typeof r[k] !== 'string' || !r[k]) throw new ProtocolError(`${k} must be a non-empty string`);
    if (!Array.isArray(r.proof)) throw new ProtocolError('proof must be an array of base64 hashes');
    return {
      op: 'seal',
      objectDir: r.objectDir as string,
      contentPath: r.contentPath as string,
      entry: r.entry as string,
      seq: sizeOf(r.seq, 'seq'),
      proof: r.proof.map((p, i) => base64Of(p, `proof[${i}]`)),
    };
  }
  throw new ProtocolError(`unknown op ${JSON.stringify(r.op)} (status, sign, seal, rotate)`);
}

function rotationOf(v: unknown): RotationProof {
  const r = v as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || typeof r.entry !== 'string' || !Array.isArray(r.proof)) throw new ProtocolError('rotation must be {seq, entry, proof}');
  return { seq: sizeOf(r.seq, 'rotation.seq'), entry: r.entry, proof: r.proof.map((p, i) => base64Of(p, `rotation.proof[${i}]`)) };
}
