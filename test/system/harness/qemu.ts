// A QEMU guest with real USB hotplug for evidock's system tests (after shared recipe
// qemu-usb-dock): Debian's kernel + busybox/udev/node initramfs (scripts/qemu/build-guest.sh,
// cached outside the repo), an xHCI controller with a hub, the repository shared read-only at
// /app and a run folder shared writable at /out. Guest lines "@@TAG {json}" on ttyS0 are events.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QmpClient } from './qmp.js';

export const REPO = path.resolve(import.meta.dirname, '..', '..', '..');
const SCRIPTS = path.join(REPO, 'scripts', 'qemu');

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** What this machine lacks for the QEMU tests (empty = all there). Each entry says what to install. */
export function qemuMissing(opts: { exfat?: boolean } = {}): string[] {
  const missing: string[] = [];
  const need: [string, string][] = [
    ['qemu-system-x86_64', 'qemu-system-x86'],
    ['cpio', 'cpio'],
    ['depmod', 'kmod'],
    ['zstd', 'zstd'],
    ['xz', 'xz-utils'],
    ['sfdisk', 'fdisk'],
    ['mkfs.vfat', 'dosfstools'],
    ['mcopy', 'mtools'],
    ['openssl', 'openssl'],
    ['dpkg-deb', 'dpkg'],
    ['apt-get', 'apt'],
  ];
  if (opts.exfat) need.push(['mkfs.exfat', 'exfatprogs'], ['mount.exfat-fuse', 'exfat-fuse'], ['losetup', 'mount']);
  for (const [cmd, pkg] of need) if (!have(cmd)) missing.push(`${cmd} (Debian package ${pkg})`);
  if (!existsSync('/bin/busybox')) missing.push('/bin/busybox (Debian package busybox-static)');
  if (opts.exfat && process.getuid?.() !== 0) missing.push('root (exFAT images are filled through a loop device)');
  if (opts.exfat) {
    try {
      accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
    } catch {
      missing.push('/dev/fuse (exFAT images are filled with exfat-fuse)');
    }
  }
  if (!existsSync(path.join(REPO, 'dist', 'cli', 'main.js'))) missing.push('dist/ (run `npm run build`)');
  return missing;
}

/** Builds or reuses the cached guest; returns its folder. */
export function buildGuest(): string {
  const r = spawnSync(path.join(SCRIPTS, 'build-guest.sh'), { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`build-guest.sh failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!;
}

export interface ManifestLine {
  sha256: string;
  size: number;
  path: string;
}

export function makeRecorderImage(image: string, serial: string, fs: 'fat32' | 'exfat', bigMiB = 8): ManifestLine[] {
  const r = spawnSync(path.join(SCRIPTS, 'make-recorder-image.sh'), [image, serial, fs, String(bigMiB)], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`make-recorder-image.sh ${fs} failed (${r.status}): ${r.stderr}`);
  return readManifest(`${image}.manifest`);
}

export function readManifest(file: string): ManifestLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^([0-9a-f]{64})  (\d+)  (.*)$/.exec(l)!;
      return { sha256: m[1], size: Number(m[2]), path: m[3] };
    });
}

export interface GuestEvent {
  tag: string;
  data: Record<string, any>;
  /** Host time the line arrived (ms). */
  at: number;
}

export interface BootOptions {
  guestDir: string;
  /** Host folder shared writable as /out; the guest runs /out/guest.sh. */
  outDir: string;
  guestScript: string;
  memMiB?: number;
  /** Hub ports on root port 1 (USB 2 hub, 8 ports). */
  hub?: boolean;
  onLine?: (line: string) => void;
}

export class QemuGuest {
  readonly events: GuestEvent[] = [];
  readonly serial: string[] = [];
  private waiters: { pred: (e: GuestEvent) => boolean; resolve: (e: GuestEvent) => void }[] = [];
  private exited = false;

  private constructor(
    readonly proc: ChildProcess,
    readonly qmp: QmpClient,
    readonly outDir: string,
  ) {}

  static async boot(o: BootOptions): Promise<QemuGuest> {
    writeFileSync(path.join(o.outDir, 'guest.sh'), o.guestScript, { mode: 0o755 });
    const qmpSock = path.join(o.outDir, 'qmp.sock');
    const kernel = existsSync(path.join(o.guestDir, 'vmlinux')) ? path.join(o.guestDir, 'vmlinux') : path.join(o.guestDir, 'vmlinuz');
    // /dev/kvm backed by kvm_pvm only runs PVM guest kernels: use TCG there
    const kvm = existsSync('/dev/kvm') && !existsSync('/sys/module/kvm_pvm');
    const args = [
      ...(kvm ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg', '-cpu', 'max']),
      '-machine', 'q35', '-m', String(o.memMiB ?? 1024), '-smp', '2', '-nodefaults', '-display', 'none', '-no-reboot',
      '-kernel', kernel, '-initrd', path.join(o.guestDir, 'initrd.img'),
      '-append', 'console=ttyS0 rdinit=/init loglevel=4 panic=-1 GUEST_CMD=/out/guest.sh',
      '-serial', 'stdio', '-qmp', `unix:${qmpSock},server=on,wait=off`,
      '-device', 'qemu-xhci,id=xhci',
      ...(o.hub !== false ? ['-device', 'usb-hub,bus=xhci.0,port=1,id=dock'] : []),
      '-virtfs', `local,path=${REPO},mount_tag=app,security_model=none,readonly=on`,
      '-virtfs', `local,path=${o.outDir},mount_tag=out,security_model=none`,
    ];
    const proc = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const qmp = await QmpClient.connect(qmpSock);
    const g = new QemuGuest(proc, qmp, o.outDir);
    let buf = '';
    const onData = (d: string) => {
      buf += d; // decoded by the stream: a UTF-8 character split across chunks stays whole
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        g.serial.push(line);
        o.onLine?.(line);
        const m = /@@([A-Z_]+) (\{.*\})\s*$/.exec(line);
        if (!m) continue;
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(m[2]);
        } catch {
          continue;
        }
        const ev = { tag: m[1], data, at: Date.now() };
        g.events.push(ev);
        for (const w of [...g.waiters]) if (w.pred(ev)) {
          g.waiters = g.waiters.filter((x) => x !== w);
          w.resolve(ev);
        }
      }
    };
    proc.stdout!.setEncoding('utf8').on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => o.onLine?.(`[qemu] ${d.toString().trimEnd()}`));
    proc.on('exit', () => (g.exited = true));
    return g;
  }

  /** Waits for an event (one already seen counts) with `tag` matching `pred`. */
  waitFor(tag: string, pred: (d: Record<string, any>) => boolean = () => true, timeoutMs = 60_000, since = 0): Promise<GuestEvent> {
    const hit = this.events.find((e) => e.at >= since && e.tag === tag && pred(e.data));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = {
        pred: (e: GuestEvent) => e.tag === tag && pred(e.data),
        resolve: (e: GuestEvent) => {
          clearTimeout(t);
          clearInterval(dead);
          resolve(e);
        },
      };
      const fail = (why: string) => {
        this.waiters = this.waiters.filter((x) => x !== w);
        clearInterval(dead);
        clearTimeout(t);
        reject(new Error(`${why} waiting for @@${tag}; ${this.diagnostics()}`));
      };
      const t = setTimeout(() => fail(`timeout (${timeoutMs} ms)`), timeoutMs);
      const dead = setInterval(() => this.exited && fail('QEMU exited'), 200);
      this.waiters.push(w);
    });
  }

  /** What a failed wait shows: each slot's last state, the daemon log's tail, the last serial lines. */
  diagnostics(): string {
    const slots = new Map<string, Record<string, any>>();
    for (const e of this.events) if (e.tag === 'SLOT') slots.set(String(e.data.slot), e.data);
    const log = path.join(this.outDir, 'daemon.log');
    const daemonTail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-40).join('\n') : '(no daemon.log)';
    return [
      `last slot states:\n${[...slots.values()].map((d) => `  ${JSON.stringify(d)}`).join('\n') || '  (none)'}`,
      `daemon.log, last 40 lines:\n${daemonTail}`,
      `last serial lines:\n${this.serial.slice(-30).join('\n')}`,
    ].join('\n');
  }

  /** The first event after `prev` (in arrival order) with `tag` matching `pred`. */
  waitForAfter(prev: GuestEvent, tag: string, pred: (d: Record<string, any>) => boolean = () => true, timeoutMs = 60_000): Promise<GuestEvent> {
    const hit = this.events.slice(this.events.indexOf(prev) + 1).find((e) => e.tag === tag && pred(e.data));
    if (hit) return Promise.resolve(hit);
    return this.waitFor(tag, pred, timeoutMs, Number.MAX_SAFE_INTEGER);
  }

  /** Plugs a recorder image into hub port `port` ("1.2"), as a usb-storage device with `serial`. */
  async plug(o: { id: string; image: string; port: string; serial: string; readOnly?: boolean; bytesPerSecond?: number }): Promise<void> {
    const file = { driver: 'file', filename: o.image, 'read-only': !!o.readOnly };
    if (o.bytesPerSecond) {
      await this.qmp.execute('object-add', { 'qom-type': 'throttle-group', id: `thr-${o.id}`, limits: { 'bps-read': o.bytesPerSecond } });
      await this.qmp.execute('blockdev-add', {
        driver: 'throttle', 'node-name': o.id, 'throttle-group': `thr-${o.id}`, 'read-only': !!o.readOnly,
        file: { driver: 'raw', 'node-name': `${o.id}-raw`, 'read-only': !!o.readOnly, file },
      });
    } else {
      await this.qmp.execute('blockdev-add', { driver: 'raw', 'node-name': o.id, 'read-only': !!o.readOnly, file });
    }
    await this.qmp.execute('device_add', { driver: 'usb-storage', id: `dev-${o.id}`, drive: o.id, bus: 'xhci.0', port: o.port, serial: o.serial, removable: true });
  }

  /** Pulls the recorder out (device_del, wait for the guest to let go, then drop the image). */
  async unplug(id: string, throttled = false): Promise<void> {
    await this.qmp.execute('device_del', { id: `dev-${id}` });
    await this.qmp.waitEvent((e) => e.event === 'DEVICE_DELETED' && e.data?.device === `dev-${id}`, 30_000);
    await this.qmp.execute('blockdev-del', { 'node-name': id });
    if (throttled) {
      await this.qmp.execute('blockdev-del', { 'node-name': `${id}-raw` }).catch(() => undefined);
      await this.qmp.execute('object-del', { id: `thr-${id}` }).catch(() => undefined);
    }
  }

  peakRssMiB(): number | undefined {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  async quit(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.qmp.execute('quit'), new Promise((r) => setTimeout(r, 3000))]);
    } catch {
      /* qemu closes the socket as it quits */
    }
    this.qmp.close();
    await new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      const t = setTimeout(() => {
        this.proc.kill('SIGKILL');
        resolve();
      }, 5000);
      this.proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
