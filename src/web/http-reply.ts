// Small helpers for answering node:http requests: JSON, HTML, files, errors, with the same
// safety headers on every answer (no framing, no sniffing, scripts and styles from us only).
import type { IncomingMessage, ServerResponse } from 'node:http';

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export function reply(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export function replyJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  reply(res, status, 'application/json; charset=utf-8', JSON.stringify(value, null, 2) + '\n', headers);
}

export function replyHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  reply(res, status, 'text/html; charset=utf-8', html, headers);
}

export function replyText(res: ServerResponse, status: number, text: string): void {
  reply(res, status, 'text/plain; charset=utf-8', text + '\n');
}

/** The request's path and query, parsed against a dummy origin (the Host header is not trusted). */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://station.invalid');
}

/** Reads a small form body (application/x-www-form-urlencoded), at most `limit` bytes. */
export async function readForm(req: IncomingMessage, limit = 4096): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
