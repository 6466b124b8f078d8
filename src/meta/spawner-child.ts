// The helper spawner's own process (see spawner.ts): it starts the programs evidock asks for and
// relays their pipes and exits over its IPC channel. It never opens a card's file, so its forks
// and execs never wait on one. It ends, and kills what it started, when evidock goes away.
import { spawn, type ChildProcess } from 'node:child_process';
import type { FromSpawner, ToSpawner } from './spawner-protocol.js';

const started = new Map<number, ChildProcess>();
const send = (m: FromSpawner) => {
  // evidock gone meanwhile: the disconnect handler below ends everything
  if (process.connected) process.send!(m, undefined, undefined, () => undefined);
};
const bytes = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

process.on('message', (m: ToSpawner) => {
  if (m.op === 'spawn') {
    let child: ChildProcess;
    try {
      child = spawn(m.file, m.args, { env: m.env, stdio: 'pipe' });
    } catch (err) {
      send({ op: 'error', id: m.id, message: (err as Error).message, code: (err as NodeJS.ErrnoException).code });
      return;
    }
    started.set(m.id, child);
    child.on('spawn', () => send({ op: 'spawned', id: m.id, pid: child.pid! }));
    child.on('error', (err: NodeJS.ErrnoException) => send({ op: 'error', id: m.id, message: err.message, code: err.code }));
    child.stdout!.on('data', (data: Buffer) => send({ op: 'stdout', id: m.id, data }));
    child.stderr!.on('data', (data: Buffer) => send({ op: 'stderr', id: m.id, data }));
    // a helper that exits early: a write to it fails (EPIPE), as it would for evidock's own child
    child.stdin!.on('error', (err: NodeJS.ErrnoException) => send({ op: 'stdin-error', id: m.id, message: err.message, code: err.code }));
    child.on('close', (code, signal) => {
      started.delete(m.id);
      send({ op: 'exit', id: m.id, code, signal });
      if (!process.connected && started.size === 0) process.exit(0); // the last one after evidock's end
    });
  } else if (m.op === 'stdin') {
    started.get(m.id)?.stdin?.write(bytes(m.data));
  } else if (m.op === 'stdin-end') {
    started.get(m.id)?.stdin?.end();
  }
});

// evidock ended (or closed the channel): so does everything started for it. Each is waited for,
// so that their CPU time is counted in evidock's own (a spawner that evidock waits for).
process.on('disconnect', () => {
  if (started.size === 0) process.exit(0);
  for (const child of started.values()) child.kill('SIGKILL');
  setTimeout(() => process.exit(0), 2000).unref();
});
