// evidock catalog: rebuild the catalog from the store and the journal; check the live catalog
// against that reconstruction (a row edited behind the triggers shows up here).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { keyPaths, loadStationKey } from '../audit/keys.js';
import { appendAuditEntry } from '../audit/log.js';
import { verifierOf } from '../audit/note.js';
import { compareLog, insertCheckpointFiles, insertExportsFromLog, insertJournalEntries, loadJournal, readCheckpointFiles } from '../audit/rebuild.js';
import { openCatalog } from '../store/catalog.js';
import { openConfiguredOriginals } from '../store/open-originals.js';
import { compareOriginals, insertScannedOriginals, scanStore, type StoreScan } from '../store/rebuild.js';
import { rebuildProvesNotesFromAudit } from '../store/proves-notes.js';
import { rebuildRegistryFromAudit } from '../store/registry.js';
import { rebuildCasesFromAudit, type CasesRebuildCounts } from '../store/cases-rebuild.js';
import { listOriginals } from '../store/records.js';
import { CliError, EXIT_PROBLEM, loadHomeConfig, openCli, printJson } from './context.js';
import { progressBar } from './progress.js';

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
      const db = openCatalog(into);
      let scan: StoreScan;
      const journal = loadJournal(home.journal);
      let entries = 0;
      let checkpoints = 0;
      let registry = { recorders: 0, officers: 0, assignments: 0 };
      let provesNotes = 0;
      let cases: CasesRebuildCounts | undefined;
      try {
        const bar = progressBar('catalog rebuild: reading the store', { json: opts.json, unit: 'objects' });
        scan = await scanStore(openConfiguredOriginals(config, home, db), (done, total) => bar.update(done, total)).finally(() => bar.stop());
        insertScannedOriginals(db, scan.originals, scan.provenance);
        entries = insertJournalEntries(db, journal.entries);
        registry = rebuildRegistryFromAudit(db);
        provesNotes = rebuildProvesNotesFromAudit(db);
        cases = rebuildCasesFromAudit(db);
        if (existsSync(keyPaths(home.dir).privateKey)) {
          checkpoints = insertCheckpointFiles(db, home.checkpoints, verifierOf(loadStationKey(home.dir, config.station.id)));
          insertExportsFromLog(db);
        }
      } finally {
        db.close();
      }
      const result = {
        into, station: config.station.id, originals: scan.originals.length, provenance: scan.provenance.length, registry, provesNotes, cases, entries, checkpoints, journalEntries: journal.entries.length,
        storeProblems: scan.problems, journalProblems: journal.problems,
        ok: scan.problems.length === 0 && journal.problems.length === 0 && entries === journal.entries.length,
      };
      if (opts.json) printJson(result);
      else {
        process.stdout.write(`rebuilt ${into}: ${result.originals} originals (${result.provenance} with provenance) from the store, ${entries} audit entries from the journal, ${checkpoints} signed checkpoints\n`);
        for (const p of scan.problems) process.stdout.write(`store    ${p.path}: ${p.problem}\n`);
        for (const p of journal.problems) process.stdout.write(`journal  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem}\n`);
        if (entries < journal.entries.length) process.stdout.write(`journal  entries after ${entries - 1} not imported: the journal has a gap there\n`);
        process.stdout.write(`registry from the journal: ${registry.recorders} recorders, ${registry.officers} officers, ${registry.assignments} assignments; ${provesNotes} "proves" notes; ${cases?.cases ?? 0} case files, ${cases?.copyRequests ?? 0} copy requests, ${cases?.holds ?? 0} holds\n`);
        process.stdout.write('sightings and rules facts are not in the store or journal and are not rebuilt\n');
      }
      if (!result.ok) process.exitCode = EXIT_PROBLEM;
    });

  catalog
    .command('check')
    .description('compare the live catalog with its reconstruction from the store and the journal; report every difference (exit 1 if any)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const scan = await scanStore(openConfiguredOriginals(cli.config, cli.home, cli.db));
        const live = [...listOriginals(cli.db)];
        const originals = compareOriginals(live, scan.originals);
        const journal = loadJournal(cli.home.journal);
        let heads: ReturnType<typeof readCheckpointFiles> = { heads: [], problems: [] };
        if (existsSync(keyPaths(cli.home.dir).privateKey)) {
          heads = readCheckpointFiles(cli.home.checkpoints, verifierOf(loadStationKey(cli.home.dir, cli.config.station.id)));
        }
        const log = compareLog(cli.db, journal.entries, heads.heads);
        const brokenHeads = log.heads.filter((h) => h.catalog === false || h.journal === false);
        const ok = originals.length === 0 && scan.problems.length === 0 && journal.problems.length === 0 && log.differences.length === 0 && heads.problems.length === 0 && brokenHeads.length === 0;
        const result = { ok, originals, storeProblems: scan.problems, journalProblems: journal.problems, entries: log.differences, checkpoints: { problems: heads.problems, heads: log.heads } };
        cli.db.transaction(() =>
          appendAuditEntry(cli.db, {
            type: 'catalog.checked',
            data: { ok, originals: originals.length, entries: log.differences.length, journal: journal.problems.length, store: scan.problems.length },
            actor: cli.actor,
          }),
        )();
        if (opts.json) printJson(result);
        else {
          const out = process.stdout;
          for (const d of originals) out.write(`original  ${d.evidenceNumber}: ${d.problem}${d.column ? ` [${d.column}: catalog ${d.catalog}, store ${d.rebuilt}]` : ''}\n`);
          for (const p of scan.problems) out.write(`store     ${p.path}: ${p.problem}\n`);
          for (const p of journal.problems) out.write(`journal   ${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem}\n`);
          for (const d of log.differences) out.write(`entry     ${d.seq}: ${d.problem}\n`);
          for (const p of heads.problems) out.write(`checkpoint ${p.file}: ${p.problem}\n`);
          for (const h of brokenHeads) {
            out.write(`checkpoint ${h.file} (size ${h.size}): ${h.catalog === false ? 'the catalog no longer reaches this signed root' : ''}${h.catalog === false && h.journal === false ? '; ' : ''}${h.journal === false ? 'the journal no longer reaches this signed root' : ''}\n`);
          }
          out.write(ok ? `catalog matches the store (${scan.originals.length} objects) and the journal (${journal.entries.length} entries)\n` : 'catalog check found differences\n');
        }
        if (!ok) process.exitCode = EXIT_PROBLEM;
      } finally {
        cli.close();
      }
    });
}
