// What every command needs: the configuration, the home, the catalog; and the exit codes.
import type { Command } from 'commander';
import { forTerminal } from '../lib/terminal-text.js';
import { attachAuditHome, currentActor, detachAuditHome, type Actor } from '../audit/log.js';
import { ConfigError, type Config } from '../config.js';
import { assertEvidockHome, loadConfig, prepareHome, type Home } from '../home.js';
import { openCatalog, type Db } from '../store/catalog.js';
import { initStorageRoot } from '../store/ocfl.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;

/** An error whose message is for the person at the terminal, with the exit code to use. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = EXIT_USAGE,
  ) {
    super(message);
  }
}

export interface GlobalOptions {
  home?: string;
  config?: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export interface CliContext {
  config: Config;
  home: Home;
  db: Db;
  actor: Actor;
  close(): void;
}

/** Load the configuration of an existing home (exit 2 if the folder is not an evidock home). */
export function loadHomeConfig(cmd: Command, opts: { catalog?: boolean } = {}): { config: Config; home: Home } {
  const { config, home } = loadConfig(globalOptions(cmd));
  assertEvidockHome(home, opts);
  return { config, home };
}

/** Load config and open the catalog; only `init` passes create (every other command needs a home). */
export function openCli(cmd: Command, opts: { create?: boolean } = {}): CliContext {
  const { config, home } = loadConfig(globalOptions(cmd));
  if (opts.create) {
    prepareHome(home);
    initStorageRoot(home.store);
  } else assertEvidockHome(home);
  const db = openCatalog(home.catalog);
  attachAuditHome(db, home.dir); // entries also go to <home>/journal after each commit
  const close = () => {
    try {
      detachAuditHome(db);
    } finally {
      db.close();
    }
  };
  return { config, home, db, actor: currentActor('cli'), close };
}

export { ConfigError };

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export { formatBytes } from '../lib/bytes.js';

/**
 * Terminal columns a string takes: CJK ideographs, kana, hangul and full-width forms take two
 * (officer names, unit names, GBK file names), combining marks none.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200b) continue;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/** A plain table: columns padded to the widest cell (in terminal columns). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => forTerminal(c)))]; // cells may quote a card: shown escaped
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  return cells.map((r) => r.map((c, i) => c + ' '.repeat(widths[i] - displayWidth(c))).join('  ').trimEnd()).join('\n') + '\n';
}
