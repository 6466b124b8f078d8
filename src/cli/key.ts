// evidock init / key show: the station's Ed25519 signing key.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ensureStationKey, keyPaths, loadStationKey } from '../audit/keys.js';
import { appendAuditEntry } from '../audit/log.js';
import { formatVerifierKey, verifierOf } from '../audit/note.js';
import { loadConfig } from '../home.js';
import { CliError, EXIT_USAGE, globalOptions, loadHomeConfig, openCli, printJson } from './context.js';
import { chooseStationId, writeStationId } from './init-station.js';
import { assertStationIdMatchesKey } from './station-check.js';

export function registerKey(program: Command): void {
  program
    .command('init')
    .description('prepare the home: store, catalog, the station id (asked on a terminal) and its signing key (private key 0600)')
    .option('--station <id>', 'the station id (letters, digits, "-"): prefix of evidence numbers, origin of the audit log; written to <home>/evidock.toml')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { station?: string; json?: boolean }, cmd: Command) => {
      const loaded = loadConfig(globalOptions(cmd));
      const choice = await chooseStationId(opts.station, loaded.config, loaded.configPath, loaded.home.dir);
      const configFile = loaded.configPath ?? path.join(loaded.home.dir, 'evidock.toml');
      if (choice.requested) writeStationId(configFile, choice.requested);
      const cli = openCli(cmd, { create: true });
      try {
        assertStationIdMatchesKey(cli.config, cli.home);
        const { signer, created } = ensureStationKey(cli.home.dir, cli.config.station.id);
        const vkey = formatVerifierKey(verifierOf(signer));
        const paths = keyPaths(cli.home.dir);
        if (created) {
          cli.db.transaction(() =>
            appendAuditEntry(cli.db, { type: 'station.key-created', data: { station: signer.name, keyHash: signer.keyHash.toString('hex'), publicKey: vkey }, actor: cli.actor }),
          )();
        }
        if (opts.json) printJson({ home: cli.home.dir, store: cli.home.store, catalog: cli.home.catalog, station: cli.config.station.id, stationWritten: choice.requested ? configFile : undefined, keyCreated: created, privateKey: paths.privateKey, publicKey: vkey });
        else {
          process.stdout.write(`home     ${cli.home.dir}\nstore    ${cli.home.store}\ncatalog  ${cli.home.catalog}\n`);
          process.stdout.write(`${choice.how}${choice.requested ? `, written to ${configFile}` : ''}\n`);
          process.stdout.write(`${created ? 'created' : 'kept'}  station key ${paths.privateKey} (0600)\n`);
          process.stdout.write(`public key (give it to auditors): ${vkey}\n`);
        }
      } finally {
        cli.close();
      }
    });

  const key = program.command('key').description("the station's signing key");
  key
    .command('show')
    .description('print the public verifier key (what `evidock log verify --key` takes)')
    .option('--json', 'print it as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const { config, home } = loadHomeConfig(cmd);
      const paths = keyPaths(home.dir);
      let vkey: string;
      if (existsSync(paths.publicKey)) vkey = readFileSync(paths.publicKey, 'utf8').trim();
      else if (existsSync(paths.privateKey)) vkey = formatVerifierKey(verifierOf(loadStationKey(home.dir, config.station.id)));
      else throw new CliError(`no station key in ${paths.dir}; run \`evidock init\` first`, EXIT_USAGE);
      if (opts.json) printJson({ station: config.station.id, publicKey: vkey, file: paths.publicKey });
      else process.stdout.write(vkey + '\n');
    });
}
