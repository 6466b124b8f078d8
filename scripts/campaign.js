// `npm run campaign [-- --full]`: run the reliability campaigns (test/system/*-campaign.test.ts,
// real processes and mounts; root and FUSE needed, else they skip loudly) and print the README's
// Reliability table from the rows they record. Short versions by default (the ones every test
// run includes); --full runs the long ones. Exit 1 if a campaign failed or any count is not 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const full = process.argv.includes('--full');
const dir = mkdtempSync(path.join(tmpdir(), 'evidock-campaign-'));
const results = path.join(dir, 'rows.jsonl');
let code = 1;
try {
  code = campaigns();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);

function campaigns() {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) return build.status ?? 1;
  const run = spawnSync('npx', ['vitest', 'run', '--project', 'main', '-campaign.test.ts'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, EVIDOCK_CAMPAIGN_RESULTS: results, ...(full ? { EVIDOCK_CAMPAIGN_FULL: '1' } : {}) },
  });
  const rows = existsSync(results)
    ? readFileSync(results, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  const out = ['', `Reliability campaigns (${full ? 'full' : 'short'} versions):`, '', '| campaign | runs | faults injected | files lost | duplicates | torn or half-held |', '|---|---|---|---|---|---|'];
  for (const r of rows) out.push(`| ${r.campaign} | ${r.runs} | ${r.faults} | ${r.lost} | ${r.duplicated} | ${r.torn} |`);
  if (!rows.length) out.push('(no campaign ran: see the SKIPPING lines above)');
  process.stdout.write(`${out.join('\n')}\n`);
  const bad = rows.some((r) => r.lost || r.duplicated || r.torn);
  return run.status !== 0 || bad ? 1 : 0;
}
