// evidock copy request|approve|refuse|make|verify|list: Art. 13 copies, approved by a registered
// approver who is not the requester, made as BagIt bags a recipient checks offline.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { verifyBag } from '../cases/bag-verify.js';
import { makeCopy } from '../cases/copy-make.js';
import { decideCopy, listCopyRequestViews, requestCopy, type CopyRequestView } from '../cases/copy-requests.js';
import { forTerminal } from '../lib/terminal-text.js';
import { CliError, EXIT_PROBLEM, formatBytes, openCli, printJson, table } from './context.js';
import { asCliError, asCliErrorAsync, casesContext } from './case-shared.js';

function say(v: CopyRequestView): string {
  return `copy request ${v.id} (${v.recordings.length} recording(s), requester ${forTerminal(v.requester)}): ${v.state}${v.decision ? ` by ${v.decision.approver}` : ''}\n`;
}

export function registerCopy(program: Command): void {
  const copy = program.command('copy').description('Art. 13 copies: request, approve or refuse, make (a BagIt bag), verify offline');

  copy
    .command('request')
    .description('ask for a copy of recordings or whole case files')
    .argument('<keys...>', 'evidence numbers, SHA-256 digests or case refs')
    .requiredOption('--requester <name>', 'who asks (the party, a lawyer, a court)')
    .requiredOption('--reason <text>', 'why')
    .option('--json', 'print the request as JSON')
    .action((keys: string[], opts: { requester: string; reason: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const v = asCliError(() => requestCopy(cli.db, keys, opts.requester, opts.reason, cli.actor));
        if (opts.json) printJson(v);
        else process.stdout.write(say(v) + `approve with \`evidock copy approve ${v.id} --by APPROVER\`\n`);
      } finally {
        cli.close();
      }
    });

  for (const decision of ['approve', 'refuse'] as const) {
    copy
      .command(decision)
      .description(decision === 'approve' ? 'approve a copy request (a registered approver, not the requester)' : 'refuse a copy request, with the reason')
      .argument('<id>', 'copy request id')
      .requiredOption('--by <approver>', 'officer number of a registered approver')
      .option('--reason <text>', decision === 'approve' ? 'a note' : 'why (required)')
      .option('--json', 'print the request as JSON')
      .action((id: string, opts: { by: string; reason?: string; json?: boolean }, cmd: Command) => {
        const cli = openCli(cmd);
        try {
          const v = asCliError(() => decideCopy(cli.db, id, decision === 'approve' ? 'approved' : 'refused', opts.by, opts.reason, cli.actor));
          if (opts.json) printJson(v);
          else process.stdout.write(say(v));
        } finally {
          cli.close();
        }
      });
  }

  copy
    .command('make')
    .description('make the copy of an approved request: a BagIt bag in a new folder (exit 1 if not approved)')
    .argument('<id>', 'copy request id')
    .requiredOption('--out <dir>', 'a new folder for the bag')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { out: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const made = await asCliErrorAsync(() => makeCopy(casesContext(cli), id, opts.out));
        if (opts.json) printJson(made);
        else process.stdout.write(`copy ${made.copy} of request ${made.request}: ${made.files.length} recording(s), ${formatBytes(made.bytes)} in ${made.out}\nstation key fingerprint sha256:${made.keyFingerprint}\n`);
      } finally {
        cli.close();
      }
    });

  copy
    .command('verify')
    .description('check a copy offline (no home needed): digests, tag files, inclusion proofs, signature')
    .argument('<dir>', 'the copy (bag) folder')
    .option('--key <file>', 'a station verifier key you trust (else the one in the bag is used, and said so)')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, opts: { key?: string; json?: boolean }) => {
      let keyText: string | undefined;
      if (opts.key) {
        try {
          keyText = readFileSync(opts.key, 'utf8');
        } catch (e) {
          throw new CliError(`cannot read --key ${opts.key}: ${(e as Error).message}`);
        }
      }
      const r = await verifyBag(dir, keyText);
      if (opts.json) printJson(r);
      else {
        for (const c of r.checks) process.stdout.write(`ok: ${c}\n`);
        for (const p of r.problems) process.stdout.write(`PROBLEM: ${forTerminal(p)}\n`);
        process.stdout.write(r.ok ? `copy verified: ${r.recordings.length} recording(s)\n` : 'copy NOT verified\n');
      }
      if (!r.ok) process.exitCode = EXIT_PROBLEM;
    });

  copy
    .command('list')
    .description('copy requests, their decisions and the copies made')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const rows = listCopyRequestViews(cli.db);
        if (opts.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write('no copy requests\n');
        process.stdout.write(table(['id', 'requester', 'recordings', 'state', 'approver', 'copies', 'requested'], rows.map((r) => [r.id, r.requester, r.recordings.length, r.state, r.decision?.approver ?? '', r.copies.length, r.requestedAt])));
      } finally {
        cli.close();
      }
    });
}
