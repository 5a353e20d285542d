/**
 * Stage 6: the plain-text part, from the same model as the HTML (not scraped from the
 * email layout): numbered headings, nested bullets, quotes with attribution and every
 * link's URL. html-to-text does the wrapping and list indentation.
 */
import { compile } from 'html-to-text';
import { escapeHtml } from './merge.js';
import type { Block, IssueModel } from '../issue/types.js';

const toText = compile({
  wordwrap: 76,
  selectors: [
    { selector: 'h1', options: { uppercase: false, leadingLineBreaks: 0, trailingLineBreaks: 1 } },
    { selector: 'h2', options: { uppercase: false, leadingLineBreaks: 3, trailingLineBreaks: 2 } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, linkBrackets: ['<', '>'] } },
    { selector: 'img', format: 'skip' },
    { selector: 'ul', options: { itemPrefix: ' * ' } },
    { selector: 'hr', options: { length: 40 } },
    { selector: 'table', format: 'dataTable' },
  ],
});

function blockHtml(b: Block): string {
  switch (b.kind) {
    case 'html':
      return b.html;
    case 'quote':
      return `<blockquote>${b.html}${b.attribution ? `<p>${b.attributionHtml}</p>` : ''}</blockquote>`;
    case 'cta':
      return `<p>${b.label === b.href ? '' : `${escapeHtml(b.label)}: `}${escapeHtml(b.href)}</p>`;
    case 'image':
      return b.alt ? `<p>[Image: ${escapeHtml(b.alt)}]</p>` : '';
  }
}

export interface TextContext {
  /** As shown in the header: "November 2026", or the day for a weekly digest. */
  date: string;
  webUrl: string;
  organisation: string;
  address: string;
  /** Marker for the per-reader unsubscribe URL. */
  unsubscribeUrl: string;
  numbered: boolean;
}

export function renderText(model: IssueModel, ctx: TextContext): string {
  const { meta } = model;
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(meta.title)}</h1>`);
  parts.push(`<p>${escapeHtml(ctx.date)}${meta.byline ? `<br>${escapeHtml(meta.byline)}` : ''}</p>`);
  parts.push(`<p>View this email in your browser: ${escapeHtml(ctx.webUrl)}</p>`);
  parts.push(...model.intro.map(blockHtml));
  for (const s of model.sections) {
    // titleHtml, not title: a link in a heading keeps its URL in the text part.
    parts.push(`<h2>${ctx.numbered ? `${s.number}. ` : ''}${s.titleHtml}</h2>`);
    parts.push(...s.blocks.map(blockHtml));
  }
  parts.push('<hr>', ...model.signoff.map(blockHtml), '<hr>');
  parts.push(`<p>${escapeHtml(ctx.organisation)}<br>${escapeHtml(ctx.address)}</p>`);
  parts.push(`<p>Unsubscribe: ${escapeHtml(ctx.unsubscribeUrl)}</p>`);
  // No trailing spaces (the blank "> " line inside a quote): some mail paths strip them, and in
  // format=flowed a trailing space would join lines.
  return (
    toText(parts.join('\n'))
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}
