// One campaign's row of the README's Reliability table: printed, and appended (JSON lines) to
// $EVIDOCK_CAMPAIGN_RESULTS when `npm run campaign` collects the table; and the counting every
// campaign shares (what was held against what the cards had).
import { spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { heldOriginals } from '../../helpers/evidock.js';

export interface CampaignRow {
  campaign: string;
  runs: number;
  /** Faults injected (kills, stops, unplugs, errors, stalls ...). */
  faults: number;
  lost: number;
  duplicated: number;
  /** Torn or half-held originals (a held object whose bytes are no whole file of the card). */
  torn: number;
}

export const TABLE_HEAD = '| campaign | runs | faults injected | files lost | duplicates | torn or half-held |\n|---|---|---|---|---|---|';

export function rowText(r: CampaignRow): string {
  return `| ${r.campaign} | ${r.runs} | ${r.faults} | ${r.lost} | ${r.duplicated} | ${r.torn} |`;
}

export function recordCampaignRow(row: CampaignRow): void {
  console.log(`\n${TABLE_HEAD}\n${rowText(row)}\n`);
  const file = process.env.EVIDOCK_CAMPAIGN_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** A file a card had: its path on the card, digest and size. */
export interface CardFile {
  path: string;
  sha256: string;
  size: number;
}

/** Every digest a card written by this process holds: no two cards of a campaign share bytes. */
const written = new Set<string>();

/**
 * Write a card of random files (path -> size) under `dir`; what it holds. Every file's bytes are
 * new to this process: a campaign counts each card's files as held once, by digest, so two cards
 * sharing a file (a 1-byte file has only 256 contents) would be "already held" by design, not by
 * a fault. Throws when a size has no unused content left.
 */
export function writeCard(dir: string, sizes: Record<string, number>): CardFile[] {
  return Object.entries(sizes).map(([p, size]) => {
    let data: Buffer;
    let sha256: string;
    for (let tries = 0; ; tries++) {
      data = randomBytes(size);
      sha256 = createHash('sha256').update(data).digest('hex');
      if (!written.has(sha256)) break;
      if (tries >= 10_000) throw new Error(`writeCard: no unused content of ${size} byte(s) left for ${p}`);
    }
    written.add(sha256);
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), data);
    return { path: p, sha256, size };
  });
}

export interface HeldCount {
  /** Files of the cards not held. */
  lost: number;
  /** Held twice (two originals with one digest). */
  duplicated: number;
  /** Held originals whose bytes are no whole file of any card. */
  torn: number;
  held: number;
}

/** Count a home's held originals against every file the cards had (no catalog yet: nothing held). */
export function countHeld(home: string, files: CardFile[]): HeldCount {
  const held = existsSync(path.join(home, 'catalog.sqlite')) ? heldOriginals(home) : [];
  const heldShas = new Set(held.map((o) => o.sha256));
  return {
    lost: files.filter((f) => !heldShas.has(f.sha256)).length,
    duplicated: held.length - heldShas.size,
    torn: held.filter((o) => !files.some((f) => f.sha256 === o.sha256 && f.size === o.size)).length,
    held: held.length,
  };
}

/** Entries left in the home's staging folder. */
export function stagingLeft(home: string): string[] {
  const staging = path.join(home, 'staging');
  return existsSync(staging) ? readdirSync(staging) : [];
}

/** The size of the staged copy of a card file named `name` (its content file in staging), or -1. */
export function stagedBytes(home: string, name: string): number {
  const walk = (dir: string): number => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return -1; // removed while looking
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        const n = walk(p);
        if (n >= 0) return n;
      } else if (e.name === name && p.includes(`${path.sep}content${path.sep}`)) {
        try {
          return statSync(p).size;
        } catch {
          return -1;
        }
      }
    }
    return -1;
  };
  return walk(path.join(home, 'staging'));
}

/** Poll `get` until it gives a value (every `everyMs`); throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, get: () => T | undefined | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Take every free block of the filesystem at `dir` (fallocate, then small writes for the rest); the files made. */
export function fillUp(dir: string): string[] {
  const made: string[] = [];
  for (let i = 0; i < 64; i++) {
    const s = statfsSync(dir);
    const free = s.bfree * s.bsize;
    if (free < 4096) break;
    const f = path.join(dir, `filler-${i}`);
    // A file of all the free space may not fit its own extent blocks: ask for less until it fits.
    for (let ask = free; ask >= 4096; ask = Math.floor(ask / 2 / 4096) * 4096)
      if (spawnSync('fallocate', ['-l', String(ask), f]).status === 0) break;
    made.push(f);
  }
  return made;
}
