// The one place evidock uses exiftool (through exiftool-vendored): one shared, lazily started
// instance, read-only use, `-api largefilesupport=1` so files over 2 GB are read, and ended
// on shutdown (endExifTool). A perl child also ends by itself within a second or two when its
// parent dies (SIGKILL, crash): exiftool -stay_open would otherwise poll a closed stdin forever.
import type { ChildProcess } from 'node:child_process';
import { yieldToIngest } from './helper-priority.js';
import { startHelper } from './spawner.js';
import type { ExifTool } from 'exiftool-vendored';

// Loaded on first read, not at start: the library takes over half a second of CPU to load, which
// every command that never reads a tag would otherwise pay.
let vendored: Promise<typeof import('exiftool-vendored')> | undefined;
const loadVendored = () => (vendored ??= import('exiftool-vendored'));

/** Tags as exiftool prints them with -G1 -n: "IFD0:Make", "Keys:CreationTime", ... */
export type RawTags = Record<string, unknown>;

/** What meta/ needs from exiftool; a test or another backend can stand in for it. */
export interface TagReader {
  readTags(path: string): Promise<RawTags>;
}

const READ_ARGS = ['-G1', '-n', '-fast', '-api', 'largefilesupport=1'];

/** exiftool's own launch arguments, as exiftool-vendored passes them. */
const STAY_OPEN_ARGS = ['-stay_open', 'True', '-@', '-'];

/**
 * Perl run before the exiftool script: once a second it checks that the process that started it
 * is still its parent, and exits when it is not. SA_RESTART keeps the alarm from cutting
 * exiftool's read of its argument pipe short (it would take that for an error and quit), and a
 * "safe" handler runs between Perl operations, never inside one. Then it runs exiftool (named by
 * its first argument) as if started directly, so exiftool finds its lib/ beside it.
 */
const DIE_WITH_PARENT = [
  'use POSIX ();',
  'my $parent = getppid();',
  'my $check = POSIX::SigAction->new(sub { POSIX::_exit(0) if getppid() != $parent; alarm 1; }, POSIX::SigSet->new, POSIX::SA_RESTART());',
  '$check->safe(1);',
  'POSIX::sigaction(POSIX::SIGALRM(), $check);',
  'alarm 1;',
  '$0 = shift @ARGV;',
  'do $0; die $@ if $@;',
].join(' ');

/**
 * Starts one exiftool helper (through the helper spawner, see spawner.ts) that dies with the
 * process that started it (see DIE_WITH_PARENT). exiftool-vendored uses of it what a ChildProcess
 * has: its pid, pipes, exit events, kill and unref.
 */
async function spawnHelper(): Promise<ChildProcess> {
  const script = await (await loadVendored()).exiftoolPath();
  const helper = await startHelper('perl', ['-e', DIE_WITH_PARENT, script, ...STAY_OPEN_ARGS], { ...process.env, LANG: 'C' });
  yieldToIngest(helper.pid);
  return helper as unknown as ChildProcess;
}

let shared: ExifTool | null = null;

/** Reads waiting on each instance: failed when its exiftool cannot start, or when it is ended. */
const pendingReads = new WeakMap<ExifTool, Set<(err: Error) => void>>();
const failPendingReads = (et: ExifTool, why: Error) => {
  for (const fail of [...(pendingReads.get(et) ?? [])]) fail(why);
};

async function instance(): Promise<ExifTool> {
  const { ExifTool } = await loadVendored();
  if (!shared) {
    const et = (shared = new ExifTool({
      // Two readers: one file's tags are read while another's are parsed (2-core docks).
      maxProcs: 2,
      // A recorder's files are read once each; retire the perl process now and then anyway.
      maxTasksPerProcess: 2000,
      taskTimeoutMillis: 30_000,
      readArgs: READ_ARGS,
      // We do our own time-zone reading (station zone for zone-less times).
      backfillTimezones: false,
      processFactory: spawnHelper,
    }));
    // A perl that will not run exiftool (missing, broken) would leave every read waiting for a
    // process that never starts, and nothing else keeps evidock running: it would end silently.
    et.on('startError', (err: unknown) => {
      if (shared === et) shared = null;
      void et.end(false).catch(() => undefined);
      const why = new Error(`exiftool could not start (${err instanceof Error ? err.message : String(err)}); check that perl runs exiftool on this station`);
      failPendingReads(et, why);
    });
    pendingReads.set(et, new Set());
  }
  return shared;
}

/** Reads every tag of one file; rejects if exiftool cannot (missing file, exiftool not starting, ...). */
export async function readExifTags(path: string): Promise<RawTags> {
  const et = await instance();
  let fail!: (err: Error) => void;
  const givenUp = new Promise<never>((_, reject) => (fail = reject));
  const pending = pendingReads.get(et)!;
  pending.add(fail);
  // exiftool's own handles may all be unreferenced between its start tries: this keeps evidock
  // running until the read ends or a start error fails it
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    return (await Promise.race([et.readRaw(path, { readArgs: READ_ARGS }), givenUp])) as RawTags;
  } finally {
    clearInterval(keepAlive);
    pending.delete(fail);
  }
}

export const exifTagReader: TagReader = { readTags: readExifTags };

/** Ends the shared exiftool process(es). Safe to call more than once; a later read starts anew. */
export async function endExifTool(): Promise<void> {
  const et = shared;
  shared = null;
  if (!et) return;
  await et.end(true);
  // The reads it had queued but not yet given to a process never settle (batch-cluster drops
  // them), and each keeps evidock running: they fail instead.
  failPendingReads(et, new Error("exiftool was ended before this file's tags were read"));
}

/** Process ids of running exiftool children (for leak checks). */
export function exiftoolPids(): number[] {
  return shared ? shared.pids : [];
}
