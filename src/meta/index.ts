// The meta room: reading recordings (exiftool, ffprobe), file-name conventions, attribution.
// Depends on nothing else of evidock's.
export * from './attribution.js';
export * from './filename.js';
export * from './recording.js';
export { formatUtc, parseDateTimeText } from './time.js';
export { endExifTool, exiftoolPids } from './exiftool.js';
export { endFfprobe, ffprobePids } from './ffprobe.js';
export { helperSpawnerPid, startHelperSpawner } from './spawner.js';

import { endExifTool } from './exiftool.js';
import { endFfprobe } from './ffprobe.js';
import { stopHelperSpawner } from './spawner.js';

/** Ends every child process meta/ started (exiftool, ffprobe, the spawner). Call on shutdown and in tests. */
export async function endMetadataReaders(): Promise<void> {
  endFfprobe();
  await endExifTool();
  await stopHelperSpawner();
}
