/**
 * Stage 7: the plain-text part, from the same model as the HTML (not scraped from the
 * email layout): numbered headings, nested bullets, quotes with attribution and every
 * link's URL. html-to-text lays out the blocks, one logical line per paragraph or item;
 * roundup wraps the lines itself at 76 columns, because a recipient's name or organisation
 * changes a line's length: lines without a field are wrapped once per issue, lines with one
 * are filled and wrapped per reader (a few lines per issue, well under a µs each).
 */
import { compile } from 'html-to-text';
import { compileMerge, escapeHtml, type FieldTable, fill, type MergeTemplate } from './merge.js';
import type { Block, IssueModel } from '../issue/types.js';

/** RFC 5322 recommends 78; 76 leaves room for a quoting "> " when a reader replies. */
export const TEXT_WIDTH = 76;

// Lines of <pre> and tables are laid out already (code, columns): they are never re-wrapped.
// Their extent is marked with two control characters, which are removed afterwards.
const KEEP_START = '\u0001';
const KEEP_END = '\u0002';

const toText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'h1', options: { uppercase: false, leadingLineBreaks: 0, trailingLineBreaks: 1 } },
    { selector: 'h2', options: { uppercase: false, leadingLineBreaks: 3, trailingLineBreaks: 2 } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, linkBrackets: ['<', '>'] } },
    { selector: 'img', format: 'skip' },
    { selector: 'ul', options: { itemPrefix: ' * ' } },
    { selector: 'hr', options: { length: 40 } },
    // Header cells as typed: uppercasing would also uppercase a recipient field's marker.
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
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

/** One logical line: `wrap` false for code and table lines, which keep their layout. */
export interface TextLine {
  text: string;
  wrap: boolean;
}

/** The text part as logical lines (not wrapped), with recipient markers still in place. */
export function renderTextLines(model: IssueModel, ctx: TextContext): TextLine[] {
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
  // The same "why you receive this" line as the HTML footer (templates/components/footer.mjml).
  parts.push(`<p>You receive ${escapeHtml(meta.title)} because you subscribed to it.</p>`);
  parts.push(`<p>Unsubscribe: ${escapeHtml(ctx.unsubscribeUrl)}</p>`);
  const html = parts
    .join('\n')
    // Typed text cannot contain the sentinels (Markdown output is text, never raw control characters).
    .replace(/[\u0001\u0002]/g, '')
    .replace(/<(pre|table)\b/g, `<p>${KEEP_START}</p><$1`)
    .replace(/<\/(pre|table)>/g, `</$1><p>${KEEP_END}</p>`);
  // No trailing spaces (the blank "> " line inside a quote): some mail paths strip them, and in
  // format=flowed a trailing space would join lines.
  const text = toText(html)
    .split('\n')
    .map(trimTrailingBlanks)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const lines: TextLine[] = [];
  let keep = 0;
  for (const line of text.split('\n')) {
    if (line.includes(KEEP_START)) keep++;
    else if (line.includes(KEEP_END)) keep = Math.max(0, keep - 1);
    else lines.push({ text: line, wrap: keep === 0 });
  }
  // Removing a sentinel line can leave two blank lines together.
  return lines.filter((l, i) => l.text !== '' || (i > 0 && lines[i - 1].text !== ''));
}

/**
 * The prefix of a logical line and the one its continuation lines get: "> " quote marks are
 * repeated, a list bullet or number becomes spaces of the same width (a hanging indent).
 */
const PREFIX = /^((?:> ?)*)( *(?:\* |\d+\. )?)/;

/** Wrap one logical line at `width` columns. Words longer than that (URLs) are never broken. */
export function wrapLine(line: string, width = TEXT_WIDTH): string {
  if (line.length <= width) return line;
  const m = PREFIX.exec(line)!;
  const first = m[0];
  const rest = m[1] + ' '.repeat(m[2].length);
  const words = line.slice(first.length).split(' ');
  let out = '';
  let cur = first;
  let curLen = cur.length;
  let empty = true;
  for (const w of words) {
    if (w === '') continue;
    if (empty) {
      cur += w;
      curLen += w.length;
      empty = false;
    } else if (curLen + 1 + w.length <= width) {
      cur += ` ${w}`;
      curLen += 1 + w.length;
    } else {
      out += `${cur}\n`;
      cur = rest + w;
      curLen = rest.length + w.length;
    }
  }
  return out + cur;
}

/**
 * The text part as a merge template: `parts` are static text (wrapped), and each slot is a
 * logical line that holds a recipient field, in `lines`, filled and wrapped per reader.
 * Its parts/slots shape is a MergeTemplate over `textValues(…)`, so the QP pre-encoding in
 * src/send/qp-template.ts works on it unchanged.
 */
export interface TextTemplate extends MergeTemplate {
  lines: { template: MergeTemplate; wrap: boolean }[];
}

export function compileText(lines: readonly TextLine[], fields: FieldTable): TextTemplate {
  const parts: string[] = [];
  const slots: number[] = [];
  const dynamic: TextTemplate['lines'] = [];
  let cur = '';
  for (const line of lines) {
    const template = compileMerge(line.text, fields);
    if (template.slots.length === 0) {
      cur += `${line.wrap ? wrapLine(line.text) : line.text}\n`;
      continue;
    }
    parts.push(cur);
    slots.push(dynamic.length);
    dynamic.push({ template, wrap: line.wrap });
    cur = '\n';
  }
  parts.push(cur);
  return { parts, slots, lines: dynamic };
}

/** Per reader: each line with a field, filled and wrapped (`resolved` from resolveValues). */
export function textValues(t: TextTemplate, resolved: readonly string[]): string[] {
  return t.lines.map((l) => {
    const line = fill(l.template, resolved, false);
    return l.wrap ? wrapLine(line) : line;
  });
}

/** The personalised text part. */
export function fillText(t: TextTemplate, resolved: readonly string[]): string {
  return fill(t, textValues(t, resolved), false);
}

/**
 * A line without its trailing spaces and tabs. A loop, not `/[ \t]+$/gm`: that pattern retries
 * from every position of a long run of spaces (a code line of 100,000 spaces took a minute).
 */
function trimTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return end === line.length ? line : line.slice(0, end);
}
