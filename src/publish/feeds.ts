/**
 * RSS 2.0 and Atom feeds of the archive, pure, through the `feed` library (it writes the XML
 * and the date formats: RFC 822 in RSS, RFC 3339 in Atom). All links are absolute, built from
 * config `siteUrl`.
 *
 * Dates come from the issues, not the clock, so rebuilding an unchanged archive gives
 * byte-identical feeds and feed readers see nothing new.
 */
import { Feed } from 'feed';
import { escapeHtml } from '../render/merge.js';
import { newestFirst, siteUrls, type ArchiveEntry, type Site } from './archive-site.js';

const issueDate = (date: string) => new Date(`${date}T00:00:00Z`);

/**
 * Subjects and preheaders are plain text, but the library declares Atom titles and summaries
 * `type="html"` and RSS descriptions are HTML: escape them so "A < B & C" reads as written.
 */
const asHtml = (s: string) => escapeHtml(s);

export function buildFeeds(entries: readonly ArchiveEntry[], site: Site, now = new Date()): { rss: string; atom: string } {
  const ordered = newestFirst(entries);
  const u = siteUrls(site);
  const updated = ordered.length ? issueDate(ordered[0].date) : now;
  const feed = new Feed({
    id: u.index,
    title: site.name,
    description: `Every published issue of ${site.name}, newest first.`,
    link: u.index,
    language: site.locale,
    updated,
    generator: 'roundup',
    feedLinks: { rss: u.rss, atom: u.atom },
    // Atom requires an author on the feed when entries have none.
    author: { name: site.brand.organisation, link: u.index },
    copyright: `© ${updated.getUTCFullYear()} ${site.brand.organisation}`,
  });
  for (const e of ordered) {
    feed.addItem({
      title: asHtml(e.subject),
      id: e.url,
      link: e.url,
      date: issueDate(e.date),
      published: issueDate(e.date),
      description: e.preheader ? asHtml(e.preheader) : undefined,
    });
  }
  return { rss: feed.rss2(), atom: feed.atom1() };
}
