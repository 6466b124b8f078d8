// Every path of a home, resolved once from the home folder and the configuration and checked
// once: no two of them overlap, the store is an OCFL storage root (or not yet made), and
// prepareHome makes the folders and proves them writable. Nothing else builds a home path.
import { accessSync, constants, existsSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { keyPaths } from './audit/keys.js';
import { journalDir } from './audit/log.js';
import { useNotary } from './audit/notary-client.js';
import { checkpointsDir } from './audit/station.js';
import { ConfigError, readConfigFile, type Config } from './config.js';
import { OCFL_ROOT_DECLARATION } from './store/ocfl.js';

/** Where everything of one home lives, as absolute paths. */
export interface Home {
  dir: string;
  /** The OCFL storage root (paths.store). */
  store: string;
  /** Copies being made, beside the store on one filesystem (paths.staging). */
  staging: string;
  /** The SQLite catalog file (paths.catalog). */
  catalog: string;
  /** The audit journal, one file per UTC day. */
  journal: string;
  /** Signed checkpoint files. */
  checkpoints: string;
  /** The station key pair. */
  keys: string;
  /** Working-day calendar overrides (rules.calendar_dir). */
  calendar: string;
  /** Directory docks: one folder per docked recorder (paths.docks). */
  docks: string;
  /** Runtime files of the daemon. */
  run: string;
  pidFile: string;
  statusFile: string;
}

export interface LoadOptions {
  /** --home; falls back to EVIDOCK_HOME, then ./var */
  home?: string;
  /** --config; falls back to <home>/evidock.toml when present */
  config?: string;
  env?: NodeJS.ProcessEnv;
}

export function resolveHomeDir(opts: LoadOptions): string {
  const env = opts.env ?? process.env;
  return path.resolve(opts.home ?? env.EVIDOCK_HOME ?? 'var');
}

/** Read and validate the configuration and resolve the home's paths. Throws ConfigError naming the bad key or paths. */
export function loadConfig(opts: LoadOptions = {}): { config: Config; home: Home; configPath?: string } {
  const dir = resolveHomeDir(opts);
  const { config, configPath } = readConfigFile(opts.config ? path.resolve(opts.config) : path.join(dir, 'evidock.toml'), opts.config !== undefined);
  const home = resolveHome(dir, config);
  useNotary(home.dir, config.notary.socket);
  return { config, home, configPath };
}

/** Every path of the home at `dir` under `config`, checked (see checkHomePaths). */
export function resolveHome(dir: string, config: Config): Home {
  const at = (p: string): string => path.resolve(dir, p);
  const run = path.join(dir, 'run');
  const home: Home = {
    dir,
    store: at(config.paths.store),
    staging: at(config.paths.staging),
    catalog: at(config.paths.catalog),
    journal: journalDir(dir),
    checkpoints: checkpointsDir(dir),
    keys: keyPaths(dir).dir,
    calendar: at(config.rules.calendar_dir),
    docks: at(config.paths.docks),
    run,
    pidFile: path.join(run, 'daemon.pid'),
    statusFile: path.join(run, 'daemon-status.json'),
  };
  checkHomePaths(home);
  return home;
}

/** The daemon's unix socket for logging reads ([daemon] socket, relative to the home). */
export function readSocketOf(home: Pick<Home, 'dir'>, config: Config): string {
  return path.resolve(home.dir, config.daemon.socket);
}

/** The places of a home with the setting that names each (fixed ones by their place). */
function placesOf(home: Home): [string, string][] {
  return [
    ['paths.store', home.store],
    ['paths.staging', home.staging],
    ['paths.catalog', home.catalog],
    ['paths.docks', home.docks],
    ['rules.calendar_dir', home.calendar],
    ['<home>/journal', home.journal],
    ['<home>/checkpoints', home.checkpoints],
    ['<home>/keys', home.keys],
    ['<home>/run', home.run],
  ];
}

/** A path with its existing part's symlinks resolved, so two spellings of one folder compare equal. */
function physical(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) return p;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(realpathSync(existing), ...rest);
  } catch {
    return p;
  }
}

function isWithin(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Refuse a home whose places overlap (one equal to or inside another, or one that is the home
 * folder itself or holds it: recovery empties staging, a wipe empties a dock), or whose store
 * folder holds files but is not an OCFL storage root.
 */
export function checkHomePaths(home: Home): void {
  const places = placesOf(home).map(([key, p]) => [key, p, physical(p)] as const);
  const homeDir = physical(home.dir);
  const problems: string[] = [];
  for (const [key, p, real] of places) {
    if (isWithin(homeDir, real)) problems.push(`${key} (${p}) is the home folder or holds it`);
  }
  for (let i = 0; i < places.length; i++) {
    for (let j = i + 1; j < places.length; j++) {
      const [ka, pa, ra] = places[i];
      const [kb, pb, rb] = places[j];
      if (ra === rb) problems.push(`${ka} and ${kb} are the same path (${pa})`);
      else if (isWithin(ra, rb)) problems.push(`${ka} (${pa}) is inside ${kb} (${pb})`);
      else if (isWithin(rb, ra)) problems.push(`${kb} (${pb}) is inside ${ka} (${pa})`);
    }
  }
  if (problems.length) {
    throw new ConfigError(`the home's paths overlap, which would let evidock remove or overwrite held originals:\n  ${problems.join('\n  ')}\nGive each of paths.store, paths.staging, paths.catalog, paths.docks and rules.calendar_dir its own place.`);
  }
  if (isDirectory(home.store) && !existsSync(path.join(home.store, OCFL_ROOT_DECLARATION)) && readdirSync(home.store).length > 0) {
    throw new ConfigError(`paths.store (${home.store}) holds files but is not an evidock store (no ${OCFL_ROOT_DECLARATION}); point paths.store at an empty folder or an existing evidock store`);
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Create the home's folders and prove each is writable; a ConfigError names the path otherwise. */
export function prepareHome(home: Home): void {
  const dirs: [string, string][] = [
    ['home', home.dir],
    ['paths.store', home.store],
    ['paths.staging', home.staging],
    ['paths.docks', home.docks],
    ['paths.catalog', path.dirname(home.catalog)],
  ];
  for (const [key, dir] of dirs) {
    try {
      mkdirSync(dir, { recursive: true });
      if (!statSync(dir).isDirectory()) throw new Error('not a directory');
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError(
        `${key} (${dir}) is not a writable directory (${why}). Choose another with --home / EVIDOCK_HOME, or fix its owner and permissions.`,
      );
    }
  }
  // Staging must share the store's filesystem so that commit is an atomic rename.
  if (statSync(home.staging).dev !== statSync(home.store).dev) {
    throw new ConfigError(
      `paths.staging (${home.staging}) must be on the same filesystem as paths.store (${home.store}): commit is an atomic rename`,
    );
  }
}

// Only `init` and `daemon` create a home; every other command refuses a folder that is not one,
// so a mistyped --home never looks like an empty, intact store.
/**
 * Throws a ConfigError (exit 2) naming the folder and how to create a home there. A home has a
 * complete store root and a catalog (`catalog rebuild` passes catalog: false: it makes a new one).
 */
export function assertEvidockHome(home: Home, opts: { catalog?: boolean } = {}): void {
  const needed = [path.join(home.store, OCFL_ROOT_DECLARATION), ...(opts.catalog === false ? [] : [home.catalog])];
  const missing = needed.filter((p) => !existsSync(p));
  if (missing.length === 0) return;
  const what = existsSync(home.dir) ? `it has no ${missing.map((p) => path.relative(home.dir, p) || p).join(' and no ')}` : 'it does not exist';
  throw new ConfigError(
    `${home.dir} is not an evidock home (${what}). Create one with \`evidock init --home ${home.dir}\` (or start the daemon with that home), or give the right --home / EVIDOCK_HOME.`,
  );
}
