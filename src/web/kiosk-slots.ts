// What the kiosk shows per dock slot: the daemon's live slots (the same in-process state that
// the status file and `evidock docks` show) plus the configured slots nobody is in, in dock
// order, with the officer the recorder is assigned to. No file paths: only what the dock shows.
import type { Config } from '../config.js';
import type { SlotStatus } from '../daemon/status-file.js';
import type { OfficerOnTile } from './officer-on-recorder.js';

export interface KioskTile {
  slot: string;
  state: SlotStatus['state'];
  since: string;
  recorder: string | null;
  officer: OfficerOnTile | null;
  fileIndex: number | null;
  fileCount: number | null;
  bytesDone: number | null;
  bytesTotal: number | null;
  etaSeconds: number | null;
  held: number | null;
  failed: number | null;
  message: string | null;
}

export function kioskTiles(live: readonly SlotStatus[], config: Config, officerOf: (recorder: string | null | undefined) => OfficerOnTile | null, startedAt: string): KioskTile[] {
  const bySlot = new Map(live.map((s) => [s.slot, s]));
  for (const label of Object.values(config.docks.slots)) if (!bySlot.has(label)) bySlot.set(label, { slot: label, state: 'empty', since: startedAt });
  return [...bySlot.values()]
    .sort((a, b) => a.slot.localeCompare(b.slot, 'en', { numeric: true }))
    .map((s) => {
      const busy = s.state !== 'empty';
      return {
        slot: s.slot,
        state: s.state,
        since: s.since,
        recorder: busy ? (s.recorderId ?? null) : null,
        officer: busy ? officerOf(s.recorderId) : null,
        fileIndex: s.fileIndex ?? null,
        fileCount: s.fileCount ?? null,
        bytesDone: s.bytesDone ?? null,
        bytesTotal: s.bytesTotal ?? null,
        etaSeconds: s.etaSeconds ?? null,
        held: s.held ?? null,
        failed: s.failed ?? null,
        message: busy ? (s.message ?? null) : null,
      };
    });
}
