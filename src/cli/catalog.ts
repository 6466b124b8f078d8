// evidock catalog: rebuild the catalog from the store and the journal; check the live catalog
// (every rebuildable table, the schema with its triggers, the log, the checkpoint files) against
// that reconstruction, as found: nothing is repaired before it is checked.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { rotationsAmong, stationKeys } from '../audit/key-history.js';
import { appendAuditEntry } from '../audit/log.js';
import { compareLog, loadJournal, readCheckpointFiles } from '../audit/rebuild.js';
import { compareSchema, compareTable, type TableDifference } from '../store/catalog-compare.js';
import { openCatalog } from '../store/catalog.js';
import { compareOriginals } from '../store/rebuild.js';
import { listOriginals } from '../store/records.js';
import { rebuildCatalogInto, type CatalogRebuild } from './catalog-rebuild.js';
import { CliError, EXIT_PROBLEM, loadHomeConfig, openCli, printJson } from './context.js';
import { progressBar } from './progress.js';

/** The tables catalog check rebuilds and compares, and how their rows are matched. */
const COMPARED_TABLES: { table: string; key?: string[]; columns?: string[] }[] = [
  { table: 'provenance' },
  { table: 'recorders' },
  { table: 'officers' },
  { table: 'assignments' },
  { table: 'proves_notes' },
  { table: 'audit_checkpoints', key: ['file'], columns: ['size', 'root', 'note'] },
];

export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('the SQLite catalog: an index of the store and the journal, rebuildable from them');

  catalog
    .command('rebuild')
    .description("reconstruct the catalog from the objects' provenance.json and the audit journal into a new file")
    .requiredOption('--into <file>', 'the new catalog file (must not exist)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { into: string; json?: boolean }, cmd: Command) => {
      const { config, home } = loadHomeConfig(cmd, { catalog: false });
      const into = path.resolve(opts.into);
      if (existsSync(into)) throw new CliError(`--into ${into} exists; give a new file (the live catalog is never overwritten)`);
      if (into === path.resolve(home.catalog)) throw new CliError('--into must not be the live catalog');
      const journal = loadJournal(home.journal);
      const db = openCatalog(into);
      let rebuilt: CatalogRebuild;
      try {
        const bar = progressBar('catalog rebuild: reading the store', { json: opts.json, unit: 'objects' });
        rebuilt = await rebuildCatalogInto(db, config, home, journal, (done, total) => bar.update(done, total)).finally(() => bar.stop());
      } finally {
        db.close();
      }
      const { scan, entries, checkpoints, registry, provesNotes, cases } = rebuilt;
      const result = {
        into, station: config.station.id, originals: scan.originals.length, provenance: scan.provenance.length, registry, provesNotes, cases, entries, checkpoints, journalEntries: journal.entries.length,
        storeProblems: scan.problems, journalProblems: journal.problems, keyProblems: rebuilt.keyProblems,
        ok: scan.problems.length === 0 && journal.problems.length === 0 && entries === journal.entries.length && rebuilt.keyProblems.length === 0,
      };
      if (opts.json) printJson(result);
      else {
        process.stdout.write(`rebuilt ${into}: ${result.originals} originals (${result.provenance} with provenance) from the store, ${entries} audit entries from the journal, ${checkpoints} signed checkpoints\n`);
        for (const p of scan.problems) process.stdout.write(`store    ${p.path}: ${p.problem}\n`);
        for (const p of journal.problems) process.stdout.write(`journal  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem}\n`);
        for (const p of rebuilt.keyProblems) process.stdout.write(`key      ${p}\n`);
        if (entries < journal.entries.length) process.stdout.write(`journal  entries after ${entries - 1} not imported: the journal has a gap there\n`);
        process.stdout.write(`registry from the journal: ${registry.recorders} recorders, ${registry.officers} officers, ${registry.assignments} assignments; ${provesNotes} "proves" notes; ${cases.cases} case files, ${cases.copyRequests} copy requests, ${cases.holds} holds\n`);
        process.stdout.write('sightings and rules facts are not in the store or journal and are not rebuilt\n');
      }
      if (!result.ok) process.exitCode = EXIT_PROBLEM;
    });

  catalog
    .command('check')
    .description('compare the live catalog (tables, schema and triggers, log, checkpoint files) with its reconstruction from the store and the journal, as found; report every difference by table, row and column (exit 1 if any)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      // The journal as found, before this command's own entry could be journaled.
      const { home: homeFound } = loadHomeConfig(cmd);
      const journal = loadJournal(homeFound.journal);
      const cli = openCli(cmd);
      const rebuiltDb = openCatalog(':memory:');
      try {
        const rebuilt = await rebuildCatalogInto(rebuiltDb, cli.config, cli.home, journal);
        const { scan } = rebuilt;
        const originals = compareOriginals([...listOriginals(cli.db)], scan.originals);
        const tables: TableDifference[] = [...compareSchema(cli.db, rebuiltDb)];
        for (const t of COMPARED_TABLES) tables.push(...compareTable(cli.db, rebuiltDb, t.table, t));
        const key = stationKeys(cli.home.dir, cli.config.station.id, rotationsAmong(journal.entries));
        const heads = 'problem' in key ? { heads: [], problems: [] } : readCheckpointFiles(cli.home.checkpoints, key.keyAt);
        const log = compareLog(cli.db, journal.entries, heads.heads);
        const brokenHeads = log.heads.filter((h) => h.catalog !== true || h.journal !== true);
        const ok =
          originals.length === 0 && tables.length === 0 && scan.problems.length === 0 && journal.problems.length === 0 && log.differences.length === 0 &&
          heads.problems.length === 0 && brokenHeads.length === 0 && rebuilt.keyProblems.length === 0;
        const result = {
          ok, originals, tables, storeProblems: scan.problems, journalProblems: journal.problems, entries: log.differences,
          checkpoints: { problems: heads.problems, heads: log.heads }, keyProblems: rebuilt.keyProblems,
        };
        cli.db.transaction(() =>
          appendAuditEntry(cli.db, {
            type: 'catalog.checked',
            data: { ok, originals: originals.length, tables: tables.length, entries: log.differences.length, journal: journal.problems.length, store: scan.problems.length, key: rebuilt.keyProblems.length },
            actor: cli.actor,
          }),
        )();
        if (opts.json) printJson(result);
        else {
          const out = process.stdout;
          for (const d of originals) out.write(`original  ${d.evidenceNumber}: ${d.problem}${d.column ? ` [${d.column}: catalog ${d.catalog}, store ${d.rebuilt}]` : ''}\n`);
          for (const d of tables) out.write(`table     ${d.table} ${d.row}${d.column ? ` ${d.column}` : ''}: ${d.problem}${d.column ? ` [catalog ${d.catalog}, log/store ${d.rebuilt}]` : ''}\n`);
          for (const p of scan.problems) out.write(`store     ${p.path}: ${p.problem}\n`);
          for (const p of journal.problems) out.write(`journal   ${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem}\n`);
          for (const d of log.differences) out.write(`entry     ${d.seq}: ${d.problem}\n`);
          for (const p of heads.problems) out.write(`checkpoint ${p.file}: ${p.problem}\n`);
          for (const h of brokenHeads) {
            const side = (name: string, reaches: boolean | null) =>
              reaches === false ? `the ${name} no longer reaches this signed root` : reaches === null ? `the ${name} ends before this signed checkpoint (entries lost)` : '';
            out.write(`checkpoint ${h.file} (size ${h.size}): ${[side('catalog', h.catalog), side('journal', h.journal)].filter(Boolean).join('; ')}\n`);
          }
          for (const p of rebuilt.keyProblems) out.write(`key       ${p}\n`);
          out.write(ok ? `catalog matches the store (${scan.originals.length} objects) and the journal (${journal.entries.length} entries)\n` : 'catalog check found differences\n');
        }
        if (!ok) process.exitCode = EXIT_PROBLEM;
      } finally {
        rebuiltDb.close();
        cli.close();
      }
    });
}
