// Child of ingest-small.bench.js: the filesystem's floor for holding a card's files as one OCFL
// object per original (layout 0004), durable before anyone relies on it: each file read, copied,
// read back; its object's files written read-only, its folders made, the objects renamed into the
// store, made durable the way evidock does on this filesystem: one syncfs (`sync -f`) after every
// 64 objects are written and another after they are placed (an fsync per path, 13 per object,
// with --fsync). One thread, blocking calls, no catalog, no log, no metadata, no checks: what any
// correct hold of the same layout must ask of the kernel. Prints {objects, cpuSeconds} (this
// process's user + system CPU, and its children's).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { childCpuSeconds } from './lib.js';

const [card, root, how] = process.argv.slice(2);
const perPath = how === '--fsync';
const BATCH = 64;
const staging = path.join(root, 'staging', 'entry');
const store = path.join(root, 'store');
fs.mkdirSync(staging, { recursive: true });
fs.mkdirSync(store);
const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) (e.isDirectory() ? walk : (p) => files.push(p))(path.join(dir, e.name));
})(card);
const buf = Buffer.alloc(1 << 20);
const back = Buffer.alloc(1 << 20);
const syncfs = () => execFileSync('sync', ['-f', root]);
/** This process's CPU seconds and its waited-for children's (the `sync` runs). */
const cpuSeconds = () => {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + childCpuSeconds();
};
const flush = (p) => {
  if (!perPath) return; // the batch's syncfs makes it durable
  const fd = fs.openSync(p, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
};
const writeNew = (p, data) => {
  const fd = fs.openSync(p, 'wx', 0o444);
  fs.writeSync(fd, data);
  fs.closeSync(fd);
};
const cpu0 = cpuSeconds();
const written = [];
files.forEach((file, i) => {
  const object = path.join(staging, `object-${i}`);
  const v1 = path.join(object, 'v1');
  const content = path.join(v1, 'content');
  fs.mkdirSync(content, { recursive: true });
  const src = fs.openSync(file, 'r');
  fs.fstatSync(src);
  const n = fs.readSync(src, buf, 0, buf.length, 0);
  fs.closeSync(src);
  const copy = path.join(content, path.basename(file));
  const fd = fs.openSync(copy, 'wx', 0o444);
  fs.writeSync(fd, buf, 0, n, 0);
  fs.closeSync(fd);
  const rb = fs.openSync(copy, 'r');
  fs.readSync(rb, back, 0, n, 0);
  fs.closeSync(rb);
  const digest = createHash('sha256').update(buf.subarray(0, n)).digest('hex');
  const inventory = JSON.stringify({ id: `urn:floor:${i}`, manifest: { [digest]: [`v1/content/${path.basename(file)}`] } });
  const made = [
    [path.join(content, 'provenance.json'), JSON.stringify({ sha256: digest })],
    [path.join(object, '0=ocfl_object_1.1'), 'ocfl_object_1.1\n'],
    [path.join(object, 'inventory.json'), inventory],
    [path.join(object, 'inventory.json.sha512'), digest],
    [path.join(v1, 'inventory.json'), inventory],
    [path.join(v1, 'inventory.json.sha512'), digest],
  ];
  for (const [p, data] of made) writeNew(p, data);
  fs.chmodSync(content, 0o555);
  fs.chmodSync(v1, 0o555);
  for (const p of [...made.map(([p]) => p), copy, content, v1, object]) flush(p);
  written.push([object, i]);
  if (written.length < BATCH && i < files.length - 1) return;
  if (!perPath) syncfs();
  for (const [obj, n] of written.splice(0)) place(obj, n);
  if (!perPath) syncfs();
});

function place(object, i) {
  const id = createHash('sha256').update(`urn:floor:${i}`).digest('hex');
  const parent = path.join(store, id.slice(0, 3), id.slice(3, 6), id.slice(6, 9));
  fs.mkdirSync(parent, { recursive: true });
  const target = path.join(parent, id);
  fs.renameSync(object, target);
  fs.chmodSync(target, 0o555);
  for (const p of [parent, target, path.dirname(parent)]) flush(p);
}
process.stdout.write(JSON.stringify({ objects: files.length, cpuSeconds: cpuSeconds() - cpu0 }) + '\n');
