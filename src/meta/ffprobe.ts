// The one place evidock runs ffprobe: execFile (no shell), JSON output, a time limit, a record of
// running children so shutdown can end them (endFfprobe), and death with evidock (setpriv).
import { execFile, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { yieldToIngest } from './helper-priority.js';

export interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
}

export interface ProbeFormat {
  format_name?: string;
  duration?: string;
  tags?: Record<string, string>;
}

export interface ProbeOutput {
  streams: ProbeStream[];
  format: ProbeFormat;
}

export type ProbeResult = { ok: true; output: ProbeOutput } | { ok: false; reason: string };

/** What meta/ needs from ffprobe; a test or another backend can stand in for it. */
export interface Prober {
  probe(path: string): Promise<ProbeResult>;
}

export interface FfprobeOptions {
  /** ffprobe executable (default "ffprobe" on PATH). */
  command?: string;
  /** Kill ffprobe after this long (default 30 s). */
  timeoutMs?: number;
}

const running = new Set<ChildProcess>();

/** At most this many ffprobe processes at once (each loads every libav codec: CPU-heavy). */
export const MAX_CONCURRENT_FFPROBE = 2;
let active = 0;
const queue: (() => void)[] = [];
let generation = 0; // bumped by endFfprobe: waiters from before a shutdown give up

/** Runs ffprobe on one file. Never rejects: a failure is `{ok:false, reason}`. */
export async function probeFile(path: string, options: FfprobeOptions = {}): Promise<ProbeResult> {
  const gen = generation;
  if (active >= MAX_CONCURRENT_FFPROBE) await new Promise<void>((go) => queue.push(go));
  if (gen !== generation) return { ok: false, reason: 'ffprobe: stopped (evidock is shutting down)' };
  active++;
  try {
    return await runFfprobe(path, options);
  } finally {
    active--;
    queue.shift()?.();
  }
}

/**
 * util-linux's setpriv sets the parent-death signal and then execs ffprobe (same pid), so a probe
 * never outlives evidock, even after a SIGKILL (its own time limit dies with the parent).
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** The command line that runs `command`, tied to this process's life where the system allows. */
function diesWithParent(command: string, args: string[]): [string, string[]] {
  if (!SETPRIV) return [command, args];
  const found = command.includes('/') ? (existsSync(command) ? command : undefined) : whichSync(command);
  return found ? [SETPRIV, ['--pdeathsig', 'KILL', '--', found, ...args]] : [command, args];
}

/** The first executable named `name` on PATH (so a missing ffprobe still reports ENOENT as before). */
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

function runFfprobe(path: string, options: FfprobeOptions): Promise<ProbeResult> {
  const command = options.command ?? 'ffprobe';
  // "file:" stops ffprobe from reading a name as a protocol (concat:, http:, pipe:) or an option.
  const target = `file:${resolve(path)}`;
  const args = ['-v', 'error', '-hide_banner', '-print_format', 'json', '-show_format', '-show_streams', '-i', target];
  return new Promise((done) => {
    let child: ChildProcess;
    try {
      const [file, argv] = diesWithParent(command, args);
      child = execFile(
        file,
        argv,
        { timeout: options.timeoutMs ?? 30_000, killSignal: 'SIGKILL', maxBuffer: 8 * 1024 * 1024, windowsHide: true },
        (error, stdout, stderr) => {
          running.delete(child);
          const message = stderrReason(String(stderr));
          if (error) {
            const why = (error as NodeJS.ErrnoException).code === 'ENOENT'
              ? `ffprobe not found (${command}); install ffmpeg`
              : error.killed
                ? `ffprobe gave no answer within ${options.timeoutMs ?? 30_000} ms`
                : message || error.message;
            done({ ok: false, reason: `ffprobe: ${stripPath(why, target)}` });
            return;
          }
          try {
            const parsed = JSON.parse(String(stdout)) as Partial<ProbeOutput>;
            done({ ok: true, output: { streams: parsed.streams ?? [], format: parsed.format ?? {} } });
          } catch {
            done({ ok: false, reason: 'ffprobe: output was not JSON' });
          }
        },
      );
    } catch (e) {
      done({ ok: false, reason: `ffprobe: ${(e as Error).message}` });
      return;
    }
    yieldToIngest(child.pid);
    running.add(child);
    child.stdin?.end();
  });
}

/** ffprobe's messages, without "[mov,mp4,... @ 0x55...]" prefixes, deduplicated, on one line. */
function stderrReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter(Boolean);
  return [...new Set(lines)].slice(0, 4).join(': ').slice(0, 500);
}

/** ffprobe prefixes its messages with the input name; the reason should not repeat the path. */
function stripPath(message: string, target: string): string {
  return message.split(`${target}: `).join('').trim();
}

export const ffprobe: Prober = { probe: (path) => probeFile(path) };

/** Kills any ffprobe still running (shutdown). */
export function endFfprobe(): void {
  generation++;
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const go of queue.splice(0)) go();
}

/** Process ids of running ffprobe children (for leak checks). */
export function ffprobePids(): number[] {
  return [...running].map((c) => c.pid).filter((p): p is number => typeof p === 'number');
}
