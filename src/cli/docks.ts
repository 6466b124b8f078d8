// `evidock docks`: the dock slots and what each is doing, for the officer waiting at 23:00.
import type { Command } from 'commander';
import { forTerminal } from '../lib/terminal-text.js';
import { loadConfig } from '../home.js';
import { readStatusFile, type SlotStatus } from '../daemon/status-file.js';
import { formatBytes, globalOptions, printJson, table } from './context.js';

function progress(s: SlotStatus): string {
  switch (s.state) {
    case 'copying': {
      const parts = [`file ${s.fileIndex ?? 0} of ${s.fileCount ?? 0}`];
      if (s.bytesTotal) parts.push(`${formatBytes(s.bytesDone ?? 0)} of ${formatBytes(s.bytesTotal)}`);
      if (s.bytesPerSecond) parts.push(`${formatBytes(s.bytesPerSecond)}/s`);
      if (s.etaSeconds != null) parts.push(`ETA ${s.etaSeconds < 60 ? `${s.etaSeconds} s` : `${Math.ceil(s.etaSeconds / 60)} min`}`);
      return parts.join(', ');
    }
    case 'verifying':
      return s.fileCount ? `file ${s.fileIndex ?? 0} of ${s.fileCount}` : '';
    case 'done':
      return `held ${s.held ?? 0}, failed ${s.failed ?? 0}`;
    default:
      return '';
  }
}

export function registerDocks(program: Command): void {
  program
    .command('docks')
    .description('dock slots: empty / identifying / copying (file k of n, bytes, rate, ETA) / verifying / done / error')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const { config, home } = loadConfig(globalOptions(cmd));
      const daemon = readStatusFile(home.statusFile);
      const bySlot = new Map((daemon?.slots ?? []).map((s) => [s.slot, s]));
      const configured = Object.entries(config.docks.slots).map(([port, label]) => ({ port, label }));
      for (const { label } of configured)
        if (!bySlot.has(label)) bySlot.set(label, { slot: label, state: 'empty', since: daemon?.startedAt ?? new Date().toISOString() });
      const portOf = new Map(configured.map((c) => [c.label, c.port]));
      const slots = [...bySlot.values()]
        .map((s) => ({ ...s, port: portOf.get(s.slot) ?? (s.slot.startsWith('usb-') ? s.slot.slice(4) : null) }))
        .sort((a, b) => a.slot.localeCompare(b.slot, 'en', { numeric: true }));
      const out = {
        daemon: daemon ? { pid: daemon.pid, startedAt: daemon.startedAt, docks: daemon.docks, warnings: daemon.warnings } : null,
        mount: config.docks.mount,
        mediaRoot: config.docks.media_root,
        wipe: config.docks.wipe,
        slots,
      };
      if (opts.json) return printJson(out);
      const w = process.stdout;
      w.write(daemon ? `daemon running (pid ${daemon.pid}); mount policy ${config.docks.mount}; wipe ${config.docks.wipe ? 'on' : 'off'}\n` : 'daemon: not running (slots below are the configured ones)\n');
      for (const warning of daemon?.warnings ?? []) w.write(`warning: ${forTerminal(warning)}\n`);
      if (!slots.length) {
        w.write('no slots yet: configure [docks.slots] or plug a recorder in\n');
        return;
      }
      w.write(table(['slot', 'port', 'state', 'recorder', 'progress', 'since', 'message'], slots.map((s) => [s.slot, s.port ?? '', s.state, s.recorderId ?? '', progress(s), s.since, s.message ?? ''])));
    });
}
