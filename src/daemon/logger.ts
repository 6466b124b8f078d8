// pino: JSON lines to stdout (journald keeps them); pretty only when a person watches a terminal.
import { pino, type Logger } from 'pino';

export function createLogger(level: string, opts: { pretty?: boolean; destination?: number } = {}): Logger {
  const pretty = opts.pretty ?? (process.stdout.isTTY && !process.env.CI);
  if (pretty) {
    try {
      return pino({ level, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
    } catch {
      /* pino-pretty is a dev dependency: fall back to JSON */
    }
  }
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: opts.destination ?? 1, sync: true }));
}
