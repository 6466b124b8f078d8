// Worker thread of the local backend's full check (`evidock verify --jobs N`): re-hashes the objects it is sent, one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { CopyBuffers } from '../hash/copy.js';
import { fullCheckObject } from './local-verify.js';
import type { OriginalRow } from './records.js';

const { storeRoot } = workerData as { storeRoot: string };
const buffers = new CopyBuffers(8 * 1024 * 1024);
parentPort!.on('message', (row: OriginalRow) => {
  fullCheckObject(storeRoot, row, buffers).then(
    (r) => parentPort!.postMessage(r),
    (err) => parentPort!.postMessage({ changed: [{ evidenceNumber: row.evidence_number, objectPath: row.object_path, file: row.content_path, problem: `unreadable: ${(err as Error).message}` }], bytes: 0 }),
  );
});
