/**
 * The built sample emails in real Chromium: no horizontal scrolling at phone widths, and no
 * serious or critical axe-core violations (light and dark).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIssue } from '../../src/commands/build.js';
import { listIssueFiles } from '../../src/project.js';
import { loadConfig } from '../../src/config.js';
import { launchChromium } from '../../src/preview/browser.js';
import { loadTemplates } from '../../src/render/templates.js';
import { makeProject } from '../helpers/project.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
const samples: { slug: string; html: string }[] = [];

beforeAll(async () => {
  const dir = makeProject({ withSampleIssues: true });
  const config = loadConfig(dir);
  const templates = loadTemplates(dir);
  for (const file of listIssueFiles(dir)) {
    const b = await buildIssue(file, { root: dir, out: path.join(dir, 'dist'), config, templates });
    samples.push({ slug: b.issue.slug, html: readFileSync(b.htmlPath, 'utf8') });
  }
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function open(html: string, width: number, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 700 }, colorScheme });
  const page = await context.newPage();
  // Sample image hosts do not resolve: fail fast instead of waiting on DNS.
  await page.route('**/*', (r) => r.abort());
  await page.setContent(html, { waitUntil: 'load' });
  return page;
}

describe('built samples in Chromium', () => {
  it('are built (at least the two samples)', () => {
    expect(samples.map((s) => s.slug)).toEqual(expect.arrayContaining(['2026-11', 'weekly-2026-47']));
  });

  for (const width of [320, 375]) {
    it(`do not overflow horizontally at ${width} px`, async () => {
      for (const s of samples) {
        const page = await open(s.html, width);
        const overflow = await page.evaluate(() => {
          const vw = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > vw + 0.5)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
            .slice(0, 5);
          return { scroll: document.documentElement.scrollWidth, vw, wide };
        });
        expect({ slug: s.slug, ...overflow }).toEqual({ slug: s.slug, scroll: width, vw: width, wide: [] });
        await page.context().close();
      }
    });
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`have no serious or critical axe-core violations (${scheme})`, async () => {
      for (const s of samples) {
        const page = await open(s.html, 600, scheme);
        await page.addScriptTag({ content: AXE });
        const violations = await page.evaluate(async () => {
          type Result = { violations: { id: string; impact: string; nodes: { html: string; failureSummary?: string }[] }[] };
          const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<Result> } }).axe;
          const r = await axe.run(document, { resultTypes: ['violations'] });
          // The rule id plus the first offending element and axe's reason: enough to fix it from the test output.
          return r.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map(
              (v) =>
                `${v.id}: ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.html.slice(0, 160)} (${v.nodes[0]?.failureSummary?.replace(/\s+/g, ' ')})`,
            );
        });
        expect({ slug: s.slug, violations }).toEqual({ slug: s.slug, violations: [] });
        await page.context().close();
      }
    });
  }
});
