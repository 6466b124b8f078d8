// The station page served by a running daemon, over plain HTTP (the browser tests are in
// test/system/web-*.test.ts): /healthz and `evidock status` give the same health figures; the
// kiosk's event stream follows a docking; /supervisor refuses without a token (401, a
// "web.refused" audit entry) and logs each view with the token's name; tokens are stored hashed;
// nothing but those entries is written; a LAN address without TLS stops the start with exit 2.
import { mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { get, request, type IncomingMessage } from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess, initHome, runCli, tempDir } from './helpers/evidock.js';

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function fetchText(url: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a kept-alive socket the server has just closed would hang up.
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function auditEntries(home: string, type: string): { seq: number; data: any }[] {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT seq, entry FROM audit_entries WHERE type = ? ORDER BY seq').all(type) as { seq: number; entry: string }[]).map((r) => ({ seq: r.seq, data: JSON.parse(r.entry).data }));
  } finally {
    db.close();
  }
}

function entryCount(home: string): number {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM audit_entries').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Reads the kiosk's event stream until `until` accepts a tiles snapshot. */
function watchTiles(url: string) {
  const seen: any[] = [];
  let res: IncomingMessage | undefined;
  const waiters: { pred: (t: any) => boolean; resolve: (t: any) => void }[] = [];
  const req = get(`${url}events`, (r) => {
    res = r;
    let buf = '';
    r.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const snap = JSON.parse(data.slice(6));
        seen.push(snap);
        for (const w of waiters.splice(0)) (w.pred(snap) ? w.resolve(snap) : waiters.push(w));
      }
    });
  });
  return {
    seen,
    headers: () => res?.headers,
    until(pred: (snap: any) => boolean, timeoutMs = 60_000): Promise<any> {
      const hit = seen.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such tiles; last: ${JSON.stringify(seen.at(-1))}`)), timeoutMs);
        waiters.push({ pred, resolve: (t) => (clearTimeout(timer), resolve(t)) });
      });
    },
    close: () => req.destroy(),
  };
}

describe('the station page of a running daemon', () => {
  const tmp = tempDir('evidock-web-');
  const home = path.join(tmp.dir, 'home');
  let daemon: DaemonProcess;
  let url: string;

  beforeAll(async () => {
    initHome(home);
    expect(runCli(['--home', home, 'officers', 'add', '010001', '--name', '张三']).code).toBe(0);
    expect(runCli(['--home', home, 'recorders', 'add', '1234567']).code).toBe(0);
    expect(runCli(['--home', home, 'assign', '1234567', '010001', '--from', '2020-01-01']).code).toBe(0);
    daemon = new DaemonProcess(['--home', home]);
    url = (await daemon.waitFor((l) => l.msg === 'station page listening')).url;
  });
  afterAll(async () => {
    await daemon?.stop();
    tmp.cleanup();
  });

  it('listens on loopback (a free port here) and says where in the log and in `evidock status`', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const status = runCli(['--home', home, 'status']);
    expect(status.stdout).toContain(`station page: ${url}`);
    expect(status.stdout).toMatch(/health: daemon up; store local reachable; disk [\d.]+ \w?i?B free; last checkpoint none yet; notary not installed/);
  });

  it('/healthz: daemon up, store reachable, disk free, last checkpoint age, notary; the same figures as `evidock status --json`', async () => {
    const r = await fetchText(`${url}healthz`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    const health = JSON.parse(r.body);
    expect(health).toMatchObject({
      ok: true,
      daemon: { up: true, pid: daemon.child.pid },
      notary: 'not installed',
      store: { backend: 'local', reachable: true },
      disk: { path: path.join(home, 'staging'), freeBytes: expect.any(Number) },
      checkpoint: { lastAt: null, ageSeconds: null },
    });
    expect(health.disk.freeBytes).toBeGreaterThan(0);
    const status = JSON.parse(runCli(['--home', home, 'status', '--json']).stdout);
    expect(Object.keys(status.health)).toEqual(Object.keys(health));
    expect(status.health).toMatchObject({ ok: true, daemon: health.daemon, store: health.store, notary: 'not installed' });
    expect(status.daemon.web).toEqual({ url });
  });

  it('the kiosk page and its files are served; reading them writes nothing', async () => {
    const before = entryCount(home);
    const page = await fetchText(url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="zh-CN">');
    expect(page.body).toContain('/kiosk.js');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    for (const f of ['kiosk.js', 'kiosk.css', 'supervisor.css']) expect((await fetchText(`${url}${f}`)).status).toBe(200);
    expect((await fetchText(`${url}healthz`)).status).toBe(200);
    expect((await fetchText(`${url}../catalog.sqlite`)).status).toBe(404);
    expect((await fetchText(url, { method: 'POST' })).status).toBe(405);
    expect((await fetchText(`${url}supervisor/late`, { method: 'DELETE' })).status).toBe(405);
    expect(entryCount(home)).toBe(before);
  });

  it('the event stream shows a docked recorder copying (officer, file k of n, bytes) and then done', async () => {
    const feed = watchTiles(url);
    try {
      await feed.until((s) => Array.isArray(s.tiles));
      expect(feed.headers()?.['content-type']).toMatch(/text\/event-stream/);
      const card = path.join(tmp.dir, 'card');
      mkdirSync(path.join(card, 'DCIM'), { recursive: true });
      writeFileSync(path.join(card, 'DCIM', 'A_0001.MP4'), 'first clip');
      writeFileSync(path.join(card, 'DCIM', 'B_0002.MP4'), '');
      truncateSync(path.join(card, 'DCIM', 'B_0002.MP4'), 512 * 1024 * 1024);
      renameSync(card, path.join(home, 'docks', '1234567'));
      const copying = await feed.until((s) => s.tiles.some((t: any) => t.slot === '1234567' && t.state === 'copying' && t.bytesTotal > 0));
      const tile = copying.tiles.find((t: any) => t.slot === '1234567');
      expect(tile).toMatchObject({ recorder: '1234567', officer: { number: '010001', name: '张三' }, fileCount: 2 });
      expect(tile.fileIndex).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(tile)).not.toContain(home); // no paths on the kiosk
      const done = await feed.until((s) => s.tiles.some((t: any) => t.slot === '1234567' && t.state === 'done'), 120_000);
      expect(done.tiles.find((t: any) => t.slot === '1234567')).toMatchObject({ state: 'done', held: 2, failed: 0 });
    } finally {
      feed.close();
    }
  });

  it('/supervisor without a token: 401 and a "web.refused" audit entry; a wrong token likewise', async () => {
    const r = await fetchText(`${url}supervisor/late`);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(r.body).toContain('<form method="post" action="/supervisor/login">');
    const wrong = await fetchText(`${url}supervisor`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(wrong.status).toBe(401);
    const refused = auditEntries(home, 'web.refused');
    expect(refused.map((e) => e.data)).toEqual([
      { reason: 'no token', path: '/supervisor/late', remote: '127.0.0.1' },
      { reason: 'unknown token', path: '/supervisor', remote: '127.0.0.1' },
    ]);
  });

  it('`evidock web token add` prints a token once and keeps only its hash; each view is logged with the name', async () => {
    const add = runCli(['--home', home, 'web', 'token', 'add', 'chen']);
    expect(add.code, add.stderr).toBe(0);
    const token = add.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = readFileSync(path.join(home, 'web-tokens.json'), 'utf8');
    expect(file).not.toContain(token);
    expect(JSON.parse(file).tokens).toEqual([{ name: 'chen', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), createdAt: expect.any(String), createdBy: expect.any(String) }]);
    expect(runCli(['--home', home, 'web', 'token', 'add', 'chen']).code).toBe(2);
    expect(auditEntries(home, 'web.token-added').map((e) => e.data.name)).toEqual(['chen']);

    const auth = { authorization: `Bearer ${token}` };
    const today = await fetchText(`${url}supervisor`, { headers: auth });
    expect(today.status).toBe(200);
    expect(today.body).toContain('1234567'); // today's docking
    for (const p of ['late', 'gaps', 'cases', 'compliance']) expect((await fetchText(`${url}supervisor/${p}`, { headers: auth })).status).toBe(200);
    const reads = auditEntries(home, 'web.read');
    expect(reads.map((e) => [e.data.name, e.data.page])).toEqual([
      ['chen', 'dockings'],
      ['chen', 'late'],
      ['chen', 'gaps'],
      ['chen', 'cases'],
      ['chen', 'compliance'],
    ]);
  });
});

describe('[web] listen off loopback', () => {
  const tmp = tempDir('evidock-web-lan-');
  afterAll(() => tmp.cleanup());

  it('without tls_cert/tls_key the daemon refuses to start: exit 2, naming the setting', async () => {
    const home = path.join(tmp.dir, 'home');
    initHome(home);
    writeFileSync(path.join(home, 'evidock.toml'), '[web]\nlisten = "0.0.0.0:8420"\n');
    const daemon = new DaemonProcess(['--home', home], { EVIDOCK_WEB_LISTEN: '' });
    expect(await daemon.exited).toBe(2);
    expect(daemon.stderr).toContain('web.listen = "0.0.0.0:8420" is not a loopback address');
    expect(daemon.stderr).toContain('web.tls_cert and web.tls_key');
  });

  it('with a certificate file that cannot be read: exit 2 naming web.tls_cert', async () => {
    const home = path.join(tmp.dir, 'home2');
    initHome(home);
    writeFileSync(path.join(home, 'evidock.toml'), '[web]\nlisten = "0.0.0.0:8420"\ntls_cert = "tls/missing.crt"\ntls_key = "tls/missing.key"\n');
    const daemon = new DaemonProcess(['--home', home], { EVIDOCK_WEB_LISTEN: '' });
    expect(await daemon.exited).toBe(2);
    expect(daemon.stderr).toMatch(/web\.tls_cert: cannot read .*tls\/missing\.crt: ENOENT/);
  });
});
