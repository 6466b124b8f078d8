// A real Ceph RGW for the s3 system tests: one memstore cluster per test file (ceph-up.sh beside
// this file, ~15 s), its data under the OS temp dir, every daemon stopped by its pid. Says LOUDLY
// what is missing (root, the Debian packages ceph-mon ceph-osd radosgw ceph-common) when it cannot run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const HARNESS = import.meta.dirname;

export function cephMissing(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (ceph daemons)');
  for (const [bin, pkg] of [['ceph-mon', 'ceph-mon'], ['ceph-osd', 'ceph-osd'], ['radosgw', 'radosgw'], ['radosgw-admin', 'radosgw'], ['ceph', 'ceph-common'], ['rados', 'ceph-common']]) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status !== 0) missing.push(`${bin} (Debian package ${pkg})`);
  }
  return missing;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface S3User {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Rgw {
  endpoint: string;
  dir: string;
  /** The station's S3 user (it owns the test buckets; no admin key). */
  station: S3User;
  /** Environment for evidock with the station's credentials. */
  stationEnv: NodeJS.ProcessEnv;
  /** Stop radosgw only (the cluster stays): an outage. */
  stopGateway(signal?: NodeJS.Signals): void;
  startGateway(): Promise<void>;
  /** Freeze / thaw radosgw (SIGSTOP / SIGCONT): a gateway that hangs mid-request. */
  pauseGateway(): void;
  resumeGateway(): void;
  /** Run a ceph tool (rados, radosgw-admin) against this cluster as its admin. */
  admin(tool: string, args: string[]): string;
  stop(): void;
}

export async function startRgw(): Promise<Rgw> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evidock-ceph-'));
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const env = { ...process.env, D: dir, MON_PORT: String(monPort), RGW_PORT: String(rgwPort), CEPH_CONF: path.join(dir, 'ceph.conf') };
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  const pidOf = (name: string) => Number(readFileSync(path.join(dir, 'run', `${name}.pid`), 'utf8').trim());
  const stop = () => spawnSync(path.join(HARNESS, 'ceph-down.sh'), { env, stdio: 'ignore' });
  const admin = (tool: string, args: string[]) => execFileSync(tool, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const startGateway = async () => {
    execFileSync(path.join(HARNESS, 'rgw-up.sh'), { env, stdio: 'ignore' });
    for (let i = 0; i < 240; i++) {
      try {
        await fetch(endpoint);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw new Error(`radosgw did not answer at ${endpoint} (log: ${dir}/log/client.rgw.a.log)`);
  };
  const stopGateway = (signal: NodeJS.Signals = 'SIGTERM') => {
    const file = path.join(dir, 'run', 'client.rgw.a.pid');
    if (!existsSync(file)) return;
    const pid = pidOf('client.rgw.a');
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 200 && isAlive(pid); i++) spawnSync('sleep', ['0.05']);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    // A stale pid file would make ceph-down.sh signal whatever process gets that pid next.
    rmSync(file, { force: true });
  };
  try {
    const up = spawnSync(path.join(HARNESS, 'ceph-up.sh'), { env, encoding: 'utf8' });
    if (up.status !== 0) throw new Error(`ceph-up.sh failed: ${up.stderr}`);
    await startGateway();
    const station: S3User = { accessKeyId: 'EVIDOCKSTATION', secretAccessKey: 'station-secret-for-tests-only' };
    admin('radosgw-admin', ['user', 'create', '--uid', 'station', '--display-name', 'docking station', '--access-key', station.accessKeyId, '--secret-key', station.secretAccessKey]);
    return {
      endpoint,
      dir,
      station,
      stationEnv: { AWS_ACCESS_KEY_ID: station.accessKeyId, AWS_SECRET_ACCESS_KEY: station.secretAccessKey },
      stopGateway,
      startGateway,
      pauseGateway: () => process.kill(pidOf('client.rgw.a'), 'SIGSTOP'),
      resumeGateway: () => process.kill(pidOf('client.rgw.a'), 'SIGCONT'),
      admin,
      stop,
    };
  } catch (err) {
    stop();
    throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
