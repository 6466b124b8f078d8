// The kiosk's and supervisor view's static files (plain HTML, CSS, JS in src/web/public; no
// build step), read once and served from memory by name.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** src/web/public, from src/web (tsx) or dist/web (built). */
export const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'web', 'public');

export interface PublicFile {
  type: string;
  body: Buffer;
}

export function loadPublicFiles(dir = publicDir): Map<string, PublicFile> {
  const files = new Map<string, PublicFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { type, body: readFileSync(path.join(dir, name)) });
  }
  return files;
}
