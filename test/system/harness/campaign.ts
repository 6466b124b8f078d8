// One campaign's row of the README's Reliability table: printed, and appended (JSON lines) to
// $EVIDOCK_CAMPAIGN_RESULTS when `npm run campaign` collects the table.
import { appendFileSync } from 'node:fs';

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
