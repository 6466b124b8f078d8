// Runs INSIDE the QEMU guest next to the evidock daemon: reports what a person would look at.
//   @@SLOT {slot, state, ...}   each change of a slot in the daemon's status file
//   @@HELD {count, wiped, staging} when the catalog, staging or a recorder changes; then /out/held.json has every held
//                               original with the SHA-256 of its bytes in the store (re-read),
//                               the wipes, the staging folder's leftovers and the files still
//                               on each mounted recorder.
//   @@CLI {id, code}            an evidock command the host asked for (/out/cmd.json) has run
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

const HOME = process.argv[2] ?? '/tmp/home';
const MEDIA = process.argv[3] ?? '/run/evidock/media';
const emit = (tag, obj) => process.stdout.write(`@@${tag} ${JSON.stringify(obj)}\n`);
const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const walk = (root, rel = '') => {
  let out = [];
  try {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out = e.isDirectory() ? out.concat(walk(root, r)) : out.concat([r]);
    }
  } catch {
    /* vanished */
  }
  return out;
};
const lastSlot = new Map();
const hashed = new Map();
let lastKey = '';

function tick() {
  try {
    const st = JSON.parse(readFileSync(path.join(HOME, 'run', 'daemon-status.json'), 'utf8'));
    for (const s of st.slots) {
      const key = `${s.state}|${s.fileIndex}|${s.filePath}|${s.message}|${s.held}`;
      if (lastSlot.get(s.slot) !== key) {
        lastSlot.set(s.slot, key);
        emit('SLOT', s);
      }
    }
  } catch {
    /* daemon not up yet */
  }
  const dbFile = path.join(HOME, 'catalog.sqlite');
  if (!existsSync(dbFile)) return;
  let db;
  try {
    db = new Database(dbFile, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const originals = db.prepare('SELECT evidence_number, object_path, content_path, sha256, size, recorder_id, source_path FROM originals ORDER BY evidence_number').all();
    const wipes = db.prepare('SELECT recorder_id, slot, source_path, size, sha256, evidence_number FROM recorder_wipes ORDER BY id').all();
    const staging = existsSync(path.join(HOME, 'staging')) ? readdirSync(path.join(HOME, 'staging')) : [];
    const onRecorders = Object.fromEntries((existsSync(MEDIA) ? readdirSync(MEDIA) : []).map((d) => [d, walk(path.join(MEDIA, d))]));
    const key = JSON.stringify([originals.length, wipes.length, staging, onRecorders]);
    if (key === lastKey) return;
    for (const o of originals) {
      if (!hashed.has(o.evidence_number)) hashed.set(o.evidence_number, sha(path.join(HOME, 'store', o.object_path, o.content_path)));
      o.storedSha256 = hashed.get(o.evidence_number);
    }
    writeFileSync('/out/held.json.tmp', JSON.stringify({ originals, wipes, staging, onRecorders }));
    renameSync('/out/held.json.tmp', '/out/held.json');
    lastKey = key;
    emit('HELD', { count: originals.length, wiped: wipes.length, staging: staging.length });
  } catch (err) {
    emit('WARN', { msg: String(err?.message ?? err) });
  } finally {
    db?.close();
  }
}
// The host asks for a CLI run by writing /out/cmd.json {id, args}: the answer is /out/cmd-<id>.json
function command() {
  if (!existsSync('/out/cmd.json')) return;
  let req;
  try {
    req = JSON.parse(readFileSync('/out/cmd.json', 'utf8'));
  } catch {
    return; // half written
  }
  rmSync('/out/cmd.json', { force: true });
  const r = spawnSync('node', ['/app/bin/evidock.js', '--home', HOME, ...req.args], { encoding: 'utf8', timeout: 120_000 });
  writeFileSync(`/out/cmd-${req.id}.json.tmp`, JSON.stringify({ code: r.status, stdout: r.stdout, stderr: r.stderr }));
  renameSync(`/out/cmd-${req.id}.json.tmp`, `/out/cmd-${req.id}.json`);
  emit('CLI', { id: req.id, code: r.status });
}
setInterval(() => {
  tick();
  command();
}, 300);
emit('REPORTER', { home: HOME });
