import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'cheerio';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { webUrlFor } from '../../src/naming.js';
import { personalise, renderIssueFile } from '../../src/render/index.js';
import { makeProject, runCli } from '../helpers/project.js';

const SITE = 'https://news.hartwellfinch.example';

const tricky = `---
title: Integrated Care and Provider Collaboratives roundup
subject: 'Costs < benefits & "risks" for {{recipient.name | "every reader"}}'
date: 2026-10-01
preheader: "<script>alert(1)</script> & more"
---

Hello {{recipient.name | "colleague"}} at {{recipient.organisation | "your organisation"}}.

## One story

Text about it.
`;

const draft = `---
title: Integrated Care and Provider Collaboratives roundup
subject: Not ready yet
date: 2026-12-05
draft: true
---

## Half written

TODO.
`;

/** Issues published (not drafts), newest first: what the feeds and index must list. */
const PUBLISHED = [
  { slug: 'weekly-2026-47', date: '2026-11-20' },
  { slug: '2026-11', date: '2026-11-03' },
  { slug: 'tricky', date: '2026-10-01' },
];

const RFC822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|[+-]\d{4})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const ARRAYS = new Set(['rss.channel.item', 'rss.channel.atom:link', 'feed.entry', 'feed.link', 'feed.entry.link']);
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (_name, jpath) => ARRAYS.has(String(jpath)) });

describe('roundup archive', () => {
  let dir: string;
  let out: string;
  const read = (rel: string) => readFileSync(path.join(out, rel), 'utf8');

  beforeAll(() => {
    dir = makeProject({ withSampleIssues: true, issues: { 'tricky.md': tricky, 'draft.md': draft } });
    const r = runCli(['archive', '--out', 'site'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('archive: 3 issue(s)');
    expect(r.stdout).toContain('left out 1 draft(s): issues/draft.md');
    out = path.join(dir, 'site');
  });

  it('writes one page per published issue where its "view in browser" link points, and none for drafts', async () => {
    for (const { slug } of PUBLISHED) expect(existsSync(path.join(out, slug, 'index.html'))).toBe(true);
    expect(existsSync(path.join(out, 'draft'))).toBe(false);
    // The emailed version links to exactly that page, at config siteUrl.
    const config = loadConfig(dir);
    const issue = await renderIssueFile('issues/2026-11.md', { root: dir, config });
    const mail = personalise(issue, { recipient: { name: 'Ann' }, unsubscribeUrl: 'https://x.example/u/tok' });
    const $ = load(mail.html);
    const view = $('a')
      .filter((_i, a) => $(a).text().trim() === 'View in browser')
      .attr('href');
    expect(view).toBe(`${SITE}/2026-11/`);
    expect(view).toBe(webUrlFor(config, '2026-11'));
  });

  it('strips everything personal from issue pages: neutral fallbacks, generic unsubscribe link, no token or marker', () => {
    for (const { slug } of PUBLISHED) {
      const html = read(`${slug}/index.html`);
      expect(html).not.toMatch(/RcPt[0-9a-f]{12}x\d+rCpT/);
      expect(html).not.toContain('Sam Reader');
      expect(html).not.toContain('Northgate');
      expect(html).not.toMatch(/\/u\/[A-Za-z0-9_-]+/);
      expect(html).not.toContain('/u/preview');
      const $ = load(html);
      expect(
        $('a')
          .filter((_i, a) => $(a).text().trim() === 'Unsubscribe')
          .attr('href'),
      ).toBe(`${SITE}/u/`);
      expect($('link[rel=canonical]').attr('href')).toBe(`${SITE}/${slug}/`);
      expect($('a').first().attr('href')).toBe(`${SITE}/`);
      // The page is the browser view: the email's "view in browser" row is hidden there.
      expect($('.rb-webview a').attr('href')).toBe(`${SITE}/${slug}/`);
      expect($('head style').text()).toContain('.rb-webview{display:none!important}');
    }
    expect(read('2026-11/index.html')).toContain('Dear colleague');
    expect(read('tricky/index.html')).toContain('Hello colleague at your organisation.');
  });

  it('lists issues newest first on the index, escaped, with date and preheader', () => {
    const $ = load(read('index.html'));
    const items = $('ol > li');
    expect(items.length).toBe(3);
    expect(items.map((_i, li) => $(li).find('a').attr('href')).get()).toEqual(PUBLISHED.map((p) => `${SITE}/${p.slug}/`));
    expect(items.map((_i, li) => $(li).find('time').attr('datetime')).get()).toEqual(PUBLISHED.map((p) => p.date));
    const last = items.last();
    expect(last.find('a').text()).toBe('Costs < benefits & "risks" for every reader');
    expect(last.find('p').text()).toBe('<script>alert(1)</script> & more');
    expect($('script').length).toBe(0);
    expect(read('index.html')).not.toContain('Not ready yet');
    expect($('link[type="application/rss+xml"]').attr('href')).toBe(`${SITE}/feed.xml`);
    expect($('link[type="application/atom+xml"]').attr('href')).toBe(`${SITE}/atom.xml`);
  });

  it('writes a valid RSS 2.0 feed: items newest first, RFC 822 dates, absolute links, no drafts', () => {
    const text = read('feed.xml');
    expect(XMLValidator.validate(text)).toBe(true);
    const channel = xml.parse(text).rss.channel;
    expect(xml.parse(text).rss['@version']).toBe('2.0');
    expect(channel.link).toBe(`${SITE}/`);
    expect(channel['atom:link'][0]['@href']).toBe(`${SITE}/feed.xml`);
    expect(channel.lastBuildDate).toMatch(RFC822);
    expect(new Date(channel.lastBuildDate).toISOString()).toBe('2026-11-20T00:00:00.000Z');
    const items = channel.item as { title: string; link: string; guid: { '#text': string }; pubDate: string; description?: string }[];
    expect(items.map((i) => i.link)).toEqual(PUBLISHED.map((p) => `${SITE}/${p.slug}/`));
    for (const [n, item] of items.entries()) {
      expect(item.link.startsWith(`${SITE}/`)).toBe(true);
      expect(item.guid['#text']).toBe(item.link);
      expect(item.pubDate).toMatch(RFC822);
      expect(new Date(item.pubDate).toISOString().slice(0, 10)).toBe(PUBLISHED[n].date);
    }
    // Plain-text subjects are carried HTML-escaped, so readers show them as written.
    expect(items[2].title).toBe('Costs &lt; benefits &amp; &quot;risks&quot; for every reader');
    expect(items[2].description).toBe('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(text).not.toContain('Not ready yet');
  });

  it('writes a valid Atom feed: entries newest first, RFC 3339 dates, absolute links, ids, an author', () => {
    const text = read('atom.xml');
    expect(XMLValidator.validate(text)).toBe(true);
    const feed = xml.parse(text).feed;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe(`${SITE}/`);
    expect(feed.updated).toMatch(RFC3339);
    expect(feed.updated.slice(0, 10)).toBe('2026-11-20');
    expect(feed.author.name).toBe('Hartwell & Finch LLP');
    const self = (feed.link as { '@rel': string; '@href': string }[]).find((l) => l['@rel'] === 'self');
    expect(self?.['@href']).toBe(`${SITE}/atom.xml`);
    const entries = feed.entry as {
      id: string;
      link: { '@href': string }[];
      updated: string;
      published: string;
      title: { '#text': string };
    }[];
    expect(entries).toHaveLength(3);
    expect(entries.map((e) => e.link[0]['@href'])).toEqual(PUBLISHED.map((p) => `${SITE}/${p.slug}/`));
    for (const [n, e] of entries.entries()) {
      expect(e.id).toBe(e.link[0]['@href']);
      expect(e.updated).toMatch(RFC3339);
      expect(e.published).toMatch(RFC3339);
      expect(e.updated.slice(0, 10)).toBe(PUBLISHED[n].date);
    }
  });

  it('rebuilds byte-identically, drops an issue turned into a draft, and never keeps stale pages', () => {
    const before = { rss: read('feed.xml'), atom: read('atom.xml'), index: read('index.html') };
    expect(runCli(['archive', '--out', 'site'], dir).code).toBe(0);
    expect({ rss: read('feed.xml'), atom: read('atom.xml'), index: read('index.html') }).toEqual(before);

    const copy = makeProject({ withSampleIssues: true });
    expect(runCli(['archive'], copy).code).toBe(0);
    expect(existsSync(path.join(copy, 'dist/archive/weekly-2026-47/index.html'))).toBe(true);
    const weekly = path.join(copy, 'issues/weekly-2026-47.md');
    writeFileSync(weekly, readFileSync(weekly, 'utf8').replace('template: digest', 'template: digest\ndraft: true'));
    expect(runCli(['archive'], copy).code).toBe(0);
    expect(existsSync(path.join(copy, 'dist/archive/weekly-2026-47'))).toBe(false);
    expect(readFileSync(path.join(copy, 'dist/archive/feed.xml'), 'utf8')).not.toContain('weekly-2026-47');
  });

  it('refuses to replace a folder it did not make, leaving it untouched', () => {
    const copy = makeProject({ withSampleIssues: true });
    mkdirSync(path.join(copy, 'public'));
    writeFileSync(path.join(copy, 'public/keep.txt'), 'mine');
    const r = runCli(['archive', '--out', 'public'], copy);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'roundup: public: is not empty and was not made by roundup archive; it would be replaced: choose another --out or empty it',
    ]);
    expect(readFileSync(path.join(copy, 'public/keep.txt'), 'utf8')).toBe('mine');
  });

  it('reports an --out under a file as one line, not an internal error', () => {
    const copy = makeProject({ withSampleIssues: true });
    writeFileSync(path.join(copy, 'notes.txt'), 'a file');
    const r = runCli(['archive', '--out', 'notes.txt/site'], copy);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'roundup: notes.txt/site: part of this path is a file, not a folder: choose another --out',
    ]);
  });

  it('reports a broken issue with file and line, and publishes nothing', () => {
    const copy = makeProject({ withSampleIssues: true, issues: { 'bad.md': '---\ntitle: T\nsubject: S\ndate: 2026-13-01\n---\n\nx\n' } });
    const r = runCli(['archive'], copy);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^roundup: issues\/bad\.md:4: front-matter "date"/);
    expect(existsSync(path.join(copy, 'dist/archive'))).toBe(false);
  });
});
