// evidock trips add|list: registered field trips (Art. 10 ¶2: due 24 h after the return).
import type { Command } from 'commander';
import { registerFieldTrip } from '../facts/index.js';
import { formatInstant } from '../rules/index.js';
import { listFieldTrips } from '../store/rules-facts.js';
import { CliError, openCli, printJson, table } from './context.js';
import { parsePeriod, parseTimeArg } from './rules-args.js';

export function registerTrips(program: Command): void {
  const trips = program.command('trips').description('field trips (continuous work, work away, remote areas): recordings made during one are due 24 h after the return');

  trips
    .command('add')
    .description('register a field trip of an officer; recordings already evaluated get a re-evaluation entry')
    .argument('<officer>', 'officer number (警号)')
    .requiredOption('--from <time>', 'departure: 2026-03-02 08:00 (station time), a date, or ISO with zone')
    .requiredOption('--to <time>', 'return to the unit (a date alone means its 24:00)')
    .requiredOption('--reason <text>', 'why (e.g. "remote area, no network")')
    .option('--json', 'print the result as JSON')
    .action((officer: string, opts: { from: string; to: string; reason: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const tz = cli.config.station.timezone;
        const from = parseTimeArg('--from', opts.from, tz);
        const to = parseTimeArg('--to', opts.to, tz, true);
        if (!(to > from)) throw new CliError(`--to (${formatInstant(to, tz)}) must be after --from (${formatInstant(from, tz)})`);
        if (!opts.reason.trim()) throw new CliError('--reason must say why');
        if (!officer.trim()) throw new CliError('give the officer number');
        // Recordings of that officer made during the trip, already evaluated, are re-evaluated (new facts).
        const re = registerFieldTrip(cli, { officer, from, to, reason: opts.reason });
        const id = re.trip;
        const result = { trip: id, officer, from: formatInstant(from, tz), to: formatInstant(to, tz), reason: opts.reason, recordingsDuringTrip: re.examined, reevaluated: re.changed };
        if (opts.json) return printJson(result);
        process.stdout.write(`trip ${id}: ${officer} ${result.from} → ${result.to} (${opts.reason})\n`);
        process.stdout.write(`${re.examined} recording(s) already held from that trip; ${re.changed.length} re-evaluated (new entries in the log)\n`);
        for (const e of re.changed) process.stdout.write(`  ${e}\n`);
      } finally {
        cli.close();
      }
    });

  trips
    .command('list')
    .description('registered field trips')
    .option('--officer <number>', 'only this officer')
    .option('--from <time>', 'trips ending at or after this time')
    .option('--to <time>', 'trips starting before this time')
    .option('--json', 'print as JSON')
    .action((opts: { officer?: string; from?: string; to?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const tz = cli.config.station.timezone;
        const rows = listFieldTrips(cli.db, {
          officer: opts.officer,
          ...parsePeriod(opts, tz),
        }).map((t) => ({ id: t.id, officer: t.officer_id, from: formatInstant(t.from_at, tz), to: formatInstant(t.to_at, tz), dueAfterReturn: formatInstant(t.to_at + 86_400_000, tz), reason: t.reason, registeredAt: t.registered_at, registeredBy: t.registered_by }));
        if (opts.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write('no field trips registered\n');
        process.stdout.write(table(['id', 'officer', 'from', 'to', 'recordings due by', 'reason', 'registered'], rows.map((r) => [r.id, r.officer, r.from, r.to, r.dueAfterReturn, r.reason, `${r.registeredAt} ${r.registeredBy}`])));
      } finally {
        cli.close();
      }
    });
}
