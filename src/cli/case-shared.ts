// What the case, copy, hold, disc and approvers commands share: the cases room's refusals as
// CLI errors (exit 2 for bad input, 1 for a rule that said no), and repeatable options.
import { CasesError } from '../cases/errors.js';
import type { CasesContext } from '../cases/context.js';
import { openConfiguredOriginals } from '../store/open-originals.js';
import { CliError, EXIT_PROBLEM, EXIT_USAGE, type CliContext } from './context.js';

/** Runs `fn`, turning a CasesError into a CliError with its exit code. */
export function asCliError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toCliError(err);
  }
}

export async function asCliErrorAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toCliError(err);
  }
}

function toCliError(err: unknown): unknown {
  if (err instanceof CasesError) return new CliError(err.message, err.kind === 'refused' ? EXIT_PROBLEM : EXIT_USAGE);
  return err;
}

/** commander collector for a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The cases room's context from an open CLI: the store's door on the configured backend. */
export function casesContext(cli: CliContext): CasesContext {
  // The configured backend (s3 included): a hold there is an Object Lock legal hold.
  const store = openConfiguredOriginals(cli.config, cli.home, cli.db);
  return { db: cli.db, homeDir: cli.home.dir, station: cli.config.station, store, actor: cli.actor };
}
