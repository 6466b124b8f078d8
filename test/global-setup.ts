// Tests run the real CLI from dist/: `npm test` builds first; a bare `npx vitest` needs a build.
import { existsSync } from 'node:fs';
import path from 'node:path';

export default function setup(): void {
  const main = path.resolve(import.meta.dirname ?? '.', '..', 'dist', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error('dist/ is missing: run `npm run build` (npm test does it for you)');
}
