/**
 * Names and addresses derived from an issue: its slug, its dates as readers see them, and the
 * public URLs (web archive, unsubscribe). Pure and light: publishing, sending and preview use
 * these without loading the renderer.
 */
import path from 'node:path';
import type { Config } from './config.js';

/** Public archive URL of an issue: the "view in browser" link. */
export function webUrlFor(config: Pick<Config, 'siteUrl'>, slug: string): string {
  return `${config.siteUrl.replace(/\/+$/, '')}/${encodeURIComponent(slug)}/`;
}

/** File name without .md: the dist/ folder, the archive path and the send key. */
export function slugOf(file: string): string {
  return path.basename(file).replace(/\.md$/i, '');
}

const monthFormats = new Map<string, Intl.DateTimeFormat>();
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const cachedFormat = (cache: Map<string, Intl.DateTimeFormat>, locale: string, opts: Intl.DateTimeFormatOptions) => {
  let f = cache.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' });
    cache.set(locale, f);
  }
  return f;
};

/** "November 2026": a monthly issue's date. */
export function formatIssueDate(date: string, locale: string): string {
  return cachedFormat(monthFormats, locale, { month: 'long', year: 'numeric' }).format(new Date(`${date}T00:00:00Z`));
}

/** "20 November 2026": a weekly digest (and the archive index) needs the day as well. */
export function formatIssueDay(date: string, locale: string): string {
  return cachedFormat(dayFormats, locale, { day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${date}T00:00:00Z`));
}

/** Where unsubscribe links point: `unsubscribe.baseUrl`, else `siteUrl`, without a trailing slash. */
export function unsubscribeBase(config: Pick<Config, 'siteUrl' | 'unsubscribe'>): string {
  return (config.unsubscribe.baseUrl ?? config.siteUrl).replace(/\/+$/, '');
}

/** `${unsubscribe.baseUrl ?? siteUrl}/u/<token>` */
export function unsubscribeUrl(config: Pick<Config, 'siteUrl' | 'unsubscribe'>, token: string): string {
  return `${unsubscribeBase(config)}/u/${token}`;
}
