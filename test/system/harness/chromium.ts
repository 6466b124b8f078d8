// Debian's chromium driven by playwright-core for the browser tests: the one place the browser
// is started. Never a downloaded browser; one fresh profile under the OS temp dir per suite.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.EVIDOCK_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here (empty: they can). */
export function chromiumMissing(): string[] {
  return existsSync(CHROMIUM) ? [] : [`${CHROMIUM} (install Debian's chromium: apt-get install chromium)`];
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function startChromium(viewport = { width: 1024, height: 600 }): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'evidock-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** WCAG 2 contrast ratio of two CSS rgb()/rgba() colours (alpha ignored: the caller resolves it). */
export function contrastRatio(a: string, b: string): number {
  const lum = (css: string) => {
    const [r, g, bl] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
