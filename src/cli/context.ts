// What every command needs: the configuration, the home, the catalog; and the exit codes.
import type { Command } from 'commander';
import { forTerminal } from '../lib/terminal-text.js';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { appendAuditEntry, attachAuditHome, currentActor, detachAuditHome, type Actor } from '../audit/log.js';
import type { Json } from '../lib/json.js';
import { ConfigError, type Config } from '../config.js';
import { assertEvidockHome, loadConfig, prepareHome, readSocketOf, type Home } from '../home.js';
import { openCatalog, openCatalogForReading, type Db } from '../store/catalog.js';
import { logReadThroughDaemon } from './read-socket-client.js';
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
  /** The home is read-only for this user (an auditor): the catalog is open for reading only. */
  readOnly: boolean;
  /**
   * Logs a read or an export as an audit entry with the real uid; where this user cannot write
   * the home (an auditor, group evidock-audit), through the daemon's socket, which proves the uid;
   * when that fails (no daemon running), says plainly on stderr that the read is not logged and why.
   */
  logRead(type: string, data: { [key: string]: Json | undefined }): void;
  close(): void;
}

/** Whether this process may write the catalog and its folder (else an auditor reads only). */
function canWriteCatalog(home: Home): boolean {
  try {
    accessSync(home.catalog, constants.W_OK);
    accessSync(path.dirname(home.catalog), constants.W_OK);
    accessSync(home.journal, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Load the configuration of an existing home (exit 2 if the folder is not an evidock home). */
export function loadHomeConfig(cmd: Command, opts: { catalog?: boolean } = {}): { config: Config; home: Home } {
  const { config, home } = loadConfig(globalOptions(cmd));
  assertEvidockHome(home, opts);
  return { config, home };
}

/**
 * Load config and open the catalog; only `init` passes create (every other command needs a home).
 * Commands that only read (verify, show, list, report, log export, log proof) pass readOnlyOk: on a
 * home this user cannot write they open the catalog read-only instead of failing.
 */
export function openCli(cmd: Command, opts: { create?: boolean; readOnlyOk?: boolean } = {}): CliContext {
  const { config, home } = loadConfig(globalOptions(cmd));
  if (opts.create) {
    prepareHome(home);
    initStorageRoot(home.store);
  } else assertEvidockHome(home);
  const actor = currentActor('cli');
  if (opts.readOnlyOk && !opts.create && !canWriteCatalog(home)) {
    const db = openCatalogForReading(home.catalog);
    const who = `uid ${actor.uid ?? '?'} (${actor.user})`;
    return {
      config, home, db, actor, readOnly: true,
      logRead: (type, data) => {
        const r = logReadThroughDaemon(readSocketOf(home, config), type, data);
        if (!r.logged) process.stderr.write(`evidock: this ${type} is not logged: ${home.dir} is read-only for ${who}, and ${r.reason}\n`);
      },
      close: () => db.close(),
    };
  }
  const db = openCatalog(home.catalog);
  attachAuditHome(db, home.dir); // entries also go to <home>/journal after each commit
  const close = () => {
    try {
      detachAuditHome(db);
    } finally {
      db.close();
    }
  };
  const logRead = (type: string, data: { [key: string]: Json | undefined }) => db.transaction(() => appendAuditEntry(db, { type, data, actor }))();
  return { config, home, db, actor, readOnly: false, logRead, close };
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
