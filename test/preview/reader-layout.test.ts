/**
 * What readers see, in real headless Chromium at 320, 375 and 600 px, light and dark, for both
 * layouts and both CTA styles: nothing overflows, dark mode leaves nothing light (dividers
 * included), pull-quotes are a padded table cell around a <blockquote>, and a button's link
 * covers the whole button (what Outlook makes clickable).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { DEFAULT_CHROMIUM } from '../../src/env.js';
import { launchChromium } from '../../src/preview/browser.js';
import { personalise, renderIssue } from '../../src/render/index.js';
import { loadTemplates, type TemplateSet } from '../../src/render/templates.js';
import { part } from '../helpers/parts.js';
import { FIXTURES, REPO } from '../helpers/project.js';

const chromiumPath = process.env.ROUNDUP_CHROMIUM ?? DEFAULT_CHROMIUM;
const hasChromium = part('Chromium', existsSync(chromiumPath), 'apt-get install chromium (or set ROUNDUP_CHROMIUM)');

const SOURCES = [
  ['issues/2026-11.md', readFileSync(path.join(REPO, 'issues/2026-11.md'), 'utf8')],
  ['issues/weekly-2026-47.md', readFileSync(path.join(REPO, 'issues/weekly-2026-47.md'), 'utf8')],
  ['issues/full-roundup.md', readFileSync(path.join(FIXTURES, 'issues/full-roundup.md'), 'utf8')],
] as const;
const READER = {
  recipient: { name: 'Dr Maximiliana Fortescue-Arbuthnot Wellington', organisation: 'Royal Northgate Community Trust' },
  unsubscribeUrl: 'https://news.hartwellfinch.example/u/abc',
};

let browser: Browser;
let config: Config;
let templates: TemplateSet;
const emails: { name: string; html: string }[] = [];

async function render(cfg: Config): Promise<{ name: string; html: string }[]> {
  const out = [];
  for (const [file, src] of SOURCES) {
    const issue = await renderIssue(src, file, { config: cfg, templates });
    expect(issue.mjmlErrors, file).toEqual([]);
    out.push({ name: `${file} (cta ${cfg.cta})`, html: personalise(issue, READER).html });
  }
  return out;
}

beforeAll(async () => {
  if (!hasChromium) return;
  config = { ...loadConfig(REPO), validation: 'strict' };
  templates = loadTemplates(REPO);
  emails.push(...(await render(config)), ...(await render({ ...config, cta: 'arrow' })));
  browser = await launchChromium(chromiumPath);
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function open(html: string, width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 700 }, colorScheme });
  const page = await context.newPage();
  await page.route('**/*', (r) => r.abort()); // sample image hosts do not resolve
  await page.setContent(html, { waitUntil: 'load' });
  return page;
}

describe.skipIf(!hasChromium)('the email in Chromium', () => {
  it('does not overflow at 320, 375 or 600 px, light or dark, with either CTA style', async () => {
    for (const e of emails) {
      // Dark mode changes colours only, so one dark width is enough (the machine is shared).
      for (const [width, schemes] of [
        [320, ['light', 'dark']],
        [375, ['light']],
        [600, ['light']],
      ] as const) {
        for (const scheme of schemes) {
          const page = await open(e.html, width, scheme);
          const r = await page.evaluate(() => {
            const vw = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
              .filter((el) => el.getBoundingClientRect().right > vw + 0.5)
              .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
              .slice(0, 3);
            return { scroll: document.documentElement.scrollWidth, wide };
          });
          expect({ at: `${e.name} ${width} ${scheme}`, ...r }).toEqual({ at: `${e.name} ${width} ${scheme}`, scroll: width, wide: [] });
          await page.context().close();
        }
      }
    }
  }, 120_000);

  it('leaves nothing light in dark mode: backgrounds, borders (dividers, quote bar) and text', async () => {
    for (const e of emails) {
      const page = await open(e.html, 600, 'dark');
      const r = await page.evaluate(() => {
        const lum = (c: string) => {
          const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
          if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return null;
          const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
            const s = Number(v) / 255;
            return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const bad: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>('body *')) {
          if (!el.getClientRects().length) continue; // not rendered (the hidden preheader)
          const s = getComputedStyle(el);
          const name = `${el.tagName.toLowerCase()}.${el.className}`;
          const bg = lum(s.backgroundColor);
          // Light backgrounds: none (the button is mid-blue, well below 0.25).
          if (bg !== null && bg > 0.25) bad.push(`background ${s.backgroundColor} on ${name}`);
          for (const side of ['Top', 'Right', 'Bottom', 'Left'] as const) {
            const w = Number.parseFloat(s.getPropertyValue(`border-${side.toLowerCase()}-width`));
            const style = s.getPropertyValue(`border-${side.toLowerCase()}-style`);
            const l = lum(s.getPropertyValue(`border-${side.toLowerCase()}-color`));
            // A light rule on a dark page: the accent bar is allowed up to mid luminance.
            if (w > 0 && style !== 'none' && l !== null && l > 0.5)
              bad.push(`border-${side} ${s.getPropertyValue(`border-${side.toLowerCase()}-color`)} on ${name}`);
          }
          const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim() !== '');
          const fg = lum(s.color);
          if (text && fg !== null && fg < 0.3) bad.push(`text ${s.color} on ${name}`);
        }
        return { bad: [...new Set(bad)].slice(0, 8) };
      });
      expect({ at: e.name, ...r }).toEqual({ at: e.name, bad: [] });
      await page.context().close();
    }
  }, 60_000);

  it('draws dividers in colours.rule in light mode and dark.rule in dark mode', async () => {
    const hex = (c: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16)).join(', ')})`;
    for (const [scheme, want] of [
      ['light', hex(config.colours.rule)],
      ['dark', hex(config.dark.rule)],
    ] as const) {
      const page = await open(emails[0].html, 600, scheme);
      const colours = await page.$$eval('.rb-rule p', (ps) => ps.map((p) => getComputedStyle(p).borderTopColor));
      expect(colours.length).toBeGreaterThanOrEqual(2);
      expect(new Set(colours)).toEqual(new Set([want]));
      await page.context().close();
    }
  });

  it('builds pull-quotes from a table cell with padding between bar and text, around a <blockquote>', async () => {
    const page = await open(emails[2].html, 375, 'light');
    const quotes = await page.$$eval('table.rb-quote', (tables) =>
      tables.map((t) => {
        const td = t.querySelector(':scope > tbody > tr > td.rb-quote-cell') as HTMLElement;
        const bq = td?.querySelector(':scope > blockquote') as HTMLElement;
        const s = getComputedStyle(td);
        return {
          role: t.getAttribute('role'),
          bar: `${s.borderLeftWidth} ${s.borderLeftStyle}`,
          gap: bq.getBoundingClientRect().left - td.getBoundingClientRect().left,
          attribution: bq.querySelector('.rb-attr')?.textContent,
        };
      }),
    );
    expect(quotes.length).toBeGreaterThanOrEqual(2);
    expect(quotes.map((q) => q.attribution).filter(Boolean)).toEqual(['— Jane Smith, Partner', '— Omar Haddad, Senior Associate']);
    for (const q of quotes) {
      expect(q.role).toBe('presentation');
      expect(q.bar).toBe('4px solid');
      // The cell padding (18 px) sits between bar and text (with border-collapse half the bar is outside the cell box).
      expect(q.gap).toBeGreaterThanOrEqual(18);
    }
    await page.context().close();
  });

  it('makes the whole button the link, and the arrow style a text link', async () => {
    const button = emails.find((e) => e.name.includes('full-roundup') && e.name.includes('button'))!;
    const page = await open(button.html, 375, 'light');
    const boxes = await page.$$eval('table.rb-btn td', (tds) =>
      tds.map((td) => {
        const a = td.querySelector('a')!.getBoundingClientRect();
        const c = td.getBoundingClientRect();
        return { dw: c.width - a.width, dh: c.height - a.height, h: a.height };
      }),
    );
    expect(boxes.length).toBe(5);
    for (const b of boxes) {
      expect(b.dw).toBeLessThanOrEqual(1);
      expect(b.dh).toBeLessThanOrEqual(1);
      expect(b.h).toBeGreaterThanOrEqual(40); // a comfortable tap target
    }
    await page.context().close();
    const arrow = emails.find((e) => e.name.includes('full-roundup') && e.name.includes('arrow'))!;
    const p2 = await open(arrow.html, 375, 'light');
    expect(await p2.$$eval('table.rb-btn', (t) => t.length)).toBe(0);
    const links = await p2.$$eval('a.rb-arrow', (as) => as.map((a) => a.textContent));
    expect(links).toHaveLength(5);
    for (const l of links) expect(l).toMatch(/\u00a0→$/);
    await p2.context().close();
  });
});
