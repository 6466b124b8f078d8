// evidock log repair-journal: the one explicit, logged step that writes journal entries again
// from the catalog, after the journal was found to have lost its last entries. It checks first:
// the catalog's copy must still reach every signed checkpoint, else nothing is written.
import type { Command } from 'commander';
import { rotationEntries, stationKeys } from '../audit/key-history.js';
import { appendAuditEntry, rewriteLostJournalEntries } from '../audit/log.js';
import { journalMark } from '../audit/journal.js';
import { compareLog, loadJournal, readCheckpointFiles } from '../audit/rebuild.js';
import { CliError, EXIT_PROBLEM, loadHomeConfig, openCli, printJson } from './context.js';

export function registerLogRepair(log: Command): void {
  log
    .command('repair-journal')
    .description('write again the last journal entries found removed (only when the catalog still reaches every signed checkpoint); logged as journal.repaired')
    .option('--json', 'print the result as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const { home: found } = loadHomeConfig(cmd);
      const journal = loadJournal(found.journal);
      const cli = openCli(cmd);
      try {
        const mark = journalMark(cli.db, cli.home.journal);
        const lastInJournal = journal.entries.length ? journal.entries[journal.entries.length - 1].seq : -1;
        if (lastInJournal >= mark) {
          if (opts.json) printJson({ repaired: false, lastInJournal, lastWritten: mark });
          else process.stdout.write(`the journal holds every entry it was written with (up to ${mark}): nothing to repair\n`);
          return;
        }
        const key = stationKeys(cli.home.dir, cli.config.station.id, rotationEntries(cli.db));
        if ('problem' in key) throw new CliError(`cannot check the catalog against the signed checkpoints: ${key.problem}`, EXIT_PROBLEM);
        const heads = readCheckpointFiles(cli.home.checkpoints, key.keyAt);
        const log = compareLog(cli.db, [], heads.heads);
        const unreached = log.heads.filter((h) => h.catalog !== true);
        const jumps = log.differences.filter((d) => !/not in the journal/.test(d.problem));
        if (unreached.length || jumps.length || heads.problems.length) {
          const why = [...unreached.map((h) => `the catalog does not reach signed checkpoint ${h.file}`), ...jumps.map((d) => `entry ${d.seq}: ${d.problem}`), ...heads.problems.map((p) => `${p.file}: ${p.problem}`)];
          throw new CliError(`the catalog's copy of the log is not the signed one; nothing written:\n  ${why.join('\n  ')}`, EXIT_PROBLEM);
        }
        const lost = { from: lastInJournal + 1, to: mark };
        cli.db.transaction(() =>
          appendAuditEntry(cli.db, { type: 'journal.repaired', data: { lostFrom: lost.from, lostTo: lost.to, journalEndedAt: lastInJournal, checkpointsReached: log.heads.length }, actor: cli.actor }),
        )();
        const { appended } = rewriteLostJournalEntries(cli.db, cli.home.dir);
        if (opts.json) printJson({ repaired: true, lost, appended });
        else process.stdout.write(`journal entries ${lost.from}..${lost.to} were missing; written again from the catalog (${appended} entries with this repair's own), logged as journal.repaired\n`);
      } finally {
        cli.close();
      }
    });
}
