// evidock approvers add|list: who may approve copies (Art. 13) and release holds (Art. 14).
import type { Command } from 'commander';
import { addApprover } from '../cases/approvers.js';
import { listApprovers } from '../store/copies.js';
import { openCli, printJson, table } from './context.js';
import { asCliError } from './case-shared.js';

export function registerApprovers(program: Command): void {
  const approvers = program.command('approvers').description("approvers (Art. 13: the agency's head or whom it names): registered officers who approve copies and release holds");
  approvers
    .command('add')
    .description('give a registered officer the approver role (never edited)')
    .argument('<officer-number>', 'a registered officer (evidock officers add)')
    .option('--title <title>', 'e.g. 局长 (head of agency)')
    .option('--json', 'print the registration as JSON')
    .action((number: string, opts: { title?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const row = asCliError(() => addApprover(cli.db, number, opts.title, cli.actor));
        if (opts.json) printJson(row);
        else process.stdout.write(`officer ${row.officer_number} is an approver\n`);
      } finally {
        cli.close();
      }
    });
  approvers
    .command('list')
    .description('list approvers')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const rows = listApprovers(cli.db);
        if (opts.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write('no approvers registered (evidock approvers add OFFICER-NUMBER --title 局长)\n');
        process.stdout.write(table(['officer', 'name', 'title', 'registered'], rows.map((r) => [r.officer_number, r.name, r.title ?? '', r.registered_at])));
      } finally {
        cli.close();
      }
    });
}
