// The log against its witnesses (the comparison `log verify --bucket` runs, here on a real home
// and catalog without a bucket): journal days witnessed must be there byte for byte; a witnessed
// checkpoint must verify with the station's key; a local-backend station has no bucket to ask.
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationVerifier } from '../src/audit/keys.js';
import { compareWithWitnesses, filesToWitness, type LogWitnessFile } from '../src/audit/witness.js';
import { readyHome, runCli, tempDir } from './helpers/evidock.js';

describe('the log against its witnesses', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  let db: Database.Database;
  let stationId: string;
  beforeAll(() => {
    readyHome(home, ['1234567']);
    expect(runCli(['--home', home, 'log', 'checkpoint']).code).toBe(0);
    db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    stationId = checkpointFile().bytes.toString('utf8').split('\n')[0]; // the checkpoint's origin line
  });
  afterAll(() => {
    db?.close();
    tmp.cleanup();
  });

  const verifier = () => {
    const k = stationVerifier(home, stationId);
    if ('problem' in k) throw new Error(k.problem);
    return k.verifier;
  };
  const checkpointFile = (): LogWitnessFile => {
    const name = readdirSync(path.join(home, 'checkpoints')).find((n) => n.endsWith('.checkpoint'))!;
    return { kind: 'checkpoint', name, bytes: readFileSync(path.join(home, 'checkpoints', name)) };
  };
  const journalDay = (): LogWitnessFile => {
    const name = readdirSync(path.join(home, 'journal')).find((n) => n.endsWith('.jsonl'))!;
    return { kind: 'journal', name, bytes: readFileSync(path.join(home, 'journal', name)) };
  };

  it('agrees with its own checkpoint and journal; today\'s open journal day is not witnessed yet', () => {
    expect(filesToWitness(home).map((f) => f.kind)).toEqual(['checkpoint']);
    const r = compareWithWitnesses(db, home, verifier(), stationId, [checkpointFile(), journalDay()]);
    expect(r).toMatchObject({ ok: true, checkpoints: 1, journalDays: 1, problems: [] });
  });

  it('a journal day that differs from its witness, or is gone, is named', () => {
    const day = journalDay();
    const longer = { ...day, bytes: Buffer.concat([day.bytes, Buffer.from('{"seq":999}\n')]) };
    const gone = { ...day, name: '2020-01-01.jsonl' };
    const r = compareWithWitnesses(db, home, verifier(), stationId, [longer, gone]);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.stringMatching(new RegExp(`^journal day ${day.name} differs from its witnessed copy \\(${longer.bytes.length} bytes witnessed, ${day.bytes.length} here\\)`)),
      expect.stringMatching(/^witnessed journal day 2020-01-01\.jsonl is missing from /),
    ]);
  });

  it('a witnessed checkpoint with a changed signature or size does not count as a witness', () => {
    const cp = checkpointFile();
    const text = cp.bytes.toString('utf8');
    const lines = text.split('\n');
    lines[1] = String(Number(lines[1]) + 5); // the size line: the signature no longer covers it
    const r = compareWithWitnesses(db, home, verifier(), stationId, [{ ...cp, bytes: Buffer.from(lines.join('\n')) }]);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.stringMatching(/^witnessed checkpoint .* does not verify with the station's key/)]);
  });

  it('log verify --bucket on a local-backend station is a usage error naming why', () => {
    const r = runCli(['--home', home, 'log', 'verify', '--bucket']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/local backend .* has no bucket of witnesses/);
    expect(runCli(['--home', home, 'log', 'verify']).code).toBe(2);
  });
});
