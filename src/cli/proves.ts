// evidock proves <evidence-number|sha256> --text ...: note what a recording proves (Art. 8:
// 证明对象), e.g. when it goes into a case file. A new note never replaces an earlier one.
import type { Command } from 'commander';
import { appendAuditEntry } from '../audit/log.js';
import { findOriginal, findOriginalBySha256 } from '../store/records.js';
import { insertProvesNote } from '../store/proves-notes.js';
import { CliError, openCli, printJson } from './context.js';

export function registerProves(program: Command): void {
  program
    .command('proves')
    .description('note what a held recording proves (Art. 8), e.g. for a case file; notes are kept, never edited')
    .argument('<key>', 'evidence number or SHA-256')
    .requiredOption('--text <text>', 'what the recording proves (e.g. "the party refused the inspection at 08:31")')
    .option('--case <ref>', 'the case file it belongs to')
    .option('--json', 'print the note as JSON')
    .action((key: string, opts: { text: string; case?: string; json?: boolean }, cmd: Command) => {
      const text = opts.text.trim();
      if (!text) throw new CliError('--text is empty: say what the recording proves');
      if (text.length > 4000) throw new CliError('--text is longer than 4000 characters');
      const cli = openCli(cmd);
      try {
        const k = key.trim();
        const o = findOriginal(cli.db, k) ?? (/^[0-9a-fA-F]{64}$/.test(k) ? findOriginalBySha256(cli.db, k.toLowerCase()) : undefined);
        if (!o) throw new CliError(`no held recording has evidence number or SHA-256 ${JSON.stringify(key)} (see \`evidock list\`); nothing noted`);
        const note = {
          evidence_number: o.evidence_number,
          text,
          case_ref: opts.case?.trim() || null,
          noted_by: cli.actor.sudoUser ? `${cli.actor.user} (sudo ${cli.actor.sudoUser})` : cli.actor.user,
          noted_at: new Date().toISOString(),
        };
        const id = cli.db.transaction(() => {
          const rowId = insertProvesNote(cli.db, note);
          appendAuditEntry(cli.db, {
            type: 'recording.proves-noted',
            data: { evidenceNumber: o.evidence_number, note: rowId, text, case: note.case_ref ?? undefined, notedBy: note.noted_by },
            actor: cli.actor,
            at: new Date(note.noted_at),
          });
          return rowId;
        })();
        if (opts.json) printJson({ id, ...note });
        else process.stdout.write(`noted for ${o.evidence_number}: ${text}${note.case_ref ? ` (case ${note.case_ref})` : ''}\n`);
      } finally {
        cli.close();
      }
    });
}
