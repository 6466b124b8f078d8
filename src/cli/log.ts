// evidock log: export the audit log (a verifiable directory, or plain CSV/JSONL), verify an
// export offline, prove one recording's entry, sign a checkpoint.
import { createWriteStream, readFileSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { verifyExport } from '../audit/export.js';
import { keyPaths, stationVerifier } from '../audit/keys.js';
import { formatVerifierKey } from '../audit/note.js';
import { appendAuditEntry, countAuditEntries, iterateAuditEntries } from '../audit/log.js';
import { exportLog, inclusionBundle, verifyInclusionBundle, writeCheckpointAsync } from '../audit/station.js';
import { catalogTaskRunner } from '../store/catalog.js';
import { CliError, EXIT_PROBLEM, EXIT_USAGE, openCli, printJson, type CliContext } from './context.js';
import { registerLogRepair } from './log-repair.js';
import { verifyAgainstBucket, witnessLog } from './log-witness.js';
import { progressBar } from './progress.js';
import { assertStationIdMatchesKey } from './station-check.js';

function isoOrThrow(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new CliError(`${flag} ${JSON.stringify(value)} is not a date; use e.g. 2026-11-01 or 2026-11-01T08:00:00+08:00`);
  return d.toISOString();
}

function readKeyFile(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new CliError(`--key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** An export directory given on the command line must exist: a typo is a usage error, not a broken export. */
function existingDir(dir: string, flag: string): string {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new CliError(`${flag}${dir}: no such directory`, EXIT_USAGE);
  }
  if (!isDir) throw new CliError(`${flag}${dir}: not a directory (give the folder written by \`evidock log export --out DIR\`)`, EXIT_USAGE);
  return dir;
}

/** The station's public key as an auditor reads it (station.pub, or the private key's half where readable). */
function publicKeyForAuditor(cli: CliContext): string {
  const found = stationVerifier(cli.home.dir, cli.config.station.id);
  if ('problem' in found) throw new CliError(found.problem, EXIT_USAGE);
  return formatVerifierKey(found.verifier);
}

export function registerLog(program: Command): void {
  const log = program.command('log').description('the tamper-evident audit log');

  log
    .command('export')
    .description('export the audit log: with --out DIR (and no --format) a directory an auditor verifies offline; with --format, plain CSV or JSON lines')
    .option('--from <date>', 'first instant included (ISO date or time)')
    .option('--to <date>', 'first instant excluded')
    .option('--format <format>', 'csv or jsonl: a single plain file (or stdout), without proofs')
    .option('--out <path>', 'directory for a verifiable export (must not exist or be empty); with --format, a file')
    .option('--json', 'print the export summary as JSON')
    .action(async (opts: { from?: string; to?: string; format?: string; out?: string; json?: boolean }, cmd: Command) => {
      if (opts.format !== undefined && opts.format !== 'csv' && opts.format !== 'jsonl') throw new CliError(`--format must be csv or jsonl, not ${JSON.stringify(opts.format)}`);
      const range = { from: isoOrThrow(opts.from, '--from'), to: isoOrThrow(opts.to, '--to') };
      const cli = openCli(cmd, { readOnlyOk: true });
      try {
        if (!cli.readOnly) assertStationIdMatchesKey(cli.config, cli.home);
        const readOnly = cli.readOnly ? { publicKey: publicKeyForAuditor(cli) } : undefined;
        if (opts.out && opts.format === undefined) {
          let r;
          try {
            const bar = progressBar('log export', { json: opts.json, unit: 'entries' });
            r = await exportLog(
              cli.db,
              { homeDir: cli.home.dir, stationId: cli.config.station.id, actor: cli.actor },
              { out: opts.out, ...range, actor: cli.actor, inWorker: cli.readOnly ? undefined : catalogTaskRunner(cli.home.catalog), onProgress: (done, total) => bar.update(done, total), readOnly },
            ).finally(() => bar.stop());
          } catch (err) {
            if (String((err as Error)?.message ?? err).includes('not empty')) throw new CliError((err as Error).message);
            throw err;
          }
          if (readOnly) cli.logRead('log.exported', { out: opts.out, start: r.start, end: r.end, size: r.size, manifestSha256: r.manifestSha256 });
          if (opts.json) printJson(r);
          else {
            process.stdout.write(`exported entries ${r.start}..${r.end} (${r.end - r.start}) of a log of ${r.size} to ${r.dir}: ${r.whole ? 'the whole log up to its checkpoint' : 'a range, not the whole log'}\n`);
            process.stdout.write(`root ${r.root}; checkpoint ${r.checkpointFile}\n`);
            process.stdout.write(r.previous ? `consistency proof from the previous export (size ${r.previous.size}, ${r.previous.dir})\n` : 'first export: no previous export to prove consistency from\n');
            process.stdout.write(`check it anywhere with: evidock log verify ${r.dir} --key ${keyPaths(cli.home.dir).publicKey}${r.previous ? ` --previous ${r.previous.dir}` : ''}\n`);
          }
          return;
        }
        const format = opts.format ?? 'jsonl';
        let file: WriteStream | undefined;
        const out: NodeJS.WritableStream = opts.out ? (file = createWriteStream(opts.out, { flags: 'wx' })) : process.stdout;
        const write = (s: string) => out.write(s);
        let count = 0;
        // A bar on stderr only when the entries go to a file or a pipe, not to the same terminal.
        const bar = progressBar('log export', { json: opts.json || (!opts.out && process.stdout.isTTY), unit: 'entries' });
        const total = countAuditEntries(cli.db, range);
        if (format === 'csv') write(stringify([['seq', 'at', 'type', 'actor', 'data', 'entry']], { escape_formulas: true }));
        for (const e of iterateAuditEntries(cli.db, range)) {
          if (++count % 1000 === 0) bar.update(count, total);
          if (format === 'jsonl') write(e.entry + '\n');
          else {
            const parsed = JSON.parse(e.entry);
            const actor = parsed.actor ? `${parsed.actor.via}:${parsed.actor.user}${parsed.actor.sudoUser ? ` (sudo ${parsed.actor.sudoUser})` : ''}` : '';
            write(stringify([[e.seq, e.at, e.type, actor, JSON.stringify(parsed.data), e.entry]], { escape_formulas: true }));
          }
        }
        bar.update(count, total);
        bar.stop();
        if (file) await new Promise<void>((resolve, reject) => file!.end((err?: Error | null) => (err ? reject(err) : resolve())));
        cli.logRead('log.exported', { ...range, format, entries: count, out: opts.out });
        if (opts.out) process.stderr.write(`exported ${count} entries to ${opts.out}\n`);
      } finally {
        cli.close();
      }
    });

  log
    .command('verify')
    .description(
      'check a log export offline (no database): every entry, the signed root, and consistency with the previous export; exit 1 naming the first broken entry. ' +
        'With --bucket (s3 backend): check the home\'s own log against the checkpoints and journal days witnessed in the bucket',
    )
    .argument('[dir]', 'the export directory')
    .option('--previous <dir>', 'the previous export: its entries must be a prefix of this one')
    .option('--key <file>', "the station's public key (evidock key show); default: the key shipped in the export")
    .option('--bucket', "compare this home's log with its witnesses in the s3 bucket: a shorter or rewritten log is a rollback or fork")
    .option('--json', 'print the result as JSON')
    .action(async (dir: string | undefined, opts: { previous?: string; key?: string; bucket?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.bucket) {
        if (dir !== undefined || opts.previous !== undefined) throw new CliError('log verify --bucket checks this home against its bucket: give no export directory and no --previous', EXIT_USAGE);
        await verifyAgainstBucket(cmd, opts);
        return;
      }
      if (dir === undefined) throw new CliError('log verify: give the export directory, or --bucket to check this home against its witnesses', EXIT_USAGE);
      existingDir(dir, '');
      if (opts.previous !== undefined) existingDir(opts.previous, '--previous ');
      const r = verifyExport(dir, { previousDir: opts.previous, keyText: readKeyFile(opts.key) });
      if (opts.json) printJson(r);
      else {
        const out = process.stdout;
        if (!opts.key) out.write('note: trusting the key shipped in the export; pass --key with the station key you hold\n');
        for (const c of r.checks) out.write(`ok      ${c}\n`);
        for (const p of r.problems) out.write(`BROKEN  ${p.message}${p.file ? ` [${p.file}${p.line ? `:${p.line}` : ''}]` : ''}\n`);
        const scope = r.whole ? `the whole log up to its checkpoint, entries ${r.start}..${r.end} of a log of ${r.size}` : `a range, entries ${r.start}..${r.end} of a log of ${r.size}: NOT the whole log`;
        out.write(r.ok ? `export ${dir} verifies: ${scope}\n` : `export ${dir} does NOT verify\n`);
      }
      if (!r.ok) process.exitCode = EXIT_PROBLEM;
    });

  log
    .command('proof')
    .description('write an inclusion-proof bundle for one recording (its file.held entry, index, proof, signed checkpoint)')
    .argument('<evidence-number>', 'the evidence number')
    .option('--out <file>', 'write the bundle here instead of stdout')
    .action((evidenceNumber: string, opts: { out?: string }, cmd: Command) => {
      const cli = openCli(cmd, { readOnlyOk: true });
      try {
        if (!cli.readOnly) assertStationIdMatchesKey(cli.config, cli.home);
        let bundle;
        try {
          bundle = inclusionBundle(cli.db, { homeDir: cli.home.dir, stationId: cli.config.station.id, actor: cli.actor }, evidenceNumber, cli.readOnly ? { publicKey: publicKeyForAuditor(cli) } : undefined);
        } catch (err) {
          throw new CliError((err as Error).message, EXIT_PROBLEM);
        }
        const text = JSON.stringify(bundle, null, 2) + '\n';
        if (opts.out) writeFileSync(opts.out, text, { flag: 'wx' });
        else process.stdout.write(text);
        cli.logRead('log.proof', { evidenceNumber, seq: bundle.seq, treeSize: bundle.treeSize, out: opts.out });
        if (opts.out) process.stderr.write(`inclusion proof of ${evidenceNumber} (entry ${bundle.seq} of ${bundle.treeSize}) written to ${opts.out}\n`);
      } finally {
        cli.close();
      }
    });

  log
    .command('verify-proof')
    .description('check an inclusion-proof bundle offline (no database)')
    .argument('<file>', 'the bundle written by evidock log proof')
    .option('--key <file>', "the station's public key; default: the key carried in the bundle")
    .option('--json', 'print the result as JSON')
    .action((file: string, opts: { key?: string; json?: boolean }) => {
      let bundle: unknown;
      try {
        bundle = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new CliError(`${file}: ${(err as Error).message}`, EXIT_PROBLEM);
      }
      const r = verifyInclusionBundle(bundle, readKeyFile(opts.key));
      if (opts.json) printJson(r);
      else {
        for (const c of r.checks) process.stdout.write(`ok      ${c}\n`);
        for (const p of r.problems) process.stdout.write(`BROKEN  ${p}\n`);
        process.stdout.write(r.ok ? `proof verifies\n` : `proof does NOT verify\n`);
      }
      if (!r.ok) process.exitCode = EXIT_PROBLEM;
    });

  log
    .command('checkpoint')
    .description('sign a checkpoint of the log now (the daemon does so hourly and at shutdown)')
    .option('--json', 'print it as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        assertStationIdMatchesKey(cli.config, cli.home);
        const cp = await writeCheckpointAsync(cli.db, { homeDir: cli.home.dir, stationId: cli.config.station.id, actor: cli.actor }, 'manual');
        const witnessed = await witnessLog(cli);
        if (opts.json) printJson({ size: cp.size, root: cp.root.toString('base64'), file: cp.file, note: cp.note, witnessed });
        else process.stdout.write(cp.note + `(kept in ${cp.file})\n` + (witnessed ? `witnessed in ${witnessed.where}: ${witnessed.put.length} new file(s)\n` : ''));
      } finally {
        cli.close();
      }
    });

  registerLogRepair(log);
}
