// evidock disc <case-ref|copy-id> --out FILE.iso [--label]: an ISO image (Joliet + Rock Ridge) of a
// case file or an approved copy, with the statement, manifests, proofs, key and a README in Chinese.
import type { Command } from 'commander';
import { makeDisc } from '../cases/disc.js';
import { formatBytes, openCli, printJson } from './context.js';
import { asCliErrorAsync, casesContext } from './case-shared.js';

export function registerDisc(program: Command): void {
  program
    .command('disc')
    .description('write a disc image (ISO 9660, Joliet + Rock Ridge) of a case file or an approved copy request, checkable with `evidock copy verify` and sha256sum')
    .argument('<target>', 'a case ref, or the id of an approved copy request')
    .requiredOption('--out <file>', 'a new .iso file')
    .option('--label <label>', 'volume label (A-Z, 0-9, _; up to 32)')
    .option('--json', 'print the result as JSON')
    .action(async (target: string, opts: { out: string; label?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const d = await asCliErrorAsync(() => makeDisc(casesContext(cli), target, opts.out, opts.label));
        if (opts.json) printJson(d);
        else process.stdout.write(`disc image ${d.out} (${d.label}): ${d.recordings.length} recording(s), ${formatBytes(d.bytes)}; sha256 ${d.sha256}\n`);
      } finally {
        cli.close();
      }
    });
}
