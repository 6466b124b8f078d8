// The supervisor view's page frame: escaping, the navigation, a table helper. Labels are
// Chinese first with the English after them, for a mixed office.
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const NAV: [href: string, label: string][] = [
  ['/supervisor', '今日入库 Today'],
  ['/supervisor/late', '迟交 Late'],
  ['/supervisor/gaps', '未说明中断 Gaps'],
  ['/supervisor/cases', '逾期案卷 Overdue cases'],
  ['/supervisor/compliance', '合规 Compliance'],
];

export function page(title: string, name: string, body: string): string {
  const nav = NAV.map(([href, label]) => `<a href="${href}">${esc(label)}</a>`).join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · evidock</title><link rel="stylesheet" href="/supervisor.css"></head>
<body>
<header><nav aria-label="页面 Pages">${nav}</nav><p class="who">${esc(name)}</p></header>
<main><h1>${esc(title)}</h1>
${body}
</main>
</body></html>
`;
}

/** A table, or `empty` when there are no rows. Cells are escaped unless given as { html }. */
export function table(headers: string[], rows: (string | number | null | { html: string })[][], empty: string): string {
  if (!rows.length) return `<p class="empty">${esc(empty)}</p>`;
  const cell = (c: string | number | null | { html: string }) => (c !== null && typeof c === 'object' ? c.html : esc(c));
  return `<table><thead><tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`;
}

export function recordingLink(evidenceNumber: string): { html: string } {
  return { html: `<a href="/supervisor/recording/${encodeURIComponent(evidenceNumber)}">${esc(evidenceNumber)}</a>` };
}

export function signInPage(message: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>登录 Sign in · evidock</title><link rel="stylesheet" href="/supervisor.css"></head>
<body><main>
<h1>主管视图 Supervisor view</h1>
<p role="alert">${esc(message)}</p>
<form method="post" action="/supervisor/login">
<label for="token">令牌 Token (evidock web token add &lt;name&gt;)</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">登录 Sign in</button>
</form>
</main></body></html>
`;
}
