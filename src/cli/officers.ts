// evidock officers add|list|import: the officer registry.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { appendAuditEntry } from '../audit/log.js';
import { findOfficer, listOfficers, registerOfficer, RegistryError, type OfficerRow } from '../store/registry.js';
import { CliError, EXIT_PROBLEM, openCli, printJson, table, type CliContext } from './context.js';
import { decodeTextFile } from '../lib/text.js';
import { checkId, noteWidth, parseCsv } from './registry-shared.js';

function officerRow(number: string, name: string, unit: string | undefined, by: string): OfficerRow {
  const n = name.trim();
  // eslint-disable-next-line no-control-regex
  if (!n || n.length > 64 || /[\u0000-\u001f\u007f]/.test(n)) throw new CliError(`officer name ${JSON.stringify(name)}: must be 1-64 characters`);
  return {
    number: checkId(number, 'officer number', 32),
    name: n,
    unit: unit?.trim() ? checkId(unit, 'unit', 32) : null,
    registered_at: new Date().toISOString(),
    registered_by: by,
  };
}

/** Registers an officer with its audit entry (one transaction); `importedFrom` names a CSV file. */
function registerLogged(cli: CliContext, row: OfficerRow, importedFrom?: string): OfficerRow {
  return registerOfficer(cli.db, row, () => appendAuditEntry(cli.db, { type: 'registry.officer.added', data: { ...row, importedFrom }, actor: cli.actor }));
}

export function registerOfficers(program: Command): void {
  const officers = program.command('officers').description('the officer registry: number (警号), name, unit');

  officers
    .command('add')
    .description('register an officer (a registration is never edited)')
    .argument('<number>', 'officer number (警号, GA/T 947: 6 characters)')
    .requiredOption('--name <name>', 'name')
    .option('--unit <code>', 'unit code')
    .option('--json', 'print the new registration as JSON')
    .action((number: string, opts: { name: string; unit?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const row = officerRow(number, opts.name, opts.unit, cli.actor.user);
        noteWidth(row.number, 'officer number', 6);
        noteWidth(row.unit, 'unit code', 12);
        let saved: OfficerRow;
        try {
          saved = registerLogged(cli, row);
        } catch (err) {
          if (err instanceof RegistryError) throw new CliError(err.message);
          throw err;
        }
        if (opts.json) printJson(saved);
        else process.stdout.write(`officer ${row.number} registered\n`);
      } finally {
        cli.close();
      }
    });

  officers
    .command('list')
    .description('list registered officers')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const rows = listOfficers(cli.db);
        if (opts.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write('no officers registered (add with `evidock officers add NUMBER --name NAME` or import a CSV)\n');
        process.stdout.write(table(['number', 'name', 'unit', 'registered'], rows.map((r) => [r.number, r.name, r.unit ?? '', r.registered_at])));
      } finally {
        cli.close();
      }
    });

  officers
    .command('import')
    .description('register officers from a CSV file with a header row: number,name[,unit] (UTF-8 or GBK)')
    .argument('<csv>', 'the CSV file')
    .option('--json', 'print the result as JSON')
    .action((file: string, opts: { json?: boolean }, cmd: Command) => {
      let text: string;
      try {
        text = decodeTextFile(readFileSync(file));
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
      }
      const rows = parseCsv(text);
      const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
      const col = (names: string[]) => header.findIndex((h) => names.includes(h));
      const numberCol = col(['number', 'officer', 'officer_number', '警号']);
      const nameCol = col(['name', '姓名']);
      const unitCol = col(['unit', 'unit_code', '单位']);
      if (numberCol < 0 || nameCol < 0) throw new CliError(`${file}: the first row must name the columns, with at least "number" and "name" (found: ${header.join(', ') || 'nothing'})`);
      const cli = openCli(cmd);
      try {
        const added: string[] = [];
        const unchanged: string[] = [];
        const rejected: { line: number; number: string; reason: string }[] = [];
        rows.forEach((r, i) => {
          const line = i + 2;
          const number = (r[numberCol] ?? '').trim();
          try {
            const row = officerRow(number, r[nameCol] ?? '', unitCol >= 0 ? r[unitCol] : undefined, cli.actor.user);
            const existing = findOfficer(cli.db, row.number);
            if (existing) {
              if (existing.name === row.name && (existing.unit ?? null) === row.unit) unchanged.push(row.number);
              else rejected.push({ line, number: row.number, reason: `already registered as ${existing.name}${existing.unit ? ` (${existing.unit})` : ''}; registrations are never edited` });
              return;
            }
            registerLogged(cli, row, file);
            added.push(row.number);
          } catch (err) {
            rejected.push({ line, number, reason: (err as Error).message });
          }
        });
        const result = { file, added, unchanged, rejected };
        if (opts.json) printJson(result);
        else {
          process.stdout.write(`${added.length} added, ${unchanged.length} already registered, ${rejected.length} rejected\n`);
          for (const r of rejected) process.stdout.write(`  line ${r.line} (${r.number || 'no number'}): ${r.reason}\n`);
        }
        if (rejected.length) process.exitCode = EXIT_PROBLEM;
      } finally {
        cli.close();
      }
    });
}
