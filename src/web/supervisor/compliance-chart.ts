// Per-officer compliance as an SVG bar chart: median hours from recording to held per officer,
// with the Art. 10 line at 2 working days (48 h at the least; a weekend or holiday in between
// gives more, which the on-time/late counts beside each bar account for).
import type { OfficerCompliance } from '../../rules/index.js';
import { esc } from './layout.js';

const DEADLINE_HOURS = 48;
const ROW = 34;
const LEFT = 150;
const WIDTH = 760;
const TOP = 34;

export function complianceChart(rows: readonly OfficerCompliance[]): string {
  const max = Math.max(DEADLINE_HOURS * 1.5, ...rows.map((r) => r.medianHoursToHeld ?? 0)) * 1.05;
  const plot = WIDTH - LEFT - 150;
  const x = (h: number) => LEFT + (h / max) * plot;
  const height = TOP + rows.length * ROW + 30;
  const bars = rows
    .map((r, i) => {
      const y = TOP + i * ROW;
      const h = r.medianHoursToHeld;
      const over = h !== null && h > DEADLINE_HOURS;
      const bar = h === null ? '' : `<rect class="${over ? 'bar late' : 'bar'}" x="${LEFT}" y="${y + 6}" width="${Math.max(1, x(h) - LEFT).toFixed(1)}" height="${ROW - 12}"><title>${esc(r.officer ?? '?')}: ${h} h</title></rect>`;
      return `<text class="label" x="${LEFT - 8}" y="${y + ROW / 2 + 5}" text-anchor="end">${esc(r.officer ?? '(未知 unknown)')}</text>
${bar}<text class="value" x="${(h === null ? LEFT : x(h)) + 6}" y="${y + ROW / 2 + 5}">${h === null ? '—' : `${h} h`} · ${r.onTime}✓ ${r.late}✗${r.unknown ? ` ${r.unknown}?` : ''}</text>`;
    })
    .join('\n');
  const line = x(DEADLINE_HOURS).toFixed(1);
  return `<svg class="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">每位民警从录制到入库的中位小时数 Median hours from recording to held, per officer</title>
${bars}
<line class="deadline" x1="${line}" y1="${TOP - 8}" x2="${line}" y2="${height - 24}"/>
<text class="deadline-label" x="${line}" y="${TOP - 14}" text-anchor="middle">2 个工作日 2 working days (≥ 48 h)</text>
<text class="axis" x="${LEFT}" y="${height - 6}">0 h</text>
<text class="axis" x="${LEFT + plot}" y="${height - 6}" text-anchor="end">${Math.round(max)} h</text>
</svg>`;
}
