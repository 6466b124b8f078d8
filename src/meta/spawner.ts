// Where evidock's helper programs (ffprobe, exiftool's perl) are started: by a small process of
// evidock's own, the spawner, not by evidock itself. A fork of evidock copies its open files and
// the exec closes them again; closing a file of a FUSE card whose (single-threaded) server is
// stuck in a read waits for that server, and evidock waits for the exec: one helper started
// while a card hung froze the whole daemon (issue 11 point 13). The spawner starts with the
// station, before any card is opened, and never opens one. Without it (it could not start, it
// died, or a test runs the sources) a helper is started directly, as before.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FromSpawner, ToSpawner } from './spawner-protocol.js';

/** What evidock uses of a helper process, started by the spawner or directly. */
export interface HelperProcess {
  readonly pid?: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
  ref(): void;
  unref(): void;
  on(event: 'exit' | 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

/**
 * util-linux's setpriv sets the parent-death signal and then execs the program (same pid), so a
 * helper never outlives the process that started it, even after a SIGKILL.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** The command line that runs `command`, tied to its parent's life where the system allows. */
export function diesWithParent(command: string, args: string[]): [string, string[]] {
  if (!SETPRIV) return [command, args];
  const found = command.includes('/') ? (existsSync(command) ? command : undefined) : whichSync(command);
  return found ? [SETPRIV, ['--pdeathsig', 'KILL', '--', found, ...args]] : [command, args];
}

/** The first executable named `name` on PATH (so a missing program still reports ENOENT). */
function whichSync(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir || '.', name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

interface Spawner {
  child: ChildProcess;
  nextId: number;
  starting: Map<number, { resolve: (p: RelayedProcess) => void; reject: (err: Error) => void; proc: RelayedProcess }>;
  running: Map<number, RelayedProcess>;
  /** Started helpers that keep evidock running (as a ChildProcess does until unref()). */
  refs: number;
}

let spawner: Spawner | null = null;

function send(s: Spawner, m: ToSpawner): void {
  if (s.child.connected) s.child.send(m);
}

function countRef(s: Spawner, delta: number): void {
  s.refs += delta;
  if (s.refs > 0) s.child.channel?.ref();
  else s.child.channel?.unref();
}

/** A helper the spawner started: its pipes and exit relayed over the spawner's channel. */
class RelayedProcess extends EventEmitter implements HelperProcess {
  pid?: number;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin: Writable;
  private refd = true;

  constructor(
    private readonly s: Spawner,
    readonly id: number,
  ) {
    super();
    countRef(s, 1);
    this.stdin = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        send(s, { op: 'stdin', id, data: chunk });
        done();
      },
      final: (done) => {
        send(s, { op: 'stdin-end', id });
        done();
      },
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.pid === undefined || this.exitCode !== null || this.signalCode !== null) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  ref(): void {
    if (!this.refd) countRef(this.s, 1);
    this.refd = true;
  }

  unref(): void {
    if (this.refd) countRef(this.s, -1);
    this.refd = false;
  }

  /** Its exit, once the output before it has been passed on (as 'close' follows the pipes). */
  ended(code: number | null, signal: NodeJS.Signals | null): void {
    this.unref();
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
    let open = 2;
    const closed = () => {
      if (--open === 0) this.emit('close', code, signal);
    };
    for (const out of [this.stdout, this.stderr]) {
      out.once('end', closed);
      out.end();
      if (out.readableFlowing !== true) out.resume(); // nobody reads it: let it end
    }
  }
}

function onMessage(s: Spawner, m: FromSpawner): void {
  if (m.op === 'spawned') {
    const start = s.starting.get(m.id);
    if (!start) return;
    s.starting.delete(m.id);
    start.proc.pid = m.pid;
    s.running.set(m.id, start.proc);
    start.resolve(start.proc);
  } else if (m.op === 'error') {
    const start = s.starting.get(m.id);
    const err = Object.assign(new Error(m.message), { code: m.code });
    if (start) {
      s.starting.delete(m.id);
      start.proc.unref();
      start.reject(err);
    } else s.running.get(m.id)?.emit('error', err);
  } else if (m.op === 'stdin-error') {
    s.running.get(m.id)?.stdin.destroy(Object.assign(new Error(m.message), { code: m.code }));
  } else if (m.op === 'stdout' || m.op === 'stderr') {
    const proc = s.running.get(m.id);
    proc?.[m.op].write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  } else if (m.op === 'exit') {
    const proc = s.running.get(m.id);
    s.running.delete(m.id);
    // Several messages can arrive at once: whoever awaited the start gets to listen first.
    if (proc) setImmediate(() => proc.ended(m.code, m.signal));
  }
}

/** The spawner's script, beside this module once built (a test running the sources has none). */
function spawnerScript(): string | undefined {
  const script = fileURLToPath(new URL('./spawner-child.js', import.meta.url));
  return existsSync(script) ? script : undefined;
}

/**
 * Starts the spawner (once; the station does it before any card is read). Helpers started
 * before it, or after it is gone, are started directly.
 */
export function startHelperSpawner(): void {
  if (spawner) return;
  const script = spawnerScript();
  if (!script) return;
  const [file, args] = diesWithParent(process.execPath, [script]);
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
  const s: Spawner = { child, nextId: 1, starting: new Map(), running: new Map(), refs: 0 };
  spawner = s;
  child.on('message', (m: FromSpawner) => onMessage(s, m));
  const gone = () => {
    if (spawner === s) spawner = null;
    // What it started dies with it (setpriv, exiftool's parent check): said as killed.
    for (const start of s.starting.values()) start.reject(new Error('the helper spawner ended before the program started'));
    s.starting.clear();
    for (const proc of s.running.values()) setImmediate(() => proc.ended(null, 'SIGKILL'));
    s.running.clear();
  };
  child.on('exit', gone);
  child.on('error', gone);
  child.unref();
  child.channel?.unref();
}

/**
 * Ends the spawner, and with it every helper it started; resolves once it has exited (within 3 s),
 * so evidock has waited for it and its helpers (their CPU time is then counted in evidock's).
 */
export async function stopHelperSpawner(): Promise<void> {
  const s = spawner;
  spawner = null;
  if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    s.child.once('exit', () => resolve());
    setTimeout(resolve, 3000).unref();
  });
  s.child.ref(); // evidock stays until it has exited
  if (s.child.connected) s.child.disconnect();
  await exited;
  s.child.unref();
}

/** The spawner's process id (tests), or undefined when helpers are started directly. */
export function helperSpawnerPid(): number | undefined {
  return spawner?.child.pid;
}

/**
 * Starts `file` with `args` (through the spawner when it runs); resolves once it runs, rejects
 * as spawn() would report it (code ENOENT when there is no such program).
 */
export function startHelper(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<HelperProcess> {
  const s = spawner;
  if (!s?.child.connected) return startDirectly(file, args, env);
  const id = s.nextId++;
  return new Promise((resolve, reject) => {
    s.starting.set(id, { resolve, reject, proc: new RelayedProcess(s, id) });
    send(s, { op: 'spawn', id, file, args, env });
  });
}

function startDirectly(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<HelperProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: 'pipe' });
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}
