// The audit log against its witnesses (copies the station cannot take back, e.g. in an Object
// Lock bucket): which of the home's files are due to be witnessed, and whether the local log
// still extends every witnessed checkpoint and still holds every witnessed journal day byte for
// byte. A log shorter than a witness, or with another root at a witnessed size, is a rollback or
// a fork of the whole home.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { CheckpointError, openCheckpoint } from './checkpoint.js';
import { journalFiles } from './journal.js';
import { journalDir } from './log.js';
import { keyForNote, type KeyAtSize } from './rebuild.js';
import { auditTree, treeSize } from './tree-store.js';
import { checkpointsDir } from './station.js';

type Db = Database.Database;

export interface LogWitnessFile {
  kind: 'checkpoint' | 'journal';
  name: string;
  bytes: Buffer;
}

/** Every signed checkpoint file, and every sealed (read-only) journal day of the home. */
export function filesToWitness(homeDir: string): LogWitnessFile[] {
  const out: LogWitnessFile[] = [];
  const cps = checkpointsDir(homeDir);
  if (existsSync(cps)) {
    for (const name of readdirSync(cps).filter((n) => n.endsWith('.checkpoint')).sort()) out.push({ kind: 'checkpoint', name, bytes: readFileSync(path.join(cps, name)) });
  }
  const jdir = journalDir(homeDir);
  for (const name of journalFiles(jdir)) {
    const file = path.join(jdir, name);
    if ((statSync(file).mode & 0o222) === 0) out.push({ kind: 'journal', name, bytes: readFileSync(file) });
  }
  return out;
}

export interface WitnessComparison {
  ok: boolean;
  localSize: number;
  checkpoints: number;
  journalDays: number;
  /** The largest log size a witness vouches for. */
  newestWitnessedSize: number;
  problems: string[];
}

/** Compares the home's log with its witnesses; never changes anything. */
export function compareWithWitnesses(db: Db, homeDir: string, verifier: KeyAtSize, origin: string, witnessed: readonly LogWitnessFile[]): WitnessComparison {
  const localSize = treeSize(db);
  const problems: string[] = [];
  let checkpoints = 0;
  let journalDays = 0;
  let newest = 0;
  for (const w of witnessed) {
    if (w.kind === 'checkpoint') {
      checkpoints++;
      let cp;
      try {
        cp = openCheckpoint(w.bytes, keyForNote(verifier, w.bytes), origin);
      } catch (err) {
        if (err instanceof CheckpointError) {
          problems.push(`witnessed checkpoint ${w.name} does not verify with the station's key: ${err.message}`);
          continue;
        }
        throw err;
      }
      newest = Math.max(newest, cp.size);
      if (cp.size > localSize) {
        problems.push(`witnessed checkpoint ${w.name} vouches for ${cp.size} log entries; the local log has only ${localSize}: entries were removed (the home was rolled back or replaced)`);
      } else if (!auditTree(db, localSize).root(cp.size).equals(cp.root)) {
        problems.push(`witnessed checkpoint ${w.name}: the local log's first ${cp.size} entries have another root than the witnessed one: the history was rewritten (a fork)`);
      }
    } else {
      journalDays++;
      const file = path.join(journalDir(homeDir), w.name);
      if (!existsSync(file)) problems.push(`witnessed journal day ${w.name} is missing from ${journalDir(homeDir)}`);
      else if (!readFileSync(file).equals(w.bytes)) problems.push(`journal day ${w.name} differs from its witnessed copy (${w.bytes.length} bytes witnessed, ${statSync(file).size} here)`);
    }
  }
  return { ok: problems.length === 0, localSize, checkpoints, journalDays, newestWitnessedSize: newest, problems };
}
