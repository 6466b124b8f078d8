// Who is asking for a supervisor page: a token from `evidock web token add <name>`, sent as
// "Authorization: Bearer <token>" (scripts, a reverse proxy) or in the cookie the sign-in form
// sets. Every view and download, and every refusal, is an audit entry (Art. 15: reads are logged).
import type { IncomingMessage } from 'node:http';
import { appendAuditEntry, currentActor } from '../../audit/log.js';
import type { Json } from '../../lib/json.js';
import type { Db } from '../../store/catalog.js';
import { nameOfWebToken } from '../../store/web-tokens.js';

export const TOKEN_COOKIE = 'evidock_supervisor';

export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || undefined;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('=')) || undefined;
  }
  return undefined;
}

/** The authenticated name, or why not. */
export function authenticate(req: IncomingMessage, homeDir: string): { name: string } | { refused: string } {
  const token = presentedToken(req);
  if (!token) return { refused: 'no token' };
  const name = nameOfWebToken(homeDir, token);
  return name ? { name } : { refused: 'unknown token' };
}

function remoteOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export function logWebRead(db: Db, req: IncomingMessage, name: string, page: string, data: { [key: string]: Json | undefined } = {}): void {
  db.transaction(() => appendAuditEntry(db, { type: 'web.read', data: { name, page, path: req.url ?? '', remote: remoteOf(req), ...data }, actor: currentActor('daemon') }))();
}

export function logWebRefused(db: Db, req: IncomingMessage, reason: string): void {
  db.transaction(() => appendAuditEntry(db, { type: 'web.refused', data: { reason, path: (req.url ?? '').slice(0, 500), remote: remoteOf(req) }, actor: currentActor('daemon') }))();
}
