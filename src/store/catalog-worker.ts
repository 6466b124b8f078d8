// A task on a worker thread with its own read-only handle to the catalog (a handle cannot cross
// threads). The task is a module of another room whose default export takes (db, args); the
// handle is opened here, so the catalog stays the only place that opens SQLite.
import { parentPort, workerData } from 'node:worker_threads';
import { openCatalog } from './catalog.js';

const { catalog, task, args } = workerData as { catalog: string; task: string; args: unknown };
const db = openCatalog(catalog, { readonly: true });
try {
  const run = (await import(task)).default as (db: unknown, args: unknown) => unknown;
  parentPort!.postMessage(await run(db, args));
} finally {
  db.close();
}
