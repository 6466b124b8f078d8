// evidock init / key show: the station's Ed25519 signing key.
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ensureStationKey, keyPaths, loadStationKey } from '../audit/keys.js';
import { appendAuditEntry } from '../audit/log.js';
import { formatVerifierKey, verifierOf } from '../audit/note.js';
import { CliError, EXIT_USAGE, loadHomeConfig, openCli, printJson } from './context.js';

export function registerKey(program: Command): void {
  program
    .command('init')
    .description('prepare the home: store, catalog, and the station signing key (private key 0600)')
    .option('--json', 'print the result as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd, { create: true });
      try {
        const { signer, created } = ensureStationKey(cli.home.dir, cli.config.station.id);
        const vkey = formatVerifierKey(verifierOf(signer));
        const paths = keyPaths(cli.home.dir);
        if (created) {
          cli.db.transaction(() =>
            appendAuditEntry(cli.db, { type: 'station.key-created', data: { station: signer.name, keyHash: signer.keyHash.toString('hex'), publicKey: vkey }, actor: cli.actor }),
          )();
        }
        if (opts.json) printJson({ home: cli.home.dir, store: cli.home.store, catalog: cli.home.catalog, keyCreated: created, privateKey: paths.privateKey, publicKey: vkey });
        else {
          process.stdout.write(`home     ${cli.home.dir}\nstore    ${cli.home.store}\ncatalog  ${cli.home.catalog}\n`);
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
