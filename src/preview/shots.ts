/**
 * Screenshots of an email as readers see it: phone (375 px) and desktop (600 px), light and
 * dark. Dark mode here is real `prefers-color-scheme` emulation, unlike the preview iframe.
 * Remote images are not fetched (the sample domains do not resolve, and a slow CDN must not
 * make screenshots flaky): they show as broken images with their alt text, like an inbox
 * that blocks images. Local images arrive inlined as data: URLs, so they do show.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';

export const SHOT_WIDTHS = [320, 375, 600] as const;
export const SHOT_SCHEMES = ['light', 'dark'] as const;

export async function screenshotEmail(browser: Browser, html: string, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const width of SHOT_WIDTHS) {
    for (const colorScheme of SHOT_SCHEMES) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme, deviceScaleFactor: 1 });
      try {
        const page = await context.newPage();
        await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
        await page.setContent(html, { waitUntil: 'load' });
        const file = path.join(dir, `${width}-${colorScheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        written.push(file);
      } finally {
        await context.close();
      }
    }
  }
  return written;
}
