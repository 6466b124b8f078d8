// Runs INSIDE the QEMU guest: the dock room alone (no daemon). MountDock with the self policy
// mounts each recorder plugged into the hub; for each docking it prints the slot, USB facts and
// the SHA-256 of every file, as "@@DOCKED {json}" on the serial console.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { MountDock } from '/app/dist/dock/mount-dock.js';

const emit = (tag, obj) => process.stdout.write(`@@${tag} ${JSON.stringify(obj)}\n`);
const logger = pino({ level: 'info' }, pino.destination({ dest: '/out/observe.log', sync: true }));
const walk = (root, rel = '') =>
  readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return walk(root, r);
    const buf = readFileSync(path.join(root, r));
    return [{ path: r, size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') }];
  });

const dock = new MountDock({
  policy: 'self',
  mediaRoot: '/run/evidock/media',
  slots: JSON.parse(process.env.SLOTS ?? '{}'),
  filter: { recorders: [], massStorageOnSlots: true },
  pollMs: 250,
  logger,
});
// The shipped udev rule, checked against the real device: which commands would udev run?
function udevTest(mountPath) {
  const src = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[1] === mountPath)?.[0];
  if (!src) return emit('UDEVTEST', { mountPath, error: 'mount not in /proc/mounts' });
  mkdirSync('/etc/udev/rules.d', { recursive: true });
  copyFileSync('/app/systemd/80-evidock.rules', '/etc/udev/rules.d/80-evidock.rules');
  const runs = {};
  for (const action of ['add', 'remove']) {
    const r = spawnSync('udevadm', ['test', `--action=${action}`, `/sys/class/block/${path.basename(src)}`], { encoding: 'utf8' });
    runs[action] = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^run: /.test(l.trim())).map((l) => l.trim());
  }
  emit('UDEVTEST', { mountPath, dev: src, runs });
}

dock.on('docked', (e) => {
  try {
    udevTest(e.mountPath);
  } catch (err) {
    emit('UDEVTEST', { mountPath: e.mountPath, error: String(err) });
  }
  let files = [];
  try {
    files = walk(e.mountPath);
  } catch (err) {
    emit('ERROR', { slot: e.slot, msg: String(err) });
  }
  emit('DOCKED', { ...e, files });
});
dock.on('undocked', (e) => emit('UNDOCKED', e));
dock.on('error', (err) => emit('ERROR', { msg: String(err?.stack ?? err) }));
await dock.start();
emit('READY', { usbUnavailable: dock.usbUnavailable ?? null });
setInterval(() => {}, 1 << 30);
