// A torn last journal line (an append cut short by a full disk) never stops the journal: the next
// command sets the torn bytes aside in a named file, cuts them, warns, and the journal goes on.
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFixtureRecorder, runCli, tempDir } from './helpers/evidock.js';

describe('a torn last line in the audit journal', () => {
  const tmp = tempDir('evidock-journal-torn-');
  afterAll(() => tmp.cleanup());

  /** A home with one ingest done; returns it and its newest journal file. */
  function homeWithJournal(name: string): { home: string; journal: string; file: string } {
    const home = path.join(tmp.dir, name);
    const r = runCli(['--home', home, 'ingest', copyFixtureRecorder('1234567', path.join(tmp.dir, `${name}-card1`)), '--recorder', 'R1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const journal = path.join(home, 'journal');
    const days = readdirSync(journal).filter((n) => n.endsWith('.jsonl')).sort();
    return { home, journal, file: days[days.length - 1] };
  }

  /** Every line of every journal file parses and the seqs run 0, 1, 2, ... */
  function expectWholeJournal(journal: string): number {
    let expectSeq = 0;
    for (const name of readdirSync(journal).filter((n) => n.endsWith('.jsonl')).sort()) {
      const text = readFileSync(path.join(journal, name), 'utf8');
      expect(text.endsWith('\n'), name).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) expect((JSON.parse(line) as { seq: number }).seq).toBe(expectSeq++);
    }
    return expectSeq;
  }

  it.each([
    ['bytes after the last newline', '{"actor":"evidock","at":"2026-'],
    ['a last line that is not JSON', '{"actor":"evidock","at":"2026-\n'],
  ])('%s: set aside in <day>.jsonl.torn-at-<byte>, cut with a warning; the next ingest and catalog check succeed', (_what, torn) => {
    const { home, journal, file } = homeWithJournal(torn.endsWith('\n') ? 'nl' : 'plain');
    const before = readFileSync(path.join(journal, file));
    const entries = expectWholeJournal(journal);
    appendFileSync(path.join(journal, file), torn); // what a full disk mid-append leaves

    const r = runCli(['--home', home, 'ingest', copyFixtureRecorder('7654321', path.join(tmp.dir, `${file}-${torn.length}-card2`)), '--recorder', 'R2', '--json']);
    expect(r.stderr).not.toMatch(/Unexpected end of JSON input/);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).held).toBeGreaterThan(0);
    expect(r.stderr).toContain(`journal ${file}: a torn last line of ${Buffer.byteLength(torn)} bytes at byte ${before.length}`);

    const aside = path.join(journal, `${file}.torn-at-${before.length}`);
    expect(readFileSync(aside, 'utf8'), 'the torn bytes are kept, exactly').toBe(torn);
    expect(readFileSync(path.join(journal, file)).subarray(0, before.length).equals(before)).toBe(true);
    expect(expectWholeJournal(journal)).toBeGreaterThan(entries); // the journal went on after the cut

    const check = runCli(['--home', home, 'catalog', 'check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });
});
