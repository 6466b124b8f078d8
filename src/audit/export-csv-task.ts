// The CSV half of a log export, run on a worker thread with its own read-only catalog handle
// (store/catalog-worker.ts) while the export's main thread writes the JSONL and the leaf hashes.
import type Database from 'better-sqlite3';
import { writeCsvFile } from './export.js';
import { exportEntries } from './export-rows.js';

export default function writeExportCsv(db: Database.Database, args: { start: number; end: number; file: string }): string {
  return writeCsvFile(args.file, exportEntries(db, args.start, args.end, { columns: true }));
}
