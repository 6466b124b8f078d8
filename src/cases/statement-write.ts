// evidock case statement: renders the statement (json, html or pdf) under a temporary name, logs
// it (case, format, file digest, who) and renames it into place.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { appendAuditEntry } from '../audit/log.js';
import { actorName } from './actor.js';
import type { CasesContext } from './context.js';
import { CasesError } from './errors.js';
import { buildThenRename, checkNewOutput } from './output-dir.js';
import { buildStatement, type CaseStatement } from './statement.js';
import { statementHtml } from './statement-html.js';
import { writeStatementPdf } from './statement-pdf.js';

export type StatementFormat = 'pdf' | 'html' | 'json';

export function checkStatementFormat(f: string): StatementFormat {
  if (f !== 'pdf' && f !== 'html' && f !== 'json') throw new CasesError(`--format ${JSON.stringify(f)}: use pdf, html or json; nothing written`);
  return f;
}

/** Renders a built statement into `file` (new). */
export async function renderStatement(s: CaseStatement, format: StatementFormat, file: string): Promise<void> {
  if (format === 'pdf') await writeStatementPdf(s, file);
  else writeFileSync(file, format === 'json' ? JSON.stringify(s, null, 2) + '\n' : statementHtml(s), { flag: 'wx', mode: 0o444 });
}

export async function writeStatement(ctx: CasesContext, ref: string, format: string, out: string): Promise<{ ref: string; format: StatementFormat; out: string; sha256: string; recordings: number }> {
  const fmt = checkStatementFormat(format);
  const abs = checkNewOutput(out, 'statement file');
  const s = buildStatement(ctx, ref);
  let sha256 = '';
  await buildThenRename(
    abs,
    async (tmp) => {
      await renderStatement(s, fmt, tmp);
      sha256 = createHash('sha256').update(readFileSync(tmp)).digest('hex');
    },
    () =>
      ctx.db.transaction(() =>
        appendAuditEntry(ctx.db, {
          type: 'case.statement-written',
          data: { ref: s.case.ref, format: fmt, out: abs, sha256, recordings: s.recordings.map((r) => r.evidenceNumber), treeSize: s.checkpoint.treeSize, writtenBy: actorName(ctx.actor) },
          actor: ctx.actor,
        }),
      )(),
    { dir: false },
  );
  return { ref: s.case.ref, format: fmt, out: abs, sha256, recordings: s.recordings.length };
}
