/**
 * The archive site's pages, pure: entries in, HTML out.
 *
 * Layout (published at config `siteUrl`, so each issue's page is where the "view in browser"
 * link of its email points):
 *   index.html          every issue, newest first
 *   <slug>/index.html   the email as sent, minus everything personal
 *   feed.xml, atom.xml  RSS 2.0 and Atom (see feeds.ts)
 */
import { formatIssueDay } from '../naming.js';
import { esc, htmlPage, type Brand } from './html.js';

export interface ArchiveEntry {
  slug: string;
  title: string;
  subject: string;
  /** YYYY-MM-DD */
  date: string;
  preheader: string;
  /** Absolute URL of the issue's page: the email's "view in browser" link. */
  url: string;
  /** The issue's email HTML, personalised with neutral values. */
  html: string;
}

export interface Site {
  /** siteUrl without a trailing slash. */
  base: string;
  /** Shown as the site and feed title. */
  name: string;
  locale: string;
  brand: Brand;
}

export const FEED_FILES = { rss: 'feed.xml', atom: 'atom.xml' } as const;

export const siteUrls = (site: Pick<Site, 'base'>) => ({
  index: `${site.base}/`,
  rss: `${site.base}/${FEED_FILES.rss}`,
  atom: `${site.base}/${FEED_FILES.atom}`,
});

/** Newest first; issues of the same day by slug, descending, so the order is stable. */
export function newestFirst<T extends { date: string; slug: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => b.date.localeCompare(a.date) || b.slug.localeCompare(a.slug));
}

/**
 * The site's name: the newsletter's title when every issue shares one, otherwise the
 * organisation's archive (a monthly roundup and a weekly digest side by side).
 */
export function siteName(entries: readonly Pick<ArchiveEntry, 'title'>[], organisation: string): string {
  const titles = new Set(entries.map((e) => e.title));
  return titles.size === 1 ? [...titles][0] : `${organisation} newsletters`;
}

function feedLinks(site: Site): string {
  const u = siteUrls(site);
  return [
    `<link rel="alternate" type="application/rss+xml" title="${esc(site.name)} (RSS)" href="${esc(u.rss)}">`,
    `<link rel="alternate" type="application/atom+xml" title="${esc(site.name)} (Atom)" href="${esc(u.atom)}">`,
  ].join('\n');
}

export function indexPage(entries: readonly ArchiveEntry[], site: Site): string {
  const u = siteUrls(site);
  const items = newestFirst(entries).map((e) =>
    [
      '<li>',
      `<h2><a href="${esc(e.url)}">${esc(e.subject)}</a></h2>`,
      `<time datetime="${esc(e.date)}">${esc(formatIssueDay(e.date, site.locale))}</time>`,
      e.preheader ? `<p>${esc(e.preheader)}</p>` : '',
      '</li>',
    ].join(''),
  );
  const body = [
    `<h1>${esc(site.name)}</h1>`,
    items.length ? `<ol>\n${items.join('\n')}\n</ol>` : '<p>No issues have been published yet.</p>',
    `<footer class="muted">Follow by <a href="${esc(u.rss)}">RSS</a> or <a href="${esc(u.atom)}">Atom</a>.</footer>`,
  ].join('\n');
  return htmlPage(site.brand, {
    title: site.name,
    head: `<link rel="canonical" href="${esc(u.index)}">\n${feedLinks(site)}`,
    body,
  });
}

/**
 * An issue's page is its email HTML with a canonical link, the feed links, and a one-line
 * bar back to the index added. The email is left otherwise untouched: it is what readers got.
 */
export function issuePage(entry: ArchiveEntry, site: Site): string {
  const u = siteUrls(site);
  // The page is the browser view: hide the email's own "view in browser" row (class rb-webview).
  const head = `<link rel="canonical" href="${esc(entry.url)}">\n${feedLinks(site)}\n<style>.rb-webview{display:none!important}</style>\n`;
  const c = site.brand.colours;
  const bar =
    `<div style="background:${c.surface};border-bottom:1px solid ${c.background};padding:10px 16px;font:14px/1.4 Arial,Helvetica,sans-serif">` +
    `<a href="${esc(u.index)}" style="color:${c.link}">&larr; All issues of ${esc(site.name)}</a></div>\n`;
  // Function replacers: a "$" in a URL must not be read as a replacement pattern.
  let html = entry.html;
  html = /<\/head>/i.test(html) ? html.replace(/<\/head>/i, (m) => head + m) : head + html;
  html = /<body[^>]*>/i.test(html) ? html.replace(/<body[^>]*>/i, (m) => `${m}\n${bar}`) : bar + html;
  return html;
}
