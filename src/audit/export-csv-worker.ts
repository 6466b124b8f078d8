// Worker thread of a log export: writes entries.csv from its own read-only connection to the
// catalog while the export's main thread writes the JSONL and the leaf hashes (station.ts).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { writeCsvFile } from './export.js';
import { exportEntries } from './export-rows.js';

const { catalog, start, end, file } = workerData as { catalog: string; start: number; end: number; file: string };
const db = new Database(catalog, { readonly: true, fileMustExist: true });
try {
  parentPort!.postMessage({ sha256: writeCsvFile(file, exportEntries(db, start, end, { columns: true })) });
} finally {
  db.close();
}
