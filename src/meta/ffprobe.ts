// The one place evidock runs ffprobe: no shell, JSON output, a time limit, a record of running
// children so shutdown can end them (endFfprobe), started by the helper spawner (spawner.ts) and
// dying with it (setpriv).
import { resolve } from 'node:path';
import { yieldToIngest } from './helper-priority.js';
import { diesWithParent, startHelper, type HelperProcess } from './spawner.js';

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

const running = new Set<HelperProcess>();

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

/** More output than any probe of one file gives: the probe is stopped and fails. */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

async function runFfprobe(path: string, options: FfprobeOptions): Promise<ProbeResult> {
  const command = options.command ?? 'ffprobe';
  const timeoutMs = options.timeoutMs ?? 30_000;
  // "file:" stops ffprobe from reading a name as a protocol (concat:, http:, pipe:) or an option.
  const target = `file:${resolve(path)}`;
  const args = ['-v', 'error', '-hide_banner', '-print_format', 'json', '-show_format', '-show_streams', '-i', target];
  let child: HelperProcess;
  try {
    const [file, argv] = diesWithParent(command, args);
    child = await startHelper(file, argv);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `ffprobe not found (${command}); install ffmpeg` : (e as Error).message;
    return { ok: false, reason: `ffprobe: ${why}` };
  }
  yieldToIngest(child.pid);
  running.add(child);
  return new Promise((done) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outBytes = 0;
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`ffprobe gave no answer within ${timeoutMs} ms`), timeoutMs);
    child.on('error', () => undefined); // its exit says what happened
    child.stdin?.on('error', () => undefined);
    child.stdin?.end();
    child.stdout?.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > MAX_OUTPUT_BYTES) stop(`its output passed ${MAX_OUTPUT_BYTES} bytes`);
      else stdout.push(d);
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 64) stderr.push(d);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (stopped) return done({ ok: false, reason: `ffprobe: ${stopped}` });
      if (code !== 0) {
        const message = stderrReason(Buffer.concat(stderr).toString());
        return done({ ok: false, reason: `ffprobe: ${stripPath(message || (signal ? `killed by ${signal}` : `exited with status ${code}`), target)}` });
      }
      try {
        const parsed = JSON.parse(Buffer.concat(stdout).toString()) as Partial<ProbeOutput>;
        done({ ok: true, output: { streams: parsed.streams ?? [], format: parsed.format ?? {} } });
      } catch {
        done({ ok: false, reason: 'ffprobe: output was not JSON' });
      }
    });
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
