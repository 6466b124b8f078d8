// evidock hold add|list|release: Art. 14 long-term holds on recordings or whole case files.
import type { Command } from 'commander';
import { addHold, holdList, releaseHold } from '../cases/holds.js';
import { HOLD_REASONS } from '../store/holds.js';
import { openCli, printJson, table } from './context.js';
import { asCliErrorAsync, casesContext, asCliError } from './case-shared.js';

export function registerHold(program: Command): void {
  const hold = program.command('hold').description('Art. 14 long-term holds: add, list, release (by an approver)');

  hold
    .command('add')
    .description('keep recordings long-term (Art. 14); on the s3 backend also an Object Lock legal hold')
    .argument('<keys...>', 'evidence numbers, SHA-256 digests or case refs')
    .requiredOption('--reason <reason>', `why, as Art. 14 names it: ${HOLD_REASONS.join(' | ')}`)
    .requiredOption('--text <text>', 'what happened')
    .option('--json', 'print the hold as JSON')
    .action(async (keys: string[], opts: { reason: string; text: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const h = await asCliErrorAsync(() => addHold(casesContext(cli), keys, opts.reason, opts.text));
        if (opts.json) printJson(h);
        else process.stdout.write(`hold ${h.id} (${h.reason}) on ${h.recordings.length} recording(s)${h.recordings.every((r) => r.backend === 'catalog-only') ? ' (local store: kept as a catalog fact)' : ''}\n`);
      } finally {
        cli.close();
      }
    });

  hold
    .command('list')
    .description('holds, active and released')
    .option('--active', 'only holds not released')
    .option('--json', 'print as JSON')
    .action((opts: { active?: boolean; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const rows = asCliError(() => holdList(cli, Boolean(opts.active)));
        if (opts.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write('no holds\n');
        process.stdout.write(table(['id', 'reason', 'recordings', 'added', 'by', 'released', 'text'], rows.map((h) => [h.id, h.reason, h.recordings, h.added_at, h.added_by, h.released_at ? `${h.released_at} (${h.released_by_approver})` : '', h.text])));
      } finally {
        cli.close();
      }
    });

  hold
    .command('release')
    .description('release a hold: a registered approver, with the reason')
    .argument('<id>', 'hold id')
    .option('--by <approver>', 'officer number of a registered approver (required)')
    .option('--text <text>', 'why the hold ends (required)')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { by?: string; text?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const r = await asCliErrorAsync(() => releaseHold(casesContext(cli), id, opts.by, opts.text));
        if (opts.json) printJson(r);
        else process.stdout.write(`hold ${r.id} released by ${r.approver}${r.stillHeld.length ? `; still held by other holds: ${r.stillHeld.join(', ')}` : ''}\n`);
      } finally {
        cli.close();
      }
    });
}
