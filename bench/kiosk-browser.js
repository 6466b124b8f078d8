// The docking bench's one use of a browser: Debian's chromium (never a downloaded one) driven by
// playwright-core, showing the station page's kiosk as the touchscreen beside the docks would,
// so a P3 run can be compared with and without the page open (issue 16: no measurable cost).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.EVIDOCK_BENCH_CHROMIUM ?? '/usr/bin/chromium';

/** Why the page cannot be opened here ('' when it can). */
export function browserMissing() {
  return existsSync(CHROMIUM) ? '' : `${CHROMIUM} (apt-get install chromium)`;
}

/** Opens url in a 1024x600 headless chromium; resolves once the kiosk shows its slots. Returns close(). */
export async function openKiosk(url) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'evidock-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1024, height: 600 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url, { waitUntil: 'load' });
    return {
      page,
      async close() {
        await context.close().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
