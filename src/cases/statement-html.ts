// The case statement as one self-contained HTML page (UTF-8, zh-CN), every value escaped.
import type { CaseStatement } from './statement.js';
import { LABELS, methodText } from './statement-labels.js';

function esc(v: unknown): string {
  return String(v ?? '—').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function row(label: string, value: unknown, mono = false): string {
  return `<tr><th>${esc(label)}</th><td${mono ? ' class="mono"' : ''}>${esc(value)}</td></tr>`;
}

export function statementHtml(s: CaseStatement): string {
  const head = [
    row(LABELS.caseRef, s.case.ref),
    row(LABELS.caseTitle, s.case.title),
    row(LABELS.actionEnded, s.case.actionEnded),
    row(LABELS.due, s.case.due),
    row(LABELS.officers, s.case.officers.map((o) => `${o.number} ${o.name ?? ''}`.trim()).join('、')),
    row(LABELS.station, `${s.station.name || s.station.id} (${s.station.id})`),
    row(LABELS.generatedAt, s.generatedAt),
    row(LABELS.keyFingerprint, s.keyFingerprint, true),
    row(LABELS.verifierKey, s.verifierKey, true),
  ].join('\n');
  const items = s.recordings
    .map(
      (r, i) => `<h2>${i + 1}. ${esc(LABELS.evidenceNumber)} ${esc(r.evidenceNumber)}</h2>
<table>
${row(LABELS.evidenceNumber, r.evidenceNumber)}
${row(LABELS.storage, r.storage.location, true)}
${row(LABELS.sha256, r.sha256, true)}
${r.sm3 ? row(LABELS.sm3, r.sm3, true) : ''}
${row(LABELS.method, methodText(r.method))}
${row(LABELS.recorder, [r.recorder.make, r.recorder.model, r.recorder.serial].map((v) => v ?? '—').join(' / '))}
${row(LABELS.recorded, r.recorded.start ? `${r.recorded.start}${r.recorded.end ? ' — ' + r.recorded.end : ''}` : '未知')}
${row(LABELS.heldAt, r.heldAt)}
${row(LABELS.officer, r.officer.number ? `${r.officer.number} ${r.officer.name ?? ''}`.trim() : '未知')}
${row(LABELS.proves, r.proves)}
${row(LABELS.proof, `seq ${r.proof.seq} / tree ${r.proof.treeSize} / leaf ${r.proof.leafHash} / path ${r.proof.path.join(' ')}`, true)}
</table>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(LABELS.title)} ${esc(s.case.ref)}</title>
<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}th{text-align:left;vertical-align:top;padding-right:1em;white-space:nowrap}td.mono,pre{font-family:monospace;word-break:break-all}table{border-collapse:collapse;margin-bottom:1em}</style>
</head><body>
<h1>${esc(LABELS.title)}</h1>
<table>
${head}
</table>
${items}
<h2>${esc(LABELS.checkpoint)}</h2>
<pre>${esc(s.checkpoint.note)}</pre>
<p>${esc(LABELS.howToCheck)}</p>
</body></html>
`;
}
