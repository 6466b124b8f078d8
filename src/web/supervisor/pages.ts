// The supervisor pages, each built from the reports the CLI prints (facts/, cases/, audit/):
// today's dockings, late recordings, unexplained gaps, overdue case files, compliance, and one
// recording's provenance with its inclusion proof.
import { stationVerifier } from '../../audit/keys.js';
import { formatVerifierKey } from '../../audit/note.js';
import { inclusionBundle } from '../../audit/station.js';
import { caseList } from '../../cases/case-files.js';
import { stationToday } from '../../cases/due-date.js';
import { describeOriginal } from '../../cases/original-detail.js';
import type { Config } from '../../config.js';
import { complianceReport, lateReport } from '../../facts/index.js';
import type { Home } from '../../home.js';
import { endOfLocalDate, formatInstant, isLocalDate, startOfLocalDate } from '../../rules/index.js';
import type { Db } from '../../store/catalog.js';
import type { OriginalsStore } from '../../store/originals.js';
import { listInterruptions } from '../../store/rules-facts.js';
import { sessionsStartedSince } from '../../store/station-status.js';
import { complianceChart } from './compliance-chart.js';
import { esc, recordingLink, table } from './layout.js';

export interface PageEnv {
  db: Db;
  config: Config;
  home: Home;
  originals: Pick<OriginalsStore, 'locate'>;
  query: URLSearchParams;
}

export interface PageResult {
  title: string;
  body: string;
  /** What the audit entry records about this view (page name and its parameters). */
  audit: Record<string, string | number | null>;
}

const DAY_MS = 86_400_000;

/** from/to date inputs (station dates); defaults: the last `days` days up to today. */
function period(env: PageEnv, days: number): { from: string; to: string; fromMs: number; toMs: number } {
  const tz = env.config.station.timezone;
  const today = stationToday(tz);
  const q = (k: string) => env.query.get(k)?.trim() ?? '';
  const to = isLocalDate(q('to')) ? q('to') : today;
  const from = isLocalDate(q('from')) ? q('from') : stationToday(tz, Date.now() - days * DAY_MS);
  return { from, to, fromMs: startOfLocalDate(from as never, tz), toMs: endOfLocalDate(to as never, tz) };
}

function periodForm(action: string, p: { from: string; to: string }): string {
  return `<form class="period" method="get" action="${action}">
<label for="from">从 From</label><input id="from" name="from" type="date" value="${esc(p.from)}">
<label for="to">到 To</label><input id="to" name="to" type="date" value="${esc(p.to)}">
<button type="submit">显示 Show</button></form>`;
}

export function todaysDockings(env: PageEnv): PageResult {
  const tz = env.config.station.timezone;
  const today = stationToday(tz);
  const since = new Date(startOfLocalDate(today as never, tz)).toISOString();
  const rows = sessionsStartedSince(env.db, since).map((s) => {
    const sum = (s.summary ?? {}) as { held?: number; alreadyHeld?: number; failed?: number };
    return [formatInstant(Date.parse(s.startedAt), tz), s.slot, s.recorderId, s.status, sum.held ?? '', sum.alreadyHeld ?? '', sum.failed ?? ''];
  });
  const body = `<p>${esc(today)} (${esc(tz)})</p>` + table(['开始 Started', '槽位 Slot', '记录仪 Recorder', '状态 Status', '已入库 Held', '已有 Already', '失败 Failed'], rows, '今天还没有入库 No dockings today');
  return { title: '今日入库 Today’s dockings', body, audit: { page: 'dockings', date: today, rows: rows.length } };
}

export function lateRecordings(env: PageEnv): PageResult {
  const p = period(env, 30);
  const rows = lateReport(env.db, { from: p.fromMs, to: p.toMs }, env.config.station.timezone);
  const body =
    periodForm('/supervisor/late', p) +
    table(
      ['证据编号 Evidence', '民警 Officer', '记录仪 Recorder', '录制 Recorded', '期限 Due', '入库 Held', '迟 Late (h)', '迟 Late (working days)'],
      rows.map((r) => [recordingLink(r.evidenceNumber), r.officer, r.recorder, r.madeAt, r.dueAt, r.heldAt, r.lateHours, r.lateWorkingDays]),
      '该期间没有迟交 No late recordings in this period',
    );
  return { title: '迟交的录像 Late recordings (Art. 10)', body, audit: { page: 'late', from: p.from, to: p.to, rows: rows.length } };
}

export function unexplainedGaps(env: PageEnv): PageResult {
  const tz = env.config.station.timezone;
  const rows = listInterruptions(env.db, { unexplained: true });
  const body =
    `<p>补充说明：在工作站上运行下列命令 To explain one, run the command shown on the station:</p>` +
    table(
      ['编号 Id', '记录仪 Recorder', '民警 Officer', '从 From', '到 To', '中断 Gap', '说明命令 Explanation command'],
      rows.map((r) => [r.id, r.recorder_id, r.officer_id, formatInstant(r.from_at, tz), formatInstant(r.to_at, tz), `${Math.round(r.gap_ms / 1000)} s`, { html: `<code>evidock gaps explain ${r.id} --text "…"</code>` }]),
      '没有未说明的中断 No unexplained interruptions',
    );
  return { title: '未说明的中断 Unexplained gaps (Art. 9)', body, audit: { page: 'gaps', rows: rows.length } };
}

export function overdueCases(env: PageEnv): PageResult {
  const today = stationToday(env.config.station.timezone);
  const all = caseList(env.db, today, { openOnly: true });
  const overdue = all.filter((c) => c.overdue);
  const body =
    `<p>未归档案卷 ${all.length} 个，逾期 ${overdue.length} 个 Open case files: ${all.length}, overdue: ${overdue.length}</p>` +
    table(
      ['案卷 Case', '标题 Title', '执法结束 Action ended', '期限 Due', '民警 Officers', '录像 Recordings'],
      overdue.map((c) => [c.ref, c.title, c.actionEnded, c.due, c.officers.join(', '), c.recordings]),
      all.length ? '没有逾期案卷 No overdue case files' : '还没有案卷 No case files yet',
    );
  return { title: '逾期案卷 Overdue case files (Art. 11)', body, audit: { page: 'cases', overdue: overdue.length } };
}

export function compliance(env: PageEnv): PageResult {
  const p = period(env, 30);
  const rows = complianceReport(env.db, { from: p.fromMs, to: p.toMs });
  const body =
    periodForm('/supervisor/compliance', p) +
    (rows.length ? complianceChart(rows) : '') +
    table(
      ['民警 Officer', '录像 Recordings', '按时 On time', '迟交 Late', '未知 Unknown', '中位小时 Median h', '最迟 Worst late h'],
      rows.map((r) => [r.officer, r.recordings, r.onTime, r.late, r.unknown, r.medianHoursToHeld, r.worstLateHours]),
      '该期间没有录像 No recordings in this period',
    );
  return { title: '合规 Compliance per officer (Art. 10)', body, audit: { page: 'compliance', from: p.from, to: p.to, rows: rows.length } };
}

export function recording(env: PageEnv, evidenceNumber: string): PageResult | undefined {
  const d = describeOriginal(env.db, evidenceNumber, env.originals) as any;
  if (!d) return undefined;
  const line = (k: string, v: unknown) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v ?? '—')}</td></tr>`;
  const flags = (d.flags as { code: string; message: string }[]).map((f) => `<li>${esc(f.code)}: ${esc(f.message)}</li>`).join('');
  const body = `<table class="facts"><tbody>
${line('证据编号 Evidence', d.evidenceNumber)}
${line('录制 Recorded', d.recorded ? `${d.recorded.start ?? '?'} .. ${d.recorded.end ?? '?'}` : null)}
${line('记录仪 Recorder', d.recorder.id)}
${line('民警 Officer', d.officer.id ? `${d.officer.id} ${d.officer.name ?? ''}` : null)}
${line('文件 File', `${d.file.sourcePath} (${d.file.size} bytes)`)}
${line('SHA-256', d.digests.sha256)}
${d.digests.sm3 ? line('SM3', d.digests.sm3) : ''}
${line('入库 Held at', d.heldAt)}
${line('会话 Session', d.session)}
${line('期限 Deadline', d.rules?.deadline ? `${d.rules.deadline.status}${d.rules.deadline.due_at ? ` (due ${d.rules.deadline.due_at})` : ''}` : null)}
</tbody></table>
${flags ? `<h2>标记 Flags</h2><ul>${flags}</ul>` : ''}
<p><a class="download" href="/supervisor/recording/${encodeURIComponent(d.evidenceNumber)}/proof.json" download>下载包含证明 Download inclusion proof</a>
(检查 check offline: <code>evidock log verify-proof &lt;file&gt;</code>)</p>`;
  return { title: `录像 Recording ${d.evidenceNumber}`, body, audit: { page: 'recording', evidenceNumber: d.evidenceNumber } };
}

/** The inclusion proof of a recording's file.held entry against the newest signed checkpoint covering it. */
export function inclusionProof(env: PageEnv, evidenceNumber: string): { json: string; audit: Record<string, string | number> } {
  const st = { homeDir: env.home.dir, stationId: env.config.station.id };
  const found = stationVerifier(st.homeDir, st.stationId);
  if ('problem' in found) throw new Error(found.problem);
  // Read-only: proven against a checkpoint already signed, never by writing a new one.
  const bundle = inclusionBundle(env.db, st, evidenceNumber, { publicKey: formatVerifierKey(found.verifier) });
  return { json: JSON.stringify(bundle, null, 2) + '\n', audit: { page: 'proof', evidenceNumber, seq: bundle.seq, treeSize: bundle.treeSize } };
}
