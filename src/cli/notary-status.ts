// The notary's line in `evidock status`: none configured (the service signs with its own key and
// seals nothing), configured and answering (its key, the last size it signed), or configured and
// down (signing waits for it; ingest goes on). Asks the notary itself, not a file.
import { notarySocket, notaryStatusAsync } from '../audit/notary-client.js';

export type NotaryState =
  | { state: 'not configured' }
  | { state: 'up'; socket: string; publicKey: string; lastSignedSize: number | null }
  | { state: 'down'; socket: string; problem: string };

export async function notaryState(homeDir: string): Promise<NotaryState> {
  const socket = notarySocket(homeDir);
  if (socket === undefined) return { state: 'not configured' };
  try {
    const s = await notaryStatusAsync(socket);
    return { state: 'up', socket, publicKey: s.publicKey, lastSignedSize: s.last?.size ?? null };
  } catch (err) {
    return { state: 'down', socket, problem: (err as Error).message };
  }
}

/** The status line's tail on originals the notary refused to seal (none: nothing). */
export function refusedSealingLine(refused: number): string {
  return refused === 0 ? '' : `sealing: the notary refused ${refused} original(s): each stays unsealed until checked (\`evidock notary seal\` names them and why)\n`;
}

export function notaryLine(n: NotaryState): string {
  if (n.state === 'not configured') return 'notary: none configured ([notary] socket unset): checkpoints are signed with the service\'s own key (keys/station.key); originals are not sealed\n';
  if (n.state === 'up') return `notary: up at ${n.socket}; it signs with ${n.publicKey}; last checkpoint it signed: ${n.lastSignedSize === null ? 'none yet' : `size ${n.lastSignedSize}`}\n`;
  return `notary: DOWN (${n.problem}); ingest goes on, checkpoints are signed when it is back\n`;
}
