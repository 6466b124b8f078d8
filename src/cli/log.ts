import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { appendAuditEntry, iterateAuditEntries } from '../audit/log.js';
import { CliError, openCli } from './context.js';

function isoOrThrow(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new CliError(`${flag} ${JSON.stringify(value)} is not a date; use e.g. 2026-11-01 or 2026-11-01T08:00:00+08:00`);
  return d.toISOString();
}

export function registerLog(program: Command): void {
  const log = program.command('log').description('the tamper-evident audit log');
  log
    .command('export')
    .description('write the ordered audit entries as CSV or JSON lines')
    .option('--from <date>', 'first instant included (ISO date or time)')
    .option('--to <date>', 'first instant excluded')
    .option('--format <format>', 'csv or jsonl', 'jsonl')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: { from?: string; to?: string; format: string; out?: string }, cmd: Command) => {
      if (opts.format !== 'csv' && opts.format !== 'jsonl') throw new CliError(`--format must be csv or jsonl, not ${JSON.stringify(opts.format)}`);
      const range = { from: isoOrThrow(opts.from, '--from'), to: isoOrThrow(opts.to, '--to') };
      const cli = openCli(cmd);
      let file: WriteStream | undefined;
      try {
        const out: NodeJS.WritableStream = opts.out ? (file = createWriteStream(opts.out, { flags: 'wx' })) : process.stdout;
        const write = (s: string) => out.write(s);
        let count = 0;
        if (opts.format === 'csv') write(stringify([['seq', 'at', 'type', 'actor', 'data', 'entry']], { escape_formulas: true }));
        for (const e of iterateAuditEntries(cli.db, range)) {
          count++;
          if (opts.format === 'jsonl') write(e.entry + '\n');
          else {
            const parsed = JSON.parse(e.entry);
            const actor = parsed.actor ? `${parsed.actor.via}:${parsed.actor.user}${parsed.actor.sudoUser ? ` (sudo ${parsed.actor.sudoUser})` : ''}` : '';
            write(stringify([[e.seq, e.at, e.type, actor, JSON.stringify(parsed.data), e.entry]], { escape_formulas: true }));
          }
        }
        if (file) await new Promise<void>((resolve, reject) => file!.end((err?: Error | null) => (err ? reject(err) : resolve())));
        cli.db.transaction(() => appendAuditEntry(cli.db, { type: 'log.exported', data: { ...range, format: opts.format, entries: count, out: opts.out }, actor: cli.actor }))();
        if (opts.out) process.stderr.write(`exported ${count} entries to ${opts.out}\n`);
      } finally {
        cli.close();
      }
    });
}
