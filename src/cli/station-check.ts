// The station id in the configuration must be the one the station key was made for: checked
// before the daemon starts and before anything is signed (exit 2 naming both ids).
import { stationKeyMismatch } from '../audit/keys.js';
import type { Config } from '../config.js';
import type { Home } from '../home.js';
import { CliError, EXIT_USAGE } from './context.js';

export function assertStationIdMatchesKey(config: Config, home: Home): void {
  const mismatch = stationKeyMismatch(home.dir, config.station.id);
  if (mismatch) throw new CliError(mismatch, EXIT_USAGE);
}
