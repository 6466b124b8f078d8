#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('evidock: not built yet. Run `npm ci` (or `npm run build`) in the evidock folder first.\n');
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv);
