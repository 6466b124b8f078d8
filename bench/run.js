#!/usr/bin/env node
// npm run bench: every benchmark in this folder, each comparing against its baselines in the
// same run and printing ratios. Pass names to run some: `npm run bench -- ingest`.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageReportingNote } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .map((f) => f.replace(/\.bench\.js$/, ''))
  .filter((n) => wanted.length === 0 || wanted.includes(n));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const note = pageReportingNote();
if (note) console.log(note);
for (const name of benches) {
  console.log(`\n=== ${name} ===`);
  const mod = await import(path.join(here, `${name}.bench.js`));
  await mod.default(flags);
}
