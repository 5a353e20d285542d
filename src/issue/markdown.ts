/**
 * Stage 3: Markdown body → issue model (intro, numbered sections, typed blocks). Pure.
 *
 * markdown-it runs with `html: false`, so raw HTML pasted into an issue is shown as text
 * and can never break the email layout. Inline styles are set on the tokens here because
 * many email clients ignore <style> blocks.
 */
import MarkdownIt, { type Token } from 'markdown-it';
import { ErrorCodes, RoundupError } from '../errors.js';
import type { Block, Section, SourcePos } from './types.js';
import type { ExpandedBody } from './partials.js';

export interface InlineStyle {
  link: string;
  muted: string;
  heading: string;
  font: string;
  /** Config `locale`: turns on typographic quotes and dashes in that language's style. */
  locale?: string;
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });

/**
 * Typographic quotes per language, as markdown-it's `quotes` option: [open double, close double,
 * open single, close single] for English's order; British usage puts single quotes first.
 * Apostrophes become ’ whatever the language.
 */
const QUOTES: Record<string, [string, string, string, string]> = {
  'en-GB': ['‘', '’', '“', '”'],
  en: ['“', '”', '‘', '’'],
  de: ['„', '“', '‚', '‘'],
  fr: ['«\u00a0', '\u00a0»', '‹\u00a0', '\u00a0›'],
  es: ['«', '»', '“', '”'],
  it: ['«', '»', '“', '”'],
  pt: ['«', '»', '“', '”'],
  nl: ['“', '”', '‘', '’'],
  da: ['»', '«', '›', '‹'],
  sv: ['”', '”', '’', '’'],
  fi: ['”', '”', '’', '’'],
  nb: ['«', '»', '‘', '’'],
  pl: ['„', '”', '«', '»'],
  cs: ['„', '“', '‚', '‘'],
  ru: ['«', '»', '„', '“'],
};

/** The quote marks for a BCP 47 locale ("en-GB", "de-AT"): exact tag, then language, then English. */
export function quotesFor(locale: string): [string, string, string, string] {
  const lang = locale.split('-')[0].toLowerCase();
  // Other English-speaking regions quote as British English does except the US and Canada.
  if (lang === 'en' && !/^en(-(US|CA))?$/i.test(locale)) return QUOTES['en-GB'];
  return QUOTES[locale] ?? QUOTES[lang] ?? QUOTES.en;
}

const parsers = new Map<string, typeof md>();
/** markdown-it with the typographer (’ “ ” – … ©) in the locale's quote style; same renderer options. */
function parserFor(locale: string | undefined): typeof md {
  if (!locale) return md;
  let p = parsers.get(locale);
  if (!p) {
    p = new MarkdownIt({ html: false, linkify: false, typographer: true, breaks: false, quotes: quotesFor(locale) });
    parsers.set(locale, p);
  }
  return p;
}

const ATTRIBUTION = /^\s*(?:—|–|--)\s*(.+)$/s;

export interface ParsedBody {
  intro: Block[];
  sections: Section[];
}

export function slugify(s: string): string {
  return (
    s
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'section'
  );
}

/** Plain text of an inline token's children (for CTA labels, titles, alt text). */
export function inlineText(children: Token[] | null): string {
  if (!children) return '';
  return children
    .map((t) =>
      t.type === 'text' || t.type === 'code_inline'
        ? t.content
        : t.type === 'softbreak'
          ? ' '
          : t.type === 'image'
            ? inlineText(t.children)
            : '',
    )
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Rewrites a link or image URL (recipient fields inside it are percent-encoded per reader). */
export type UrlHook = (url: string) => string;

/**
 * A local image (`images/team.jpg`, relative to `pos.file`) → its published URL and display
 * size; undefined leaves the image as written (a remote URL, or a file with a problem).
 */
export type ImageHook = (src: string, pos: SourcePos) => { src: string; width: number; height: number } | undefined;

/** Markdown → markdown-it tokens. Parsed once per render: the image stage reads them first. */
export function tokenize(text: string, locale?: string): Token[] {
  return parserFor(locale).parse(text, {});
}

/**
 * Every image in the tokens with the line it is written on (a paragraph may span several
 * lines: the first line from the paragraph's start that names the image).
 */
export function imageRefs(tokens: readonly Token[], body: ExpandedBody): { src: string; pos: SourcePos }[] {
  const out: { src: string; pos: SourcePos }[] = [];
  const lines = body.text.split('\n');
  let map: [number, number] = [0, 1];
  for (const t of tokens) {
    if (t.map) map = t.map;
    if (t.type !== 'inline') continue;
    for (const c of t.children ?? []) {
      if (c.type !== 'image') continue;
      const src = String(c.attrGet('src') ?? '');
      let decoded = src;
      try {
        decoded = decodeURI(src);
      } catch {
        // keep it encoded
      }
      let at = map[0];
      for (let i = map[0]; i < Math.max(map[1], map[0] + 1) && i < lines.length; i++) {
        if (src && (lines[i].includes(src) || lines[i].includes(decoded))) {
          at = i;
          break;
        }
      }
      out.push({ src, pos: body.origins[at] ?? body.origins[0] });
    }
  }
  return out;
}

function styleTokens(
  tokens: Token[],
  s: InlineStyle,
  url: UrlHook,
  image?: ImageHook,
  at?: (t: Token) => SourcePos,
  outer?: SourcePos,
): void {
  /** Where the current token was written (inline children inherit their block's place). */
  let pos = outer;
  for (const t of tokens) {
    if (at && t.map) pos = at(t);
    switch (t.type) {
      case 'paragraph_open':
        t.attrSet('style', 'margin:0 0 16px');
        break;
      case 'bullet_list_open':
      case 'ordered_list_open':
        t.attrSet('style', t.level === 0 ? 'margin:0 0 16px;padding:0 0 0 24px' : 'margin:8px 0 0;padding:0 0 0 22px');
        break;
      case 'list_item_open':
        t.attrSet('style', 'margin:0 0 8px');
        break;
      case 'heading_open':
        t.attrSet('style', `margin:20px 0 8px;font-family:${s.font};font-size:17px;line-height:1.35;color:${s.heading}`);
        break;
      case 'blockquote_open':
        t.attrSet('style', `margin:0 0 16px;padding:0 0 0 16px;border-left:3px solid ${s.muted}`);
        break;
      case 'hr':
        t.attrSet('style', `border:0;border-top:1px solid ${s.muted};margin:24px 0`);
        break;
      case 'table_open':
        t.attrSet('style', 'border-collapse:collapse;width:100%;margin:0 0 16px');
        break;
      case 'th_open':
      case 'td_open':
        t.attrSet('style', `border-bottom:1px solid ${s.muted};padding:6px 8px;text-align:left;vertical-align:top`);
        break;
      case 'code_block':
      case 'fence':
        break;
      case 'inline':
        if (t.children) styleTokens(t.children, s, url, image, undefined, pos);
        break;
      case 'link_open':
        t.attrSet('href', url(String(t.attrGet('href') ?? '')));
        t.attrSet('style', `color:${s.link};text-decoration:underline`);
        break;
      case 'image': {
        const local = image && pos ? image(String(t.attrGet('src') ?? ''), pos) : undefined;
        if (local) {
          t.attrSet('src', local.src);
          t.attrSet('width', String(local.width));
          t.attrSet('height', String(local.height));
        }
        t.attrSet('src', url(String(t.attrGet('src') ?? '')));
        t.attrSet('style', 'max-width:100%;height:auto;border:0');
        break;
      }
    }
  }
}

/** Index of the token that closes the block opened at `i` (same level, nesting -1). */
function blockEnd(tokens: Token[], i: number): number {
  const open = tokens[i];
  if (open.nesting !== 1) return i;
  for (let j = i + 1; j < tokens.length; j++) {
    if (tokens[j].level === open.level && tokens[j].nesting === -1) return j;
  }
  return tokens.length - 1;
}

function render(tokens: Token[]): string {
  return md.renderer.render(tokens, md.options, {});
}

/** A paragraph that is exactly one link → CTA; exactly one image → image block. */
function classifyParagraph(
  inline: Token,
):
  | { kind: 'cta'; label: string; href: string }
  | { kind: 'image'; src: string; alt: string; title?: string; width?: number; height?: number }
  | null {
  const kids = (inline.children ?? []).filter((t) => !(t.type === 'softbreak' || (t.type === 'text' && t.content.trim() === '')));
  if (kids.length === 1 && kids[0].type === 'image') {
    const img = kids[0];
    const width = img.attrGet('width');
    const height = img.attrGet('height');
    return {
      kind: 'image',
      src: String(img.attrGet('src') ?? ''),
      alt: inlineText(img.children),
      title: img.attrGet('title') == null ? undefined : String(img.attrGet('title')),
      ...(width && height ? { width: Number(width), height: Number(height) } : {}),
    };
  }
  if (kids.length >= 2 && kids[0].type === 'link_open' && kids[kids.length - 1].type === 'link_close') {
    // Only one link: no other link_open in between.
    if (kids.slice(1, -1).some((t) => t.type === 'link_open' || t.type === 'image')) return null;
    // A bare <https://…> autolink or a link with no text has no label worth a button.
    if (kids[0].markup === 'autolink') return null;
    const label = inlineText(kids.slice(1, -1));
    if (!label) return null;
    return { kind: 'cta', label, href: String(kids[0].attrGet('href') ?? '') };
  }
  return null;
}

/** Split a blockquote into its quote and an attribution taken from a last "— Name" line. */
function quoteBlock(tokens: Token[], pos: SourcePos): Block {
  const inner = tokens.slice(1, -1);
  let attribution = '';
  let attributionHtml = '';
  // Last paragraph directly inside the quote.
  let pOpen = -1;
  for (let k = inner.length - 1; k >= 0; k--) {
    if (inner[k].type === 'paragraph_open' && inner[k].level === tokens[0].level + 1) {
      pOpen = k;
      break;
    }
  }
  if (pOpen >= 0 && inner[pOpen + 1]?.type === 'inline') {
    const inline = inner[pOpen + 1];
    const kids = inline.children ?? [];
    const lastBreak = kids.map((t) => t.type).lastIndexOf('softbreak');
    const tail = kids.slice(lastBreak + 1);
    const m = ATTRIBUTION.exec(inlineText(tail));
    if (m && tail.length) {
      attribution = `— ${m[1].trim()}`;
      // As HTML too, so a link in the attribution ("— [Jane Smith](…), Partner") survives.
      const first = tail.findIndex((t) => t.type === 'text' && t.content.trim() !== '');
      const dashless = tail.map((t, k) => {
        if (k !== first) return t;
        const copy = Object.assign(Object.create(Object.getPrototypeOf(t) as object) as Token, t);
        copy.content = t.content.replace(/^\s*(?:—|–|--)\s*/, '');
        return copy;
      });
      attributionHtml = `— ${md.renderer.renderInline(dashless, md.options, {}).trim()}`;
      if (lastBreak >= 0) {
        inline.children = kids.slice(0, lastBreak);
      } else {
        inner.splice(pOpen, 3); // the attribution was a paragraph of its own
      }
    }
  }
  return { kind: 'quote', html: render(inner), attribution, attributionHtml, pos };
}

/** Turn level-0 tokens into blocks; consecutive prose merges into one html block. */
function toBlocks(tokens: Token[], at: (t: Token) => SourcePos): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i];
    const end = blockEnd(tokens, i);
    const slice = tokens.slice(i, end + 1);
    const pos = at(t);
    let block: Block | null = null;
    if (t.type === 'paragraph_open') {
      const c = classifyParagraph(tokens[i + 1]);
      if (c) block = { ...c, pos };
    } else if (t.type === 'blockquote_open') {
      block = quoteBlock(slice, pos);
    }
    if (block) {
      blocks.push(block);
    } else {
      const html = render(slice);
      const prev = blocks[blocks.length - 1];
      if (prev?.kind === 'html') prev.html += html;
      else blocks.push({ kind: 'html', html, pos });
    }
    i = end + 1;
  }
  return blocks;
}

/**
 * Limits that keep a hostile or broken issue from exhausting the stack or the clock. Inline
 * nesting (`*****x*****` thousands deep) is built by markdown-it without a limit, and the
 * text-part converter recurses once per level; every section is its own MJML block, and MJML's
 * time grows faster than the section count (10,000 headings took 30 s). Real issues have a
 * dozen sections and emphasis three deep.
 */
export const MAX_INLINE_DEPTH = 32;
export const MAX_SECTIONS = 100;
export const MAX_BLOCKS = 400;

function checkLimits(tokens: Token[], at: (t: Token) => SourcePos): void {
  let sections = 0;
  for (const t of tokens) {
    if (t.type === 'heading_open' && t.level === 0 && (t.tag === 'h2' || t.tag === 'h1') && ++sections > MAX_SECTIONS) {
      throw new RoundupError(
        ErrorCodes.BODY,
        `more than ${MAX_SECTIONS} sections: an email this long is clipped by every inbox; split it into several issues`,
        at(t),
      );
    }
    if (t.type !== 'inline' || !t.children) continue;
    let depth = 0;
    for (const c of t.children) {
      depth += c.nesting;
      if (depth > MAX_INLINE_DEPTH) {
        throw new RoundupError(
          ErrorCodes.BODY,
          `emphasis or links nested more than ${MAX_INLINE_DEPTH} deep: check for a run of unbalanced "*" or "_"`,
          at(t),
        );
      }
    }
  }
}

export interface ParseOptions {
  /** The body's tokens when already parsed (by `tokenize`, for the image stage). */
  tokens?: Token[];
  /** Local images → published URL and size. */
  image?: ImageHook;
}

/** Pure: expanded Markdown body → intro blocks and sections. */
export function parseBody(body: ExpandedBody, style: InlineStyle, url: UrlHook = (u) => u, opts: ParseOptions = {}): ParsedBody {
  const tokens = opts.tokens ?? tokenize(body.text, style.locale);
  const at = (t: Token): SourcePos => body.origins[t.map?.[0] ?? 0] ?? body.origins[0];
  checkLimits(tokens, at);
  styleTokens(tokens, style, url, opts.image, at);
  const intro: Token[] = [];
  const sections: { head: Token[]; tokens: Token[] }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'heading_open' && t.level === 0 && (t.tag === 'h2' || t.tag === 'h1')) {
      sections.push({ head: tokens.slice(i, i + 3), tokens: [] });
      i += 2;
      continue;
    }
    (sections.length ? sections[sections.length - 1].tokens : intro).push(t);
  }
  const used = new Map<string, number>();
  const parsed: ParsedBody = {
    intro: toBlocks(intro, at),
    sections: sections.map((s, n): Section => {
      const inline = s.head[1];
      const title = inlineText(inline.children);
      let anchor = slugify(title);
      const seen = used.get(anchor) ?? 0;
      used.set(anchor, seen + 1);
      if (seen) anchor += `-${seen + 1}`;
      const pos = at(s.head[0]);
      return {
        number: n + 1,
        title,
        titleHtml: md.renderer.renderInline(inline.children ?? [], md.options, {}),
        anchor,
        standing: pos.file !== body.origins[0]?.file,
        blocks: toBlocks(s.tokens, at),
        pos,
      };
    }),
  };
  checkBlockCount(parsed);
  return parsed;
}

/** Each button, image, quote and run of prose is its own MJML block: thousands took minutes. */
function checkBlockCount(body: ParsedBody): void {
  let n = 0;
  for (const blocks of [body.intro, ...body.sections.map((s) => s.blocks)]) {
    for (const b of blocks) {
      if (++n > MAX_BLOCKS) {
        throw new RoundupError(
          ErrorCodes.BODY,
          `more than ${MAX_BLOCKS} blocks (buttons, images, quotes, paragraphs between them): an email this long is clipped by every inbox; split it into several issues`,
          b.pos,
        );
      }
    }
  }
}

/** A short Markdown snippet (the sign-off) as a body of its own, lines counted from `pos`. */
export function snippetBody(text: string, pos: SourcePos): ExpandedBody {
  return { text, origins: text.split('\n').map((_, i) => ({ file: pos.file, line: pos.line + i })) };
}

/** Pure: a short Markdown snippet (the sign-off) → blocks. */
export function parseSnippet(text: string, pos: SourcePos, style: InlineStyle, url?: UrlHook, opts?: ParseOptions): Block[] {
  return parseBody(snippetBody(text, pos), style, url, opts).intro;
}
