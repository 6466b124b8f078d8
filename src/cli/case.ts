// evidock case open|add|show|list|close: Art. 11 case files (案卷), due 20 calendar days after
// the enforcement action ended. The statement is in case-statement.ts.
import type { Command } from 'commander';
import { addToCase, caseList, closeCase, openCase, requireCase } from '../cases/case-files.js';
import { caseDetail } from '../cases/case-detail.js';
import { stationToday } from '../cases/due-date.js';
import { forTerminal } from '../lib/terminal-text.js';
import { openCli, printJson, table } from './context.js';
import { asCliError, collect } from './case-shared.js';
import { registerCaseStatement } from './case-statement.js';

export function registerCase(program: Command): void {
  const c = program.command('case').description('Art. 11 case files: open, add recordings with what they prove, show, list, file');

  c.command('open')
    .description('open a case file; it is due 20 calendar days after the action ended (Art. 11)')
    .argument('<ref>', 'case reference (e.g. XZ-2026-031)')
    .requiredOption('--action-ended <date>', 'the day the enforcement action ended (YYYY-MM-DD, station time)')
    .option('--title <text>', 'a short title')
    .option('--officer <number>', 'a registered officer in charge (repeatable)', collect, [])
    .option('--json', 'print the case as JSON')
    .action((ref: string, opts: { actionEnded: string; title?: string; officer: string[]; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const row = asCliError(() => openCase(cli.db, { ref, actionEnded: opts.actionEnded, title: opts.title, officers: opts.officer }, cli.actor));
        if (opts.json) printJson({ ...row, officers: JSON.parse(row.officers) });
        else process.stdout.write(`case ${row.ref} opened; due ${row.due} (action ended ${row.action_ended} + 20 calendar days)\n`);
      } finally {
        cli.close();
      }
    });

  c.command('add')
    .description('add held recordings to a case, with what they prove (Art. 8 证明对象)')
    .argument('<ref>', 'case reference')
    .argument('<keys...>', 'evidence numbers or SHA-256 digests')
    .option('--proves <text>', 'what these recordings prove')
    .option('--json', 'print what was added as JSON')
    .action((ref: string, keys: string[], opts: { proves?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const added = asCliError(() => addToCase(cli.db, ref, keys, opts.proves, cli.actor));
        if (opts.json) printJson(added);
        else for (const a of added) process.stdout.write(`added ${a.evidenceNumber} to case ${ref.trim()}${a.proves ? `: proves ${forTerminal(a.proves)}` : ''}\n`);
      } finally {
        cli.close();
      }
    });

  c.command('show')
    .description('one case: its recordings, what they prove, due date, holds and copies')
    .argument('<ref>', 'case reference')
    .option('--json', 'print as JSON')
    .action((ref: string, opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const d = asCliError(() => caseDetail(cli.db, requireCase(cli.db, ref), stationToday(cli.config.station.timezone)));
        if (opts.json) return printJson(d);
        const out = process.stdout;
        out.write(`case      ${forTerminal(d.ref)}${d.title ? `  ${forTerminal(d.title)}` : ''}\n`);
        out.write(`action    ended ${d.actionEnded}; due ${d.due} (Art. 11, 20 calendar days)\n`);
        out.write(`state     ${d.filed ? `filed ${d.filedAt}` : d.overdue ? 'OVERDUE, not filed' : 'open'}\n`);
        if (d.officers.length) out.write(`officers  ${d.officers.map((o) => `${o.number}${o.name ? ' ' + o.name : ''}`).map((s) => forTerminal(s)).join(', ')}\n`);
        out.write(`opened    ${d.openedAt} by ${forTerminal(d.openedBy)}\n`);
        if (d.recordings.length) {
          out.write('\n' + table(['evidence', 'sha256', 'proves', 'holds'], d.recordings.map((r) => [r.evidenceNumber, r.sha256.slice(0, 16) + '…', r.proves ?? '', r.activeHolds ? String(r.activeHolds) : ''])));
        } else out.write('no recordings yet (evidock case add REF EVIDENCE... --proves TEXT)\n');
      } finally {
        cli.close();
      }
    });

  c.command('list')
    .description('case files, with due dates; --overdue: only those past due and not filed')
    .option('--overdue', 'only cases past their Art. 11 due date and not filed')
    .option('--open', 'only cases not yet filed')
    .option('--json', 'print as JSON')
    .action((opts: { overdue?: boolean; open?: boolean; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const rows = caseList(cli.db, stationToday(cli.config.station.timezone), { overdueOnly: opts.overdue, openOnly: opts.open });
        if (opts.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write(opts.overdue ? 'no overdue case files\n' : 'no case files (evidock case open REF --action-ended DATE)\n');
        process.stdout.write(table(['case', 'action ended', 'due', 'state', 'recordings', 'title'], rows.map((r) => [r.ref, r.actionEnded, r.due, r.filed ? 'filed' : r.overdue ? 'OVERDUE' : 'open', r.recordings, r.title ?? ''])));
      } finally {
        cli.close();
      }
    });

  c.command('close')
    .description('file the case (归档): it takes no more recordings')
    .argument('<ref>', 'case reference')
    .option('--note <text>', 'a note for the filing')
    .option('--json', 'print as JSON')
    .action((ref: string, opts: { note?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const r = asCliError(() => closeCase(cli.db, ref, opts.note, cli.actor, stationToday(cli.config.station.timezone)));
        if (opts.json) printJson(r);
        else process.stdout.write(`case ${r.ref} filed${r.late ? ' (after its Art. 11 due date)' : ''}\n`);
      } finally {
        cli.close();
      }
    });

  registerCaseStatement(c);
}
