// evidock notary: run the separate signing (and sealing) helper, and move a station's key to it.
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import type { Command } from 'commander';
import { keyPaths } from '../audit/keys.js';
import { appendAuditEntry } from '../audit/log.js';
import { latestCheckpoint } from '../audit/station.js';
import { fsyncDirectory } from '../lib/durable.js';
import { groupId, userIds } from '../lib/os-ids.js';
import { adoptKey } from '../notary/adopt.js';
import { startNotary } from '../notary/server.js';
import { notarySocket } from '../audit/notary-client.js';
import { loadConfig } from '../home.js';
import { sealHeldOriginals } from '../ingest/seal-held.js';
import { CliError, EXIT_PROBLEM, EXIT_USAGE, globalOptions, openCli, printJson } from './context.js';

/** The local storage root of a home (the notary seals nothing in an s3 bucket). */
function storeOfHome(homeDir: string): string | undefined {
  const { config, home } = loadConfig({ home: homeDir });
  return config.store.backend === 'local' ? home.store : undefined;
}

export function registerNotary(program: Command): void {
  const notary = program.command('notary').description('the notary: a separate process (own user) that holds the signing key and signs checkpoints only as extensions of the last one it signed');
  notary
    .command('serve', { isDefault: true })
    .description('run the notary on a unix socket until SIGTERM or SIGINT; with --home it also seals that home\'s held originals')
    .requiredOption('--state <dir>', "the notary's own state directory (0700): signing key, last signed checkpoint, its log")
    .requiredOption('--socket <path>', 'the unix socket to listen on (mode 0660)')
    .option('--socket-group <group>', 'the group given the socket file (the service user\'s group)')
    .action(async (opts: { state: string; socket: string; socketGroup?: string }, cmd: Command) => {
      // The global --home: the station whose held originals it seals (local store); none: it only signs.
      const homeDir = globalOptions(cmd).home;
      const storeRoot = homeDir === undefined ? undefined : storeOfHome(homeDir);
      let socketGid: number | undefined;
      if (opts.socketGroup !== undefined) {
        socketGid = groupId(opts.socketGroup);
        if (socketGid === undefined) throw new CliError(`--socket-group ${opts.socketGroup}: no such group`, EXIT_USAGE);
      }
      const running = await startNotary({ stateDir: opts.state, socketPath: opts.socket, socketGid, storeRoot });
      process.stdout.write(`evidock notary ready on ${opts.socket}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      await running.close();
      process.stdout.write('evidock notary stopped\n');
    });
  notary
    .command('seal')
    .description('hand every held original not yet sealed to the notary now (the daemon does it after each checkpoint); exit 1 if one is refused')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const socket = notarySocket(cli.home.dir);
        if (socket === undefined) throw new CliError('no notary configured ([notary] socket): nothing can be sealed', EXIT_USAGE);
        if (cli.config.store.backend !== 'local') throw new CliError('the s3 store is sealed by Object Lock, not by the notary', EXIT_USAGE);
        const pass = await sealHeldOriginals(cli.db, cli.home.store, socket, cli.actor);
        if (opts.json) printJson(pass);
        else {
          process.stdout.write(`sealed ${pass.sealed.length}, already sealed ${pass.alreadySealed}, waiting for the next checkpoint ${pass.waiting.length}, refused ${pass.refused.length}\n`);
          for (const r of pass.refused) process.stderr.write(`evidock: ${r.evidenceNumber}: ${r.reason}\n`);
        }
        if (pass.refused.length) process.exitCode = EXIT_PROBLEM;
      } finally {
        cli.close();
      }
    });
  notary
    .command('adopt-key')
    .description("move this home's station key into the notary's state directory (logged); the service user can no longer read it")
    .requiredOption('--state <dir>', "the notary's state directory")
    .option('--user <name>', "the notary's user: the state directory and key are given to it")
    .option('--json', 'print the result as JSON')
    .action((opts: { state: string; user?: string; json?: boolean }, cmd: Command) => {
      const owner = opts.user === undefined ? undefined : userIds(opts.user);
      if (opts.user !== undefined && owner === undefined) throw new CliError(`--user ${opts.user}: no such user`, EXIT_USAGE);
      const cli = openCli(cmd);
      try {
        const kp = keyPaths(cli.home.dir);
        if (!existsSync(kp.privateKey)) throw new CliError(`no station key at ${kp.privateKey} to adopt (was it adopted already? \`evidock key show\` prints the key that signs)`, EXIT_USAGE);
        const last = latestCheckpoint(cli.db);
        const adopted = adoptKey(opts.state, readFileSync(kp.privateKey, 'utf8'), cli.config.station.id, last?.note ?? null, owner);
        cli.db.transaction(() =>
          appendAuditEntry(cli.db, { type: 'station.key-adopted', data: { station: adopted.station, publicKey: adopted.publicKey, notaryKeyFile: adopted.keyFile, lastSignedSize: adopted.lastSize }, actor: cli.actor }),
        )();
        unlinkSync(kp.privateKey);
        fsyncDirectory(kp.dir);
        if (opts.json) printJson({ ...adopted, removed: kp.privateKey });
        else process.stdout.write(`the notary holds the key of ${adopted.station} at ${adopted.keyFile}; removed ${kp.privateKey}\npublic key: ${adopted.publicKey}\n`);
      } finally {
        cli.close();
      }
    });
}
