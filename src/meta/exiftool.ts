// The one place evidock uses exiftool (through exiftool-vendored): one shared, lazily started
// instance, read-only use, `-api largefilesupport=1` so files over 2 GB are read, and ended
// on shutdown (endExifTool) so no perl child outlives the daemon or a test.
import { ExifTool } from 'exiftool-vendored';

/** Tags as exiftool prints them with -G1 -n: "IFD0:Make", "Keys:CreationTime", ... */
export type RawTags = Record<string, unknown>;

/** What meta/ needs from exiftool; a test or another backend can stand in for it. */
export interface TagReader {
  readTags(path: string): Promise<RawTags>;
}

const READ_ARGS = ['-G1', '-n', '-fast', '-api', 'largefilesupport=1'];

let shared: ExifTool | null = null;

function instance(): ExifTool {
  if (!shared) {
    shared = new ExifTool({
      // Two readers: one file's tags are read while another's are parsed (2-core docks).
      maxProcs: 2,
      // A recorder's files are read once each; retire the perl process now and then anyway.
      maxTasksPerProcess: 2000,
      taskTimeoutMillis: 30_000,
      readArgs: READ_ARGS,
      // We do our own time-zone reading (station zone for zone-less times).
      backfillTimezones: false,
    });
  }
  return shared;
}

/** Reads every tag of one file; rejects if exiftool cannot (missing file, ...). */
export async function readExifTags(path: string): Promise<RawTags> {
  return (await instance().readRaw(path, { readArgs: READ_ARGS })) as RawTags;
}

export const exifTagReader: TagReader = { readTags: readExifTags };

/** Ends the shared exiftool process(es). Safe to call more than once; a later read starts anew. */
export async function endExifTool(): Promise<void> {
  const et = shared;
  shared = null;
  if (et) await et.end(true);
}

/** Process ids of running exiftool children (for leak checks). */
export function exiftoolPids(): number[] {
  return shared ? shared.pids : [];
}
