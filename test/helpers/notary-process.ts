// A real notary process (`evidock notary`) on a real unix socket, for the notary tests; and a raw
// client that sends one JSON line and reads one back, as the service would.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';
import { binPath, repoRoot } from './evidock.js';

export class NotaryProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly ready: Promise<void>;

  /** `prefix`: a command run before node (e.g. setpriv with its arguments), for other users. */
  constructor(args: string[], opts: { prefix?: string[]; spawn?: SpawnOptions } = {}) {
    const cmd = [...(opts.prefix ?? []), process.execPath, binPath, 'notary', ...args];
    this.child = spawn(cmd[0], cmd.slice(1), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], ...opts.spawn });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.ready = new Promise((resolve, reject) => {
      this.child.stdout!.setEncoding('utf8').on('data', (c: string) => {
        this.stdout += c;
        if (this.stdout.includes('evidock notary ready')) resolve();
      });
      this.child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
      void this.exited.then((code) => reject(new Error(`notary exited ${code} before ready: ${this.stderr}`)));
      setTimeout(() => reject(new Error(`notary not ready in 60 s: ${this.stderr}`)), 60_000).unref();
    });
    this.ready.catch(() => undefined); // a test that expects an early exit awaits `exited` instead
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Send one request line, return the parsed one-line answer. */
export function askNotary(socket: string, request: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socket);
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify(request) + '\n'));
    sock.on('data', (c: string) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        sock.destroy();
        resolve(JSON.parse(buf.slice(0, nl)));
      }
    });
    sock.on('error', reject);
  });
}
