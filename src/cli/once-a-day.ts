// Some warnings (next year's holiday schedule is missing) matter once a day, not on every command:
// <home>/run/said-today.json remembers, per warning, the station date it was last printed on.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Home } from '../home.js';

/** Today's date (YYYY-MM-DD) in a time zone. */
export function dateIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** True the first time it is asked about `text` on `today`; records the asking. Never throws. */
export function firstTimeToday(home: Home, text: string, today: string): boolean {
  const file = path.join(home.dir, 'run', 'said-today.json');
  let said: Record<string, string> = {};
  try {
    said = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    /* first time, or unreadable: say it */
  }
  if (said[text] === today) return false;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const kept = Object.fromEntries(Object.entries(said).filter(([, day]) => day === today));
    writeFileSync(file, JSON.stringify({ ...kept, [text]: today }) + '\n');
  } catch {
    /* a read-only home (an auditor's copy): say it every time rather than fail */
  }
  return true;
}
