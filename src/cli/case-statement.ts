// evidock case statement <ref> --format pdf|html|json --out FILE: the Art. 8/11 statement of a
// case's recordings, for the paper case file.
import type { Command } from 'commander';
import { writeStatement } from '../cases/statement-write.js';
import { openCli, printJson } from './context.js';
import { asCliErrorAsync, casesContext } from './case-shared.js';

export function registerCaseStatement(caseCommand: Command): void {
  caseCommand
    .command('statement')
    .description("the case statement (Art. 8, 11): per recording where it is stored, digests, how, when and by whom made, what it proves, its inclusion proof; A4 PDF in Chinese, HTML or JSON")
    .argument('<ref>', 'case reference')
    .option('--format <format>', 'pdf, html or json', 'pdf')
    .requiredOption('--out <file>', 'a new file')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, opts: { format: string; out: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const r = await asCliErrorAsync(() => writeStatement(casesContext(cli), ref, opts.format, opts.out));
        if (opts.json) printJson(r);
        else process.stdout.write(`statement of case ${r.ref} (${r.recordings} recording(s), ${r.format}) written to ${r.out}\n`);
      } finally {
        cli.close();
      }
    });
}
