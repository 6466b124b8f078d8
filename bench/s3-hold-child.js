// Child of s3.bench.js: hold one staged file through the s3 backend (upload with Content-MD5,
// COMPLIANCE lock, read back and re-hash, catalog commit) and print the hold's seconds, peak RSS,
// CPU seconds and the time of each phase.
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib.js';

const [file, home, endpoint, bucket, prefix] = process.argv.slice(2);
const { openCatalog } = await import(path.join(repoRoot, 'dist/store/catalog.js'));
const { startSession } = await import(path.join(repoRoot, 'dist/store/records.js'));
const { S3OriginalsStore } = await import(path.join(repoRoot, 'dist/store/s3-originals.js'));
const { s3Credentials } = await import(path.join(repoRoot, 'dist/store/s3-credentials.js'));
mkdirSync(path.join(home, 'staging'), { recursive: true });
const db = openCatalog(path.join(home, 'catalog.sqlite'));
const station = { id: 'BENCH', name: '', timezone: 'Asia/Shanghai' };
const s3 = { endpoint, region: 'default', bucket, prefix, retention_days: 1, force_path_style: true, allow_governance: false };
// Where the hold's time goes: upload, lock (list + HEAD + retention), read-back (one streamed GET
// hashed on the hashing thread), the small files' read-back (overlapping it), commit.
const phases = {};
const phaseTimes = (phase, ms) => (phases[phase] = (phases[phase] ?? 0) + ms / 1000);
const store = new S3OriginalsStore({ db, stagingRoot: path.join(home, 'staging'), station, algorithms: ['sha256'], s3, credentials: s3Credentials(), phaseTimes });
// Staging is the ingest bench's business: copied and hashed here, untimed.
const staged = store.stage(Buffer.from(path.basename(file)), 'bench');
copyFileSync(file, staged.contentFile);
const sha256 = createHash('sha256');
let size = 0;
for await (const chunk of createReadStream(staged.contentFile, { highWaterMark: 8 << 20 })) (sha256.update(chunk), (size += chunk.length));
const sessionId = `bench-${Date.now()}`;
startSession(db, { id: sessionId, recorder_id: null, source: file, slot: null, started_at: new Date().toISOString() });
// The SDK loaded and the connection open before timing, as in the running daemon (loading it
// costs about a second of CPU once per process).
await store.bucket.versioning();
const cpu0 = process.cpuUsage();
const t = process.hrtime.bigint();
const outcome = await store.hold(staged, {
  heldAt: new Date(),
  file: { fileName: path.basename(file), sourcePath: path.basename(file), sourcePathRaw: Buffer.from(path.basename(file)), sourceMtimeMs: null, sha256: sha256.digest('hex'), sm3: null, size, recorderId: null, officerId: null, sessionId },
  about: { recorderIdentity: null, slot: null, dockedAt: null },
  derived: null,
  message: 'bench',
  inCommit: () => {},
});
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
const cpu = process.cpuUsage(cpu0);
store.close();
db.close();
if (!('held' in outcome)) throw new Error('not held');
process.stdout.write(JSON.stringify({ seconds, maxRssKiB: process.resourceUsage().maxRSS, phases, cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\n');
