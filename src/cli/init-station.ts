// `evidock init`'s station id: --station, else asked on a terminal, else the configured one (and
// it says so). A new id is written into the configuration file before the station key is made
// for it: the id names the key and every checkpoint, so it is chosen once, before the first start.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { keyPaths, stationKeyMismatch } from '../audit/keys.js';
import { ConfigError, parseConfig, type Config } from '../config.js';
import { CliError, EXIT_USAGE } from './context.js';

/** The id evidock uses when the configuration names none. */
const DEFAULT_STATION_ID = parseConfig({}).station.id;

export interface StationChoice {
  /** The id asked for (--station or typed), when it differs from the configured one. */
  requested?: string;
  /** How the id was chosen, for the person at the terminal. */
  how: string;
}

async function askOnTerminal(current: string): Promise<string | undefined> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`Station id (letters, digits and "-"; names evidence numbers and the audit log) [${current}]: `)).trim();
    return answer || undefined;
  } finally {
    rl.close();
  }
}

function validId(id: string): string {
  try {
    return parseConfig({ station: { id } }).station.id;
  } catch (err) {
    throw new CliError(`--station ${JSON.stringify(id)}: ${(err as ConfigError).message.split('\n').slice(1).join(' ').trim()}`, EXIT_USAGE);
  }
}

/** Decides the station id for init; the caller writes it with writeStationId when requested. */
export async function chooseStationId(given: string | undefined, config: Config, configPath: string | undefined, homeDir: string): Promise<StationChoice> {
  const current = config.station.id;
  const source = configPath ? `station.id in ${configPath}` : 'the default';
  const keyExists = existsSync(keyPaths(homeDir).privateKey);
  let wanted = given;
  if (wanted === undefined && !keyExists && process.stdin.isTTY && process.stderr.isTTY) wanted = await askOnTerminal(current);
  if (wanted === undefined) {
    const why = keyExists ? 'the station key exists' : 'no terminal to ask on and no --station';
    return { how: `station ${current} (${source}; ${why})` + (current === DEFAULT_STATION_ID && !keyExists ? `: to name this station, run \`evidock init --station ID\` before the first start` : '') };
  }
  const id = validId(wanted);
  if (id === current) return { how: `station ${current} (${source})` };
  const mismatch = stationKeyMismatch(homeDir, id);
  if (mismatch) throw new CliError(mismatch, EXIT_USAGE);
  if (current !== DEFAULT_STATION_ID) {
    throw new CliError(`station.id is already "${current}" (${source}); change it there before the first start, or leave out --station`, EXIT_USAGE);
  }
  return { requested: id, how: `station ${id} (${given !== undefined ? '--station' : 'typed'})` };
}

/** Writes station.id into the configuration file (created if absent): under [station], or a new [station] table. */
export function writeStationId(file: string, id: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  const table = lines.findIndex((l) => /^\s*\[station\]\s*(#.*)?$/.test(l));
  if (table >= 0) lines.splice(table + 1, 0, `id = "${id}"`);
  else lines.push(...(text && !text.endsWith('\n') ? [''] : []), '[station]', `id = "${id}"`, '');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n'));
}
