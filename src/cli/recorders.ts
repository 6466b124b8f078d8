// evidock recorders add|list: the recorder registry.
import type { Command } from 'commander';
import { appendAuditEntry } from '../audit/log.js';
import { listRecorders, registerRecorder, RegistryError, type RecorderRow } from '../store/registry.js';
import { CliError, openCli, printJson, table } from './context.js';
import { checkId, noteWidth, parseTimeOption } from './registry-shared.js';

export function registerRecorders(program: Command): void {
  const recorders = program.command('recorders').description('the recorder registry: serial, make, model, unit');

  recorders
    .command('add')
    .description('register a recorder (a registration is never edited)')
    .argument('<serial>', 'product serial (GA/T 947: 7 characters)')
    .option('--make <make>', 'manufacturer')
    .option('--model <model>', 'model')
    .option('--unit <code>', 'unit code (GA/T 947: 12 characters)')
    .option('--usb-serial <serial>', 'the USB serial number, when it differs from the product serial')
    .option('--registered-at <time>', 'when the recorder entered service (default: now); recordings dated before it are flagged by the clock rules')
    .option('--json', 'print the new registration as JSON')
    .action((serial: string, opts: { make?: string; model?: string; unit?: string; usbSerial?: string; registeredAt?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const row: RecorderRow = {
          serial: checkId(serial, 'recorder serial', 32),
          make: opts.make?.trim() || null,
          model: opts.model?.trim() || null,
          unit: opts.unit ? checkId(opts.unit, '--unit', 32) : null,
          usb_serial: opts.usbSerial ? checkId(opts.usbSerial, '--usb-serial', 64) : null,
          registered_at: opts.registeredAt ? new Date(parseTimeOption(opts.registeredAt, '--registered-at', cli.config.station.timezone)).toISOString() : new Date().toISOString(),
          registered_by: cli.actor.user,
        };
        noteWidth(row.serial, 'product serial', 7);
        noteWidth(row.unit, 'unit code', 12);
        let saved: RecorderRow;
        try {
          saved = registerRecorder(cli.db, row, () => appendAuditEntry(cli.db, { type: 'registry.recorder.added', data: { ...row }, actor: cli.actor }));
        } catch (err) {
          if (err instanceof RegistryError) throw new CliError(err.message);
          throw err;
        }
        if (opts.json) printJson(saved);
        else process.stdout.write(`recorder ${saved.serial} registered\n`);
      } finally {
        cli.close();
      }
    });

  recorders
    .command('list')
    .description('list registered recorders')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const rows = listRecorders(cli.db);
        if (opts.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write('no recorders registered (add one with `evidock recorders add SERIAL`)\n');
        process.stdout.write(table(['serial', 'make', 'model', 'unit', 'usb serial', 'registered'], rows.map((r) => [r.serial, r.make ?? '', r.model ?? '', r.unit ?? '', r.usb_serial ?? '', r.registered_at])));
      } finally {
        cli.close();
      }
    });
}
