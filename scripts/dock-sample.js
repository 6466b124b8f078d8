#!/usr/bin/env node
// Dock a sample recorder without hardware: copy a fixture recorder next to the docks folder,
// then rename it in, the way a mount appears all at once. Run it while `npm start` runs.
//   npm run dock:sample                 -> docks fixture recorder 1234567
//   npm run dock:sample -- 7654321      -> another fixture recorder
//   npm run dock:sample -- --undock 1234567
// Uses --home DIR, else $EVIDOCK_HOME, else ./var (the daemon's default).
// The sample recordings were made in March 2026 (see RECORDED_ON): held today, they are late
// under Art. 10, and the script says so, so that the daemon's lateness warnings surprise no one.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** When each fixture recorder's recordings were made (their file names and metadata say so). */
const RECORDED_ON = { 1234567: '2026-03-15', 7654321: '2026-03-15', A9K3F20: '2026-03-16' };

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let home = process.env.EVIDOCK_HOME ?? 'var';
let undock = false;
const ids = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--home') home = args[++i];
  else if (args[i] === '--undock') undock = true;
  else ids.push(args[i]);
}
home = path.resolve(home);
const fixtures = path.join(repo, 'fixtures', 'recorders');
const available = readdirSync(fixtures).filter((n) => !n.startsWith('.') && !n.endsWith('.md'));
const id = ids[0] ?? '1234567';
if (!available.includes(id)) {
  console.error(`no fixture recorder "${id}"; choose one of: ${available.join(', ')}`);
  process.exit(2);
}
const docks = path.join(home, 'docks');
const docked = path.join(docks, id);
const parked = path.join(home, 'undocked', id);
if (!existsSync(docks)) {
  console.error(`${docks} does not exist: start the daemon first (npm start), or pass --home`);
  process.exit(2);
}
if (undock) {
  if (!existsSync(docked)) {
    console.error(`recorder ${id} is not docked`);
    process.exit(2);
  }
  mkdirSync(path.dirname(parked), { recursive: true });
  rmSync(parked, { recursive: true, force: true });
  renameSync(docked, parked);
  console.log(`undocked ${id} (parked in ${parked})`);
} else {
  if (existsSync(docked)) {
    console.error(`recorder ${id} is already docked at ${docked}; undock it first with --undock ${id}`);
    process.exit(2);
  }
  if (!existsSync(parked)) {
    mkdirSync(path.dirname(parked), { recursive: true });
    cpSync(path.join(fixtures, id), parked, { recursive: true, preserveTimestamps: true });
  }
  renameSync(parked, docked);
  console.log(`docked sample recorder ${id} at ${docked}; watch the daemon's log, then run: evidock status`);
  const made = RECORDED_ON[id];
  if (made) {
    console.log(
      `note: these sample recordings were made on ${made}. Art. 10 wants a recording held within 2 working days,\n` +
        `so held today they are flagged late ("held after the Art. 10 deadline"): that is expected for the samples.`,
    );
  }
}
