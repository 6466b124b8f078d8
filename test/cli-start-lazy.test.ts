// A command loads only the libraries it uses: the S3 SDK, pdfkit and exiftool-vendored each take
// from half a second to a second of CPU to load, so a local-backend station's `evidock ingest`
// never loads the S3 SDK or pdfkit, and `evidock list` loads none of the three. Observed from
// outside: a preloaded script prints, as the command exits, which of them Node loaded.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFixtureRecorder, initHome, runCli, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-cli-lazy-');
afterAll(() => tmp.cleanup());

const HEAVY = ['@aws-sdk/client-s3', 'pdfkit', 'exiftool-vendored'];
const probe = path.join(tmp.dir, 'loaded-probe.cjs');
writeFileSync(
  probe,
  `process.on('exit', () => {
  if (/spawner-child\.js$/.test(process.argv[1] ?? '')) return; // evidock's helper spawner, not the command
  const loaded = ${JSON.stringify(HEAVY)}.filter((name) => Object.keys(require.cache).some((f) => f.includes('/node_modules/' + name + '/')));
  process.stderr.write('LOADED ' + JSON.stringify(loaded) + '\\n');
});\n`,
);

function loadedBy(args: string[]): { code: number | null; loaded: string[]; stderr: string } {
  const r = runCli(args, { env: { NODE_OPTIONS: `--require ${probe}` } });
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  return { code: r.code, loaded: line ? (JSON.parse(line.slice(7)) as string[]) : ['(no probe line)'], stderr: r.stderr };
}

describe('each command loads only the libraries it uses', () => {
  const home = path.join(tmp.dir, 'home');
  it('ingest on the local backend reads tags with exiftool, and never loads the S3 SDK or pdfkit', () => {
    initHome(home);
    const card = copyFixtureRecorder('1234567', path.join(tmp.dir, '1234567'));
    const r = loadedBy(['--home', home, 'ingest', card, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.loaded).toEqual(['exiftool-vendored']);
  });

  it('list loads none of them', () => {
    const r = loadedBy(['--home', home, 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.loaded).toEqual([]);
  });
});
