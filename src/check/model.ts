/** Walking the issue model: every block with its place, and the links and images inside it. */
import type { Block, IssueModel, SourcePos } from '../issue/types.js';
import { decodeEntities, stripTags } from './sources.js';

export interface PlacedBlock {
  block: Block;
  /** Heading level of the section the block sits under (1 = before any section: the title). */
  sectionLevel: 1 | 2;
}

export function allBlocks(model: IssueModel): PlacedBlock[] {
  return [
    ...model.intro.map((block) => ({ block, sectionLevel: 1 as const })),
    ...model.sections.flatMap((s) => s.blocks.map((block) => ({ block, sectionLevel: 2 as const }))),
    ...model.signoff.map((block) => ({ block, sectionLevel: 2 as const })),
  ];
}

export interface FoundLink {
  href: string;
  /** Visible link text; for a linked image, its alt text (what a screen reader announces). */
  text: string;
  pos: SourcePos;
  /** A call-to-action button rather than an inline link. */
  cta: boolean;
}

export interface FoundImage {
  src: string;
  alt: string;
  pos: SourcePos;
}

const attr = (attrs: string, name: string): string | undefined => {
  const m = new RegExp(`(?:^|\\s)${name}="([^"]*)"`, 'i').exec(attrs);
  return m ? decodeEntities(m[1]) : undefined;
};

/** Inline HTML the Markdown renderer produced (paragraphs, lists, quotes, section titles). */
function htmlOf(block: Block): string {
  return block.kind === 'html' || block.kind === 'quote' ? block.html : '';
}

export function linksIn(model: IssueModel): FoundLink[] {
  const out: FoundLink[] = [];
  const scan = (html: string, pos: SourcePos) => {
    for (const m of html.matchAll(/<a\s([^>]*)>([\s\S]*?)<\/a>/gi)) {
      const imageAlt = [...m[2].matchAll(/<img\s([^>]*?)\/?>/gi)].map((i) => attr(i[1], 'alt') ?? '').join(' ');
      out.push({ href: attr(m[1], 'href') ?? '', text: stripTags(m[2]) || imageAlt.trim(), pos, cta: false });
    }
  };
  for (const s of model.sections) scan(s.titleHtml, s.pos);
  for (const { block } of allBlocks(model)) {
    if (block.kind === 'cta') out.push({ href: block.href, text: block.label, pos: block.pos, cta: true });
    else scan(htmlOf(block), block.pos);
  }
  return out;
}

export function imagesIn(model: IssueModel): FoundImage[] {
  const out: FoundImage[] = [];
  for (const { block } of allBlocks(model)) {
    if (block.kind === 'image') {
      out.push({ src: block.src, alt: block.alt, pos: block.pos });
      continue;
    }
    for (const m of htmlOf(block).matchAll(/<img\s([^>]*?)\/?>/gi)) {
      out.push({ src: attr(m[1], 'src') ?? '', alt: attr(m[1], 'alt') ?? '', pos: block.pos });
    }
  }
  return out;
}
