// Child of meta.bench.js: ingest one folder with the real session code and the given derived
// steps, print wall seconds. argv: root home mode (none | names | metadata)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { repoRoot } from './lib.js';

const [root, home, mode] = process.argv.slice(2);
const dist = (p) => import(path.join(repoRoot, 'dist', p));
const { loadConfig, prepareHome } = await dist('home.js');
const { openCatalog } = await dist('store/catalog.js');
const { initStorageRoot } = await dist('store/ocfl.js');
const { ingestRecorder } = await dist('ingest/session.js');
const { currentActor } = await dist('audit/log.js');
const { provenanceHooks } = await dist('ingest/provenance.js');
const { endMetadataReaders } = await dist('meta/index.js');

if (mode === 'read') {
  // Metadata reading alone, one file after another: the work the ingest overlaps.
  const { readdirSync } = await import('node:fs');
  const { readRecordingMetadata } = await dist('meta/index.js');
  const dir = path.join(root, 'DCIM', '100MEDIA');
  const files = readdirSync(dir).sort();
  await readRecordingMetadata(path.join(dir, files[0])); // start exiftool
  const t0 = process.hrtime.bigint();
  let available = 0;
  for (const f of files) if ((await readRecordingMetadata(path.join(dir, f))).available) available++;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await endMetadataReaders();
  process.stdout.write(JSON.stringify({ mode, seconds, held: files.length, withMetadata: available }) + '\n');
  process.exit(0);
}
if (mode === 'names') writeFileSync(path.join(home, 'evidock.toml'), '[meta]\nread_metadata = false\n');
const { config, home: h } = loadConfig({ home });
prepareHome(h);
initStorageRoot(h.store);
const db = openCatalog(h.catalog);
const hooks = mode === 'none' ? undefined : provenanceHooks();
const t = process.hrtime.bigint();
const summary = await ingestRecorder({ db, config, home: h, logger: pino({ level: 'silent' }), actor: currentActor('cli'), hooks }, { root, recorderId: '1234567' });
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
const provenance = mode === 'none' ? 0 : db.prepare('SELECT COUNT(*) AS n FROM provenance WHERE metadata_available = 1').get().n;
db.close();
await endMetadataReaders();
process.stdout.write(JSON.stringify({ mode, seconds, held: summary.held, withMetadata: provenance }) + '\n');
