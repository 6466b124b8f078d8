// Supervisor tokens of the station page, kept in <home>/web-tokens.json (mode 0600): a name and
// the SHA-256 of each token, never the token itself. A token is 32 random bytes, shown once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fsyncDirectoryIfSupported } from '../lib/durable.js';

export interface WebTokenRecord {
  name: string;
  sha256: string;
  createdAt: string;
  createdBy: string;
}

export class WebTokenError extends Error {
  override name = 'WebTokenError';
}

const NAME = /^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$/u;

export function webTokensFile(homeDir: string): string {
  return path.join(homeDir, 'web-tokens.json');
}

const digestOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export function readWebTokens(homeDir: string): WebTokenRecord[] {
  let text: string;
  try {
    text = readFileSync(webTokensFile(homeDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parsed = JSON.parse(text) as { tokens?: WebTokenRecord[] };
  return Array.isArray(parsed.tokens) ? parsed.tokens : [];
}

function writeWebTokens(homeDir: string, tokens: WebTokenRecord[]): void {
  const file = webTokensFile(homeDir);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify({ tokens }, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDirectoryIfSupported(homeDir);
}

/** Adds a token for `name` (which must be new) and returns it: the only time it is ever shown. */
export function addWebToken(homeDir: string, name: string, createdBy: string, now = new Date()): { token: string; record: WebTokenRecord } {
  if (!NAME.test(name)) throw new WebTokenError(`token name ${JSON.stringify(name)}: use 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
  const tokens = readWebTokens(homeDir);
  if (tokens.some((t) => t.name === name)) throw new WebTokenError(`a token named ${JSON.stringify(name)} exists already; pick another name`);
  const token = randomBytes(32).toString('base64url');
  const record = { name, sha256: digestOf(token), createdAt: now.toISOString(), createdBy };
  writeWebTokens(homeDir, [...tokens, record]);
  return { token, record };
}

/** The name a presented token was given, or undefined when it is no token of this home. */
export function nameOfWebToken(homeDir: string, presented: string): string | undefined {
  const digest = Buffer.from(digestOf(presented), 'hex');
  let found: string | undefined;
  for (const t of readWebTokens(homeDir)) {
    const known = Buffer.from(t.sha256, 'hex');
    if (known.length === digest.length && timingSafeEqual(known, digest)) found = t.name;
  }
  return found;
}
