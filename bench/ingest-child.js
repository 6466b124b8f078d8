// Child of ingest.bench.js: ingest one folder with the real session code, print timing and peak RSS.
import path from 'node:path';
import { pino } from 'pino';
import { repoRoot } from './lib.js';

const [root, home] = process.argv.slice(2);
const { loadConfig, prepareHome } = await import(path.join(repoRoot, 'dist/home.js'));
const { openCatalog } = await import(path.join(repoRoot, 'dist/store/catalog.js'));
const { initStorageRoot } = await import(path.join(repoRoot, 'dist/store/ocfl.js'));
const { ingestRecorder } = await import(path.join(repoRoot, 'dist/ingest/session.js'));
const { currentActor } = await import(path.join(repoRoot, 'dist/audit/log.js'));
const { config, home: h } = loadConfig({ home });
prepareHome(h);
initStorageRoot(h.store);
const db = openCatalog(h.catalog);
const t = process.hrtime.bigint();
const phases = {};
const ms = () => Number(process.hrtime.bigint() - t) / 1e6;
const summary = await ingestRecorder(
  { db, config, home: h, logger: pino({ level: 'silent' }), actor: currentActor('cli') },
  { root, recorderId: 'bench' },
  { onProgress: (p) => (phases[p.phase] ??= Math.round(ms())) },
);
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
db.close();
process.stdout.write(JSON.stringify({ seconds, held: summary.held, bytes: summary.bytesHeld, maxRssKiB: process.resourceUsage().maxRSS, phasesStartMs: phases }) + '\n');
