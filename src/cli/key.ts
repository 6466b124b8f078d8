// evidock init / key show / key rotate: the station's Ed25519 signing key and its history.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createStationKeyOnce } from '../audit/key-life.js';
import { keyPaths, stationVerifier } from '../audit/keys.js';
import { rotationsAmong, stationKeys } from '../audit/key-history.js';
import { rotateStationKey } from '../audit/key-rotate.js';
import { loadJournal } from '../audit/rebuild.js';
import { openCheckpoint } from '../audit/checkpoint.js';
import { appendAuditEntry } from '../audit/log.js';
import { formatVerifierKey, parseVerifierKey, verifierOf, type Verifier } from '../audit/note.js';
import { notarySocket, notaryStatusAsync } from '../audit/notary-client.js';
import { loadConfig } from '../home.js';
import { CliError, EXIT_PROBLEM, EXIT_USAGE, globalOptions, loadHomeConfig, openCli, printJson } from './context.js';
import { checkBucketForInit } from './init-bucket.js';
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
      const bucket = await checkBucketForInit(loaded.config, choice.requested ?? loaded.config.station.id);
      const configFile = loaded.configPath ?? path.join(loaded.home.dir, 'evidock.toml');
      if (choice.requested) writeStationId(configFile, choice.requested);
      const cli = openCli(cmd, { create: true });
      try {
        assertStationIdMatchesKey(cli.config, cli.home);
        const { signer, created } = createStationKeyOnce(cli.db, cli.home.dir, cli.config.station.id, cli.actor);
        const vkey = formatVerifierKey(verifierOf(signer));
        const paths = keyPaths(cli.home.dir);
        if (bucket) {
          cli.db.transaction(() => appendAuditEntry(cli.db, { type: 'store.lock-probe', data: { bucket: bucket.bucket, prefix: bucket.prefix, attempts: bucket.attempts.map((a) => ({ ...a })) }, actor: cli.actor }))();
        }
        for (const w of bucket?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        if (opts.json) printJson({ home: cli.home.dir, store: cli.home.store, catalog: cli.home.catalog, station: cli.config.station.id, stationWritten: choice.requested ? configFile : undefined, keyCreated: created, privateKey: paths.privateKey, publicKey: vkey });
        else {
          process.stdout.write(`home     ${cli.home.dir}\nstore    ${cli.home.store}\ncatalog  ${cli.home.catalog}\n`);
          process.stdout.write(`${choice.how}${choice.requested ? `, written to ${configFile}` : ''}\n`);
          process.stdout.write(`${created ? 'created' : 'kept'}  station key ${paths.privateKey} (0600)\n`);
          process.stdout.write(`public key (give it to auditors): ${vkey}\n`);
          for (const line of bucket?.lines ?? []) process.stdout.write(`${line}\n`);
        }
      } finally {
        cli.close();
      }
    });

  const key = program.command('key').description("the station's signing key");
  registerRotate(key);
  key
    .command('show')
    .description('print the public verifier key that signs (what `evidock log verify --key` takes); exit 1 if station.pub is not it or the newest checkpoint is signed by another key')
    .option('--history', 'also list every key this station signed with and from which log size (old keys are kept, public part)')
    .option('--json', 'print it as JSON')
    .action(async (opts: { json?: boolean; history?: boolean }, cmd: Command) => {
      const { config, home } = loadHomeConfig(cmd);
      const fromNotary = await notaryKey(home.dir);
      const found = fromNotary?.verifier ? { verifier: fromNotary.verifier, from: fromNotary.from, problems: [] as string[] } : stationVerifier(home.dir, config.station.id);
      if ('problem' in found) throw new CliError(found.problem, EXIT_USAGE);
      const vkey = formatVerifierKey(found.verifier);
      const problems = [...found.problems];
      if (fromNotary?.note) process.stderr.write(`evidock: ${fromNotary.note}\n`);
      if (fromNotary?.verifier) {
        const pubText = existsSync(keyPaths(home.dir).publicKey) ? readFileSync(keyPaths(home.dir).publicKey, 'utf8').trim() : undefined;
        if (pubText !== vkey) problems.push(`${keyPaths(home.dir).publicKey} is not the key the notary signs with (${vkey}): give auditors this key`);
      }
      const newest = newestCheckpointFile(home.checkpoints);
      if (newest) {
        try {
          openCheckpoint(readFileSync(newest), found.verifier, config.station.id);
        } catch (err) {
          problems.push(`the newest checkpoint ${newest} does not open with this key (${(err as Error).message}): this is not the key that signs`);
        }
      }
      const keys = stationKeys(home.dir, config.station.id, rotationsAmong(loadJournal(home.journal).entries));
      const history = 'problem' in keys ? [] : keys.history.steps.map((st) => ({ publicKey: st.key, fromSize: st.fromSize, rotationSeq: st.seq }));
      if (!('problem' in keys)) problems.push(...keys.history.problems);
      if (opts.json) printJson({ station: config.station.id, publicKey: vkey, from: found.from, file: keyPaths(home.dir).publicKey, checkedAgainst: newest ?? null, history, problems });
      else {
        process.stdout.write(vkey + '\n');
        if (opts.history) for (const h of history) process.stdout.write(`${h.publicKey}  signs from log size ${h.fromSize}${h.rotationSeq === null ? '' : ` (rotation, entry ${h.rotationSeq})`}\n`);
        else if (history.length > 1) process.stderr.write(`evidock: ${history.length - 1} rotation(s): \`key show --history\` lists every key and from which log size it signs\n`);
        for (const p of problems) process.stderr.write(`evidock: ${p}\n`);
      }
      if (problems.length) process.exitCode = EXIT_PROBLEM;
    });
}

function registerRotate(key: Command): void {
  key
    .command('rotate')
    .description('replace the signing key: the old key signs a last checkpoint and a `station.key-rotated` entry naming the new key; the new key signs from then on (old public keys are kept in keys/retired/)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        assertStationIdMatchesKey(cli.config, cli.home);
        const r = await rotateStationKey(cli.db, { homeDir: cli.home.dir, stationId: cli.config.station.id, actor: cli.actor }, cli.actor);
        if (opts.json) printJson({ previousKey: r.previousKey, publicKey: r.publicKey, rotationSeq: r.seq, lastOldCheckpoint: r.lastOld?.file ?? null, firstNewCheckpoint: r.firstNew.file });
        else {
          process.stdout.write(`rotated: entry ${r.seq} (station.key-rotated), signed by the old key ${r.previousKey}\n`);
          process.stdout.write(`new key (give it to auditors; they follow the rotation from the old one): ${r.publicKey}\n`);
          process.stdout.write(`first checkpoint with the new key: ${r.firstNew.file} (size ${r.firstNew.size})\n`);
        }
      } finally {
        cli.close();
      }
    });
}

/** The newest signed checkpoint file (names sort by size, then time), or undefined. */
function newestCheckpointFile(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const names = readdirSync(dir).filter((n) => n.endsWith('.checkpoint')).sort();
  return names.length ? path.join(dir, names[names.length - 1]) : undefined;
}

/**
 * With a notary configured, the key that signs is the one it answers with; when it cannot be
 * asked (down, or this user may not use its socket) a note says so and station.pub is used.
 */
async function notaryKey(homeDir: string): Promise<{ verifier?: Verifier; from?: string; note?: string } | undefined> {
  const socket = notarySocket(homeDir);
  if (socket === undefined) return undefined;
  try {
    return { verifier: parseVerifierKey((await notaryStatusAsync(socket)).publicKey), from: `the notary at ${socket}` };
  } catch (err) {
    return { note: `could not ask the notary which key it signs with (${(err as Error).message}); printing station.pub, checked against the newest checkpoint` };
  }
}
