#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// CommonJS on purpose (bin/package.json): a CommonJS entry is read without libuv's thread pool, so
// the pool size set here still takes effect. Every file operation (copies, reads from recorders)
// runs in that pool, 4 threads by default: four cards that stopped answering would stall every
// other slot. 64 threads leave room for the copies of every slot plus reads lost to hung cards.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '64';
const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('evidock: not built yet. Run `npm ci` (or `npm run build`) in the evidock folder first.\n');
  process.exit(2);
}
import(pathToFileURL(main).href).then(async ({ run, finishProcess }) => finishProcess(await run(process.argv)));
