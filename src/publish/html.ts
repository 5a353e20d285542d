/**
 * The small HTML shell shared by the archive index and the unsubscribe pages: one inline
 * stylesheet (no external assets, so the pages work under a strict Content-Security-Policy),
 * readable on a phone, with dark-mode colours. Every value is escaped by the caller via `esc`.
 */
import { escapeHtml } from '../render/merge.js';

export const esc = escapeHtml;

export interface Brand {
  organisation: string;
  lang: string;
  colours: { brand: string; text: string; muted: string; background: string; surface: string; link: string };
}

export function brandOf(config: { organisation: string; locale: string; colours: Brand['colours'] }): Brand {
  return { organisation: config.organisation, lang: config.locale.split('-')[0] || 'en', colours: config.colours };
}

const css = (c: Brand['colours']) =>
  [
    `:root{color-scheme:light dark}`,
    `body{margin:0;background:${c.background};color:${c.text};font:17px/1.55 Georgia,'Times New Roman',serif}`,
    `main{max-width:40rem;margin:0 auto;padding:2rem 1.25rem 3rem}`,
    `header{border-bottom:3px solid ${c.brand};margin-bottom:1.5rem}`,
    `header p{margin:0 0 .5rem;font:600 .85rem/1.4 Arial,Helvetica,sans-serif;letter-spacing:.06em;text-transform:uppercase;color:${c.brand}}`,
    `h1{font-size:1.7rem;line-height:1.25;margin:.25rem 0 1rem}`,
    `h2{font-size:1.2rem;line-height:1.3;margin:0 0 .25rem}`,
    `a{color:${c.link}}`,
    `ol{list-style:none;margin:0;padding:0}`,
    `li{background:${c.surface};padding:1rem 1.25rem;margin:0 0 .75rem;border-radius:4px}`,
    `time,.muted{color:${c.muted};font:.9rem/1.4 Arial,Helvetica,sans-serif}`,
    `li p{margin:.35rem 0 0}`,
    `button{font:600 1rem Arial,Helvetica,sans-serif;background:${c.brand};color:#fff;border:0;border-radius:4px;padding:.75rem 1.5rem;cursor:pointer}`,
    `form{margin:1.5rem 0}`,
    `footer{margin-top:2rem}`,
    `@media (prefers-color-scheme:dark){body{background:#14181d;color:#e6e9ee}li{background:#1f252c}a{color:#8cc2f2}header p,header{color:#c9d6e6;border-color:#c9d6e6}time,.muted{color:#aab4c0}}`,
  ].join('');

/** A complete page. `body` is trusted HTML built with `esc`; `head` extra trusted tags. */
export function htmlPage(brand: Brand, opts: { title: string; body: string; head?: string }): string {
  return (
    [
      '<!doctype html>',
      `<html lang="${esc(brand.lang)}">`,
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width,initial-scale=1">',
      `<title>${esc(opts.title)}</title>`,
      opts.head ?? '',
      `<style>${css(brand.colours)}</style>`,
      '</head>',
      '<body><main>',
      `<header><p>${esc(brand.organisation)}</p></header>`,
      opts.body,
      '</main></body>',
      '</html>',
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n'
  );
}
