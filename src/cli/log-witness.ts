// The log's witnesses in the bucket, from the CLI: `log checkpoint` puts what is not witnessed
// yet, and `log verify --bucket` compares the home's log with every witnessed checkpoint and
// journal day (a rollback or fork of the whole home shows there).
import type { Command } from 'commander';
import { rotationEntries, stationKeys } from '../audit/key-history.js';
import { compareWithWitnesses, filesToWitness, type LogWitnessFile } from '../audit/witness.js';
import { openConfiguredOriginals } from '../store/open-originals.js';
import { CliError, EXIT_PROBLEM, EXIT_USAGE, openCli, printJson, type CliContext } from './context.js';

/** Puts the home's checkpoints and sealed journal days not witnessed yet; undefined on a backend without witnesses. */
export async function witnessLog(cli: CliContext): Promise<{ where: string; put: string[] } | undefined> {
  const store = openConfiguredOriginals(cli.config, cli.home, cli.db);
  try {
    if (!store.witness) return undefined;
    try {
      const r = await store.witness.put(filesToWitness(cli.home.dir));
      return { where: store.witness.where(), put: r.put };
    } catch (err) {
      process.stderr.write(`evidock: the checkpoint is signed and kept here, but NOT witnessed in ${store.witness.where()}: ${(err as Error).message}; run \`evidock log checkpoint\` again when the bucket answers (the daemon retries every hour)\n`);
      process.exitCode = EXIT_PROBLEM;
      return { where: store.witness.where(), put: [] };
    }
  } finally {
    store.close?.();
  }
}

export async function verifyAgainstBucket(cmd: Command, opts: { json?: boolean }): Promise<void> {
  const cli = openCli(cmd, { readOnlyOk: true });
  const store = openConfiguredOriginals(cli.config, cli.home, cli.db);
  try {
    if (!store.witness) throw new CliError('log verify --bucket: this station keeps its originals on the local backend ([store] backend), which has no bucket of witnesses; compare log exports with --previous instead', EXIT_USAGE);
    const key = stationKeys(cli.home.dir, cli.config.station.id, rotationEntries(cli.db));
    if ('problem' in key) throw new CliError(`log verify --bucket: ${key.problem}`, EXIT_PROBLEM);
    const witnessed: LogWitnessFile[] = [];
    for await (const w of store.witness.list()) witnessed.push(w);
    const r = compareWithWitnesses(cli.db, cli.home.dir, key.keyAt, cli.config.station.id, witnessed);
    const where = store.witness.where();
    cli.logRead('log.witnesses-compared', { where, ok: r.ok, localSize: r.localSize, checkpoints: r.checkpoints, journalDays: r.journalDays, problems: r.problems });
    if (opts.json) printJson({ where, ...r });
    else {
      const out = process.stdout;
      for (const p of [...key.problems, ...r.problems]) out.write(`BROKEN  ${p}\n`);
      if (r.checkpoints === 0) out.write(`note: no checkpoint is witnessed in ${where} yet (the daemon puts one every hour; or run \`evidock log checkpoint\`)\n`);
      out.write(
        r.ok
          ? `the local log (${r.localSize} entries) extends all ${r.checkpoints} checkpoint(s) and holds all ${r.journalDays} journal day(s) witnessed in ${where}\n`
          : `the local log does NOT agree with its witnesses in ${where}\n`,
      );
    }
    if (!r.ok) process.exitCode = EXIT_PROBLEM;
  } finally {
    store.close?.();
    cli.close();
  }
}
