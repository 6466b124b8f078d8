// The progress bar of long commands (ingest, verify, log export, catalog rebuild), drawn with
// cli-progress on stderr with rate and ETA, and only for a person at a terminal: when stderr is
// not a terminal, or with --json, it draws nothing, so pipes and scripts see only the result.
import cliProgress from 'cli-progress';
import { formatBytes } from './context.js';

export interface Progress {
  /** How far: done of total, in the bar's unit. */
  update(done: number, total: number): void;
  /** Draws the last state and leaves the line; safe to call more than once. */
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/** A progress bar for `label`, counted in bytes or in items (entries, objects, files). */
export function progressBar(label: string, opts: { json?: boolean; unit: 'bytes' | string }): Progress {
  if (opts.json || !process.stderr.isTTY) return SILENT;
  const amount = (n: number) => (opts.unit === 'bytes' ? formatBytes(Math.round(n)) : `${Math.round(n)} ${opts.unit}`);
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {doneText} of {totalText} | {rateText} | ETA {eta_formatted}`,
    barsize: 24,
    hideCursor: true,
    etaBuffer: 50,
    fps: 5,
  }, cliProgress.Presets.shades_classic);
  const t0 = Date.now();
  let started = false;
  let stopped = false;
  const payload = (done: number, total: number) => {
    const seconds = (Date.now() - t0) / 1000;
    return { doneText: amount(done), totalText: amount(total), rateText: `${seconds > 0 ? amount(done / seconds) : amount(0)}/s` };
  };
  return {
    update(done, total) {
      if (stopped) return;
      if (!started) {
        bar.start(total, done, payload(done, total));
        started = true;
      } else {
        if (total !== bar.getTotal()) bar.setTotal(total);
        bar.update(done, payload(done, total));
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
