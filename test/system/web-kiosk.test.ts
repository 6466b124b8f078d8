// The station page in a real browser (Debian's chromium via playwright-core, started once for
// the file): a docked recorder's tile goes copying -> done; one pulled mid-copy shows the error
// tile; the page reconnects by itself after the daemon restarts; 32 slots fit 1024x600 with no
// tile cut off; the supervisor view refuses without a token (401 + audit entry), is reachable by
// keyboard with a visible focus and has text contrast >= 4.5:1; a recording's inclusion proof
// downloads and verifies. Screenshots: test-output/web/ in the repository.
// Skips LOUDLY without /usr/bin/chromium.
import { mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess, readyHome, repoRoot, runCli, tempDir } from '../helpers/evidock.js';
import { chromiumMissing, contrastRatio, startChromium, type Browser } from './harness/chromium.js';
import { warnSkipped } from './harness/fuse.js';

const missing = chromiumMissing();
warnSkipped('test/system/web-kiosk.test.ts', missing);

export const SHOTS = path.join(repoRoot, 'test-output', 'web');
const BIG = 768 * 1024 * 1024; // sparse: cheap to make, copying lasts long enough to be seen

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function makeCard(dir: string): void {
  mkdirSync(path.join(dir, 'DCIM'), { recursive: true });
  writeFileSync(path.join(dir, 'DCIM', 'A_0001.MP4'), 'first clip');
  writeFileSync(path.join(dir, 'DCIM', 'B_0002.MP4'), '');
  truncateSync(path.join(dir, 'DCIM', 'B_0002.MP4'), BIG);
}

function audit(home: string, type: string): any[] {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT entry FROM audit_entries WHERE type = ? ORDER BY seq').all(type) as { entry: string }[]).map((r) => JSON.parse(r.entry).data);
  } finally {
    db.close();
  }
}

/** Every element with its own text: its colour and the first opaque background behind it. */
async function textColours(page: Page): Promise<{ text: string; fg: string; bg: string }[]> {
  return page.evaluate(() => {
    const out: { text: string; fg: string; bg: string }[] = [];
    const opaque = (c: string) => c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c);
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()).map((n) => n.textContent!.trim()).join(' ');
      if (!own) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const fg = el instanceof SVGElement ? style.fill : style.color;
      let bg = 'rgb(255, 255, 255)';
      for (let p: Element | null = el instanceof SVGElement ? el.closest('svg')! : el; p; p = p.parentElement) {
        const c = getComputedStyle(p).backgroundColor;
        if (opaque(c)) {
          bg = c;
          break;
        }
      }
      out.push({ text: own.slice(0, 40), fg, bg });
    }
    return out;
  });
}

describe.skipIf(missing.length > 0)('the station page in chromium', () => {
  const tmp = tempDir('evidock-web-browser-');
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await startChromium();
  });
  afterAll(async () => {
    await browser?.close();
    tmp.cleanup();
  });

  describe('a station with a directory dock', () => {
    const home = path.join(tmp.dir, 'home');
    let daemon: DaemonProcess;
    let url: string;
    let listen: string;
    let token: string;
    let kiosk: Page;

    beforeAll(async () => {
      // Six USB slots configured (empty here) beside the directory dock: the kiosk shows them all.
      mkdirSync(home, { recursive: true });
      const slots = Array.from({ length: 6 }, (_, i) => `"1-1.${i + 1}" = "A${i + 1}"`).join('\n');
      writeFileSync(path.join(home, 'evidock.toml'), `[docks]\nmount = "off"\n\n[docks.slots]\n${slots}\n`);
      readyHome(home, ['A9K3F20']); // one recording held already, for the provenance page
      for (const args of [['officers', 'add', '010001', '--name', '张三'], ['recorders', 'add', '1234567'], ['assign', '1234567', '010001', '--from', '2020-01-01'], ['log', 'checkpoint']]) {
        const r = runCli(['--home', home, ...args]);
        expect(r.code, r.stderr).toBe(0);
      }
      token = runCli(['--home', home, 'web', 'token', 'add', 'lead']).stdout.trim();
      listen = `127.0.0.1:${await freePort()}`;
      daemon = new DaemonProcess(['--home', home], { EVIDOCK_WEB_LISTEN: listen });
      url = (await daemon.waitFor((l) => l.msg === 'station page listening')).url;
      kiosk = await browser.context.newPage();
      await kiosk.goto(url);
    });
    afterAll(async () => {
      await kiosk?.close();
      await daemon?.stop();
    });

    it('a docked recorder: its tile shows copying (officer, file k of n, a progress bar, ETA), then 可以取走 with counts', async () => {
      await kiosk.locator('#link[data-state="live"]').waitFor();
      expect(await kiosk.getAttribute('html', 'lang')).toBe('zh-CN');
      // An empty slot's tile is built once and kept while others change (the kiosk shares the CPU).
      await kiosk.evaluate(() => ((document.querySelector('.tile[data-slot="A1"]') as any).evidockKept = true));
      const card = path.join(tmp.dir, 'card-a');
      makeCard(card);
      renameSync(card, path.join(home, 'docks', '1234567'));
      const copying = kiosk.locator('.tile[data-slot="1234567"][data-state="copying"]');
      await copying.waitFor({ timeout: 60_000 });
      await expect.poll(() => copying.locator('.detail').textContent().catch(() => '')).toMatch(/^文件 [12] \/ 2$/);
      expect(await copying.locator('.who').textContent()).toBe('010001 张三');
      expect(await copying.locator('.state').textContent()).toBe('正在复制');
      expect(await copying.locator('[role="progressbar"]').count()).toBe(1);
      // For the screenshot, a few per cent into the big file (or already past it).
      await kiosk.waitForFunction(() => Number(document.querySelector('.tile[data-slot="1234567"] [role="progressbar"]')?.getAttribute('aria-valuenow') ?? 100) >= 5, undefined, { timeout: 60_000 });
      await kiosk.screenshot({ path: path.join(SHOTS, 'kiosk-copying.png') });
      const done = kiosk.locator('.tile[data-slot="1234567"][data-state="done"]');
      await done.waitFor({ timeout: 120_000 });
      expect(await done.locator('.state').textContent()).toBe('可以取走');
      expect(await done.locator('.detail').textContent()).toBe('已保存 2 个文件');
      await kiosk.screenshot({ path: path.join(SHOTS, 'kiosk-done.png') });
      expect(await kiosk.evaluate(() => (document.querySelector('.tile[data-slot="A1"]') as any).evidockKept)).toBe(true);
      await kiosk.click('#lang');
      expect(await done.locator('.state').textContent()).toBe('safe to remove');
      expect(await kiosk.getAttribute('html', 'lang')).toBe('en');
      await kiosk.click('#lang');
      expect(await done.locator('.state').textContent()).toBe('可以取走');
    });

    it('a recorder pulled out mid-copy: its tile turns to the error tile saying what to do', async () => {
      const card = path.join(tmp.dir, 'card-b');
      makeCard(card);
      const docked = path.join(home, 'docks', '7654321');
      renameSync(card, docked);
      await kiosk.locator('.tile[data-slot="7654321"][data-state="copying"]').waitFor({ timeout: 60_000 });
      renameSync(docked, card); // pulled out
      const error = kiosk.locator('.tile[data-slot="7654321"][data-state="error"]');
      await error.waitFor({ timeout: 60_000 });
      expect(await error.locator('.state').textContent()).toBe('出错');
      expect(await error.locator('.todo').textContent()).toBe('请重新插入记录仪；再次失败请联系管理员');
      expect(await error.locator('.msg').textContent()).toContain('dock the recorder again');
      await kiosk.screenshot({ path: path.join(SHOTS, 'kiosk-error.png') });
    });

    it('the page says the link is lost while the daemon restarts, then comes back by itself', async () => {
      expect(await daemon.stop()).toBe(0);
      await kiosk.locator('#link[data-state="lost"]').waitFor({ timeout: 10_000 });
      await kiosk.screenshot({ path: path.join(SHOTS, 'kiosk-reconnecting.png') });
      daemon = new DaemonProcess(['--home', home], { EVIDOCK_WEB_LISTEN: listen });
      await daemon.waitFor((l) => l.msg === 'station page listening');
      await kiosk.locator('#link[data-state="live"]').waitFor({ timeout: 20_000 });
      // The restarted daemon sees the recorder still docked and shows it again.
      await kiosk.locator('.tile[data-slot="1234567"]').waitFor({ timeout: 60_000 });
    });

    it('/supervisor without a token: 401 in the browser and a "refused" audit entry', async () => {
      const before = audit(home, 'web.refused').length;
      const page = await browser.context.newPage();
      try {
        const res = await page.goto(`${url}supervisor/compliance`);
        expect(res?.status()).toBe(401);
        expect(await page.locator('form[action="/supervisor/login"]').count()).toBe(1);
        const refused = audit(home, 'web.refused');
        expect(refused.length).toBe(before + 1);
        expect(refused.at(-1)).toMatchObject({ reason: 'no token', path: '/supervisor/compliance' });
        // Signing in with the token sets a cookie for this browser and lands on today's dockings.
        await page.fill('#token', token);
        await Promise.all([page.waitForURL(`${url}supervisor`), page.click('button[type="submit"]')]);
        expect(await page.locator('h1').textContent()).toContain('Today');
      } finally {
        await page.close();
      }
    });

    it('the supervisor view: every link and control reached by Tab with a visible focus; text contrast >= 4.5:1; views logged as "lead"', async () => {
      const page = await browser.context.newPage();
      await page.setExtraHTTPHeaders({ authorization: `Bearer ${token}` });
      const evidence = (JSON.parse(runCli(['--home', home, 'list', '--json']).stdout) as { evidenceNumber: string }[])[0].evidenceNumber;
      const views = ['supervisor', 'supervisor/late', 'supervisor/gaps', 'supervisor/cases', 'supervisor/compliance?from=2020-01-01', `supervisor/recording/${evidence}`];
      try {
        for (const view of views) {
          const res = await page.goto(`${url}${view}`);
          expect(res?.status(), view).toBe(200);
          const focusable = await page.evaluate(() => {
            const all = Array.from(document.querySelectorAll('a[href], button, input, select, textarea'));
            all.forEach((el, i) => el.setAttribute('data-focus-i', String(i)));
            return all.length;
          });
          const reached = new Set<string>();
          for (let i = 0; i < focusable * 3 + 5 && reached.size < focusable; i++) {
            // a date input takes three Tabs (year, month, day)
            await page.keyboard.press('Tab');
            const f = await page.evaluate(() => {
              const el = document.activeElement as HTMLElement | null;
              if (!el || el === document.body) return null;
              const s = getComputedStyle(el);
              return { i: el.getAttribute('data-focus-i'), tag: el.outerHTML.slice(0, 80), outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
            });
            if (!f?.i) continue;
            reached.add(f.i);
            expect(f.outline, `${view}: focus outline of element ${f.i} ${f.tag}`).not.toBe('none');
            expect(f.width, `${view}: focus outline width of element ${f.i}`).toBeGreaterThanOrEqual(2);
          }
          expect(reached.size, `${view}: elements reached by Tab`).toBe(focusable);
          const low = (await textColours(page)).map((t) => ({ ...t, ratio: contrastRatio(t.fg, t.bg) })).filter((t) => t.ratio < 4.5);
          expect(low, `${view}: text below 4.5:1`).toEqual([]);
        }
        await page.goto(`${url}supervisor/compliance?from=2020-01-01`);
        expect(await page.locator('svg.chart line.deadline').count()).toBe(1);
        await page.screenshot({ path: path.join(SHOTS, 'supervisor-compliance.png'), fullPage: true });
        await page.goto(`${url}supervisor/gaps`);
        await page.screenshot({ path: path.join(SHOTS, 'supervisor-gaps.png'), fullPage: true });
        const reads = audit(home, 'web.read').filter((d) => d.name === 'lead');
        expect(reads.map((d) => d.page)).toEqual(expect.arrayContaining(['dockings', 'late', 'gaps', 'cases', 'compliance', 'recording']));
      } finally {
        await page.close();
      }
    });

    it("a recording's provenance page: its inclusion proof downloads and `evidock log verify-proof` accepts it", async () => {
      const page = await browser.context.newPage();
      await page.setExtraHTTPHeaders({ authorization: `Bearer ${token}` });
      const evidence = (JSON.parse(runCli(['--home', home, 'list', '--json']).stdout) as { evidenceNumber: string }[])[0].evidenceNumber;
      try {
        await page.goto(`${url}supervisor/recording/${evidence}`);
        expect(await page.locator('h1').textContent()).toContain(evidence);
        await page.screenshot({ path: path.join(SHOTS, 'supervisor-recording.png'), fullPage: true });
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.download')]);
        const file = path.join(tmp.dir, 'proof.json');
        await download.saveAs(file);
        const v = runCli(['--home', home, 'log', 'verify-proof', file, '--json']);
        expect(v.code, v.stdout + v.stderr).toBe(0);
        expect(audit(home, 'web.read').filter((d) => d.name === 'lead' && d.page === 'proof').map((d) => d.evidenceNumber)).toEqual([evidence]);
      } finally {
        await page.close();
      }
    });
  });

  it('32 slots on a 1024x600 screen: every tile inside the screen, none overlapping, labels not cut', async () => {
    const home = path.join(tmp.dir, 'home-32');
    const slots = Array.from({ length: 32 }, (_, i) => `"1-1.${i + 1}" = "${'ABCD'[Math.floor(i / 8)]}${(i % 8) + 1}"`).join('\n');
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'evidock.toml'), `[docks]\nmount = "off"\n\n[docks.slots]\n${slots}\n`);
    runCli(['--home', home, 'init']);
    const daemon = new DaemonProcess(['--home', home]);
    const page = await browser.context.newPage();
    try {
      const url = (await daemon.waitFor((l) => l.msg === 'station page listening')).url;
      await page.goto(url);
      await page.locator('.tile').nth(31).waitFor();
      expect(await page.locator('.tile').count()).toBe(32);
      const boxes = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.tile')).map((t) => {
          const r = t.getBoundingClientRect();
          const label = t.querySelector('.slot') as HTMLElement;
          return { slot: (t as HTMLElement).dataset.slot, x: r.x, y: r.y, right: r.right, bottom: r.bottom, labelCut: label.scrollWidth > label.clientWidth || label.scrollHeight > label.clientHeight + 1, labelPx: parseFloat(getComputedStyle(label).fontSize) };
        }),
      );
      for (const b of boxes) {
        expect(b.x, b.slot).toBeGreaterThanOrEqual(0);
        expect(b.y, b.slot).toBeGreaterThanOrEqual(0);
        expect(b.right, b.slot).toBeLessThanOrEqual(1024);
        expect(b.bottom, b.slot).toBeLessThanOrEqual(600);
        expect(b.labelCut, `${b.slot}: label cut off`).toBe(false);
        expect(b.labelPx, `${b.slot}: label size`).toBeGreaterThanOrEqual(18);
      }
      for (const a of boxes) for (const b of boxes) if (a !== b) expect(a.right <= b.x || b.right <= a.x || a.bottom <= b.y || b.bottom <= a.y, `${a.slot} overlaps ${b.slot}`).toBe(true);
      expect(boxes.map((b) => b.slot)).toEqual(Array.from({ length: 32 }, (_, i) => `${'ABCD'[Math.floor(i / 8)]}${(i % 8) + 1}`));
      await page.screenshot({ path: path.join(SHOTS, 'kiosk-32-slots.png') });
    } finally {
      await page.close();
      await daemon.stop();
    }
  });
});
